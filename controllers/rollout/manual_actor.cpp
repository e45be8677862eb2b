#include "controllers/rollout/manual_actor.h"

#include "controllers/json_fields.h"

namespace modelgate::controllers::rollout {

using json = nlohmann::json;

namespace {

// managedFields' fieldsV1 spells a map key k as "f:k" (the set of owned leaves is a trie).
bool Owns(const json& fields, const std::vector<std::string>& path) {
  const json* at = &fields;
  for (const std::string& key : path) {
    if (!at->is_object()) return false;
    auto it = at->find("f:" + key);
    if (it == at->end()) return false;
    at = &*it;
  }
  return true;
}

}  // namespace

json ManualActorOf(const json& object, const std::vector<std::string>& path) {
  const json& metadata = Child(object, "metadata");
  const json& managed = Child(metadata, "managedFields");
  if (!managed.is_array()) return nullptr;
  const json* owner = nullptr;
  for (const json& entry : managed) {
    if (!entry.is_object() || !Owns(Child(entry, "fieldsV1"), path)) continue;
    // RFC 3339 times of one server compare as strings; a missing time loses.
    if (!owner || Str(entry, "time") >= Str(*owner, "time")) owner = &entry;
  }
  if (!owner) return nullptr;
  const std::string manager = Str(*owner, "manager");
  const std::string user = Str(Child(metadata, "annotations"), kActorAnnotation);
  if (!user.empty() && Owns(Child(*owner, "fieldsV1"), {"metadata", "annotations", kActorAnnotation})) {
    return {{"kind", "user"}, {"name", user}, {"via", manager}};
  }
  return {{"kind", "fieldManager"}, {"name", manager}};
}

}  // namespace modelgate::controllers::rollout
