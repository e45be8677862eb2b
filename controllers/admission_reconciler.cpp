#include "controllers/admission_reconciler.h"

#include "controllers/admission.h"
#include "operator/kube/logging.h"

namespace modelgate::controllers {

using json = nlohmann::json;

AdmissionReconciler::AdmissionReconciler(const kube::Client& client, const kube::Resource& resource,
                                         const kube::Informer& cache, kube::EventRecorder& events,
                                         kube::Clock& clock)
    : client_(client), resource_(resource), cache_(cache), events_(events), clock_(clock) {}

ReconcileOutcome AdmissionReconciler::Reconcile(const std::string& key) {
  const std::shared_ptr<const json> cached = cache_.Get(key);
  if (!cached) return ReconcileOutcome::Done();  // deleted; owned children are garbage-collected
  const json& object = *cached;
  if (object.contains("metadata") && object["metadata"].contains("deletionTimestamp")) {
    return ReconcileOutcome::Done();
  }

  Decision decision = DecideAdmission(object, clock_.Now());
  if (!decision.status_changed) return ReconcileOutcome::Done();

  json updated = object;
  updated["status"] = decision.status;
  kube::Result<json> written = client_.UpdateStatus(resource_, object["metadata"].value("namespace", ""), updated);
  if (!written.ok()) {
    // NotFound: deleted meanwhile. Conflict: the cache is behind; the watch event that is on its
    // way re-enqueues the key, and the backoff retry covers a lost one.
    if (written.status().code() == kube::StatusCode::kNotFound) return ReconcileOutcome::Done();
    return ReconcileOutcome::Retry(written.status());
  }
  for (const EventSpec& e : decision.events) {
    events_.Record(*written, e.type == "Warning" ? kube::EventType::kWarning : kube::EventType::kNormal,
                   e.reason, e.action, e.note);
    const json& meta = object["metadata"];
    json fields = {{"namespace", meta.value("namespace", "")},
                   {"name", meta.value("name", "")},
                   {"kind", object.value("kind", "")},
                   {"reason", e.reason},
                   {"phase", decision.status.value("phase", "")},
                   {"generation", meta.value("generation", 0)}};
    if (object.contains("spec") && object["spec"].is_object()) {
      const json& spec = object["spec"];
      if (spec.contains("model")) fields["model"] = spec["model"];
      if (spec.contains("version")) fields["version"] = spec["version"];
    }
    LogEvent(e.type == "Warning" ? "warn" : "info", e.note, fields);
  }
  return ReconcileOutcome::Done();
}

}  // namespace modelgate::controllers
