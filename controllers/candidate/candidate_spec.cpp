#include "controllers/candidate/candidate_spec.h"
#include "controllers/json_fields.h"

#include <cctype>
#include <cmath>

namespace modelgate::controllers::candidate {
namespace {

SourceRef ParseSource(const json& source, const std::string& field) {
  SourceRef ref;
  ref.field = field;
  ref.uri = Str(source, "uri");
  const json& cm = Child(source, "configMapKeyRef");
  ref.config_map = Str(cm, "name");
  ref.key = Str(cm, "key");
  ref.format = Str(source, "format");
  return ref;
}

std::optional<SourceRef> OptionalSource(const json& gate, const char* key, const std::string& field) {
  const json& s = Child(gate, key);
  if (!s.is_object()) return std::nullopt;
  return ParseSource(s, field + "." + key);
}

PolicyRef ParsePolicy(const json& gate, const std::string& gate_field) {
  PolicyRef ref;
  const json& inline_policy = Child(gate, "policy");
  const json& from = Child(Child(gate, "policyFrom"), "configMapKeyRef");
  if (inline_policy.is_object()) {
    ref.present = true;
    ref.field = gate_field + ".policy";
    ref.inline_policy = inline_policy;
  } else if (from.is_object()) {
    ref.present = true;
    ref.field = gate_field + ".policyFrom";
    ref.config_map = Str(from, "name");
    ref.key = Str(from, "key");
  }
  return ref;
}

RetrySettings ParseRetry(const json& retry, std::chrono::milliseconds backoff, std::chrono::milliseconds max_backoff) {
  RetrySettings settings;
  settings.backoff = backoff;
  settings.max_backoff = max_backoff;
  if (Child(retry, "limit").is_number_integer()) settings.limit = Child(retry, "limit").get<int>();
  if (auto d = ParseDuration(Str(retry, "backoff"))) settings.backoff = *d;
  if (auto d = ParseDuration(Str(retry, "maxBackoff"))) settings.max_backoff = *d;
  if (auto d = ParseDuration(Str(retry, "timeout"))) settings.timeout = *d;
  return settings;
}

}  // namespace

std::string SourceRef::Describe() const {
  if (!uri.empty()) return uri;
  return "configMap " + config_map + " key " + key;
}

std::string SourceRef::Name() const {
  if (!uri.empty()) return uri;
  return "configmap/" + config_map + "/" + key;
}

std::string PolicyRef::Describe() const {
  if (!config_map.empty()) return "configMap " + config_map + " key " + key;
  return field;
}

std::chrono::milliseconds RetrySettings::DelayAfter(int failures) const {
  std::chrono::milliseconds delay = backoff;
  for (int i = 1; i < failures && delay < max_backoff; ++i) delay *= 2;
  return std::min(delay, max_backoff.count() > 0 ? max_backoff : delay);
}

std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    double number = 0;
    try {
      number = std::stod(text.substr(start, i - start));
    } catch (...) {
      return std::nullopt;
    }
    double unit_ms = 0;
    if (text.compare(i, 2, "ms") == 0) {
      unit_ms = 1;
      i += 2;
    } else if (i < text.size() && text[i] == 's') {
      unit_ms = 1000;
      ++i;
    } else if (i < text.size() && text[i] == 'm') {
      unit_ms = 60000;
      ++i;
    } else if (i < text.size() && text[i] == 'h') {
      unit_ms = 3600000;
      ++i;
    } else {
      return std::nullopt;
    }
    total_ms += number * unit_ms;
  }
  return std::chrono::milliseconds(static_cast<long long>(std::llround(total_ms)));
}

CandidateSpec ParseCandidateSpec(const json& spec) {
  CandidateSpec out;
  out.model = Str(spec, "model");
  out.version = Str(spec, "version");
  out.trigger_type = Str(Child(spec, "trigger"), "type");
  if (out.trigger_type.empty()) out.trigger_type = "Manual";
  const json& gates = Child(spec, "gates");
  if (const json& data = Child(gates, "data"); data.is_object()) {
    DataGateSpec d;
    d.dataset = ParseSource(Child(data, "dataset"), "spec.gates.data.dataset");
    d.baseline = OptionalSource(data, "baseline", "spec.gates.data");
    d.serving = OptionalSource(data, "serving", "spec.gates.data");
    d.policy = ParsePolicy(data, "spec.gates.data");
    out.data = std::move(d);
  }
  if (const json& training = Child(gates, "training"); training.is_object()) {
    TrainingGateSpec t;
    t.log = OptionalSource(training, "log", "spec.gates.training");
    t.policy = ParsePolicy(training, "spec.gates.training");
    if (Child(training, "jobTemplate").is_object()) t.job_template = Child(training, "jobTemplate");
    t.retry = ParseRetry(Child(training, "retry"), std::chrono::seconds(30), std::chrono::minutes(10));
    out.training = std::move(t);
  }
  if (const json& evaluation = Child(gates, "evaluation"); evaluation.is_object()) {
    EvaluationGateSpec e;
    e.dataset = ParseSource(Child(evaluation, "dataset"), "spec.gates.evaluation.dataset");
    e.policy = ParsePolicy(evaluation, "spec.gates.evaluation");
    out.evaluation = std::move(e);
  }
  out.source_retry = ParseRetry(Child(spec, "sourceRetry"), std::chrono::seconds(10), std::chrono::minutes(5));
  return out;
}

std::vector<SpecProblem> CheckCandidateSpec(const json& spec) {
  std::vector<SpecProblem> problems;
  const json& gates = Child(spec, "gates");
  for (const char* gate : {"data", "evaluation"}) {
    const json& g = Child(gates, gate);
    if (g.is_object() && !Child(g, "policy").is_object() && !Child(g, "policyFrom").is_object()) {
      problems.push_back({std::string("spec.gates.") + gate,
                          "expected policy or policyFrom: without a policy nothing would be judged"});
    }
  }
  auto check_duration = [&](const json& parent, const std::string& field, const char* key) {
    const json& v = Child(parent, key);
    if (v.is_string() && !ParseDuration(v.get<std::string>())) {
      problems.push_back({field + "." + key, "expected a duration such as 30s or 1m30s, got '" +
                                                 v.get<std::string>() + "'"});
    }
  };
  for (const char* key : {"backoff", "maxBackoff"}) {
    check_duration(Child(Child(gates, "training"), "retry"), "spec.gates.training.retry", key);
  }
  for (const char* key : {"backoff", "maxBackoff", "timeout"}) {
    check_duration(Child(spec, "sourceRetry"), "spec.sourceRetry", key);
  }
  return problems;
}

}  // namespace modelgate::controllers::candidate
