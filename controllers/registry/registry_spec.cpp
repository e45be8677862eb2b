#include "controllers/registry/registry_spec.h"

#include "controllers/json_fields.h"

namespace modelgate::controllers::registry {

using json = nlohmann::json;

std::optional<MlflowSpec> ParseMlflowSpec(const json& candidate) {
  const json& spec = Child(candidate, "spec");
  const json& mlflow = Child(Child(spec, "registry"), "mlflow");
  if (!mlflow.is_object()) return std::nullopt;
  MlflowSpec out;
  out.tracking_uri = Str(mlflow, "trackingUri");
  if (out.tracking_uri.empty()) return std::nullopt;
  while (!out.tracking_uri.empty() && out.tracking_uri.back() == '/') out.tracking_uri.pop_back();
  out.registered_model = Str(mlflow, "registeredModel");
  if (out.registered_model.empty()) out.registered_model = Str(spec, "model");
  out.version = Str(mlflow, "version");
  if (out.version.empty()) out.version = Str(spec, "version");
  out.credentials_secret = Str(Child(mlflow, "credentialsSecretRef"), "name");
  out.ca_secret = Str(Child(mlflow, "caSecretRef"), "name");
  out.ca_key = Str(Child(mlflow, "caSecretRef"), "key");
  const json& aliases = Child(mlflow, "aliases");
  if (!Str(aliases, "challenger").empty()) out.alias_challenger = Str(aliases, "challenger");
  if (!Str(aliases, "champion").empty()) out.alias_champion = Str(aliases, "champion");
  if (!Str(aliases, "previousChampion").empty()) out.alias_previous_champion = Str(aliases, "previousChampion");
  out.stages = Child(mlflow, "stages").is_boolean() && mlflow["stages"].get<bool>();
  if (!Str(mlflow, "championSource").empty()) out.champion_source = Str(mlflow, "championSource");
  return out;
}

}  // namespace modelgate::controllers::registry
