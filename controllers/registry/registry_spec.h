// spec.registry.mlflow of a ModelCandidate (crds/modelgate.io_modelcandidates.yaml,
// docs/registry.md), with its defaults applied: registeredModel = spec.model, version =
// spec.version, aliases challenger / champion / previous-champion. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace modelgate::controllers::registry {

struct MlflowSpec {
  std::string tracking_uri;
  std::string registered_model;
  std::string version;
  std::string credentials_secret;  // Secret name ("" = no credentials)
  std::string ca_secret;           // Secret name and key of a PEM CA bundle ("" = system trust)
  std::string ca_key;
  std::string alias_challenger = "challenger";
  std::string alias_champion = "champion";
  std::string alias_previous_champion = "previous-champion";
  bool stages = false;
  // Who is the champion in gates 2, 3 and 4: "Cluster" (the candidate with stage Production, the
  // default) or "Registry" (the candidate whose version the registry's champion alias names;
  // registry_champion.h).
  std::string champion_source = "Cluster";
  bool ChampionFromRegistry() const { return champion_source == "Registry"; }

  // Candidates are compared (who is the champion of this registered model) only within one
  // registry: same tracking URI and registered model.
  std::string RegistryKey() const { return tracking_uri + "#" + registered_model; }
};

// The candidate's spec.registry.mlflow; nullopt when it has none (or it is not an object).
std::optional<MlflowSpec> ParseMlflowSpec(const nlohmann::json& candidate);

}  // namespace modelgate::controllers::registry
