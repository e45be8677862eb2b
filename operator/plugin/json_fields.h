// Tolerant readers of fields of Kubernetes objects for the kubectl plugin's views. The plugin shows
// whatever the API server stored; a missing field or one of an unexpected type reads as absent (an
// empty string / nullopt), never as an exception, so a half-written status still prints.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace modelgate::plugin {

using json = nlohmann::json;

// The value at `path` (object keys), or nullptr when a step is missing or not an object.
inline const json* FieldAt(const json& object, std::initializer_list<const char*> path) {
  const json* at = &object;
  for (const char* key : path) {
    if (!at->is_object()) return nullptr;
    auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

// A string field; numbers and booleans are written out as JSON would; absent -> "".
inline std::string StringAt(const json& object, std::initializer_list<const char*> path) {
  const json* at = FieldAt(object, path);
  if (at == nullptr || at->is_null()) return "";
  if (at->is_string()) return at->get<std::string>();
  if (at->is_primitive()) return at->dump();
  return "";
}

// An integer field (integral JSON numbers only); absent or another type -> nullopt.
inline std::optional<std::int64_t> IntAt(const json& object,
                                         std::initializer_list<const char*> path) {
  const json* at = FieldAt(object, path);
  if (at == nullptr || !at->is_number_integer()) return std::nullopt;
  return at->get<std::int64_t>();
}

// A boolean field; absent or another type -> false.
inline bool BoolAt(const json& object, std::initializer_list<const char*> path) {
  const json* at = FieldAt(object, path);
  return at != nullptr && at->is_boolean() && at->get<bool>();
}

// An array field; absent or another type -> an empty array.
inline const json& ArrayAt(const json& object, std::initializer_list<const char*> path) {
  static const json kEmpty = json::array();
  const json* at = FieldAt(object, path);
  return at != nullptr && at->is_array() ? *at : kEmpty;
}

}  // namespace modelgate::plugin
