// The `kubectl modelgate status <rollout>` view of a ModelRollout: its spec's plan (shadow, canary
// steps with weights and soak) joined with its status (phase, current step and weight, the last
// analysis of each metric challenger vs champion with its verdict, conditions), as read from the
// object the API server returned (fields of crds/modelgate.io_modelrollouts.yaml).
//
// Pure: the object and the current time in, a view out; no I/O. Missing fields show as absent;
// nothing here fails on a half-written status.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "operator/kube/time_format.h"

namespace modelgate::plugin {

// The view as JSON (printed by `-o json`):
//   {name, namespace, candidate, challenger{name,version}, champion{name,version}, phase, message,
//    paused, abortRequested, currentStep, stepCount, canaryWeight, shadowPercent, stepStartedAt,
//    timeLeft (the current shadow/step's remaining duration, "" when not running: paused, over,
//    unknown), steps[{step ("shadow" or "1".."n"), weight|percent, soak|duration, state}],
//    analysisInterval, analysis[{name, verdict, challengerValue, championValue, challengerSamples,
//    championSamples, threshold, failures, failureLimit, measuredAt, message}], conditions[…]}.
// A step's state is one of pending, current, done, stopped (where a rollback or abort ended the
// rollout) or skipped (after that point, or when promoted manually before it).
nlohmann::json RolloutStatusView(const nlohmann::json& rollout, kube::TimePoint now);

// The view as text for a terminal.
std::string FormatRolloutStatus(const nlohmann::json& view);

}  // namespace modelgate::plugin
