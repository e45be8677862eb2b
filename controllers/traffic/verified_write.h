// VerifiedWrite: the write discipline every traffic router follows (see router.h).
//
//   1. GET the object; 2. let `edit` bring a copy to the desired state, listing every field it
//   had to change; 3. no change -> return OK without writing (idempotence); 4. PUT the edited
//   copy with the resourceVersion that was read (a 409 Conflict restarts at 1, at most
//   kMaxWriteAttempts times in all); 5. GET the object again and run `edit` on it: any field
//   it would still change is a read-back mismatch, returned as kInternal naming the object and
//   the fields ("HTTPRoute ns/web: read back after the write differs from what was written:
//   spec.rules[0].backendRefs[1].weight: want 10, got 0").
//
// Every error message starts with "<kind> <ns>/<name>: " so a condition names the object.
// Thread-safe (no state).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "operator/kube/client.h"
#include "operator/kube/status.h"

namespace modelgate::traffic {

using json = nlohmann::json;

inline constexpr int kMaxWriteAttempts = 5;

// Edits `object` in place toward the desired state and appends one line per changed field to
// `changes` ("<field path>: want <value>, got <value>"). Returns non-OK when the object cannot
// be brought to the desired state (the message names the field); `object` is then unspecified.
using ObjectEdit = std::function<kube::Status(json& object, std::vector<std::string>& changes)>;

// The object being written, for requests and messages.
struct ObjectRef {
  const kube::Resource* resource;
  std::string kind;  // "HTTPRoute", "VirtualService", "Deployment"
  std::string ns;
  std::string name;

  // "HTTPRoute ns/name"
  std::string Describe() const { return kind + " " + ns + "/" + name; }
};

// Runs steps 1-5 above. Returns OK when the object was already in the desired state or was
// written and read back as written; otherwise the Status of the failed step (kNotFound when the
// object does not exist, kConflict when every attempt conflicted, kInternal on a read-back
// mismatch, the edit's own Status when the object cannot be edited).
kube::Status VerifiedWrite(const kube::Client& client, const ObjectRef& ref, const ObjectEdit& edit);

// The same Status with "<kind> <ns>/<name>: " in front of its message (code and causes kept).
kube::Status WithObject(const ObjectRef& ref, const kube::Status& status);

// "want <want>, got <got>" with a JSON rendering of both values ("absent" for a missing one).
std::string WantGot(const json& want, const json* got);

// Validates a split's ranges: kInvalid naming the field when a value is outside 0..100.
kube::Status ValidateSplit(int canary_weight, int mirror_percent);

// The canary's share in percent of champion+canary weights, rounded to the nearest integer.
// kInvalid when both are 0 (no traffic at all is never a valid split to report).
kube::Result<int> CanaryPercent(double champion_weight, double canary_weight, const std::string& where);

}  // namespace modelgate::traffic
