#include "operator/mlflow_registry_factory.h"

#include "operator/kube/secret_data.h"

namespace modelgate {

using controllers::registry::MlflowSpec;
using controllers::registry::ModelRegistry;

controllers::registry::RegistryFactory MakeMlflowRegistryFactory(const kube::Client& client, MlflowMaker make) {
  if (!make) make = [](const MlflowConfig& config) { return MakeMlflowRegistry(config); };
  return [&client, make = std::move(make)](const std::string& ns,
                                           const MlflowSpec& spec) -> kube::Result<std::shared_ptr<ModelRegistry>> {
    MlflowConfig config{.tracking_uri = spec.tracking_uri};
    const std::string field = "spec.registry.mlflow.credentialsSecretRef";
    if (!spec.credentials_secret.empty()) {
      kube::Result<kube::json> secret = client.Get(kube::resources::Secrets(), ns, spec.credentials_secret);
      if (!secret.ok()) {
        return kube::Status(secret.status().code(), "Secret " + spec.credentials_secret + " (" + field +
                                                        "): " + secret.status().message());
      }
      (*secret)["metadata"]["name"] = spec.credentials_secret;
      auto value = [&secret](const char* key) {
        return kube::SecretDataValue(*secret, key, /*trim_line_feed=*/true);
      };
      kube::Result<std::string> username = value("username"), password = value("password"), token = value("token");
      for (const auto* r : {&username, &password, &token}) {
        if (!r->ok() && r->status().code() != kube::StatusCode::kNotFound) {
          return kube::Status(r->status().code(), r->status().message() + " (" + field + ")");
        }
      }
      config.username = username.ok() ? *username : "";
      config.password = password.ok() ? *password : "";
      config.token = token.ok() ? *token : "";
      if (config.token.empty() && (config.username.empty() || config.password.empty())) {
        return kube::Status(kube::StatusCode::kInvalid,
                            "Secret " + spec.credentials_secret + " (" + field +
                                ") needs non-empty keys username and password, or token");
      }
    }
    if (!spec.ca_secret.empty()) {
      kube::Result<std::string> ca = kube::ReadSecretValue(client, ns, spec.ca_secret, spec.ca_key, false);
      if (!ca.ok()) {
        return kube::Status(ca.status().code(),
                            ca.status().message() + " (spec.registry.mlflow.caSecretRef)");
      }
      config.ca_pem = *ca;
    }
    auto made = make(config);
    if (!made.ok()) return made.status();
    return std::shared_ptr<ModelRegistry>(std::move(made).value());
  };
}

}  // namespace modelgate
