// Who asked for a manual action on a ModelRollout (promote, abort, pause, resume), for the audit
// trail (docs/registry.md, "Audit records").
//
// Kubernetes records no user on an object, only the field manager of each field
// (metadata.managedFields: the client's user agent, e.g. "kubectl-modelgate", "kubectl-patch",
// "argocd-controller"). So `kubectl modelgate promote|abort|pause|resume` writes, in the same
// merge patch as the action, the annotation modelgate.io/actor = the user the API server sees
// (`kubectl auth whoami`). The actor of the field `path` is then:
//   - the annotation's value, when the managedFields entry that owns `path` also owns the
//     annotation (both came in the same write):  {kind: "user", name, via: <manager>};
//   - else the manager that owns `path`:           {kind: "fieldManager", name: <manager>};
//   - null when managedFields do not name an owner (an object from a server without them).
// When several entries own the path (Apply and Update), the latest by `time` wins. Pure.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace modelgate::controllers::rollout {

inline constexpr const char* kActorAnnotation = "modelgate.io/actor";

// `path` is the object path of the field, e.g. {"spec", "abort"} or
// {"metadata", "annotations", "modelgate.io/promote"}.
nlohmann::json ManualActorOf(const nlohmann::json& object, const std::vector<std::string>& path);

}  // namespace modelgate::controllers::rollout
