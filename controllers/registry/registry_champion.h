// championSource: Registry (docs/registry.md): the model registry's champion alias, not the
// cluster's stage Production, says who the champion is for gates 2, 3 and 4. A team that moves the
// alias in MLflow (a hotfix, a model promoted outside modelgate) has its candidates compared with
// that version.
//
// The champion is the ModelCandidate of the same namespace and registry (tracking URI and
// registered model) whose spec.registry.mlflow version is the alias's version. Every way this can
// fail to be decided is an error, never "no champion": a candidate compared with nothing would pass
// gates it should not. Callers hold the gate or the rollout (and retry); they never treat an error
// as a pass.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/registry/model_registry.h"
#include "controllers/registry/registry_spec.h"
#include "operator/kube/status.h"

namespace modelgate::controllers::registry {

struct RegistryChampion {
  // The champion candidate; null when the alias is not set (the first model) or names `candidate`
  // itself (a candidate is never its own champion).
  std::shared_ptr<const nlohmann::json> champion;
  std::string version;  // the alias's version; "" when the alias is not set
};

// Reads the registered model's champion alias (spec.alias_champion) and finds its candidate among
// `all`. Errors (message names the registry, the model, the alias and the version):
//   the registry's own error code when the model cannot be read (kUnavailable, kUnauthorized, ...;
//   kNotFound: the registered model does not exist);
//   kNotFound when the alias names a version no candidate of the namespace has.
kube::Result<RegistryChampion> FindRegistryChampion(ModelRegistry& registry, const MlflowSpec& spec,
                                                    const nlohmann::json& candidate,
                                                    const std::vector<std::shared_ptr<const nlohmann::json>>& all);

}  // namespace modelgate::controllers::registry
