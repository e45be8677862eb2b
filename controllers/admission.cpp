#include "controllers/admission.h"

#include "controllers/conditions.h"
#include "controllers/json_fields.h"

namespace modelgate::controllers {
namespace {

std::string JoinProblems(const std::vector<SpecProblem>& problems) {
  std::string text;
  for (const auto& p : problems) {
    if (!text.empty()) text += "; ";
    text += p.field + ": " + p.message;
  }
  return text;
}

}  // namespace

std::vector<SpecProblem> ValidateCandidateSpec(const json& spec) {
  std::vector<SpecProblem> problems;
  const json& artifact = Child(spec, "artifact");
  if (!Child(artifact, "uri").is_string() && !Child(artifact, "image").is_string()) {
    problems.push_back({"spec.artifact", "expected at least one of uri or image"});
  }
  const json& gates = Child(spec, "gates");
  for (const char* gate : {"data", "training", "evaluation"}) {
    const json& g = Child(gates, gate);
    if (g.is_null()) continue;
    const json& policy = Child(g, "policy");
    if (!policy.is_null() && !policy.is_object()) {
      problems.push_back({std::string("spec.gates.") + gate + ".policy",
                          "expected a mapping (the same YAML the CLI reads)"});
    }
  }
  return problems;
}

std::vector<SpecProblem> ValidateRolloutSpec(const json& spec) {
  std::vector<SpecProblem> problems;
  const json& traffic = Child(spec, "traffic");
  if (!Child(spec, "shadow").is_null() && !Child(traffic, "replicas").is_null()) {
    problems.push_back({"spec.shadow",
                        "traffic provider 'replicas' cannot mirror requests; remove spec.shadow or "
                        "use spec.traffic.gatewayAPI or spec.traffic.istio"});
  }
  const json& metrics = Child(Child(spec, "analysis"), "metrics");
  if (metrics.is_array()) {
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (Child(metrics[i], "name") == Child(metrics[j], "name")) {
          problems.push_back({"spec.analysis.metrics[" + std::to_string(i) + "].name",
                              "duplicate metric name '" + Child(metrics[i], "name").dump() +
                                  "' (names key status.analysis[])"});
        }
      }
    }
  }
  return problems;
}

Decision DecideAdmission(const json& object, std::chrono::system_clock::time_point now) {
  const json& metadata = Child(object, "metadata");
  const long long generation = Child(metadata, "generation").is_number_integer()
                                   ? Child(metadata, "generation").get<long long>()
                                   : 0;
  const bool is_rollout = Child(object, "kind") == "ModelRollout";
  const json& spec = Child(object, "spec");

  Decision decision;
  decision.status = Child(object, "status").is_object() ? Child(object, "status") : json::object();
  json& status = decision.status;
  const bool already_admitted = Child(status, "observedGeneration").is_number_integer() &&
                                status["observedGeneration"].get<long long>() == generation;
  if (already_admitted) return decision;

  const std::vector<SpecProblem> problems =
      is_rollout ? ValidateRolloutSpec(spec) : ValidateCandidateSpec(spec);
  status["observedGeneration"] = generation;
  if (!status.contains("phase") || !status["phase"].is_string() || status["phase"] == "") {
    status["phase"] = "Pending";
  }
  if (!is_rollout && !status.contains("stage")) status["stage"] = "Candidate";
  json& conditions = status["conditions"];
  if (problems.empty()) {
    SetCondition(conditions,
                 {"Accepted", "True", "SpecAccepted",
                  is_rollout ? "the rollout spec is valid; waiting for the candidate"
                             : "the candidate spec is valid; gates are pending",
                  generation},
                 now);
    RemoveCondition(conditions, "Invalid");
    status["message"] = "accepted generation " + std::to_string(generation);
    decision.events.push_back({"Normal", "Accepted", "Validate",
                               "Accepted generation " + std::to_string(generation) + " of the spec"});
  } else {
    const std::string message = JoinProblems(problems);
    SetCondition(conditions, {"Accepted", "False", "InvalidSpec", message, generation}, now);
    SetCondition(conditions, {"Invalid", "True", "InvalidSpec", message, generation}, now);
    status["message"] = "invalid spec: " + message;
    decision.events.push_back({"Warning", "InvalidSpec", "Validate", message});
  }
  decision.status_changed = true;
  return decision;
}

}  // namespace modelgate::controllers
