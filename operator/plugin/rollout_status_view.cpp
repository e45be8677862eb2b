#include "operator/plugin/rollout_status_view.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>

#include "gates/analysis/analysis_spec.h"
#include "operator/plugin/human_duration.h"
#include "operator/plugin/json_fields.h"
#include "operator/plugin/text_table.h"

namespace modelgate::plugin {
namespace {

bool IsEnded(const std::string& phase) {
  return phase == "RolledBack" || phase == "Aborted" || phase == "Failed";
}
bool IsStopping(const std::string& phase) { return IsEnded(phase) || phase == "RollingBack"; }
bool IsPromotedPhase(const std::string& phase) {
  return phase == "Promoting" || phase == "Promoted";
}

// Time left of a running shadow or step: started + length - now, clamped at 0; "" when unknown.
std::string TimeLeft(const std::string& started, const std::string& length, kube::TimePoint now) {
  const auto start = kube::ParseRfc3339(started);
  const auto duration = gates::analysis::ParseDuration(length);
  if (!start || !duration) return "";
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*start + *duration - now);
  return HumanDuration(std::max(left, std::chrono::milliseconds(0)));
}

json ModelRef(const json& rollout, const char* which) {
  return json{{"name", StringAt(rollout, {"status", which, "name"})},
              {"version", StringAt(rollout, {"status", which, "version"})}};
}

// State of the canary step `index` (1-based) given the phase and status.currentStep.
std::string StepState(std::int64_t index, std::int64_t current, const std::string& phase,
                      bool manually_promoted_early) {
  if (phase.empty() || phase == "Pending" || phase == "Shadowing") return "pending";
  if (IsPromotedPhase(phase)) {
    return index <= current || !manually_promoted_early ? "done" : "skipped";
  }
  if (index < current) return "done";
  if (index == current) return IsStopping(phase) ? "stopped" : "current";
  if (IsStopping(phase)) return "skipped";
  return "pending";
}

std::string ShadowState(std::int64_t current, const std::string& phase) {
  if (phase.empty() || phase == "Pending") return "pending";
  if (phase == "Shadowing" || (phase == "Paused" && current == 0)) return "current";
  if (current == 0 && IsStopping(phase)) return "stopped";
  return "done";
}

}  // namespace

json RolloutStatusView(const json& rollout, kube::TimePoint now) {
  const std::string phase = StringAt(rollout, {"status", "phase"});
  const std::int64_t current = IntAt(rollout, {"status", "currentStep"}).value_or(0);
  const json& steps = ArrayAt(rollout, {"spec", "canary", "steps"});
  const std::string step_started = StringAt(rollout, {"status", "stepStartedAt"});
  const bool paused = BoolAt(rollout, {"spec", "paused"});
  // Promoted before the last step was reached: the remaining steps were skipped (manual promote).
  const bool promoted_early = current < static_cast<std::int64_t>(steps.size());

  json view = {
      {"name", StringAt(rollout, {"metadata", "name"})},
      {"namespace", StringAt(rollout, {"metadata", "namespace"})},
      {"candidate", StringAt(rollout, {"spec", "candidateRef", "name"})},
      {"challenger", ModelRef(rollout, "challenger")},
      {"champion", ModelRef(rollout, "champion")},
      {"phase", phase},
      {"message", StringAt(rollout, {"status", "message"})},
      {"paused", paused},
      {"abortRequested", BoolAt(rollout, {"spec", "abort"})},
      {"currentStep", current},
      {"stepCount", steps.size()},
      {"canaryWeight", IntAt(rollout, {"status", "canaryWeight"}).value_or(0)},
      {"shadowPercent", IntAt(rollout, {"status", "shadowPercent"}).value_or(0)},
      {"stepStartedAt", step_started},
      {"timeLeft", ""},
      {"steps", json::array()},
      {"analysisInterval", StringAt(rollout, {"spec", "analysis", "interval"})},
      {"analysis", json::array()},
      {"conditions", ArrayAt(rollout, {"status", "conditions"})},
  };

  if (FieldAt(rollout, {"spec", "shadow"}) != nullptr) {
    const std::string duration = StringAt(rollout, {"spec", "shadow", "duration"});
    const std::string state = ShadowState(current, phase);
    view["steps"].push_back({{"step", "shadow"},
                             {"percent", IntAt(rollout, {"spec", "shadow", "percent"}).value_or(0)},
                             {"duration", duration},
                             {"state", state}});
    if (state == "current" && phase == "Shadowing" && !paused) {
      view["timeLeft"] = TimeLeft(step_started, duration, now);
    }
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto index = static_cast<std::int64_t>(i + 1);
    const std::string soak = StringAt(steps[i], {"soak"});
    const std::string state = StepState(index, current, phase, promoted_early);
    view["steps"].push_back({{"step", std::to_string(index)},
                             {"weight", IntAt(steps[i], {"weight"}).value_or(0)},
                             {"soak", soak},
                             {"state", state}});
    if (state == "current" && phase == "Canary" && !paused) {
      view["timeLeft"] = TimeLeft(step_started, soak, now);
    }
  }

  // Metrics in the order of the spec, then any the status has that the spec no longer lists.
  const json& spec_metrics = ArrayAt(rollout, {"spec", "analysis", "metrics"});
  const json& measured = ArrayAt(rollout, {"status", "analysis"});
  std::vector<std::string> order;
  std::set<std::string> seen;
  for (const json& m : spec_metrics) {
    const std::string name = StringAt(m, {"name"});
    if (seen.insert(name).second) order.push_back(name);
  }
  for (const json& m : measured) {
    const std::string name = StringAt(m, {"name"});
    if (seen.insert(name).second) order.push_back(name);
  }
  for (const std::string& name : order) {
    json spec_metric = json::object(), last = json::object();
    for (const json& m : spec_metrics) {
      if (StringAt(m, {"name"}) == name) spec_metric = m;
    }
    for (const json& m : measured) {
      if (StringAt(m, {"name"}) == name) last = m;
    }
    json row = {{"name", name},
                {"verdict", StringAt(last, {"verdict"})},
                {"challengerValue", StringAt(last, {"challengerValue"})},
                {"championValue", StringAt(last, {"championValue"})},
                {"challengerSamples", nullptr},
                {"championSamples", nullptr},
                {"threshold", StringAt(last, {"threshold"})},
                {"failures", IntAt(last, {"failures"}).value_or(0)},
                {"failureLimit", IntAt(spec_metric, {"failureLimit"}).value_or(0)},
                {"measuredAt", StringAt(last, {"measuredAt"})},
                {"message", StringAt(last, {"message"})}};
    if (auto n = IntAt(last, {"challengerSamples"})) row["challengerSamples"] = *n;
    if (auto n = IntAt(last, {"championSamples"})) row["championSamples"] = *n;
    view["analysis"].push_back(std::move(row));
  }
  return view;
}

std::string FormatRolloutStatus(const json& view) {
  auto ref = [](const json& r) {
    const std::string name = StringAt(r, {"name"}), version = StringAt(r, {"version"});
    if (name.empty()) return std::string("-");
    return version.empty() ? name : name + " (version " + version + ")";
  };
  std::string out;
  auto line = [&out](const std::string& label, const std::string& value) {
    out += label + std::string(label.size() < 12 ? 12 - label.size() : 1, ' ') + value + "\n";
  };
  const std::string phase = StringAt(view, {"phase"});
  line("Rollout:", StringAt(view, {"namespace"}) + "/" + StringAt(view, {"name"}));
  std::string challenger = ref(view.value("challenger", json::object()));
  if (challenger == "-") challenger = StringAt(view, {"candidate"});
  line("Challenger:", challenger);
  line("Champion:", ref(view.value("champion", json::object())));
  line("Phase:", phase.empty() ? "(no status yet)" : phase);
  if (const std::string message = StringAt(view, {"message"}); !message.empty())
    line("Message:", message);
  std::string requests;
  if (BoolAt(view, {"paused"})) requests += "paused (spec.paused)";
  if (BoolAt(view, {"abortRequested"}))
    requests += std::string(requests.empty() ? "" : ", ") + "abort requested (spec.abort)";
  if (!requests.empty()) line("Requested:", requests);
  const std::int64_t current = IntAt(view, {"currentStep"}).value_or(0);
  const std::int64_t count = IntAt(view, {"stepCount"}).value_or(0);
  std::string traffic = "canary weight " +
                        std::to_string(IntAt(view, {"canaryWeight"}).value_or(0)) + "%, shadow " +
                        std::to_string(IntAt(view, {"shadowPercent"}).value_or(0)) + "%";
  line("Traffic:", traffic);
  std::string step = current == 0 ? "0 of " + std::to_string(count) + " (canary not started)"
                                  : std::to_string(current) + " of " + std::to_string(count);
  if (const std::string started = StringAt(view, {"stepStartedAt"}); !started.empty()) {
    step += ", started " + started;
  }
  if (const std::string left = StringAt(view, {"timeLeft"}); !left.empty())
    step += ", " + left + " left";
  line("Step:", step);

  out += "Steps:\n";
  TextTable steps({"STEP", "TRAFFIC", "FOR", "STATE"});
  for (const json& s : ArrayAt(view, {"steps"})) {
    const bool shadow = StringAt(s, {"step"}) == "shadow";
    steps.AddRow({StringAt(s, {"step"}),
                  shadow ? std::to_string(IntAt(s, {"percent"}).value_or(0)) + "% mirrored"
                         : std::to_string(IntAt(s, {"weight"}).value_or(0)) + "%",
                  shadow ? StringAt(s, {"duration"}) : StringAt(s, {"soak"}),
                  StringAt(s, {"state"})});
  }
  out += steps.Render("  ");

  std::string interval = StringAt(view, {"analysisInterval"});
  out += "Analysis" + (interval.empty() ? std::string() : " (every " + interval + ")") +
         ": last values, challenger vs champion\n";
  TextTable analysis({"METRIC", "VERDICT", "CHALLENGER", "CHAMPION", "SAMPLES", "THRESHOLD",
                      "FAILURES", "MEASURED"});
  for (const json& m : ArrayAt(view, {"analysis"})) {
    std::string samples;
    const auto cs = IntAt(m, {"challengerSamples"}), ps = IntAt(m, {"championSamples"});
    if (cs || ps) {
      samples = (cs ? std::to_string(*cs) : "-") + "/" + (ps ? std::to_string(*ps) : "-");
    }
    const std::string verdict = StringAt(m, {"verdict"});
    analysis.AddRow({StringAt(m, {"name"}), verdict.empty() ? "(not measured)" : verdict,
                     StringAt(m, {"challengerValue"}), StringAt(m, {"championValue"}), samples,
                     StringAt(m, {"threshold"}),
                     std::to_string(IntAt(m, {"failures"}).value_or(0)) + "/" +
                         std::to_string(IntAt(m, {"failureLimit"}).value_or(0)),
                     StringAt(m, {"measuredAt"})});
  }
  out += analysis.Render("  ");
  for (const json& m : ArrayAt(view, {"analysis"})) {
    if (const std::string message = StringAt(m, {"message"}); !message.empty()) {
      out += "  " + StringAt(m, {"name"}) + ": " + message + "\n";
    }
  }

  out += "Conditions:\n";
  const json& conditions = ArrayAt(view, {"conditions"});
  if (conditions.empty()) {
    out += "  (none)\n";
  } else {
    TextTable table({"TYPE", "STATUS", "REASON", "SINCE", "MESSAGE"});
    for (const json& c : conditions) {
      table.AddRow({StringAt(c, {"type"}), StringAt(c, {"status"}), StringAt(c, {"reason"}),
                    StringAt(c, {"lastTransitionTime"}), StringAt(c, {"message"})});
    }
    out += table.Render("  ");
  }
  return out;
}

}  // namespace modelgate::plugin
