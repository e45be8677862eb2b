#include "controllers/candidate/cluster_input_fetcher.h"

#include "gates/io/http_source.h"

namespace modelgate::controllers::candidate {

std::optional<std::string> DecodeBase64(const std::string& text) {
  std::string out;
  unsigned value = 0;
  int bits = 0;
  for (char c : text) {
    int digit;
    if (c >= 'A' && c <= 'Z') digit = c - 'A';
    else if (c >= 'a' && c <= 'z') digit = c - 'a' + 26;
    else if (c >= '0' && c <= '9') digit = c - '0' + 52;
    else if (c == '+') digit = 62;
    else if (c == '/') digit = 63;
    else if (c == '=' || c == '\n' || c == '\r') continue;
    else return std::nullopt;
    value = (value << 6) | static_cast<unsigned>(digit);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xFF));
    }
  }
  return out;
}

gates::Result<std::string> ClusterInputFetcher::ReadConfigMapKey(const std::string& ns, const std::string& name,
                                                                 const std::string& key) {
  kube::Result<nlohmann::json> cm = client_.Get(kube::resources::ConfigMaps(), ns, name);
  if (!cm.ok()) {
    if (cm.status().code() == kube::StatusCode::kNotFound) {
      return gates::Status(gates::ErrorCode::kNotFound, "ConfigMap " + ns + "/" + name + " not found");
    }
    return gates::Status(gates::ErrorCode::kIo, "ConfigMap " + ns + "/" + name + ": " + cm.status().ToString());
  }
  const nlohmann::json& data = (*cm).contains("data") ? (*cm)["data"] : nlohmann::json();
  if (data.is_object() && data.contains(key) && data[key].is_string()) return data[key].get<std::string>();
  const nlohmann::json& binary = (*cm).contains("binaryData") ? (*cm)["binaryData"] : nlohmann::json();
  if (binary.is_object() && binary.contains(key) && binary[key].is_string()) {
    if (auto decoded = DecodeBase64(binary[key].get<std::string>())) return *decoded;
    return gates::Status(gates::ErrorCode::kInvalidInput,
                         "ConfigMap " + ns + "/" + name + " binaryData." + key + ": not valid base64");
  }
  return gates::Status(gates::ErrorCode::kNotFound, "ConfigMap " + ns + "/" + name + " has no key '" + key + "'");
}

gates::Result<std::unique_ptr<gates::ByteSource>> ClusterInputFetcher::OpenUri(const std::string& uri,
                                                                               std::chrono::milliseconds timeout,
                                                                               uint64_t max_bytes) {
  if (gates::IsHttpUrl(uri)) {
    gates::HttpSourceOptions options;
    options.timeout = timeout;
    options.max_bytes = max_bytes;
    options.inflate_gzip = false;  // RunGate hashes the bytes as served, then inflates
    return gates::OpenHttpSource(uri, options);
  }
  const std::string path = gates::LocalPathOf(uri);
  if (path.empty()) return gates::Status(gates::ErrorCode::kUsage, "empty data path in " + uri);
  return gates::OpenFileAt(path, uri, 0);  // as stored: RunGate hashes, then inflates
}

}  // namespace modelgate::controllers::candidate
