// The ModelPipeline controller's decision as a pure function (docs/pipeline.md): given the
// pipeline as read, its parsed spec (or why it is invalid), the namespace's ModelCandidates, the
// ModelRollout of promotion.rolloutRef (when Automatic) and the clock, it returns
//   - at most one due trigger (the modelgate.io/trigger annotation with a new id, or the latest
//     scheduled run in (lastScheduleTime, now]) for the effect layer to run through PlanTrigger
//     (pipeline_trigger.h) before anything else, and
//   - otherwise the upkeep: the status (conditions, active, champion, nextScheduleTime, pending
//     entries that now exist dropped), the allocated candidates to (re)create, the candidates to
//     mark superseded (concurrencyPolicy Replace), the finished candidates beyond historyLimit to
//     delete (never stage Production or Archived, never one a rollout names, never the Ready one
//     waiting for promotion), the candidate to hand to the rollout (promotion Automatic, only when
//     the rollout is idle), and when to look again.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/decision.h"
#include "controllers/pipeline/pipeline_spec.h"
#include "controllers/pipeline/pipeline_trigger.h"

namespace modelgate::controllers::pipeline {

// How often the pipeline looks again while it waits for something it is not notified of.
inline constexpr std::chrono::milliseconds kWaitPoll{2000};

struct RolloutObservation {
  bool found = false;
  std::string phase;
  bool finished = false;             // status.finishedAt set
  long long generation = 0;
  long long observed_generation = 0;
  std::string candidate;             // spec.candidateRef.name
  std::string resource_version;
  int current_step = 0;
};

struct PipelineContext {
  const nlohmann::json& pipeline;
  const PipelineSpec* spec = nullptr;  // null when the spec is invalid
  std::string spec_error;              // why, when spec is null
  std::string template_error;          // the rendered template refused by the API server's dry run
  // AlertsReady: the token Secret was readable (nullopt: alerts off or not checked).
  std::optional<std::string> alerts_problem;
  std::vector<PipelineCandidate> candidates;  // the namespace's ModelCandidates
  std::optional<RolloutObservation> rollout;  // promotion.rolloutRef, when Automatic
  std::vector<std::string> rollout_candidates;  // every candidateRef of the namespace's rollouts
  std::chrono::system_clock::time_point now;
};

struct PipelineDecision {
  nlohmann::json status;
  bool status_changed = false;
  std::vector<EventSpec> events;
  std::optional<std::chrono::milliseconds> requeue_after;

  std::optional<TriggerRequest> due;            // run this first (then decide again)
  std::vector<nlohmann::json> create;           // ModelCandidates to create (AlreadyExists = done)
  std::vector<std::string> supersede;           // annotate modelgate.io/superseded-by = superseded_by
  std::string superseded_by;
  std::vector<std::string> delete_candidates;   // beyond historyLimit
  std::optional<std::string> hand_to_rollout;   // set the rollout's spec.candidateRef to this
};

// Reads the modelgate.io/trigger annotation: a request when its id is new, with `invalid` set
// when the annotation cannot be read (it is then recorded once, as Invalid).
std::optional<TriggerRequest> AnnotationRequest(const nlohmann::json& pipeline);

// Whether a rollout may be given a new candidate: finished (Promoted and finalised, RolledBack,
// Aborted, Failed) with its spec observed, or Pending on a candidate that is neither Ready (nor
// RollingOut, which the rollout starts on too) nor in gates 1-3 (it would wait forever: e.g. the
// champion itself, a Rejected one, a missing one).
bool RolloutIdle(const RolloutObservation& rollout, const std::vector<PipelineCandidate>& candidates);

PipelineDecision DecidePipeline(const PipelineContext& context);

}  // namespace modelgate::controllers::pipeline
