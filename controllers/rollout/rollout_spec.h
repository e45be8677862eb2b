// RolloutSpec: the parts of a ModelRollout spec the rollout controller acts on, as typed values.
//
// ParseRolloutSpec() reads spec as the API server stored it (the CRD defaults may or may not have
// been applied; the parser applies them itself) and re-checks what the state machine relies on:
// one traffic provider, 1-20 strictly increasing canary weights, durations of the CRD pattern,
// and the whole of spec.analysis through gates::analysis::ParseAnalysisSpec. On failure the
// message names the field and what was expected, e.g.
//   "spec.canary.steps[1].soak: expected a duration such as 30s or 5m, got \"soon\"".
// Thread-safe (pure).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gates/analysis/analysis_spec.h"
#include "gates/common/status.h"

namespace modelgate::controllers::rollout {

using Duration = gates::analysis::Duration;

struct CanaryStep {
  int weight = 0;  // 1..100, strictly increasing across steps
  Duration soak{0};
};

struct ShadowSpec {
  int percent = 0;  // 1..100
  Duration duration{0};
};

struct RolloutSpec {
  std::string candidate;  // spec.candidateRef.name
  // spec.target
  std::string deployment;
  std::string container;  // may be empty: the pod's single container
  std::string service;
  std::string model_uri_env = "MODEL_URI";
  // spec.traffic: "gatewayAPI", "istio" or "replicas", and the route object's name
  std::string traffic_kind;
  std::string route_name;
  std::vector<std::string> istio_routes;

  std::optional<ShadowSpec> shadow;
  std::vector<CanaryStep> steps;
  Duration progress_deadline = std::chrono::minutes(10);
  // spec.postPromotion: no window means no watch after promotion.
  std::optional<Duration> post_promotion_window;
  std::optional<Duration> scale_down_delay;  // defaults to the window
  bool paused = false;
  bool abort = false;
  gates::analysis::AnalysisSpec analysis;

  std::string canary_deployment() const { return deployment + "-canary"; }
  std::string shadow_deployment() const { return deployment + "-shadow"; }
  std::string canary_service() const { return service + "-canary"; }
  std::string shadow_service() const { return service + "-shadow"; }
};

gates::Result<RolloutSpec> ParseRolloutSpec(const nlohmann::json& spec);

}  // namespace modelgate::controllers::rollout
