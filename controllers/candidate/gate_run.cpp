#include "controllers/candidate/gate_run.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <thread>

#include "gates/data/data_gate.h"
#include "gates/data/row_skew.h"
#include "gates/evaluation/evaluation_gate.h"
#include "gates/io/hashing_byte_source.h"
#include "gates/report/evaluation_report.h"
#include "gates/training/training_gate.h"

namespace modelgate::controllers::candidate {
namespace {

using Kind = GateRunResult::Kind;
using SteadyTime = std::chrono::steady_clock::time_point;

// Fails every Read once the run's deadline passed or `cancel` was set, so a slow source or a
// shutdown ends the gate engine's loop at the next read.
class DeadlineSource final : public gates::ByteSource {
 public:
  DeadlineSource(std::unique_ptr<gates::ByteSource> inner, SteadyTime deadline, const std::atomic<bool>* cancel,
                 std::atomic<bool>* timed_out)
      : inner_(std::move(inner)), deadline_(deadline), cancel_(cancel), timed_out_(timed_out) {}
  gates::Result<size_t> Read(char* buffer, size_t capacity) override {
    if ((cancel_ && cancel_->load()) || std::chrono::steady_clock::now() > deadline_) {
      timed_out_->store(true);
      return gates::Status(gates::ErrorCode::kIo, inner_->name() + ": evaluation stopped (timeout or shutdown)");
    }
    return inner_->Read(buffer, capacity);
  }
  const std::string& name() const override { return inner_->name(); }

 private:
  std::unique_ptr<gates::ByteSource> inner_;
  SteadyTime deadline_;
  const std::atomic<bool>* cancel_;
  std::atomic<bool>* timed_out_;
};

// A ConfigMap value as read, without gzip detection (that comes above the hash, as for URIs).
class RawStringSource final : public gates::ByteSource {
 public:
  RawStringSource(std::string data, std::string name) : data_(std::move(data)), name_(std::move(name)) {}
  gates::Result<size_t> Read(char* buffer, size_t capacity) override {
    const size_t n = std::min(capacity, data_.size() - offset_);
    std::memcpy(buffer, data_.data() + offset_, n);
    offset_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::string data_;
  size_t offset_ = 0;
  std::string name_;
};

std::string ConfigMapLocation(const std::string& name, const std::string& key) {
  return "configmap:" + name + "/" + key;
}

// Exhaustive on purpose (no default): a new error code must be classified here, or -Wswitch fails
// the build. Only what can heal by itself (the source comes back, the file appears) is retried.
bool Retryable(gates::ErrorCode code) {
  switch (code) {
    case gates::ErrorCode::kInvalidInput:
    case gates::ErrorCode::kMalformedRow:
    case gates::ErrorCode::kLimitExceeded:
    case gates::ErrorCode::kUsage:
    case gates::ErrorCode::kUnsupported:
    case gates::ErrorCode::kOk:
      return false;
    case gates::ErrorCode::kNotFound:
    case gates::ErrorCode::kIo:
    case gates::ErrorCode::kUnavailable:
      return true;
  }
  return false;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

gates::DataFormat FormatOf(const SourceRef& source) {
  if (source.format == "CSV") return gates::DataFormat::kCsv;
  if (source.format == "JSONL") return gates::DataFormat::kJsonLines;
  return gates::DataFormat::kAuto;
}

class Runner {
 public:
  Runner(const GateRequest& request, InputFetcher& fetcher, const std::atomic<bool>* cancel)
      : request_(request), fetcher_(fetcher), cancel_(cancel),
        deadline_(std::chrono::steady_clock::now() + request.limits.timeout) {}

  GateRunResult Run() {
    switch (request_.gate) {
      case Gate::kData: return RunData();
      case Gate::kTraining: return RunTraining();
      case Gate::kEvaluation: return RunEvaluation();
    }
    return Error(Kind::kInvalidInput, "", "unknown gate");
  }

 private:
  GateRunResult Error(Kind kind, const std::string& source, const std::string& message) const {
    GateRunResult r;
    r.kind = timed_out_ ? Kind::kTimeout : kind;
    r.source = source;
    r.error = timed_out_ ? "the evaluation did not finish within " +
                               std::to_string(request_.limits.timeout.count() / 1000) + "s (" + message + ")"
                         : message;
    r.inputs = Digests();
    return r;
  }

  // The inputs read to their end so far, in the order they were opened.
  std::vector<InputDigest> Digests() const {
    std::vector<InputDigest> out;
    for (const Hashed& hashed : hashed_) {
      if (!hashed.stream) {
        out.push_back(hashed.input);
      } else if (hashed.stream->complete()) {
        InputDigest input = hashed.input;
        input.sha256 = hashed.stream->sha256();
        input.bytes = hashed.stream->bytes();
        out.push_back(std::move(input));
      }
    }
    return out;
  }

  // An input held whole in memory (a policy): parsed whole, so read completely by definition.
  void RecordWhole(const std::string& field, const std::string& location, const std::string& bytes) {
    hashed_.push_back({{field, location, gates::Sha256Hex(bytes), bytes.size()}, nullptr});
  }

  // An error while reading or judging `source`: retryable codes are "unavailable".
  GateRunResult SourceError(const SourceRef& source, const gates::Status& status) const {
    if (Retryable(status.code())) {
      return Error(Kind::kSourceUnavailable, source.field,
                   source.field + " (" + source.Describe() + ") is not readable: " + status.message());
    }
    return Error(Kind::kInvalidInput, source.field, source.field + ": " + status.message());
  }

  // The policy YAML text (recorded among the inputs), or the error result.
  std::optional<GateRunResult> ReadPolicy(const PolicyRef& policy, std::string* text) {
    if (!policy.present) {
      *text = "{}";
      return std::nullopt;
    }
    if (!policy.config_map.empty()) {
      auto value = fetcher_.ReadConfigMapKey(request_.ns, policy.config_map, policy.key);
      if (!value.ok()) {
        if (Retryable(value.status().code())) {
          return Error(Kind::kSourceUnavailable, policy.field,
                       policy.field + " (" + policy.Describe() + ") is not readable: " + value.status().message());
        }
        return Error(Kind::kInvalidPolicy, policy.field, policy.field + ": " + value.status().message());
      }
      *text = *value;
      RecordWhole(policy.field, ConfigMapLocation(policy.config_map, policy.key), *text);
      return std::nullopt;
    }
    *text = policy.inline_policy.dump();  // JSON is YAML; paths in parse errors stay the same
    RecordWhole(policy.field, "inline", *text);
    return std::nullopt;
  }

  GateRunResult PolicyError(const gates::Status& status) const {
    return Error(Kind::kInvalidPolicy, "", status.message());
  }

  // The input's bytes as stored are hashed (gates/io/hashing_byte_source.h), then inflated when
  // gzip, capped and bounded by the deadline. Every read of an input in the operator goes through
  // here as one sequential stream — gate 3 included: it reads the fetcher's stream, never a local
  // path in two parts (gates/io/csv_split.h) — so the digest covers each byte exactly once.
  gates::Result<std::unique_ptr<gates::ByteSource>> Open(const SourceRef& source) {
    std::unique_ptr<gates::ByteSource> bytes;
    std::string location = source.uri;
    if (!source.uri.empty()) {
      auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
      if (remaining.count() <= 0) {
        timed_out_ = true;
        return gates::Status(gates::ErrorCode::kIo, source.uri + ": no time left");
      }
      auto opened = fetcher_.OpenUri(source.uri, remaining, request_.limits.max_bytes);
      if (!opened.ok()) return opened.status();
      bytes = std::move(opened).value();
    } else {
      auto text = fetcher_.ReadConfigMapKey(request_.ns, source.config_map, source.key);
      if (!text.ok()) return text.status();
      bytes = std::make_unique<RawStringSource>(std::move(text).value(), source.Name());
      location = ConfigMapLocation(source.config_map, source.key);
    }
    auto digest = std::make_shared<gates::StreamDigest>();
    hashed_.push_back({{source.field, location, "", 0}, digest});
    auto inflated = gates::DetectGzip(gates::HashBytes(std::move(bytes), digest));
    if (!inflated.ok()) return inflated.status();
    bytes = gates::LimitBytes(std::move(inflated).value(), request_.limits.max_bytes);
    return std::unique_ptr<gates::ByteSource>(
        std::make_unique<DeadlineSource>(std::move(bytes), deadline_, cancel_, &timed_out_));
  }

  gates::Result<std::unique_ptr<gates::RecordReader>> Reader(const SourceRef& source) {
    auto bytes = Open(source);
    if (!bytes.ok()) return bytes.status();
    gates::ReadOptions options;
    options.format = FormatOf(source);
    return gates::OpenRecordReader(std::move(bytes).value(), options);
  }

  // A dataset profiled with `options`, or a saved profile (a .json source).
  gates::Result<gates::DatasetProfile> Profile(const SourceRef& source, const gates::ProfileOptions& options) {
    if (EndsWith(source.Name(), ".json")) {
      if (options.observer) return gates::SavedProfileCannotJoin(source.Name());
      auto bytes = Open(source);
      if (!bytes.ok()) return bytes.status();
      std::string text;
      char buffer[65536];
      while (true) {
        auto n = (*bytes)->Read(buffer, sizeof buffer);
        if (!n.ok()) return n.status();
        if (*n == 0) break;
        text.append(buffer, *n);
      }
      return gates::ProfileFromJson(text, source.Name());
    }
    auto reader = Reader(source);
    if (!reader.ok()) return reader.status();
    return gates::ProfileDataset(**reader, options);
  }

  GateRunResult Judged(std::string outcome, nlohmann::ordered_json report) const {
    GateRunResult r;
    r.kind = Kind::kJudged;
    r.outcome = std::move(outcome);
    r.report = std::move(report);
    r.champion = request_.champion;
    r.inputs = Digests();
    return r;
  }

  GateRunResult RunData() {
    const DataGateSpec& spec = *request_.spec.data;
    std::string policy_text;
    if (auto failed = ReadPolicy(spec.policy, &policy_text)) return *failed;
    auto policy = gates::ParseDataPolicy(policy_text, spec.policy.Describe());
    if (!policy.ok()) return PolicyError(policy.status());
    gates::ProfileOptions options = gates::DataProfileOptions(*policy, request_.limits.max_rows);
    // Row-level skew: the serving sample is indexed while it is profiled, then the dataset is
    // joined against it in its own pass (gates/data/row_skew.h).
    std::unique_ptr<gates::RowSkewJoin> join;
    std::optional<gates::DatasetProfile> baseline, serving;
    if (policy->row_skew.configured && spec.serving) {
      join = std::make_unique<gates::RowSkewJoin>(*policy);
      gates::ProfileOptions serving_options = options;
      serving_options.observer = &join->serving();
      auto p = Profile(*spec.serving, serving_options);
      if (!p.ok()) return SourceError(*spec.serving, p.status());
      serving = std::move(p).value();
    }
    gates::ProfileOptions data_options = options;
    if (join) data_options.observer = &join->training();
    auto current = Profile(spec.dataset, data_options);
    if (!current.ok()) return SourceError(spec.dataset, current.status());
    if (spec.baseline) {
      auto p = Profile(*spec.baseline, options);
      if (!p.ok()) return SourceError(*spec.baseline, p.status());
      baseline = std::move(p).value();
    }
    if (spec.serving && !serving) {
      auto p = Profile(*spec.serving, options);
      if (!p.ok()) return SourceError(*spec.serving, p.status());
      serving = std::move(p).value();
    }
    std::optional<gates::RowSkewResult> row_skew;
    if (join) row_skew = join->Finish();
    gates::DataResult result =
        gates::RunDataGate(*policy, *current, baseline ? &*baseline : nullptr,
                           serving ? &*serving : nullptr, row_skew ? &*row_skew : nullptr);
    return Judged(gates::GateOutcomeName(result.outcome),
                  gates::RenderDataReport(result, spec.policy.Describe(), spec.dataset.Name()));
  }

  GateRunResult RunTraining() {
    const TrainingGateSpec& spec = *request_.spec.training;
    std::string policy_text;
    if (auto failed = ReadPolicy(spec.policy, &policy_text)) return *failed;
    auto policy = gates::ParseTrainingPolicy(policy_text, spec.policy.present ? spec.policy.Describe() : "default training policy");
    if (!policy.ok()) return PolicyError(policy.status());
    const SourceRef& log_ref = *spec.log;
    auto bytes = Open(log_ref);
    if (!bytes.ok()) return SourceError(log_ref, bytes.status());
    auto log = gates::ReadTrainingLog(std::move(bytes).value(), FormatOf(log_ref), policy->step_field);
    if (!log.ok()) return SourceError(log_ref, log.status());
    std::optional<std::map<std::string, double>> champion;
    std::string champion_name;
    if (request_.champion && !request_.champion->training.empty()) {
      champion = request_.champion->training;
      champion_name = "ModelCandidate " + request_.champion->name;
    }
    auto result = gates::RunTrainingGate(*policy, *log, champion, champion_name);
    if (!result.ok()) return Error(Kind::kInvalidInput, log_ref.field, log_ref.field + ": " + result.status().message());
    return Judged(gates::GateOutcomeName(result->outcome),
                  gates::RenderTrainingReport(*result, spec.policy.Describe(), log_ref.Name()));
  }

  GateRunResult RunEvaluation() {
    const EvaluationGateSpec& spec = *request_.spec.evaluation;
    std::string policy_text;
    if (auto failed = ReadPolicy(spec.policy, &policy_text)) return *failed;
    auto policy = gates::ParseEvalPolicy(policy_text, spec.policy.Describe());
    if (!policy.ok()) return PolicyError(policy.status());
    auto reader = Reader(spec.dataset);
    if (!reader.ok()) return SourceError(spec.dataset, reader.status());
    gates::EvaluationOptions options;
    options.limits.max_rows = request_.limits.max_rows;
    if (request_.champion && !request_.champion->evaluation.by_scope.empty()) {
      options.champion_report = request_.champion->evaluation;
    }
    auto result = gates::RunEvaluationGate(*policy, **reader, options);
    if (!result.ok()) return SourceError(spec.dataset, result.status());
    return Judged(gates::GateOutcomeName(result->outcome),
                  gates::RenderEvaluationReport(*result, {spec.policy.Describe(), spec.dataset.Name()}));
  }

  // An input the run opened; a streamed one's digest completes when its reader reaches the end.
  struct Hashed {
    InputDigest input;  // sha256 and bytes already set when stream is null
    std::shared_ptr<gates::StreamDigest> stream;  // null for an input held whole
  };

  const GateRequest& request_;
  InputFetcher& fetcher_;
  const std::atomic<bool>* cancel_;
  SteadyTime deadline_;
  std::atomic<bool> timed_out_{false};
  std::vector<Hashed> hashed_;
};

}  // namespace

const char* GateName(Gate gate) {
  switch (gate) {
    case Gate::kData: return "DataValidation";
    case Gate::kTraining: return "TrainingValidation";
    case Gate::kEvaluation: return "OfflineEvaluation";
  }
  return "";
}

const char* GateReportKey(Gate gate) {
  switch (gate) {
    case Gate::kData: return "data.json";
    case Gate::kTraining: return "training.json";
    case Gate::kEvaluation: return "evaluation.json";
  }
  return "";
}

GateRunResult RunGate(const GateRequest& request, InputFetcher& fetcher, const std::atomic<bool>* cancel) {
  Runner runner(request, fetcher, cancel);
  return runner.Run();
}

}  // namespace modelgate::controllers::candidate
