// One run of an offline gate (1 data, 2 training, 3 evaluation) for a candidate, as executed on
// the gate worker pool: fetch the policy and the inputs (InputFetcher), run the gate engine
// (gates/), render the JSON report. Never throws; every way it can end is a GateRunResult kind,
// and the controller decides what each means (retry, Invalid condition, Rejected).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/candidate/candidate_spec.h"
#include "controllers/candidate/champion.h"
#include "gates/common/status.h"
#include "gates/io/byte_source.h"

namespace modelgate::controllers::candidate {

enum class Gate { kData, kTraining, kEvaluation };
// "DataValidation", "TrainingValidation", "OfflineEvaluation" (status.gates[].name).
const char* GateName(Gate gate);
// The ConfigMap key of the gate's JSON report: "data.json", "training.json", "evaluation.json".
const char* GateReportKey(Gate gate);

// Reads inputs from the outside world. Implementations must be thread-safe (several gate runs
// may fetch at once). Error codes follow gates/common/status.h: kNotFound, kIo, kUnavailable mean
// "not reachable now" (the controller retries with backoff); kInvalidInput, kLimitExceeded,
// kUsage and kUnsupported are final for this spec.
class InputFetcher {
 public:
  virtual ~InputFetcher() = default;
  // The value of `key` in ConfigMap `name` (data, or binaryData decoded from base64).
  virtual gates::Result<std::string> ReadConfigMapKey(const std::string& ns, const std::string& name,
                                                      const std::string& key) = 0;
  // A file:// or http(s):// URI; `timeout` bounds connect plus transfer of remote sources. The
  // bytes as stored or served, NOT inflated: RunGate hashes them for the audit trail (the digest
  // `sha256sum` of the object gives) and then detects and inflates gzip itself.
  virtual gates::Result<std::unique_ptr<gates::ByteSource>> OpenUri(const std::string& uri,
                                                                    std::chrono::milliseconds timeout,
                                                                    uint64_t max_bytes) = 0;
};

// Limits of one evaluation (documented in docs/candidate.md).
struct GateLimits {
  uint64_t max_bytes = 4ull << 30;                 // per input, after decompression (4 GiB)
  int64_t max_rows = 200'000'000;                  // per dataset
  std::chrono::milliseconds timeout{std::chrono::minutes(15)};  // the whole run
};

struct GateRequest {
  Gate gate = Gate::kData;
  std::string ns;
  CandidateSpec spec;
  std::optional<ChampionInfo> champion;  // gates 2 and 3
  GateLimits limits;
};

// The SHA-256 of one input a gate run read to its end, so that a reviewer can later prove which
// bytes a model was judged on (status.gates[].inputs[]).
struct InputDigest {
  std::string field;     // spec.gates.data.dataset, spec.gates.evaluation.policyFrom, ...
  std::string location;  // the URI, "configmap:<name>/<key>", or "inline" for an inline policy
  std::string sha256;    // 64 lowercase hex digits
  uint64_t bytes = 0;    // the number of bytes hashed
};

struct GateRunResult {
  enum class Kind {
    kJudged,             // the gate ran: see outcome and report
    kSourceUnavailable,  // an input or the policy ConfigMap could not be read now (retryable)
    kInvalidPolicy,      // the policy does not parse; error names the YAML path
    kInvalidInput,       // an input is malformed or over a limit; error names source and line
    kTimeout,            // the run took longer than limits.timeout
  };
  Kind kind = Kind::kJudged;
  std::string outcome;  // kJudged: "passed", "failed", "inconclusive", "champion_retained"
  nlohmann::ordered_json report;  // kJudged: the gate's JSON report (docs/report.md)
  std::string error;    // otherwise: a sentence naming the source/field and why
  std::string source;   // kSourceUnavailable / kInvalidInput: the field of the input, e.g. spec.gates.data.dataset
  std::optional<ChampionInfo> champion;  // the champion the run compared with, if any
  // Every input read to its end, in the order the run opened them (any kind; the status
  // records them for judged runs). What is hashed: URIs, the bytes as fetched (before gzip
  // inflation: `sha256sum` of the stored object); ConfigMap keys, the value as read (binaryData
  // decoded from base64, before inflation); an inline policy, its canonical JSON (sorted keys, no
  // spaces: nlohmann::json::dump(), the text the policy was parsed from). An input read only in
  // part — an error, a limit, a timeout — has no entry: a prefix's digest would mislead.
  std::vector<InputDigest> inputs;
};

// Runs the gate. `cancel` (may be null) aborts reads when set (shutdown); the run also ends with
// kTimeout once limits.timeout has passed since the call (checked on every read).
GateRunResult RunGate(const GateRequest& request, InputFetcher& fetcher, const std::atomic<bool>* cancel = nullptr);

}  // namespace modelgate::controllers::candidate
