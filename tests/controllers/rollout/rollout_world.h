// A simulated world for the pure rollout decision: it plays the effect layer (workloads, route,
// candidates) the way rollout_reconciler.cpp does, and a fake metrics backend whose per-variant
// values a test sets, so a test drives a whole rollout with a simulated clock and no cluster.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/rollout/rollout_decision.h"
#include "gates/analysis/measurement.h"

namespace modelgate::controllers::rollout::testing {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Answers `metric{variant="X"}` style queries from a table; an outage answers every query with
// an Unreachable error. A variant without a value has no data.
class FakeBackend final : public gates::analysis::MetricsProvider {
 public:
  std::map<std::string, double> values;  // variant -> value
  bool outage = false;
  gates::analysis::QueryResult Query(std::string_view promql, gates::analysis::TimePoint) override {
    if (outage) return gates::analysis::ProviderError{gates::analysis::ProviderError::Kind::kUnreachable, 0, "connection refused"};
    for (const auto& [variant, value] : values) {
      if (promql.find("\"" + variant + "\"") != std::string_view::npos) {
        return gates::analysis::Sample::Value(value, std::to_string(value));
      }
    }
    return gates::analysis::Sample::NoData();
  }
};

// A ModelRollout spec: error-rate (max 0.05, +0.01 over the champion) and latency (p99 at most
// 10 % above the champion), interval 10s, steps 10/50 % of 30s each, an optional 20s shadow.
inline json BaseSpec(bool shadow) {
  json spec = json::parse(R"({
    "candidateRef": {"name": "fraud-v2"},
    "target": {"deployment": "fraud", "service": "fraud", "container": "server"},
    "traffic": {"gatewayAPI": {"httpRoute": "fraud"}},
    "canary": {"steps": [{"weight": 10, "soak": "30s"}, {"weight": 50, "soak": "30s"}]},
    "progressDeadline": "2m",
    "analysis": {
      "prometheus": {"address": "http://prom:9090"},
      "interval": "10s", "outageTimeout": "1m", "noDataTimeout": "40s",
      "metrics": [
        {"name": "error-rate", "query": "errors{variant=\"{{variant}}\"}", "max": 0.05,
         "maxIncreaseOverChampion": 0.01, "onNoData": "Fail"},
        {"name": "latency", "query": "latency{variant=\"{{variant}}\"}",
         "maxRelativeIncreaseOverChampion": 0.1, "onNoData": "Hold"}
      ]
    },
    "postPromotion": {"window": "30s"}
  })");
  if (shadow) spec["shadow"] = {{"percent", 20}, {"duration", "20s"}};
  return spec;
}

class World {
 public:
  explicit World(json spec) {
    rollout = {{"apiVersion", "modelgate.io/v1alpha1"},
               {"kind", "ModelRollout"},
               {"metadata", {{"name", "fraud"}, {"namespace", "ml"}, {"generation", 1}, {"uid", "u1"}}},
               {"spec", std::move(spec)}};
    challenger = CandidateView{"fraud-v2", "fraud", "2", "Ready", "Staging", {"img:2", "s3://m/2"}};
    champion = CandidateView{"fraud-v1", "fraud", "1", "Production", "Production", {"img:1", "s3://m/1"}};
    stable = WorkloadView{true, true, 4, false};
    backend.values = {{"champion", 0.01}, {"canary", 0.01}, {"shadow", 0.01}};
  }

  // One reconcile: measure when due, decide, apply, and decide again while the decision says so.
  // Returns the last decision.
  RolloutDecision Reconcile() {
    RolloutDecision last;
    for (int i = 0; i < 8; ++i) {
      RolloutContext ctx;
      ctx.rollout = rollout;
      ctx.now = now;
      if (challenger) ctx.challenger = challenger;
      if (champion && champion->stage == "Production") ctx.champion = champion;
      ctx.champion_deployment = stable;
      ctx.canary = canary;
      ctx.shadow = shadow;
      ctx.route = route;
      if (auto variant = MeasurementDue(rollout, now)) {
        auto spec = ParseRolloutSpec(rollout["spec"]);
        auto measured = gates::analysis::MeasureInterval(
            spec->analysis, {.challenger = *variant, .namespace_name = "ml", .model = "fraud", .at = now}, backend);
        if (measured.ok()) ctx.measurements = *measured;
        ++measurements_taken;
      }
      last = DecideRollout(ctx);
      Apply(last);
      if (!last.again) break;
    }
    return last;
  }

  // Advances the clock to the requested requeue (or by `step`) and reconciles, until `until`
  // returns true or `limit` of simulated time passed. Returns whether `until` became true.
  template <typename Pred>
  bool RunUntil(Pred until, milliseconds limit = std::chrono::minutes(30)) {
    const auto end = now + limit;
    RolloutDecision d = Reconcile();
    while (!until()) {
      if (now >= end) return false;
      milliseconds wait = d.requeue_after.value_or(seconds(1));
      now += wait;
      d = Reconcile();
    }
    return true;
  }

  std::string Phase() const { return rollout["status"].value("phase", ""); }
  int Weight() const { return rollout["status"].value("canaryWeight", 0); }
  bool HasEvent(const std::string& reason) const {
    for (const auto& e : events) {
      if (e.reason == reason) return true;
    }
    return false;
  }
  int EventCount(const std::string& reason) const {
    int n = 0;
    for (const auto& e : events) n += e.reason == reason ? 1 : 0;
    return n;
  }

  json rollout;
  std::optional<CandidateView> challenger;
  std::optional<CandidateView> champion;
  WorkloadView stable, canary, shadow;
  std::optional<traffic::TrafficSplit> route = traffic::TrafficSplit{0, 0};
  bool variants_become_ready = true;
  FakeBackend backend;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::from_time_t(1'800'000'000);
  std::vector<EventSpec> events;
  std::vector<traffic::TrafficSplit> traffic_writes;
  int measurements_taken = 0;

 private:
  void Apply(const RolloutDecision& d) {
    auto present = [&](WorkloadView& w, int replicas) {
      w.exists = true;
      w.ready = variants_become_ready;
      w.replicas = replicas < 0 ? 0 : replicas;
      w.runs_challenger = true;
    };
    if (d.canary == WorkloadAction::kPresent) present(canary, d.canary_replicas);
    if (d.shadow == WorkloadAction::kPresent) present(shadow, d.shadow_replicas);
    if (d.promote_stable) stable.runs_challenger = true;
    if (d.traffic) {
      route = *d.traffic;
      traffic_writes.push_back(*d.traffic);
    }
    if (d.canary == WorkloadAction::kAbsent) canary = WorkloadView{};
    if (d.shadow == WorkloadAction::kAbsent) shadow = WorkloadView{};
    for (const auto& u : d.candidates) {
      for (auto* c : {&challenger, &champion}) {
        if (*c && (*c)->name == u.name) {
          (*c)->phase = u.phase;
          if (!u.stage.empty()) (*c)->stage = u.stage;
        }
      }
    }
    rollout["status"] = d.status;
    for (const auto& e : d.events) events.push_back(e);
  }
};

}  // namespace modelgate::controllers::rollout::testing
