// The `kubectl modelgate history <model>` view: the timeline of the ModelCandidates of one model
// (spec.model) in a namespace, oldest first, with their decisions (trigger, phase, stage, each
// gate's state and the gate that blocked the candidate with its reason) and the ModelRollouts that
// rolled them out (spec.candidateRef.name). Fields are those of crds/*.yaml.
//
// Pure: the two List objects in, a view out; no I/O. Half-written statuses show as absent fields.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace modelgate::plugin {

// The view as JSON (printed by `-o json`):
//   {model, namespace, champion{name,version} (the candidate with stage Production, or null),
//    candidates[{name, version, created, trigger{type,source,commit,reason}, phase, stage,
//                stageTransitionTime, currentGate, message,
//                gates[{name, state, reason, message, startedAt, finishedAt}],
//                blockedBy{gate, state, reason, message} or null (the first Failed/Error gate),
//                rollouts[{name, phase, currentStep, canaryWeight, startedAt, promotedAt,
//                          finishedAt, message}]}],
//    auditTrails[{mlflow, model}]}
// auditTrails: the distinct (spec.registry.mlflow.trackingUri, registeredModel or spec.model) of
// the candidates, in candidate order: where `modelgate audit` reads the model's audit records.
// Candidates are ordered by metadata.creationTimestamp, then name; rollouts likewise.
// `candidates` and `rollouts` are List objects (items[]) of all ModelCandidates / ModelRollouts
// of the namespace; those of other models are left out.
nlohmann::json ModelHistoryView(const std::string& model, const std::string& ns,
                                const nlohmann::json& candidates, const nlohmann::json& rollouts);

// The view as text for a terminal: one block per candidate, then per audit trail the hint
// "audit trail: modelgate audit --mlflow <uri> --model <registered model>".
std::string FormatModelHistory(const nlohmann::json& view);

}  // namespace modelgate::plugin
