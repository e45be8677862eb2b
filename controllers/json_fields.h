// Tolerant readers of fields of Kubernetes objects for the reconcilers: the API server stores what
// the schema allows, but a status written by an older operator, or a field another writer dropped,
// must read as absent rather than throw. Child() of a missing key or of a non-object is JSON null;
// Str() of anything but a string is "".
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace modelgate::controllers {

inline const nlohmann::json& Child(const nlohmann::json& parent, const char* key) {
  static const nlohmann::json kNull;
  if (!parent.is_object()) return kNull;
  const auto it = parent.find(key);
  return it == parent.end() ? kNull : *it;
}

inline std::string Str(const nlohmann::json& parent, const char* key) {
  const nlohmann::json& v = Child(parent, key);
  return v.is_string() ? v.get<std::string>() : "";
}

}  // namespace modelgate::controllers
