#include "controllers/rollout/rollout_decision.h"

#include <algorithm>
#include <cmath>

#include "controllers/admission.h"
#include "controllers/conditions.h"
#include "controllers/rollout/analysis_status.h"
#include "controllers/rollout/manual_actor.h"
#include "gates/analysis/analysis_decision.h"
#include "controllers/json_fields.h"

namespace modelgate::controllers::rollout {
namespace {

using gates::analysis::AnalysisAction;
using gates::analysis::AnalysisDecision;
using gates::analysis::DecisionReason;
using gates::analysis::Variant;
using nlohmann::json;
using std::chrono::milliseconds;

constexpr std::size_t kMaxHistory = 50;
constexpr milliseconds kPollReady{1000};      // while a Deployment becomes Ready
constexpr milliseconds kPollCandidate{2000};  // while the candidate is not Ready yet

int Int(const json& parent, const char* key) {
  const json& v = Child(parent, key);
  return v.is_number_integer() ? v.get<int>() : 0;
}

// "1m30s", "2.5s": a duration for messages.
std::string Text(milliseconds d) {
  if (d.count() < 0) d = milliseconds(0);
  const long long ms = d.count();
  if (ms < 10'000 && ms % 1000 != 0) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1fs", static_cast<double>(ms) / 1000.0);
    return buf;
  }
  long long s = (ms + 999) / 1000;
  std::string out;
  if (s >= 3600) { out += std::to_string(s / 3600) + "h"; s %= 3600; }
  if (s >= 60) { out += std::to_string(s / 60) + "m"; s %= 60; }
  if (s > 0 || out.empty()) out += std::to_string(s) + "s";
  return out;
}

milliseconds Until(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<milliseconds>(to - from);
}

bool IsFinal(const json& status) {
  const std::string phase = Str(status, "phase");
  return phase == "RolledBack" || phase == "Aborted" || phase == "Failed" ||
         (phase == "Promoted" && Child(status, "finishedAt").is_string());
}

json ModelRef(const CandidateView& c) { return {{"name", c.name}, {"version", c.version}}; }

// The state machine for one decision. Methods mutate d_.status and the desired world.
class Machine {
 public:
  Machine(const RolloutContext& ctx, const RolloutSpec& spec, RolloutDecision& d, long long generation)
      : ctx_(ctx), spec_(spec), d_(d), status_(d.status), generation_(generation) {}

  void Run(bool generation_changed);

 private:
  // --- bookkeeping -----------------------------------------------------------------------------
  // `actor` (manual_actor.h) is set on the entries of manual actions; every entry names the
  // candidate it is about, so the audit trail can tell one candidate's rollout from the next.
  void Emit(const std::string& type, const std::string& reason, const std::string& action, const std::string& note,
            const json& actor = nullptr) {
    d_.events.push_back({type, reason, action, note});
    json& history = status_["history"];
    if (!history.is_array()) history = json::array();
    json entry = {{"time", StatusTime(ctx_.now)},
                  {"phase", Str(status_, "phase")},
                  {"step", Int(status_, "currentStep")},
                  {"canaryWeight", Int(status_, "canaryWeight")},
                  {"reason", reason},
                  {"message", note.substr(0, 1024)}};
    if (!spec_.candidate.empty()) entry["candidate"] = spec_.candidate;
    if (actor.is_object()) entry["actor"] = actor;
    history.push_back(std::move(entry));
    if (history.size() > kMaxHistory) history.erase(history.begin(), history.end() - kMaxHistory);
  }
  json ActorOf(std::vector<std::string> path) const { return ManualActorOf(ctx_.rollout, path); }
  void Later(milliseconds after) {
    after = std::max(after, milliseconds(50));
    if (!d_.requeue_after || after < *d_.requeue_after) d_.requeue_after = after;
  }
  void Message(const std::string& text) { status_["message"] = text; }
  void Condition(const std::string& type, const std::string& state, const std::string& reason,
                 const std::string& message) {
    SetCondition(status_["conditions"], {type, state, reason, message, generation_}, ctx_.now);
  }
  std::optional<Clock::time_point> Time(const char* key) const { return ParseStatusTime(Child(status_, key)); }
  Clock::time_point StepStart() const { return Time("stepStartedAt").value_or(ctx_.now); }
  int TotalReplicas() const {
    const int recorded = Int(status_, "championReplicas");
    return recorded > 0 ? recorded : std::max(1, ctx_.champion_deployment.replicas);
  }
  int ReplicasFor(int percent) const {
    if (spec_.traffic_kind == "replicas") return -1;  // the replicas router owns the counts
    return std::max(1, static_cast<int>(std::ceil(TotalReplicas() * percent / 100.0)));
  }

  // --- transitions -----------------------------------------------------------------------------
  void Start();
  void EnterShadow();
  void EnterStep(int step);
  void EnterPromoting();
  void StartRollback(const std::string& reason, const std::string& message);
  void Reset();
  void Pause(const std::string& reason, const std::string& message);
  void Resume();

  // --- phases ----------------------------------------------------------------------------------
  void Pending();
  void Shadowing();
  void Canary();
  void Promoting();
  void Promoted();
  void RollingBack();

  // Runs the analysis of a step whose traffic is in place; `soak` from stepStartedAt.
  // Returns true when the step is complete (soak over and the analysis lets it advance).
  bool Analyse(milliseconds soak, const std::string& where, bool post_promotion);
  void SteadyTraffic(const traffic::TrafficSplit& desired);
  // Waits for a variant Deployment to be Ready within progressDeadline from stepStartedAt.
  // Returns false when the caller must wait (requeue set) or the rollout rolls back.
  bool AwaitReady(const WorkloadView& workload, const std::string& name, int desired_replicas);

  const RolloutContext& ctx_;
  const RolloutSpec& spec_;
  RolloutDecision& d_;
  json& status_;
  long long generation_;
};

void Machine::Run(bool generation_changed) {
  std::string phase = Str(status_, "phase");
  if (generation_changed && IsFinal(status_) && !spec_.abort) {
    const bool same_promoted = phase == "Promoted" && Str(Child(status_, "challenger"), "name") == spec_.candidate;
    if (!same_promoted) {
      Reset();  // decided again from Pending, with the champion candidate gathered
      d_.again = true;
      return;
    }
  }

  if (spec_.abort) {
    // Once the stable Deployment is being switched to the challenger (after the window and the
    // scale-down delay) there is no warm previous champion to return to: abort is ignored.
    const milliseconds window = spec_.post_promotion_window.value_or(milliseconds(0));
    const bool finalising =
        phase == "Promoted" &&
        ctx_.now >= Time("promotedAt").value_or(ctx_.now) + std::max(window, spec_.scale_down_delay.value_or(window));
    if (phase == "Pending") {
      status_["phase"] = "Aborted";
      status_["finishedAt"] = StatusTime(ctx_.now);
      Message("aborted by spec.abort before the rollout started; set spec.abort to false to start again");
      Condition("Completed", "True", "Aborted", Str(status_, "message"));
      Emit("Normal", "Aborted", "Abort", Str(status_, "message"), ActorOf({"spec", "abort"}));
      return;
    }
    if (phase == "Shadowing" || phase == "Canary" || phase == "Paused" || phase == "Promoting" ||
        (phase == "Promoted" && !Child(status_, "finishedAt").is_string() && !finalising)) {
      StartRollback("Aborted", "aborted by spec.abort: rolling back to the champion");
      return;
    }
  }

  const std::string token = Str(Child(Child(ctx_.rollout, "metadata"), "annotations"), kPromoteAnnotation);
  if (!token.empty() && token != Str(status_, "manualPromotion") &&
      (phase == "Shadowing" || phase == "Canary" || phase == "Paused")) {
    status_["manualPromotion"] = token;
    status_.erase("pausedAt");
    Emit("Normal", "ManualPromotion", "Promote",
         "annotation " + std::string(kPromoteAnnotation) + "=" + token + ": skipping the remaining steps, promoting now",
         ActorOf({"metadata", "annotations", kPromoteAnnotation}));
    EnterPromoting();
    return;
  }

  if ((phase == "Shadowing" || phase == "Canary") && spec_.paused) {
    Pause("PausedBySpec", "paused by spec.paused: traffic unchanged, soak clock stopped");
    return;
  }
  if (phase == "Paused") {
    const auto paused = FindCondition(Child(status_, "conditions"), "Paused");
    const std::string why = paused ? paused->value("reason", "") : "";
    if (!spec_.paused && (why != "AnalysisNoData" || generation_changed)) {
      Resume();
    }  // else: a spec change (a watch event) resumes it; nothing to poll
    return;
  }

  if (phase == "Pending") Pending();
  else if (phase == "Shadowing") Shadowing();
  else if (phase == "Canary") Canary();
  else if (phase == "Promoting") Promoting();
  else if (phase == "Promoted") Promoted();
  else if (phase == "RollingBack") RollingBack();
}

void Machine::Reset() {
  for (const char* key : {"startedAt", "stepStartedAt", "pausedAt", "promotedAt", "finishedAt", "analysis",
                          "challenger", "champion", "previousChampion", "championReplicas"}) {
    status_.erase(key);
  }
  status_["phase"] = "Pending";
  status_["currentStep"] = 0;
  RemoveCondition(status_["conditions"], "Completed");
  RemoveCondition(status_["conditions"], "Paused");
  RemoveCondition(status_["conditions"], "Analysis");
  Message("generation " + std::to_string(generation_) + ": starting again, waiting for the candidate");
  Emit("Normal", "RolloutRestarted", "Restart",
       "spec changed (generation " + std::to_string(generation_) + "): the rollout starts again from the beginning");
}

void Machine::Pending() {
  if (!ctx_.challenger) {
    Message("waiting for ModelCandidate " + spec_.candidate + ": not found");
    Later(kPollCandidate);
    return;
  }
  // RollingOut: this rollout marked it, and its own status write did not land (a conflict or a
  // crash between the two writes); starting again is idempotent.
  if (ctx_.challenger->phase != "Ready" && ctx_.challenger->phase != "RollingOut") {
    Message("waiting for ModelCandidate " + spec_.candidate + " to be Ready (phase " +
            (ctx_.challenger->phase.empty() ? std::string("unknown") : ctx_.challenger->phase) + ")");
    Later(kPollCandidate);
    return;
  }
  if (!ctx_.champion_deployment.exists) {
    Message("waiting for the champion's Deployment " + spec_.deployment + " (spec.target.deployment): not found");
    Later(kPollCandidate);
    return;
  }
  Start();
}

void Machine::Start() {
  const CandidateView& c = *ctx_.challenger;
  status_["challenger"] = ModelRef(c);
  if (ctx_.champion) status_["champion"] = ModelRef(*ctx_.champion);
  else status_.erase("champion");
  status_.erase("previousChampion");
  status_["startedAt"] = StatusTime(ctx_.now);
  status_["championReplicas"] = std::max(1, ctx_.champion_deployment.replicas);
  status_["analysis"] = json::array();
  status_["currentStep"] = 0;
  status_["canaryWeight"] = 0;
  status_["shadowPercent"] = 0;
  for (const char* key : {"pausedAt", "promotedAt", "finishedAt"}) status_.erase(key);
  d_.candidates.push_back({c.name, "RollingOut", "Staging",
                           "being rolled out by ModelRollout " + Str(Child(ctx_.rollout, "metadata"), "name")});
  Condition("Progressing", "True", "RolloutStarted", "rolling out " + c.name);
  Emit("Normal", "RolloutStarted", "Start",
       "rolling out " + c.name + " (version " + c.version + ") against " +
           (ctx_.champion ? "champion " + ctx_.champion->name + " (version " + ctx_.champion->version + ")"
                          : std::string("the current Deployment (no Production candidate of model ") + c.model + ")"));
  if (spec_.shadow) EnterShadow();
  else EnterStep(1);
}

void Machine::EnterShadow() {
  status_["phase"] = "Shadowing";
  status_["currentStep"] = 0;
  status_["stepStartedAt"] = StatusTime(ctx_.now);
  Message("starting the shadow " + spec_.shadow_deployment());
  d_.again = true;
}

void Machine::EnterStep(int step) {
  status_["phase"] = "Canary";
  status_["currentStep"] = step;
  status_["stepStartedAt"] = StatusTime(ctx_.now);
  Message("starting canary step " + std::to_string(step) + " of " + std::to_string(spec_.steps.size()));
  d_.again = true;
}

void Machine::EnterPromoting() {
  status_["phase"] = "Promoting";
  status_["stepStartedAt"] = StatusTime(ctx_.now);
  Message("promoting: scaling the canary to the champion's size before it takes 100 %");
  d_.again = true;
}

void Machine::Pause(const std::string& reason, const std::string& message) {
  status_["phase"] = "Paused";
  status_["pausedAt"] = StatusTime(ctx_.now);
  Message(message);
  Condition("Paused", "True", reason, message);
  Emit("Normal", "Paused", "Pause", message, reason == "PausedBySpec" ? ActorOf({"spec", "paused"}) : json(nullptr));
}

void Machine::Resume() {
  const auto paused_at = Time("pausedAt");
  const auto paused = FindCondition(Child(status_, "conditions"), "Paused");
  const bool by_spec = paused && paused->value("reason", "") == "PausedBySpec";
  if (paused_at && Time("stepStartedAt")) {
    // The soak clock stopped while paused: the step's start moves forward by the pause.
    status_["stepStartedAt"] = StatusTime(*Time("stepStartedAt") + (ctx_.now - *paused_at));
  }
  status_.erase("pausedAt");
  ClearInconclusiveSince(status_["analysis"]);
  const bool shadow = Int(status_, "currentStep") == 0 && spec_.shadow;
  status_["phase"] = shadow ? "Shadowing" : "Canary";
  Condition("Paused", "False", "Resumed", "resumed");
  Message("resumed");
  Emit("Normal", "Resumed", "Resume",
       std::string("resumed ") + (shadow ? "the shadow" : "canary step " + std::to_string(Int(status_, "currentStep"))) +
           (paused_at ? " after " + Text(Until(*paused_at, ctx_.now)) + " paused" : ""),
       by_spec ? ActorOf({"spec", "paused"}) : json(nullptr));
  d_.again = true;
}

void Machine::StartRollback(const std::string& reason, const std::string& message) {
  status_["phase"] = "RollingBack";
  status_["rollbackReason"] = reason;
  Message(message);
  Condition("Progressing", "False", reason, message);
  Emit("Warning", "RollbackStarted", "Rollback", reason + ": " + message,
       reason == "Aborted" ? ActorOf({"spec", "abort"}) : json(nullptr));
  d_.again = true;
}

bool Machine::AwaitReady(const WorkloadView& workload, const std::string& name, int desired_replicas) {
  const bool ready = workload.exists && workload.ready && (desired_replicas < 0 || workload.replicas == desired_replicas);
  if (ready) return true;
  const Clock::time_point deadline = StepStart() + spec_.progress_deadline;
  if (ctx_.now >= deadline) {
    Emit("Warning", "ProgressDeadlineExceeded", "Rollback",
         "Deployment " + name + " did not become Ready within progressDeadline " + Text(spec_.progress_deadline));
    StartRollback("ProgressDeadlineExceeded",
                  "Deployment " + name + " did not become Ready within progressDeadline " + Text(spec_.progress_deadline));
    return false;
  }
  Message("waiting for Deployment " + name + " to be Ready (" + (workload.exists ? "rolling out" : "creating") +
          "; progressDeadline in " + Text(Until(ctx_.now, deadline)) + ")");
  Later(std::min(kPollReady, Until(ctx_.now, deadline)));
  return false;
}

void Machine::SteadyTraffic(const traffic::TrafficSplit& desired) {
  if (!ctx_.route || *ctx_.route == desired) return;
  d_.traffic = desired;
  Emit("Warning", "TrafficCorrected", "Shift",
       "the route showed canary " + std::to_string(ctx_.route->canary_weight) + " %, mirror " +
           std::to_string(ctx_.route->mirror_percent) + " %; restored canary " + std::to_string(desired.canary_weight) +
           " %, mirror " + std::to_string(desired.mirror_percent) + " %");
}

void Machine::Shadowing() {
  const int percent = spec_.shadow ? spec_.shadow->percent : 0;
  if (!spec_.shadow) {  // the spec lost its shadow meanwhile
    EnterStep(1);
    return;
  }
  d_.shadow = WorkloadAction::kPresent;
  d_.shadow_replicas = std::max(1, ReplicasFor(percent));
  if (Int(status_, "shadowPercent") != percent) {
    if (!AwaitReady(ctx_.shadow, spec_.shadow_deployment(), d_.shadow_replicas)) return;
    d_.traffic = traffic::TrafficSplit{Int(status_, "canaryWeight"), percent};
    status_["shadowPercent"] = percent;
    status_["stepStartedAt"] = StatusTime(ctx_.now);
    Message("shadow: " + std::to_string(percent) + " % of requests mirrored for " + Text(spec_.shadow->duration));
    Emit("Normal", "ShadowStarted", "Shift",
         std::to_string(percent) + " % of requests mirrored to " + spec_.shadow_service() + " for " +
             Text(spec_.shadow->duration) + ", analysis every " + Text(spec_.analysis.interval));
    Later(spec_.analysis.interval);
    return;
  }
  SteadyTraffic({Int(status_, "canaryWeight"), percent});
  if (Analyse(spec_.shadow->duration, "shadow", false)) {
    Emit("Normal", "ShadowCompleted", "Analyse",
         "shadow analysis passed for " + Text(spec_.shadow->duration) + "; starting the canary");
    EnterStep(1);
  }
}

void Machine::Canary() {
  const int steps = static_cast<int>(spec_.steps.size());
  int step = std::max(1, Int(status_, "currentStep"));
  if (step > steps) {  // the spec lost steps meanwhile
    EnterPromoting();
    return;
  }
  const CanaryStep& current = spec_.steps[static_cast<std::size_t>(step - 1)];
  d_.canary = WorkloadAction::kPresent;
  d_.canary_replicas = ReplicasFor(spec_.steps.back().weight);
  const std::string where = "step " + std::to_string(step) + "/" + std::to_string(steps) + " (" +
                            std::to_string(current.weight) + " %)";
  if (Int(status_, "canaryWeight") != current.weight) {
    if (!AwaitReady(ctx_.canary, spec_.canary_deployment(), d_.canary_replicas)) return;
    d_.traffic = traffic::TrafficSplit{current.weight, 0};
    d_.shadow = WorkloadAction::kAbsent;
    status_["canaryWeight"] = current.weight;
    status_["shadowPercent"] = 0;
    status_["stepStartedAt"] = StatusTime(ctx_.now);
    Message(where + ": soaking for " + Text(current.soak));
    Emit("Normal", "CanaryStepStarted", "Shift",
         "step " + std::to_string(step) + " of " + std::to_string(steps) + ": " + std::to_string(current.weight) +
             " % of traffic to " + spec_.canary_service() + " for " + Text(current.soak) + ", analysis every " +
             Text(spec_.analysis.interval));
    Later(spec_.analysis.interval);
    return;
  }
  d_.shadow = WorkloadAction::kAbsent;
  SteadyTraffic({current.weight, 0});
  if (Analyse(current.soak, where, false)) {
    if (step < steps) {
      Emit("Normal", "CanaryStepAdvanced", "Analyse",
           "step " + std::to_string(step) + " passed (" + std::to_string(current.weight) + " % for " +
               Text(current.soak) + "); moving to step " + std::to_string(step + 1));
      EnterStep(step + 1);
    } else {
      Emit("Normal", "CanaryStepAdvanced", "Analyse",
           "last step passed (" + std::to_string(current.weight) + " % for " + Text(current.soak) + "); promoting");
      EnterPromoting();
    }
  }
}

bool Machine::Analyse(milliseconds soak, const std::string& where, bool post_promotion) {
  json& analysis = status_["analysis"];
  if (!analysis.is_array()) analysis = json::array();
  if (ctx_.measurements) {
    const auto before = HistoriesFromStatus(analysis);
    RecordMeasurements(analysis, *ctx_.measurements);
    // The soak clock stops during a monitoring outage: when an Error run ends, the step's start
    // moves forward by the part of the outage that fell inside the step.
    const Clock::time_point step_start = StepStart();
    milliseconds shift{0};
    for (const auto& m : *ctx_.measurements) {
      if (m.verdict == gates::analysis::Verdict::kError) continue;
      for (const auto& h : before) {
        if (h.name != m.name || !h.error_since) continue;
        const Clock::time_point from = std::max(*h.error_since, step_start);
        if (m.measured_at > from) shift = std::max(shift, Until(from, m.measured_at));
      }
    }
    if (shift.count() > 0 && !post_promotion) {
      status_["stepStartedAt"] = StatusTime(step_start + shift);
    }
  }
  const AnalysisDecision ad = gates::analysis::DecideAnalysis(spec_.analysis, HistoriesForDecision(analysis, ctx_.now), ctx_.now);

  // One Event per change of the analysis outcome (not per interval).
  const char* reason = gates::analysis::DecisionReasonName(ad.reason);
  const auto previous = FindCondition(Child(status_, "conditions"), "Analysis");
  const std::string previous_reason = previous ? previous->value("reason", "") : "";
  Condition("Analysis", ad.action == AnalysisAction::kAdvance ? "True" : "False", reason, ad.message);
  if (previous_reason != reason) {
    switch (ad.reason) {
      case DecisionReason::kAllSucceeded: Emit("Normal", "AnalysisSucceeded", "Analyse", ad.message); break;
      case DecisionReason::kMetricFailed: Emit("Warning", "AnalysisFailed", "Analyse", ad.message); break;
      case DecisionReason::kToleratedFailure: Emit("Warning", "AnalysisFailureTolerated", "Analyse", ad.message); break;
      case DecisionReason::kNoData: Emit("Warning", "AnalysisInconclusive", "Analyse", ad.message); break;
      case DecisionReason::kAnalysisUnavailable: Emit("Warning", "AnalysisHeld", "Analyse", ad.message); break;
      case DecisionReason::kNotMeasured: break;
    }
  }

  const Clock::time_point step_start = StepStart();
  const std::optional<Clock::time_point> last = LastMeasuredAt(analysis);
  Clock::time_point next = step_start + spec_.analysis.interval;
  if (last && *last + spec_.analysis.interval > next) next = *last + spec_.analysis.interval;
  Later(Until(ctx_.now, next));
  if (ad.deadline) Later(Until(ctx_.now, *ad.deadline));

  if (post_promotion) {
    if (ad.action == AnalysisAction::kRollback && ad.reason == DecisionReason::kMetricFailed) {
      Emit("Warning", "PostPromotionRollback", "Rollback",
           ad.message + "; restoring the previous champion");
      StartRollback("PostPromotionRollback", "regression after promotion: " + ad.message);
      return false;
    }
    return false;
  }
  switch (ad.action) {
    case AnalysisAction::kRollback:
      StartRollback(reason, ad.message);
      return false;
    case AnalysisAction::kPause:
      Pause("AnalysisNoData", ad.message + "; set spec.paused to true and back to false (or edit the spec) to resume");
      return false;
    case AnalysisAction::kHold:
      Message(where + ": holding: " + ad.message);
      return false;
    case AnalysisAction::kAdvance:
      break;
  }
  std::vector<std::string> names;
  for (const auto& m : spec_.analysis.metrics) names.push_back(m.name);
  const auto oldest = OldestMeasuredAt(analysis, names);
  const bool measured_in_step = oldest && *oldest >= step_start;
  const Clock::time_point soak_end = step_start + soak;
  if (measured_in_step && ctx_.now >= soak_end) return true;
  Later(Until(ctx_.now, soak_end));
  Message(where + ": soaking, " + Text(Until(ctx_.now, soak_end)) + " left; " + ad.message);
  return false;
}

void Machine::Promoting() {
  d_.canary = WorkloadAction::kPresent;
  d_.canary_replicas = ReplicasFor(100);
  if (!AwaitReady(ctx_.canary, spec_.canary_deployment(), d_.canary_replicas)) return;
  d_.traffic = traffic::TrafficSplit{100, 0};
  d_.shadow = WorkloadAction::kAbsent;
  status_["canaryWeight"] = 100;
  status_["shadowPercent"] = 0;
  status_["phase"] = "Promoted";
  status_["promotedAt"] = StatusTime(ctx_.now);
  status_["stepStartedAt"] = StatusTime(ctx_.now);
  const json champion = Child(status_, "champion");
  const std::string challenger = Str(Child(status_, "challenger"), "name");
  d_.candidates.push_back({challenger, "Production", "Production", "promoted by ModelRollout " +
                                                                       Str(Child(ctx_.rollout, "metadata"), "name")});
  std::string note = challenger + " serves 100 % of traffic";
  if (champion.is_object() && !Str(champion, "name").empty()) {
    status_["previousChampion"] = champion;
    d_.candidates.push_back({Str(champion, "name"), "Archived", "Archived",
                             "archived: " + challenger + " was promoted (rollback target of ModelRollout " +
                                 Str(Child(ctx_.rollout, "metadata"), "name") + ")"});
    note += "; previous champion " + Str(champion, "name") + " archived";
  }
  if (spec_.post_promotion_window) note += "; watching for " + Text(*spec_.post_promotion_window);
  Condition("Progressing", "True", "Promoted", note);
  Message("promoted: " + note);
  Emit("Normal", "Promoted", "Promote", note);
  d_.again = true;
}

void Machine::Promoted() {
  if (Child(status_, "finishedAt").is_string()) return;
  const Clock::time_point promoted_at = Time("promotedAt").value_or(ctx_.now);
  const milliseconds window = spec_.post_promotion_window.value_or(milliseconds(0));
  const milliseconds delay = spec_.scale_down_delay.value_or(window);
  const Clock::time_point watch_end = promoted_at + window;
  const Clock::time_point finalize_at = promoted_at + std::max(window, delay);
  if (ctx_.now < watch_end) {
    SteadyTraffic({100, 0});
    Message("promoted; watching for regressions, " + Text(Until(ctx_.now, watch_end)) + " left");
    Analyse(window, "post-promotion", true);
    if (Str(status_, "phase") == "Promoted") Later(Until(ctx_.now, watch_end));
    return;
  }
  if (ctx_.now < finalize_at) {
    SteadyTraffic({100, 0});
    Message("promoted; the previous champion's pods stay warm for " + Text(Until(ctx_.now, finalize_at)));
    Later(Until(ctx_.now, finalize_at));
    return;
  }
  // Finalisation: the stable Deployment takes the challenger while it serves no traffic, then the
  // traffic moves back to it and the canary is removed.
  if (!ctx_.champion_deployment.runs_challenger) {
    d_.promote_stable = true;
    Message("promoted; updating the stable Deployment " + spec_.deployment + " to the challenger (it serves no traffic)");
    Emit("Normal", "StableUpdated", "Promote",
         "the stable Deployment " + spec_.deployment + " now runs the challenger; traffic stays on the canary until it is Ready");
    Later(kPollReady);
    return;
  }
  if (!ctx_.champion_deployment.ready) {
    Message("promoted; waiting for the stable Deployment " + spec_.deployment + " to be Ready with the challenger");
    Later(kPollReady);
    return;
  }
  d_.traffic = traffic::TrafficSplit{0, 0};
  d_.canary = WorkloadAction::kAbsent;
  d_.shadow = WorkloadAction::kAbsent;
  status_["canaryWeight"] = 0;
  status_["finishedAt"] = StatusTime(ctx_.now);
  const std::string note = "the stable Deployment " + spec_.deployment + " serves " +
                           Str(Child(status_, "challenger"), "name") + "; canary removed";
  Message("promoted: " + note);
  Condition("Completed", "True", "Promoted", note);
  Condition("Progressing", "False", "Completed", note);
  Emit("Normal", "PromotionCompleted", "Promote", note);
}

void Machine::RollingBack() {
  d_.traffic = traffic::TrafficSplit{0, 0};
  d_.canary = WorkloadAction::kAbsent;
  d_.shadow = WorkloadAction::kAbsent;
  status_["canaryWeight"] = 0;
  status_["shadowPercent"] = 0;
  const bool post_promotion = Child(status_, "promotedAt").is_string();
  const bool aborted = spec_.abort;
  const std::string challenger = Str(Child(status_, "challenger"), "name");
  const std::string reason = Str(status_, "message");
  const json previous = Child(status_, "previousChampion");
  if (!challenger.empty()) {
    if (aborted && !post_promotion) {
      d_.candidates.push_back({challenger, "Ready", "Candidate", "rollout aborted; it may be rolled out again"});
    } else {
      d_.candidates.push_back({challenger, "RolledBack", post_promotion ? "Archived" : "Candidate",
                               "rolled back: " + reason});
    }
  }
  if (post_promotion && previous.is_object() && !Str(previous, "name").empty()) {
    d_.candidates.push_back({Str(previous, "name"), "Production", "Production",
                             "restored as champion: " + challenger + " was rolled back after promotion"});
  }
  status_["phase"] = aborted ? "Aborted" : "RolledBack";
  status_["finishedAt"] = StatusTime(ctx_.now);
  std::string note = "traffic back to the champion (canary weight 0, mirror off), challenger workloads removed";
  if (post_promotion && previous.is_object()) note += "; " + Str(previous, "name") + " is the champion again";
  note += ". Reason: " + reason;
  Condition("Completed", "True", aborted ? "Aborted" : "RolledBack", note);
  Emit(aborted ? "Normal" : "Warning", aborted ? "Aborted" : "RolledBack", "Rollback", note,
       aborted ? ActorOf({"spec", "abort"}) : json(nullptr));
}

}  // namespace

std::optional<Variant> MeasurementDue(const json& rollout, Clock::time_point now) {
  const json& status = Child(rollout, "status");
  const std::string phase = Str(status, "phase");
  if (phase != "Shadowing" && phase != "Canary" && phase != "Promoted") return std::nullopt;
  auto spec = ParseRolloutSpec(Child(rollout, "spec"));
  if (!spec.ok() || spec->abort || spec->paused) return std::nullopt;
  const auto step_start = ParseStatusTime(Child(status, "stepStartedAt"));
  if (!step_start) return std::nullopt;
  Variant variant = Variant::kCanary;
  if (phase == "Shadowing") {
    if (!spec->shadow || Int(status, "shadowPercent") != spec->shadow->percent) return std::nullopt;
    variant = Variant::kShadow;
  } else if (phase == "Canary") {
    const int step = Int(status, "currentStep");
    if (step < 1 || step > static_cast<int>(spec->steps.size()) ||
        Int(status, "canaryWeight") != spec->steps[static_cast<std::size_t>(step - 1)].weight) {
      return std::nullopt;
    }
  } else {
    const auto promoted_at = ParseStatusTime(Child(status, "promotedAt"));
    if (Child(status, "finishedAt").is_string() || !promoted_at || !spec->post_promotion_window ||
        now >= *promoted_at + *spec->post_promotion_window) {
      return std::nullopt;
    }
  }
  Clock::time_point next = *step_start + spec->analysis.interval;
  if (const auto last = LastMeasuredAt(Child(status, "analysis")); last && *last + spec->analysis.interval > next) {
    next = *last + spec->analysis.interval;
  }
  if (now < next) return std::nullopt;
  return variant;
}

RolloutDecision DecideRollout(const RolloutContext& ctx) {
  RolloutDecision d;
  const json& rollout = ctx.rollout;
  const json observed = Child(rollout, "status").is_object() ? Child(rollout, "status") : json::object();
  const long long generation = Child(Child(rollout, "metadata"), "generation").is_number_integer()
                                   ? Child(Child(rollout, "metadata"), "generation").get<long long>()
                                   : 0;
  const bool generation_changed =
      Child(observed, "observedGeneration").is_number_integer() && observed["observedGeneration"] != generation;

  json object = rollout;
  object["kind"] = "ModelRollout";
  Decision admission = DecideAdmission(object, ctx.now);
  d.status = admission.status;
  d.events = admission.events;
  const auto invalid = FindCondition(Child(d.status, "conditions"), "Invalid");
  if (invalid && invalid->value("status", "") == "True") {
    d.invalid = true;
    d.status_changed = d.status != observed;
    return d;
  }
  auto spec = ParseRolloutSpec(Child(rollout, "spec"));
  if (!spec.ok()) {
    SetCondition(d.status["conditions"], {"Accepted", "False", "InvalidSpec", spec.status().message(), generation},
                 ctx.now);
    SetCondition(d.status["conditions"], {"Invalid", "True", "InvalidSpec", spec.status().message(), generation},
                 ctx.now);
    d.status["message"] = "invalid spec: " + spec.status().message();
    d.events.clear();
    d.events.push_back({"Warning", "InvalidSpec", "Validate", spec.status().message()});
    d.invalid = true;
    d.status_changed = d.status != observed;
    return d;
  }
  Machine machine(ctx, *spec, d, generation);
  machine.Run(generation_changed);
  d.status_changed = d.status != observed;
  return d;
}

}  // namespace modelgate::controllers::rollout
