#include "controllers/pipeline/pipeline_reconciler.h"

#include "controllers/conditions.h"
#include "controllers/json_fields.h"
#include "controllers/pipeline/candidate_template.h"
#include "controllers/pipeline/pipeline_decision.h"
#include "operator/kube/time_format.h"
#include "operator/kube/logging.h"

namespace modelgate::controllers::pipeline {

using json = nlohmann::json;

namespace {

long long IntAt(const json& parent, const char* key) {
  const json& v = Child(parent, key);
  return v.is_number_integer() ? v.get<long long>() : 0;
}

// "spec.gates.data.dataset.uri: Invalid value ..." -> "spec.candidateTemplate.gates.data.dataset.uri: ...".
std::string TemplatePaths(std::string text) {
  const std::string from = "spec.";
  const std::string to = "spec.candidateTemplate.";
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    if (text.compare(pos, to.size(), to) == 0) continue;
    text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace

PipelineReconciler::PipelineReconciler(const kube::Client& client, const kube::Informer& pipelines,
                                       const kube::Informer& candidates, const kube::Informer& rollouts,
                                       kube::EventRecorder& events, kube::Clock& clock)
    : client_(client), pipelines_(pipelines), candidates_(candidates), rollouts_(rollouts), events_(events),
      clock_(clock), writer_(client, candidates, events, clock) {}

kube::Result<std::string> PipelineReconciler::CheckTemplate(const json& pipeline, const PipelineSpec& spec) const {
  const std::string ns = Str(Child(pipeline, "metadata"), "namespace");
  const std::string name = Str(Child(pipeline, "metadata"), "name");
  const std::string now = "2026-01-01T00:00:00Z";
  TemplateValues values = {{"version", "1"},          {"pipeline", name},        {"model", spec.model},
                           {"triggerType", "Manual"}, {"scheduledTime", now},    {"windowStart", now},
                           {"windowEnd", now}};
  std::string error;
  auto rendered = RenderTemplate(spec.candidate_template, values, "spec.candidateTemplate", &error);
  if (!rendered) return error;
  json candidate_spec = *rendered;
  candidate_spec["model"] = spec.model;
  candidate_spec["version"] = "1";
  candidate_spec["trigger"] = {{"type", "Manual"}, {"source", "modelpipeline/" + name}};
  json candidate = {{"apiVersion", "modelgate.io/v1alpha1"},
                    {"kind", "ModelCandidate"},
                    {"metadata", {{"name", spec.model + "-pipeline-template-check"}, {"namespace", ns}}},
                    {"spec", candidate_spec}};
  kube::Result<json> checked = client_.Create(kube::resources::ModelCandidates(), ns, candidate, /*dry_run=*/true);
  if (checked.ok() || checked.status().code() == kube::StatusCode::kAlreadyExists) return std::string();
  if (checked.status().code() == kube::StatusCode::kInvalid) {
    std::string message;
    for (const kube::StatusCause& cause : checked.status().causes()) {
      if (!message.empty()) message += "; ";
      message += TemplatePaths(cause.field + ": " + cause.message);
    }
    if (message.empty()) message = TemplatePaths(checked.status().message());
    return "the rendered candidate is not a valid ModelCandidate: " + message;
  }
  return checked.status();
}

ReconcileOutcome PipelineReconciler::Reconcile(const std::string& key) {
  const std::shared_ptr<const json> cached = pipelines_.Get(key);
  if (!cached) return ReconcileOutcome::Done();  // candidates are not owned: they stay (audit record)
  const json& pipeline = *cached;
  if (Child(pipeline, "metadata").contains("deletionTimestamp")) return ReconcileOutcome::Done();
  const std::string ns = Str(Child(pipeline, "metadata"), "namespace");
  const std::string name = Str(Child(pipeline, "metadata"), "name");
  const json& status = Child(pipeline, "status");
  const long long generation = IntAt(Child(pipeline, "metadata"), "generation");

  std::string spec_error;
  std::optional<PipelineSpec> spec = ParsePipelineSpec(Child(pipeline, "spec"), &spec_error);
  PipelineContext context{pipeline};
  context.now = clock_.Now();
  context.spec = spec ? &*spec : nullptr;
  context.spec_error = spec_error;
  context.candidates = CandidatesInNamespace(candidates_, ns);

  if (spec) {
    const auto invalid = FindCondition(Child(status, "conditions"), "Invalid");
    if (IntAt(status, "observedGeneration") != generation) {
      kube::Result<std::string> checked = CheckTemplate(pipeline, *spec);
      if (!checked.ok()) return ReconcileOutcome::Retry(checked.status());
      context.template_error = *checked;
    } else if (invalid && invalid->value("status", "") == "True") {
      context.template_error = invalid->value("message", "");  // this generation was refused already
    }
    if (spec->alerts.enabled) {
      kube::Result<json> secret = client_.Get(kube::resources::Secrets(), ns, spec->alerts.token_secret_name);
      if (!secret.ok()) {
        context.alerts_problem = "Secret " + spec->alerts.token_secret_name + " (alerts.tokenSecretRef): " +
                                 secret.status().ToString() + "; every webhook call is refused with 401 until it is readable";
      } else if (!Child(Child(*secret, "data"), spec->alerts.token_secret_key.c_str()).is_string()) {
        context.alerts_problem = "Secret " + spec->alerts.token_secret_name + " has no key " + spec->alerts.token_secret_key +
                                 " (alerts.tokenSecretRef.key); every webhook call is refused with 401";
      } else {
        context.alerts_problem = "";
      }
    }
    for (const auto& rollout : rollouts_.List()) {
      if (Str(Child(*rollout, "metadata"), "namespace") != ns) continue;
      const std::string ref = Str(Child(Child(*rollout, "spec"), "candidateRef"), "name");
      if (!ref.empty()) context.rollout_candidates.push_back(ref);
    }
    if (spec->automatic_promotion) {
      kube::Result<json> rollout = client_.Get(kube::resources::ModelRollouts(), ns, spec->rollout_name);
      RolloutObservation observed;
      if (rollout.ok()) {
        const json& rs = Child(*rollout, "status");
        observed.found = true;
        observed.phase = Str(rs, "phase");
        observed.finished = Child(rs, "finishedAt").is_string();
        observed.generation = IntAt(Child(*rollout, "metadata"), "generation");
        observed.observed_generation = IntAt(rs, "observedGeneration");
        observed.candidate = Str(Child(Child(*rollout, "spec"), "candidateRef"), "name");
        observed.resource_version = Str(Child(*rollout, "metadata"), "resourceVersion");
        observed.current_step = static_cast<int>(IntAt(rs, "currentStep"));
      } else if (rollout.status().code() != kube::StatusCode::kNotFound) {
        return ReconcileOutcome::Retry(rollout.status());
      }
      context.rollout = observed;
    }
  }

  PipelineDecision decision = DecidePipeline(context);

  if (decision.due) {
    TriggerOutcome outcome = writer_.Trigger(ns, name, *decision.due);
    if (!outcome.status.ok() && outcome.status.code() != kube::StatusCode::kNotFound) {
      return ReconcileOutcome::Retry(outcome.status);
    }
    return ReconcileOutcome::After(std::chrono::milliseconds(0));
  }

  for (const json& candidate : decision.create) {
    const std::string candidate_name = Str(Child(candidate, "metadata"), "name");
    kube::Result<json> created = client_.Create(kube::resources::ModelCandidates(), ns, candidate);
    if (created.ok() || created.status().code() == kube::StatusCode::kAlreadyExists) continue;
    LogEvent("warn", "creating an allocated candidate failed",
             {{"namespace", ns}, {"name", name}, {"candidate", candidate_name}, {"error", created.status().ToString()}});
    if (created.status().code() != kube::StatusCode::kInvalid) continue;  // retried (RBAC may be fixed, the API back)
    // The API server refuses this candidate for good: drop it from pending (it would block every
    // trigger under Forbid) and say why, in the history and an Event.
    json still = json::array();
    for (const json& p : Child(decision.status, "pending")) {
      if (Str(p, "name") != candidate_name) still.push_back(p);
    }
    if (still.empty()) decision.status.erase("pending");
    else decision.status["pending"] = still;
    const std::string message = candidate_name + " could not be created: " + created.status().ToString();
    PushHistory(decision.status, {{"time", kube::FormatTime(context.now)}, {"type", "Create"}, {"result", "Failed"},
                                  {"candidate", candidate_name}, {"message", message.substr(0, 1024)}});
    decision.status_changed = true;
    decision.events.push_back({"Warning", "CandidateCreateFailed", "Create", message});
  }
  for (const std::string& old : decision.supersede) {
    json patch = {{"metadata", {{"annotations", {{kSupersededByAnnotation, decision.superseded_by}}}}}};
    kube::Result<json> patched =
        client_.Patch(kube::resources::ModelCandidates(), ns, old, kube::PatchType::kMerge, patch);
    if (!patched.ok() && patched.status().code() != kube::StatusCode::kNotFound) return ReconcileOutcome::Retry(patched.status());
    decision.events.push_back({"Normal", "CandidateSuperseded", "Supersede",
                               old + " is replaced by " + decision.superseded_by + " (concurrencyPolicy Replace)"});
  }
  if (decision.hand_to_rollout && context.rollout) {
    json patch = {{"metadata", {{"resourceVersion", context.rollout->resource_version}}},
                  {"spec", {{"candidateRef", {{"name", *decision.hand_to_rollout}}}}}};
    kube::Result<json> patched =
        client_.Patch(kube::resources::ModelRollouts(), ns, spec->rollout_name, kube::PatchType::kMerge, patch);
    if (!patched.ok()) return ReconcileOutcome::Retry(patched.status());  // 409: the rollout moved; decide again
    long long handed_version = -1;
    for (const PipelineCandidate& c : context.candidates) {
      if (c.name == *decision.hand_to_rollout) handed_version = c.numeric_version;
    }
    decision.status["promotion"] = {{"candidate", *decision.hand_to_rollout},
                                    {"version", handed_version},
                                    {"handedAt", kube::FormatTime(context.now)},
                                    {"rollout", spec->rollout_name}};
    SetCondition(decision.status["conditions"],
                 {"Promotion", "True", "HandedToRollout",
                  *decision.hand_to_rollout + " handed to modelrollout/" + spec->rollout_name + " (promotion.mode Automatic)",
                  generation},
                 context.now);
    decision.status_changed = true;
    decision.events.push_back({"Normal", "RolloutStarted", "Promote",
                               "promotion.mode Automatic: modelrollout/" + spec->rollout_name + " now rolls out " +
                                   *decision.hand_to_rollout});
  }
  for (const std::string& old : decision.delete_candidates) {
    kube::Status deleted = client_.Delete(kube::resources::ModelCandidates(), ns, old, kube::DeletePropagation::kBackground);
    if (!deleted.ok() && deleted.code() != kube::StatusCode::kNotFound) return ReconcileOutcome::Retry(deleted);
    decision.events.push_back({"Normal", "CandidateDeleted", "Delete", old + " deleted: beyond spec.historyLimit"});
  }

  if (decision.status_changed) {
    json updated = pipeline;
    updated["status"] = decision.status;
    kube::Result<json> written = client_.UpdateStatus(kube::resources::ModelPipelines(), ns, updated);
    if (!written.ok()) {
      if (written.status().code() == kube::StatusCode::kNotFound) return ReconcileOutcome::Done();
      return ReconcileOutcome::Retry(written.status());
    }
  }
  for (const EventSpec& e : decision.events) {
    events_.Record(pipeline, e.type == "Warning" ? kube::EventType::kWarning : kube::EventType::kNormal, e.reason,
                   e.action, e.note);
    LogEvent(e.type == "Warning" ? "warn" : "info", e.note,
             {{"namespace", ns}, {"name", name}, {"kind", "ModelPipeline"}, {"reason", e.reason}});
  }
  if (decision.requeue_after) return ReconcileOutcome::After(*decision.requeue_after);
  return ReconcileOutcome::Done();
}

}  // namespace modelgate::controllers::pipeline
