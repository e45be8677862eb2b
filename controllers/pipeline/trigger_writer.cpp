#include "controllers/pipeline/trigger_writer.h"

#include "controllers/json_fields.h"
#include "operator/kube/logging.h"

namespace modelgate::controllers::pipeline {

using json = nlohmann::json;

namespace {
constexpr int kMaxConflicts = 10;
}

std::vector<PipelineCandidate> CandidatesInNamespace(const kube::Informer& candidates, const std::string& ns) {
  std::vector<PipelineCandidate> out;
  for (const auto& object : candidates.List()) {
    if (Str(Child(*object, "metadata"), "namespace") == ns) out.push_back(ViewCandidate(*object));
  }
  return out;
}

TriggerWriter::TriggerWriter(const kube::Client& client, const kube::Informer& candidates, kube::EventRecorder& events,
                             kube::Clock& clock)
    : client_(client), candidates_(candidates), events_(events), clock_(clock) {}

TriggerOutcome TriggerWriter::Trigger(const std::string& ns, const std::string& name,
                                      const TriggerRequest& request) const {
  TriggerOutcome outcome;
  for (int attempt = 0; attempt < kMaxConflicts; ++attempt) {
    kube::Result<json> pipeline = client_.Get(kube::resources::ModelPipelines(), ns, name);
    if (!pipeline.ok()) {
      outcome.status = pipeline.status();
      return outcome;
    }
    std::string spec_error;
    auto spec = ParsePipelineSpec(Child(*pipeline, "spec"), &spec_error);
    if (!spec) {
      outcome.status = kube::Status(kube::StatusCode::kInvalid, "modelpipeline " + ns + "/" + name + ": " + spec_error);
      return outcome;
    }
    TriggerPlan plan = PlanTrigger(*pipeline, *spec, CandidatesInNamespace(candidates_, ns), request, clock_.Now());
    outcome.result = plan.result;
    outcome.candidate = plan.candidate;
    outcome.message = plan.message;
    if (plan.result == TriggerResult::kAlreadyHandled) return outcome;

    json updated = *pipeline;
    updated["status"] = plan.status;
    kube::Result<json> written = client_.UpdateStatus(kube::resources::ModelPipelines(), ns, updated);
    if (!written.ok()) {
      if (written.status().code() == kube::StatusCode::kConflict) continue;  // re-read, re-plan
      outcome.status = written.status();
      return outcome;
    }
    if (plan.candidate_object) {
      kube::Result<json> created = client_.Create(kube::resources::ModelCandidates(), ns, *plan.candidate_object);
      if (!created.ok() && created.status().code() != kube::StatusCode::kAlreadyExists) {
        // Still in status.pending: the reconciler creates it; the trigger itself is decided.
        LogEvent("warn", "candidate creation failed; the pipeline retries it",
                 {{"namespace", ns}, {"name", name}, {"candidate", plan.candidate}, {"error", created.status().ToString()}});
      }
    }
    for (const EventSpec& e : plan.events) {
      events_.Record(*written, e.type == "Warning" ? kube::EventType::kWarning : kube::EventType::kNormal, e.reason,
                     e.action, e.note);
    }
    json fields = {{"namespace", ns},
                   {"name", name},
                   {"kind", "ModelPipeline"},
                   {"model", spec->model},
                   {"trigger", request.type},
                   {"result", TriggerResultName(plan.result)},
                   {"candidate", plan.candidate}};
    if (!request.commit.empty()) fields["commit"] = request.commit;
    if (request.alert) fields["alertGroup"] = request.alert->group_key;
    if (request.scheduled_time) fields["scheduledTime"] = Str(plan.status, "lastScheduleTime");
    LogEvent(plan.result == TriggerResult::kCreated ? "info" : "warn", plan.message, fields);
    return outcome;
  }
  outcome.status = kube::Status(kube::StatusCode::kConflict,
                                "modelpipeline " + ns + "/" + name + ": status changed under " +
                                    std::to_string(kMaxConflicts) + " attempts in a row; try again");
  return outcome;
}

}  // namespace modelgate::controllers::pipeline
