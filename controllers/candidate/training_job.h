// The training Job of a candidate (spec.gates.training.jobTemplate): its deterministic name, the
// manifest the operator creates, and what an observed Job's status means. Pure.
//
// Name: "<candidate>-train-g<generation>-<attempt>" (attempt counts from 1), shortened with a
// hash when longer than 63 characters (the job-name label limit). The name depends only on the
// candidate, the generation and the attempt, so a restarted operator that creates it again gets
// AlreadyExists and adopts it: never two Jobs for one attempt.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace modelgate::controllers::candidate {

std::string TrainingJobName(const std::string& candidate, long long generation, int attempt);

// The Job: jobTemplate.metadata labels/annotations plus modelgate.io/{candidate,model,version,
// generation} labels, an ownerReference to the candidate (controller, blockOwnerDeletion) so
// deleting the candidate deletes the Job, and jobTemplate.spec unchanged.
nlohmann::json BuildTrainingJob(const nlohmann::json& candidate, const nlohmann::json& job_template,
                                const std::string& name);

// An ownerReference to `candidate` (controller=true, blockOwnerDeletion=true).
nlohmann::json OwnerReference(const nlohmann::json& candidate);

struct JobObservation {
  enum class State { kAbsent, kActive, kSucceeded, kFailed };
  State state = State::kAbsent;
  std::string reason;   // kFailed: the Failed condition's reason (e.g. BackoffLimitExceeded)
  std::string message;  // kFailed: its message
};

// From a Job as read from the API server (conditions Complete / Failed with status True).
JobObservation ObserveJob(const nlohmann::json& job);

}  // namespace modelgate::controllers::candidate
