#include "controllers/traffic/verified_write.h"

#include <cmath>
#include <utility>

namespace modelgate::traffic {

using kube::Status;
using kube::StatusCode;

Status WithObject(const ObjectRef& ref, const Status& status) {
  if (status.ok()) return status;
  Status out(status.code(), ref.Describe() + ": " + status.message());
  out.set_http_status(status.http_status());
  for (const auto& cause : status.causes()) out.add_cause(cause);
  if (status.retry_after()) out.set_retry_after(*status.retry_after());
  return out;
}

std::string WantGot(const json& want, const json* got) {
  return "want " + want.dump() + ", got " + (got == nullptr ? std::string("absent") : got->dump());
}

namespace {

std::string JoinChanges(const std::vector<std::string>& changes) {
  std::string out;
  for (const auto& change : changes) {
    if (!out.empty()) out += "; ";
    out += change;
  }
  return out;
}

}  // namespace

Status VerifiedWrite(const kube::Client& client, const ObjectRef& ref, const ObjectEdit& edit) {
  Status last_conflict;
  for (int attempt = 0; attempt < kMaxWriteAttempts; ++attempt) {
    auto current = client.Get(*ref.resource, ref.ns, ref.name);
    if (!current.ok()) return WithObject(ref, current.status());
    json desired = *current;
    std::vector<std::string> changes;
    if (Status s = edit(desired, changes); !s.ok()) return WithObject(ref, s);
    if (changes.empty()) return Status::Ok();  // already there: no write

    auto written = client.Update(*ref.resource, ref.ns, desired);
    if (!written.ok()) {
      if (written.status().code() == StatusCode::kConflict) {
        last_conflict = written.status();
        continue;  // someone else wrote in between: re-read and redo the edit
      }
      return WithObject(ref, written.status());
    }

    auto read_back = client.Get(*ref.resource, ref.ns, ref.name);
    if (!read_back.ok()) {
      return WithObject(ref, Status(read_back.status().code(),
                                    "reading back after the write failed: " +
                                        read_back.status().message()));
    }
    json check = *read_back;
    std::vector<std::string> differences;
    if (Status s = edit(check, differences); !s.ok()) {
      return WithObject(ref, Status(StatusCode::kInternal,
                                    "read back after the write is not editable: " + s.message()));
    }
    if (!differences.empty()) {
      return WithObject(ref, Status(StatusCode::kInternal,
                                    "read back after the write differs from what was written: " +
                                        JoinChanges(differences)));
    }
    return Status::Ok();
  }
  return WithObject(ref, Status(StatusCode::kConflict,
                                "still conflicting after " + std::to_string(kMaxWriteAttempts) +
                                    " read-modify-write attempts: " + last_conflict.message()));
}

Status ValidateSplit(int canary_weight, int mirror_percent) {
  if (canary_weight < 0 || canary_weight > 100) {
    return Status(StatusCode::kInvalid,
                  "canary weight must be between 0 and 100, got " + std::to_string(canary_weight));
  }
  if (mirror_percent < 0 || mirror_percent > 100) {
    return Status(StatusCode::kInvalid,
                  "mirror percent must be between 0 and 100, got " + std::to_string(mirror_percent));
  }
  return Status::Ok();
}

kube::Result<int> CanaryPercent(double champion_weight, double canary_weight, const std::string& where) {
  const double total = champion_weight + canary_weight;
  if (!(total > 0)) {
    return Status(StatusCode::kInvalid,
                  where + ": the champion and canary weights are both 0 (no traffic at all)");
  }
  return static_cast<int>(std::lround(canary_weight * 100.0 / total));
}

}  // namespace modelgate::traffic
