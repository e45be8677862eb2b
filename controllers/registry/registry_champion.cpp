#include "controllers/registry/registry_champion.h"

#include "controllers/json_fields.h"

namespace modelgate::controllers::registry {

using json = nlohmann::json;

kube::Result<RegistryChampion> FindRegistryChampion(ModelRegistry& registry, const MlflowSpec& spec,
                                                    const json& candidate,
                                                    const std::vector<std::shared_ptr<const json>>& all) {
  const std::string where = "MLflow " + spec.tracking_uri + ", registered model '" + spec.registered_model + "'";
  kube::Result<RegisteredModel> model = registry.GetRegisteredModel(spec.registered_model);
  if (!model.ok()) {
    return kube::Status(model.status().code(), where + " (championSource: Registry): " + model.status().message());
  }
  RegistryChampion out;
  const auto alias = model->aliases.find(spec.alias_champion);
  if (alias == model->aliases.end()) return out;  // no champion yet
  out.version = alias->second;
  const std::string ns = Str(Child(candidate, "metadata"), "namespace");
  const std::string self = Str(Child(candidate, "metadata"), "name");
  for (const auto& other : all) {
    if (!other || Str(Child(*other, "metadata"), "namespace") != ns) continue;
    const std::optional<MlflowSpec> theirs = ParseMlflowSpec(*other);
    if (!theirs || theirs->RegistryKey() != spec.RegistryKey() || theirs->version != out.version) continue;
    if (Str(Child(*other, "metadata"), "name") == self) return out;  // the candidate is the champion
    // Several candidates of one version (a re-run): the one promoted last, else the newest.
    if (!out.champion || Str(Child(*other, "status"), "stageTransitionTime") >
                             Str(Child(*out.champion, "status"), "stageTransitionTime")) {
      out.champion = other;
    }
  }
  if (!out.champion) {
    return kube::Status(kube::StatusCode::kNotFound,
                        where + ": alias '" + spec.alias_champion + "' is version " + out.version +
                            " but no ModelCandidate in namespace " + ns +
                            " has that spec.registry.mlflow.version (championSource: Registry needs the champion's "
                            "candidate for its recorded gate results)");
  }
  return out;
}

}  // namespace modelgate::controllers::registry
