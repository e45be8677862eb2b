// Admission decisions: the first thing each controller does with a new generation of a spec.
// They check what the CRD schema cannot express, record status.observedGeneration, start the
// phase at Pending and set either the `Accepted` condition or the `Invalid` condition (with a
// message that names the field and what was expected). A spec already admitted at this generation
// yields no change, so repeated reconciles are no-ops (no status write, no Event).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/decision.h"

namespace modelgate::controllers {

// One problem in a spec: `field` is the JSON path ("spec.shadow"), `message` what was expected.
struct SpecProblem {
  std::string field;
  std::string message;
};

// Semantic checks of a ModelCandidate spec beyond its OpenAPI schema.
std::vector<SpecProblem> ValidateCandidateSpec(const nlohmann::json& spec);
// Semantic checks of a ModelRollout spec beyond its OpenAPI schema (e.g. shadow traffic needs a
// provider that can mirror requests: `replicas` cannot).
std::vector<SpecProblem> ValidateRolloutSpec(const nlohmann::json& spec);

// Decides the admission status of a ModelCandidate (kind "ModelCandidate") or ModelRollout
// (kind "ModelRollout") object as read from the API server.
Decision DecideAdmission(const nlohmann::json& object, std::chrono::system_clock::time_point now);

}  // namespace modelgate::controllers
