// The ModelRollout state machine as a pure function (DESIGN sections 2, 3; docs/rollout.md).
//
// The reconciler (rollout_reconciler.h) gathers what it observed into a RolloutContext - the
// rollout as read from the API server, its candidate and the champion candidate, the three
// Deployments, the route's split, and (when one was due, see MeasurementDue) the measurements of
// this analysis interval - and DecideRollout() returns the next status, the world the status
// implies (variant workloads, the traffic split, the candidates' phases), Events, and when to look
// again. It reads no clock: `now` is in the context, and every soak, hold, window and deadline is
// computed from timestamps in the status, so a restarted operator resumes the same step with the
// same deadline.
//
// Phases: Pending -> [Shadowing] -> Canary (step 1..N) -> Promoting -> Promoted (post-promotion
// window, then finalisation) ; any of Shadowing/Canary/Paused/Promoting/Promoted-in-window ->
// RollingBack -> RolledBack (or Aborted when spec.abort). Paused holds Shadowing/Canary.
// Thread-safe (pure).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/decision.h"
#include "controllers/rollout/rollout_spec.h"
#include "controllers/rollout/variant_workloads.h"
#include "controllers/traffic/router.h"
#include "gates/analysis/measurement.h"

namespace modelgate::controllers::rollout {

using Clock = std::chrono::system_clock;

// A ModelCandidate as the rollout sees it.
struct CandidateView {
  std::string name;
  std::string model;
  std::string version;
  std::string phase;
  std::string stage;
  ChallengerArtifact artifact;
};

// A Deployment as the rollout sees it.
struct WorkloadView {
  bool exists = false;
  bool ready = false;
  int replicas = 0;               // spec.replicas
  bool runs_challenger = false;   // its serving container runs the challenger's artifact
};

struct RolloutContext {
  nlohmann::json rollout;  // metadata, spec, status as read (status may be absent)
  std::optional<CandidateView> challenger;  // spec.candidateRef; nullopt when not found
  std::optional<CandidateView> champion;    // stage Production of the same model (not the challenger)
  WorkloadView champion_deployment;         // target.deployment
  WorkloadView canary;                      // <deployment>-canary
  WorkloadView shadow;                      // <deployment>-shadow
  std::optional<traffic::TrafficSplit> route;  // observed split; nullopt when it could not be read
  // The measurements of this interval, taken at `now`, when MeasurementDue said one was due.
  std::optional<std::vector<gates::analysis::MetricMeasurement>> measurements;
  Clock::time_point now;
};

// What the effect layer must make true for a variant workload.
enum class WorkloadAction { kKeep, kPresent, kAbsent };

// A status write to a ModelCandidate.
struct CandidateUpdate {
  std::string name;
  std::string phase;
  std::string stage;    // empty: unchanged
  std::string message;
};

struct RolloutDecision {
  nlohmann::json status;
  bool status_changed = false;
  std::vector<EventSpec> events;
  // The world, applied in this order: present workloads (and the stable Deployment's template),
  // then traffic, then absent workloads - so a rollback moves traffic before anything is removed.
  WorkloadAction canary = WorkloadAction::kKeep;
  int canary_replicas = 1;
  WorkloadAction shadow = WorkloadAction::kKeep;
  int shadow_replicas = 1;
  bool promote_stable = false;  // switch the stable Deployment's template to the challenger
  std::optional<traffic::TrafficSplit> traffic;
  std::vector<CandidateUpdate> candidates;
  // Decide again right away (another transition follows from the new status).
  bool again = false;
  std::optional<std::chrono::milliseconds> requeue_after;
  // The spec could not be used (an Invalid condition was set): nothing else to do.
  bool invalid = false;
};

// Which challenger variant is to be measured now: kShadow while the shadow receives mirrored
// traffic, kCanary while a canary step soaks or the post-promotion window runs; nullopt when no
// measurement is due at `now` (measurements come every analysis.interval from the step's start).
std::optional<gates::analysis::Variant> MeasurementDue(const nlohmann::json& rollout, Clock::time_point now);

RolloutDecision DecideRollout(const RolloutContext& context);

// The annotation that asks for a promotion now ("skip the remaining steps"); its value is a token
// that acts once (recorded in status.manualPromotion).
inline constexpr const char* kPromoteAnnotation = "modelgate.io/promote";

}  // namespace modelgate::controllers::rollout
