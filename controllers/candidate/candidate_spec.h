// The parts of a ModelCandidate spec the candidate controller acts on, read from the JSON the API
// server returns (the CRD schema has already checked shapes, so parsing is tolerant: absent or
// mistyped optional fields take their defaults). CheckCandidateSpec adds the rules the controller
// needs beyond admission.h (a data or evaluation gate must name its policy), each naming the field.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/admission.h"

namespace modelgate::controllers::candidate {

using json = nlohmann::json;

// One gate input: exactly one of uri (file://, http://, https://) or a ConfigMap key.
struct SourceRef {
  std::string field;  // "spec.gates.data.dataset", for messages
  std::string uri;
  std::string config_map;
  std::string key;
  std::string format;  // "CSV", "JSONL" or "" (inferred from the name)

  bool empty() const { return uri.empty() && config_map.empty(); }
  // "http://host/train.csv" or "configMap fraud-data key train.csv".
  std::string Describe() const;
  // The name format inference and reports use: the URI, or "configmap/<name>/<key>".
  std::string Name() const;
};

// A policy: inline (`policy`, a JSON object that is also valid YAML) or `policyFrom` a ConfigMap.
struct PolicyRef {
  std::string field;  // "spec.gates.evaluation.policy"
  bool present = false;
  json inline_policy;  // null unless inline
  std::string config_map;
  std::string key;
  std::string Describe() const;
};

struct RetrySettings {
  int limit = 0;
  std::chrono::milliseconds backoff{0};
  std::chrono::milliseconds max_backoff{0};
  std::optional<std::chrono::milliseconds> timeout;
  // backoff * 2^(failures-1), capped at max_backoff; failures >= 1.
  std::chrono::milliseconds DelayAfter(int failures) const;
};

struct DataGateSpec {
  SourceRef dataset;
  std::optional<SourceRef> baseline;
  std::optional<SourceRef> serving;
  PolicyRef policy;
};

struct TrainingGateSpec {
  std::optional<SourceRef> log;
  PolicyRef policy;
  json job_template;  // null when the operator runs no training Job
  RetrySettings retry;  // Job retries (limit, backoff 30s, maxBackoff 10m)
};

struct EvaluationGateSpec {
  SourceRef dataset;
  PolicyRef policy;
};

struct CandidateSpec {
  std::string model;
  std::string version;
  std::string trigger_type;  // "Manual" when absent
  std::optional<DataGateSpec> data;
  std::optional<TrainingGateSpec> training;
  std::optional<EvaluationGateSpec> evaluation;
  RetrySettings source_retry;  // backoff 10s, maxBackoff 5m, optional timeout
};

// "30s", "1m30s", "1.5h", "250ms" -> milliseconds; nullopt for anything else.
std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text);

CandidateSpec ParseCandidateSpec(const json& spec);

// Problems the controller cannot run with (beyond ValidateCandidateSpec): a data or evaluation
// gate without policy or policyFrom (with no policy nothing would be judged: never a silent pass),
// an unparseable duration.
std::vector<SpecProblem> CheckCandidateSpec(const json& spec);

}  // namespace modelgate::controllers::candidate
