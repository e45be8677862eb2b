// The registry sync plan as pure functions (DESIGN section 8, docs/registry.md): which aliases,
// stage and tags a candidate's decisions imply in the model registry, and the ordered operations
// that take the registry from what it holds now to that.
//
// The desired state is derived from the ModelCandidates of one registered model (same tracking
// URI and registered model), so it is a level, not a log: re-applying it changes nothing, and
// whatever happened while the registry was unreachable (a promotion, then a rollback) converges to
// the state the cluster has now, in one pass.
//   champion          -> the version of the candidate with stage Production
//   previousChampion  -> the version of the former champion demoted most recently by a promotion
//                        (phase Archived, latest stageTransitionTime): the rollback target. A
//                        rolled-back challenger is never it.
//   challenger        -> the newest candidate with stage Staging (Ready, or RollingOut)
//   an alias with no candidate is deleted.
// With stages: Staging / Production / Archived follow status.stage (stage Candidate: left alone;
// MLflow never deletes a version). Tags: modelgate.* on the candidate's own version.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/registry/registry_spec.h"

namespace modelgate::controllers::registry {

// A ModelCandidate with a registry, as the plan needs it.
struct RegistryCandidate {
  std::string name;
  MlflowSpec mlflow;
  std::string phase;
  std::string stage;
  std::string stage_transition_time;  // RFC 3339, "" when unknown
  std::string created;                // metadata.creationTimestamp
  const nlohmann::json* object = nullptr;  // the whole candidate (tags are read from it)
};

// nullopt when the candidate has no spec.registry.mlflow.
std::optional<RegistryCandidate> ViewRegistryCandidate(const nlohmann::json& candidate);

struct DesiredRegistryState {
  // alias -> version for the three managed aliases; a managed alias absent here is to be deleted.
  std::map<std::string, std::string> aliases;
  std::vector<std::string> managed_aliases;   // the three names, in apply order
  std::map<std::string, std::string> tags;    // on the candidate's own version
  std::string stage;                          // "" = leave; else Staging | Production | Archived
};

// `self` and every candidate of the namespace (the plan keeps those of self's registry).
DesiredRegistryState DesiredFor(const RegistryCandidate& self, const std::vector<RegistryCandidate>& candidates);

// What the registry holds now.
struct ObservedRegistry {
  std::map<std::string, std::string> aliases;       // alias -> version (whole registered model)
  std::map<std::string, std::string> version_tags;  // the candidate's version
  std::string version_stage;                         // its current_stage
};

struct RegistryOp {
  enum class Kind { kSetAlias, kDeleteAlias, kTransitionStage, kSetTag };
  Kind kind;
  std::string key;    // alias, stage or tag key
  std::string value;  // version or tag value ("" for delete / stage)
  bool operator==(const RegistryOp&) const = default;
};
std::string Describe(const RegistryOp& op, const std::string& model, const std::string& version);

// The operations, in order: previous-champion first (the rollback target never loses its alias
// while the champion moves), then champion, then challenger; then the stage; then the tags whose
// value differs. Aliases of other versions are moved only as the desired state says. Empty when
// the registry already holds the desired state.
std::vector<RegistryOp> PlanSync(const DesiredRegistryState& desired, const ObservedRegistry& observed,
                                 const std::string& self_version);

// A stable digest of a desired state (status.registry.appliedHash): equal states, equal digests.
std::string DesiredDigest(const DesiredRegistryState& desired, const MlflowSpec& mlflow);

// MLflow tag values are bounded; longer values are cut on a UTF-8 boundary with "...".
inline constexpr size_t kMaxTagValueBytes = 4000;

}  // namespace modelgate::controllers::registry
