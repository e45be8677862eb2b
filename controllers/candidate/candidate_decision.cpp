#include "controllers/candidate/candidate_decision.h"

#include <array>

#include "controllers/admission.h"
#include "controllers/candidate/candidate_spec.h"
#include "controllers/candidate/gate_status.h"
#include "controllers/conditions.h"
#include "operator/kube/time_format.h"
#include "controllers/json_fields.h"

namespace modelgate::controllers::candidate {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::system_clock;

long long Int(const json& parent, const char* key) {
  const json& v = Child(parent, key);
  return v.is_number_integer() ? v.get<long long>() : 0;
}

bool OwnedByRollout(const std::string& phase) {
  return phase == "RollingOut" || phase == "Production" || phase == "RolledBack" || phase == "Archived";
}

// The steps of the machine in order; a step is enabled when the spec asks for it.
enum Step { kStepData, kStepTrainingJob, kStepTrainingLog, kStepEvaluation, kStepCount };
constexpr std::array<const char*, kStepCount> kStepPhase = {"ValidatingData", "Training", "ValidatingTraining",
                                                            "Evaluating"};
constexpr std::array<Gate, kStepCount> kStepGate = {Gate::kData, Gate::kTraining, Gate::kTraining, Gate::kEvaluation};

std::optional<Gate> GateOfPhase(const std::string& phase) {
  if (phase == "ValidatingData") return Gate::kData;
  if (phase == "ValidatingTraining") return Gate::kTraining;
  if (phase == "Evaluating") return Gate::kEvaluation;
  return std::nullopt;
}

const json* FindGate(const json& status, const std::string& name) {
  const json& gates = Child(status, "gates");
  if (!gates.is_array()) return nullptr;
  for (const json& g : gates) {
    if (Str(g, "name") == name) return &g;
  }
  return nullptr;
}

std::string RunKey(const json& object, Gate gate, long long attempts) {
  const json& meta = Child(object, "metadata");
  return Str(meta, "uid") + "/g" + std::to_string(Int(meta, "generation")) + "/" + GateName(gate) + "/a" +
         std::to_string(attempts);
}

std::string Seconds(std::chrono::milliseconds d) {
  const long long ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

class Machine {
 public:
  explicit Machine(const CandidateContext& ctx)
      : ctx_(ctx), object_(ctx.object), spec_json_(Child(ctx.object, "spec")),
        spec_(ParseCandidateSpec(spec_json_)), generation_(Int(Child(ctx.object, "metadata"), "generation")) {
    enabled_[kStepData] = spec_.data.has_value();
    enabled_[kStepTrainingJob] = spec_.training && !spec_.training->job_template.is_null();
    enabled_[kStepTrainingLog] = spec_.training && spec_.training->log.has_value();
    enabled_[kStepEvaluation] = spec_.evaluation.has_value();
  }

  CandidateDecision Decide() {
    const json original = Child(object_, "status").is_object() ? Child(object_, "status") : json::object();
    status_ = original;
    Run();
    out_.status = status_;
    out_.status_changed = status_ != original;
    return std::move(out_);
  }

 private:
  void Run() {
    const std::string phase = Str(status_, "phase");
    if (OwnedByRollout(phase)) {
      if (Int(status_, "observedGeneration") != generation_) status_["observedGeneration"] = generation_;
      return;
    }
    if (phase == "Superseded") return;  // terminal: a newer candidate of its pipeline replaced it
    if (const std::string by = Str(Child(Child(object_, "metadata"), "annotations"), "modelgate.io/superseded-by");
        !by.empty() && (phase.empty() || phase == "Pending" || GateOfPhase(phase) || phase == "Training")) {
      Supersede(by);
      return;
    }
    const bool new_generation = !status_.contains("observedGeneration") || Int(status_, "observedGeneration") != generation_;
    const bool had_gates = RanAnyGate();
    Decision admission = DecideAdmission(object_, ctx_.now);
    const std::vector<SpecProblem> problems = CheckCandidateSpec(spec_json_);
    if (admission.status_changed) {
      status_ = admission.status;
      for (auto& e : admission.events) {
        if (e.reason == "Accepted" && !problems.empty()) continue;  // InvalidSpec follows instead
        AddEvent(e.type, e.reason, e.action, e.note, "", e.type == "Warning" ? "invalid" : "accepted");
      }
    }
    if (const auto invalid = FindCondition(status_["conditions"], "Invalid");
        invalid && (*invalid)["reason"] == "InvalidSpec" && (*invalid)["status"] == "True") {
      if (new_generation) ResetToPending("the spec is invalid: " + (*invalid)["message"].get<std::string>());
      return;
    }
    if (!problems.empty()) {
      std::string message;
      for (const auto& p : problems) message += (message.empty() ? "" : "; ") + p.field + ": " + p.message;
      SetCondition(status_["conditions"], {"Accepted", "False", "InvalidSpec", message, generation_}, ctx_.now);
      SetCondition(status_["conditions"], {"Invalid", "True", "InvalidSpec", message, generation_}, ctx_.now);
      if (new_generation) {
        ResetToPending("invalid spec: " + message);
        AddEvent("Warning", "InvalidSpec", "Validate", message, "", "invalid");
      }
      return;
    }
    if (new_generation || !status_.contains("gates")) InitGates(new_generation && had_gates);
    for (int i = 0; i < 8 && StepOnce(); ++i) {
    }
  }

  bool RanAnyGate() const {
    const json& gates = Child(status_, "gates");
    if (!gates.is_array()) return false;
    for (const json& g : gates) {
      const std::string state = Str(g, "state");
      if (state != "Pending" && state != "Skipped") return true;
    }
    return false;
  }

  json& GateEntry(Gate gate) {
    json& gates = status_["gates"];
    if (!gates.is_array()) gates = json::array();
    for (json& g : gates) {
      if (Str(g, "name") == GateName(gate)) return g;
    }
    gates.push_back({{"name", GateName(gate)}, {"state", "Pending"}});
    return gates.back();
  }

  void AddEvent(const std::string& type, const std::string& reason, const std::string& action,
                const std::string& note, const std::string& gate, const std::string& decision) {
    out_.events.push_back({{type, reason, action, note}, gate, decision});
  }

  void Requeue(std::chrono::milliseconds after) {
    if (!out_.requeue_after || after < *out_.requeue_after) out_.requeue_after = after;
  }

  void SetStage(const std::string& stage) {
    if (Str(status_, "stage") == stage) return;
    status_["stage"] = stage;
    status_["stageTransitionTime"] = kube::FormatTime(ctx_.now);
  }

  void ResetToPending(const std::string& message) {
    status_["phase"] = "Pending";
    SetStage("Candidate");
    status_.erase("currentGate");
    status_["message"] = message;
  }

  void InitGates(bool restarted) {
    json kept = json::array();
    if (status_["gates"].is_array()) {
      for (const json& g : status_["gates"]) {
        const std::string name = Str(g, "name");
        if (name != "DataValidation" && name != "TrainingValidation" && name != "OfflineEvaluation") kept.push_back(g);
      }
    }
    json gates = json::array();
    const std::array<std::pair<Gate, bool>, 3> configured = {
        std::pair{Gate::kData, spec_.data.has_value()}, std::pair{Gate::kTraining, spec_.training.has_value()},
        std::pair{Gate::kEvaluation, spec_.evaluation.has_value()}};
    const std::array<const char*, 3> fields = {"spec.gates.data", "spec.gates.training", "spec.gates.evaluation"};
    bool any = false;
    for (size_t i = 0; i < configured.size(); ++i) {
      json entry = {{"name", GateName(configured[i].first)}, {"observedGeneration", generation_}, {"attempts", 0}};
      if (configured[i].second) {
        any = true;
        entry["state"] = "Pending";
        entry["reason"] = "Waiting";
        entry["message"] = "waiting for the previous gates";
      } else {
        entry["state"] = "Skipped";
        entry["reason"] = "InputsAbsent";
        entry["message"] = std::string(fields[i]) + " is not set: this gate was not run (not passed)";
      }
      gates.push_back(std::move(entry));
    }
    for (const json& g : kept) gates.push_back(g);
    status_["gates"] = gates;
    status_.erase("training");
    status_.erase("champion");
    json& conditions = status_["conditions"];
    RemoveCondition(conditions, "SourcesReachable");
    if (auto invalid = FindCondition(conditions, "Invalid"); invalid && (*invalid)["reason"] != "InvalidSpec") {
      RemoveCondition(conditions, "Invalid");
    }
    if (restarted) {
      AddEvent("Normal", "GatesRestarted", "Restart",
               "spec generation " + std::to_string(generation_) + " changed after gates ran: all gates run again", "",
               "restarted");
    }
    if (!any) {
      ResetToPending("no gates configured in spec.gates: nothing was judged, so the candidate cannot become Ready");
      SetCondition(conditions, {"Ready", "False", "NoGates", status_["message"].get<std::string>(), generation_}, ctx_.now);
      AddEvent("Warning", "NoGates", "Validate", status_["message"].get<std::string>(), "", "waiting");
      return;
    }
    for (size_t i = 0; i < configured.size(); ++i) {
      if (!configured[i].second) {
        AddEvent("Normal", "GateSkipped", "Skip", std::string(GateName(configured[i].first)) + " skipped: " + fields[i] + " is not set",
                 GateName(configured[i].first), "skipped");
      }
    }
    SetStage("Candidate");
    SetCondition(conditions, {"Ready", "False", "GatesPending", "the offline gates have not finished", generation_}, ctx_.now);
    MoveToNext(-1);
  }

  // Moves to the first enabled step after `after`, or to Ready.
  void MoveToNext(int after) {
    for (int s = after + 1; s < kStepCount; ++s) {
      if (!enabled_[s]) continue;
      status_["phase"] = kStepPhase[s];
      status_["currentGate"] = GateName(kStepGate[s]);
      status_["message"] = std::string("running ") + GateName(kStepGate[s]);
      return;
    }
    BecomeReady();
  }

  void BecomeReady() {
    std::string passed, skipped;
    for (const json& g : status_["gates"]) {
      const std::string name = Str(g, "name");
      if (name == "OnlineEvaluation") continue;
      std::string& list = Str(g, "state") == "Passed" ? passed : skipped;
      list += (list.empty() ? "" : ", ") + name;
    }
    status_["phase"] = "Ready";
    SetStage("Staging");
    std::string message = "passed " + passed;
    if (!skipped.empty()) message += "; skipped " + skipped;
    if (status_.contains("champion")) message += "; compared with champion version " + Str(status_["champion"], "version");
    status_["message"] = message;
    SetCondition(status_["conditions"], {"Ready", "True", "GatesPassed", message, generation_}, ctx_.now);
    AddEvent("Normal", "Ready", "Promote", "Ready for rollout (stage Staging): " + message, "", "ready");
  }

  // concurrencyPolicy Replace of its ModelPipeline: the gates stop here (a running evaluation's
  // result is ignored, a running training Job is deleted) and the candidate ends Superseded.
  void Supersede(const std::string& by) {
    if (Child(status_, "gates").is_array()) {
      for (json& g : status_["gates"]) {
        const std::string state = Str(g, "state");
        if (state == "Running" || state == "Pending") {
          g["state"] = "Skipped";
          g["reason"] = "Superseded";
          g["message"] = "not run: superseded by " + by;
          g.erase("nextAttemptAt");
        }
      }
    }
    if (Str(status_, "phase") == "Training") out_.delete_job = Str(Child(status_, "training"), "jobName");
    status_["phase"] = "Superseded";
    SetStage("Candidate");
    status_["observedGeneration"] = generation_;
    status_["message"] = "superseded by " + by + " (its ModelPipeline's concurrencyPolicy is Replace)";
    SetCondition(status_["conditions"], {"Ready", "False", "Superseded", Str(status_, "message"), generation_}, ctx_.now);
    AddEvent("Normal", "Superseded", "Supersede", Str(status_, "message"), "", "superseded");
  }

  void Reject(Gate gate, const std::string& reason, const std::string& message) {
    status_["phase"] = "Rejected";
    status_["currentGate"] = GateName(gate);
    status_["message"] = std::string(GateName(gate)) + " failed: " + message;
    SetCondition(status_["conditions"], {"Ready", "False", reason, status_["message"].get<std::string>(), generation_},
                 ctx_.now);
  }

  bool StepOnce() {
    const std::string phase = Str(status_, "phase");
    if (phase == "Pending") return false;  // only without gates (InitGates moves on otherwise)
    if (phase == "Training") return StepTraining();
    if (auto gate = GateOfPhase(phase)) return StepGate(*gate);
    return false;  // Ready, Rejected, ChampionRetained: terminal for this generation
  }

  bool StepGate(Gate gate) {
    json& entry = GateEntry(gate);
    const long long attempts = Int(entry, "attempts");
    const std::string key = RunKey(object_, gate, attempts);
    if (const auto next = kube::ParseRfc3339(Str(entry, "nextAttemptAt")); next && ctx_.now < *next) {
      Requeue(std::chrono::duration_cast<std::chrono::milliseconds>(*next - ctx_.now) + std::chrono::milliseconds(50));
      return false;
    }
    GatePool::State state = ctx_.run.key == key ? ctx_.run.state : GatePool::State::kUnknown;
    if (state == GatePool::State::kDone && !ctx_.run.result) state = GatePool::State::kUnknown;
    switch (state) {
      case GatePool::State::kUnknown:
        // Not started, or started by a process that is gone (restart): run it (again).
        entry["state"] = "Running";
        entry["reason"] = "Evaluating";
        entry["message"] = attempts == 0 ? "running" : "running (attempt " + std::to_string(attempts + 1) + ")";
        if (!entry.contains("startedAt")) entry["startedAt"] = kube::FormatTime(ctx_.now);
        entry.erase("nextAttemptAt");
        entry.erase("finishedAt");
        entry["observedGeneration"] = generation_;
        status_["currentGate"] = GateName(gate);
        status_["message"] = std::string("running ") + GateName(gate);
        out_.start_gate = gate;
        out_.start_key = key;
        Requeue(kGatePollInterval);
        return false;
      case GatePool::State::kQueued:
      case GatePool::State::kRunning:
      case GatePool::State::kConsumed:
        Requeue(kGatePollInterval);
        return false;
      case GatePool::State::kDone:
        out_.consumed_key = key;
        return ApplyResult(gate, entry, *ctx_.run.result);
    }
    return false;
  }

  bool ApplyResult(Gate gate, json& entry, const GateRunResult& result) {
    using Kind = GateRunResult::Kind;
    const std::string gate_name = GateName(gate);
    entry["attempts"] = Int(entry, "attempts") + 1;
    entry["observedGeneration"] = generation_;
    json& conditions = status_["conditions"];
    switch (result.kind) {
      case Kind::kJudged: {
        GateVerdict verdict = ApplyReport(gate, result, entry);
        entry["state"] = verdict.state;
        entry["reason"] = verdict.reason;
        entry["message"] = verdict.message;
        entry["finishedAt"] = kube::FormatTime(ctx_.now);
        entry.erase("nextAttemptAt");
        out_.report = {GateReportKey(gate), result.report.dump()};
        status_["reportConfigMap"] = ReportConfigMapName(Str(Child(object_, "metadata"), "name"));
        SetCondition(conditions, {"SourcesReachable", "True", "SourcesRead", "the inputs of " + gate_name + " were read", generation_}, ctx_.now);
        if (auto invalid = FindCondition(conditions, "Invalid"); invalid && (*invalid)["reason"] == "InvalidPolicy") {
          RemoveCondition(conditions, "Invalid");
        }
        if (result.champion) {
          status_["champion"] = {{"name", result.champion->name}, {"version", result.champion->version}};
        }
        if (verdict.state == "Passed") {
          AddEvent("Normal", gate_name + "Passed", "Validate", gate_name + " passed: " + verdict.message, gate_name, "passed");
          MoveToNext(StepIndexOf(gate));
          return true;
        }
        if (result.outcome == "champion_retained") {
          status_["phase"] = "ChampionRetained";
          status_["currentGate"] = gate_name;
          std::string champion = result.champion ? "version " + result.champion->version + " (" + result.champion->name + ")"
                                                 : "the champion";
          status_["message"] = "champion " + champion + " retained: " + verdict.message;
          SetCondition(conditions, {"Ready", "False", "ChampionRetained", status_["message"].get<std::string>(), generation_}, ctx_.now);
          AddEvent("Normal", "ChampionRetained", "Compare", status_["message"].get<std::string>(), gate_name, "champion_retained");
          return false;
        }
        AddEvent("Warning", gate_name + "Failed", "Validate", gate_name + " failed (" + verdict.reason + "): " + verdict.message,
                 gate_name, "failed");
        Reject(gate, verdict.reason, verdict.message);
        return false;
      }
      case Kind::kSourceUnavailable:
      case Kind::kInvalidPolicy: {
        const bool policy = result.kind == Kind::kInvalidPolicy;
        const std::string reason = policy ? "InvalidPolicy" : "SourceUnavailable";
        const auto started = kube::ParseRfc3339(Str(entry, "startedAt"));
        const RetrySettings& retry = spec_.source_retry;
        if (retry.timeout && started && ctx_.now - *started >= *retry.timeout) {
          entry["state"] = "Error";
          entry["reason"] = reason;
          entry["message"] = result.error + " (gave up after spec.sourceRetry.timeout " + Seconds(*retry.timeout) + ")";
          entry["finishedAt"] = kube::FormatTime(ctx_.now);
          entry.erase("nextAttemptAt");
          AddEvent("Warning", reason, "Fetch", entry["message"].get<std::string>(), gate_name, "failed");
          Reject(gate, reason, entry["message"].get<std::string>());
          return false;
        }
        const auto delay = retry.DelayAfter(static_cast<int>(Int(entry, "attempts")));
        const std::string next = kube::FormatTime(ctx_.now + delay);
        entry["state"] = policy ? "Error" : "Pending";
        entry["reason"] = reason;
        entry["message"] = result.error + "; attempt " + std::to_string(Int(entry, "attempts")) + ", next at " + next;
        entry["nextAttemptAt"] = next;
        if (policy) {
          SetCondition(conditions, {"Invalid", "True", "InvalidPolicy", result.error, generation_}, ctx_.now);
        } else {
          SetCondition(conditions, {"SourcesReachable", "False", "SourceUnavailable", result.error, generation_}, ctx_.now);
        }
        status_["message"] = gate_name + " waiting: " + result.error;
        AddEvent("Warning", reason, "Fetch",
                 result.error + " (attempt " + std::to_string(Int(entry, "attempts")) + "; retrying in " + Seconds(delay) + ")",
                 gate_name, "retry");
        Requeue(delay + std::chrono::milliseconds(50));
        return false;
      }
      case Kind::kInvalidInput:
      case Kind::kTimeout: {
        const std::string reason = result.kind == Kind::kTimeout ? "EvaluationTimeout" : "InvalidInput";
        entry["state"] = "Error";
        entry["reason"] = reason;
        entry["message"] = result.error;
        entry["finishedAt"] = kube::FormatTime(ctx_.now);
        entry.erase("nextAttemptAt");
        AddEvent("Warning", gate_name + "Error", "Validate", gate_name + " could not judge the inputs: " + result.error,
                 gate_name, "error");
        Reject(gate, reason, result.error);
        return false;
      }
    }
    return false;
  }

  int StepIndexOf(Gate gate) const {
    switch (gate) {
      case Gate::kData: return kStepData;
      case Gate::kTraining: return kStepTrainingLog;
      case Gate::kEvaluation: return kStepEvaluation;
    }
    return kStepCount;
  }

  void CreateJob(int attempt, const std::string& note_prefix) {
    json& training = status_["training"];
    const std::string name = TrainingJobName(Str(Child(object_, "metadata"), "name"), generation_, attempt);
    out_.create_job = BuildTrainingJob(object_, spec_.training->job_template, name);
    training["jobName"] = name;
    training["attempts"] = attempt;
    training["startedAt"] = kube::FormatTime(ctx_.now);
    training.erase("nextAttemptAt");
    json& entry = GateEntry(Gate::kTraining);
    entry["state"] = "Running";
    entry["reason"] = "TrainingJobRunning";
    entry["message"] = "training Job " + name + " running (attempt " + std::to_string(attempt) + ")";
    entry["startedAt"] = kube::FormatTime(ctx_.now);
    status_["message"] = entry["message"];
    status_["currentGate"] = GateName(Gate::kTraining);
    AddEvent("Normal", "TrainingJobCreated", "CreateJob", note_prefix + "created training Job " + name + " (attempt " +
             std::to_string(attempt) + ")", GateName(Gate::kTraining), "created");
    Requeue(kJobPollInterval);
  }

  bool StepTraining() {
    const TrainingGateSpec& spec = *spec_.training;
    json& training = status_["training"];
    if (!training.is_object()) training = json::object();
    const int attempts = static_cast<int>(Int(training, "attempts"));
    const std::string job_name = Str(training, "jobName");
    json& entry = GateEntry(Gate::kTraining);
    if (!ctx_.job_create_error.empty()) {
      entry["state"] = "Error";
      entry["reason"] = "TrainingJobInvalid";
      entry["message"] = "the API server refused training Job " + job_name + ": " + ctx_.job_create_error;
      entry["finishedAt"] = kube::FormatTime(ctx_.now);
      AddEvent("Warning", "TrainingJobFailed", "CreateJob", entry["message"].get<std::string>(), GateName(Gate::kTraining), "failed");
      Reject(Gate::kTraining, "TrainingJobInvalid", entry["message"].get<std::string>());
      return false;
    }
    if (attempts == 0 || job_name.empty()) {
      CreateJob(1, "");
      return false;
    }
    if (const auto next = kube::ParseRfc3339(Str(training, "nextAttemptAt"))) {
      if (ctx_.now < *next) {
        Requeue(std::chrono::duration_cast<std::chrono::milliseconds>(*next - ctx_.now) + std::chrono::milliseconds(50));
        return false;
      }
      CreateJob(attempts + 1, "retry: ");
      return false;
    }
    if (!ctx_.job) {
      Requeue(kJobPollInterval);
      return false;
    }
    switch (ctx_.job->state) {
      case JobObservation::State::kAbsent:
        CreateJob(attempts, "the Job was gone; ");
        return false;
      case JobObservation::State::kActive:
        Requeue(kJobPollInterval);
        return false;
      case JobObservation::State::kSucceeded: {
        AddEvent("Normal", "TrainingJobSucceeded", "Train", "training Job " + job_name + " succeeded",
                 GateName(Gate::kTraining), "passed");
        if (spec.log) {
          entry["state"] = "Pending";
          entry["reason"] = "Waiting";
          entry["message"] = "training Job " + job_name + " succeeded; validating the training log";
          entry["startedAt"] = kube::FormatTime(ctx_.now);
        } else {
          entry["state"] = "Skipped";
          entry["reason"] = "NoTrainingLog";
          entry["message"] = "training Job " + job_name + " succeeded; spec.gates.training.log is not set, so no log was validated";
        }
        MoveToNext(kStepTrainingJob);
        return true;
      }
      case JobObservation::State::kFailed: {
        const std::string failure = ctx_.job->reason + (ctx_.job->message.empty() ? "" : ": " + ctx_.job->message);
        training["lastFailure"] = failure;
        if (attempts <= spec.retry.limit) {
          const auto delay = spec.retry.DelayAfter(attempts);
          training["nextAttemptAt"] = kube::FormatTime(ctx_.now + delay);
          entry["message"] = "training Job " + job_name + " failed (" + failure + "); retry " + std::to_string(attempts) +
                             " of " + std::to_string(spec.retry.limit) + " at " + Str(training, "nextAttemptAt");
          status_["message"] = entry["message"];
          AddEvent("Warning", "TrainingJobFailed", "Train", entry["message"].get<std::string>(), GateName(Gate::kTraining), "retry");
          Requeue(delay + std::chrono::milliseconds(50));
          return false;
        }
        entry["state"] = "Failed";
        entry["reason"] = "TrainingJobFailed";
        entry["message"] = "training Job " + job_name + " failed: " + failure +
                           (spec.retry.limit > 0 ? " (after " + std::to_string(attempts) + " attempts)" : "");
        entry["finishedAt"] = kube::FormatTime(ctx_.now);
        AddEvent("Warning", "TrainingJobFailed", "Train", entry["message"].get<std::string>(), GateName(Gate::kTraining), "failed");
        Reject(Gate::kTraining, "TrainingJobFailed", entry["message"].get<std::string>());
        return false;
      }
    }
    return false;
  }

  const CandidateContext& ctx_;
  const json& object_;
  const json& spec_json_;
  const CandidateSpec spec_;
  const long long generation_;
  std::array<bool, kStepCount> enabled_{};
  json status_;
  CandidateDecision out_;
};

}  // namespace

std::optional<std::pair<Gate, std::string>> CurrentRun(const json& object) {
  const json& status = Child(object, "status");
  const auto gate = GateOfPhase(Str(status, "phase"));
  if (!gate) return std::nullopt;
  if (Int(status, "observedGeneration") != Int(Child(object, "metadata"), "generation")) return std::nullopt;
  const json* entry = FindGate(status, GateName(*gate));
  return std::pair{*gate, RunKey(object, *gate, entry ? Int(*entry, "attempts") : 0)};
}

std::string ReportConfigMapName(const std::string& candidate) {
  const std::string suffix = "-gate-reports";
  return candidate.substr(0, 253 - suffix.size()) + suffix;
}

CandidateDecision DecideCandidate(const CandidateContext& context) {
  Machine machine(context);
  return machine.Decide();
}

}  // namespace modelgate::controllers::candidate
