#include "operator/kube/secret_data.h"

#include "operator/kube/rest_config.h"

namespace modelgate::kube {

Result<std::string> SecretDataValue(const json& secret, const std::string& key, bool trim_line_feed) {
  const std::string name = secret.is_object() ? secret.value("/metadata/name"_json_pointer, std::string()) : "";
  const json* data = secret.is_object() && secret.contains("data") ? &secret["data"] : nullptr;
  if (!data || !data->is_object() || !data->contains(key) || !(*data)[key].is_string()) {
    return Status(StatusCode::kNotFound, "Secret " + name + " has no key " + key);
  }
  std::optional<std::string> decoded = DecodeBase64((*data)[key].get<std::string>());
  if (!decoded) return Status(StatusCode::kInvalid, "Secret " + name + " key " + key + ": not base64");
  if (trim_line_feed) {
    while (!decoded->empty() && (decoded->back() == '\n' || decoded->back() == '\r')) decoded->pop_back();
  }
  return *std::move(decoded);
}

Result<std::string> ReadSecretValue(const Client& client, const std::string& ns, const std::string& name,
                                    const std::string& key, bool trim_line_feed) {
  Result<json> secret = client.Get(resources::Secrets(), ns, name);
  if (!secret.ok()) return secret.status();
  if (!secret->contains("metadata")) (*secret)["metadata"]["name"] = name;
  return SecretDataValue(*secret, key, trim_line_feed);
}

}  // namespace modelgate::kube
