#include "controllers/candidate/candidate_reconciler.h"

#include "controllers/candidate/candidate_decision.h"
#include "controllers/candidate/candidate_spec.h"
#include "controllers/candidate/champion.h"
#include "controllers/candidate/cluster_input_fetcher.h"
#include "controllers/candidate/training_job.h"
#include "controllers/json_fields.h"
#include "controllers/registry/registry_champion.h"
#include "operator/kube/logging.h"

namespace modelgate::controllers::candidate {

using json = nlohmann::json;

namespace {

// ConfigMaps hold at most 1 MiB; a larger report is replaced by a note (the status keeps the summary).
constexpr size_t kMaxReportBytes = 900 * 1024;

std::string StrAt(const json& o, const char* a, const char* b) {
  if (!o.contains(a) || !o[a].is_object() || !o[a].contains(b) || !o[a][b].is_string()) return "";
  return o[a][b].get<std::string>();
}

}  // namespace

namespace {

// championSource: Registry: the champion the registry's alias names (nullopt: none yet), or why it
// cannot be known now (the gate then waits, SourceUnavailable, and retries).
kube::Result<std::optional<ChampionInfo>> RegistryChampionFor(const registry::RegistryFactory& factory,
                                                              const registry::MlflowSpec& mlflow, const json& candidate,
                                                              const std::vector<std::shared_ptr<const json>>& all) {
  if (!factory) {
    return kube::Status(kube::StatusCode::kUnavailable,
                        "championSource: Registry needs the operator's registry support, which is not configured");
  }
  const std::string ns = Str(Child(candidate, "metadata"), "namespace");
  kube::Result<std::shared_ptr<registry::ModelRegistry>> client = factory(ns, mlflow);
  if (!client.ok()) {
    return kube::Status(client.status().code(), "the champion cannot be read from MLflow " + mlflow.tracking_uri +
                                                    " (championSource: Registry): " + client.status().message());
  }
  kube::Result<registry::RegistryChampion> found = registry::FindRegistryChampion(**client, mlflow, candidate, all);
  if (!found.ok()) return found.status();
  if (!found->champion) return std::optional<ChampionInfo>();
  return std::optional<ChampionInfo>(ChampionFromStatus(*found->champion));
}

}  // namespace

CandidateReconciler::CandidateReconciler(const kube::Client& client, const kube::Informer& cache,
                                         kube::EventRecorder& events, kube::Clock& clock,
                                         CandidateReconcilerOptions options, std::shared_ptr<InputFetcher> fetcher)
    : client_(client), cache_(cache), events_(events), clock_(clock), options_(options),
      fetcher_(fetcher ? std::move(fetcher) : std::make_shared<ClusterInputFetcher>(client)),
      pool_(std::make_unique<GatePool>(options.gate_workers, options.gate_queue_capacity, clock)) {}

kube::Status CandidateReconciler::StoreReport(const json& object, const std::string& key, const std::string& text) {
  const std::string ns = StrAt(object, "metadata", "namespace");
  const std::string name = ReportConfigMapName(StrAt(object, "metadata", "name"));
  std::string value = text;
  if (value.size() > kMaxReportBytes) {
    value = json{{"truncated", true},
                 {"note", "the report (" + std::to_string(text.size()) + " bytes) exceeds what a ConfigMap holds; "
                          "run the gate with the modelgate CLI to see it in full"}}.dump();
  }
  json patch = {{"data", {{key, value}}}};
  kube::Result<json> patched = client_.Patch(kube::resources::ConfigMaps(), ns, name, kube::PatchType::kMerge, patch);
  if (patched.ok()) return kube::Status::Ok();
  if (patched.status().code() != kube::StatusCode::kNotFound) return patched.status();
  json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", name},
                           {"namespace", ns},
                           {"labels", {{"modelgate.io/candidate", StrAt(object, "metadata", "name")},
                                       {"modelgate.io/model", StrAt(object, "spec", "model")},
                                       {"modelgate.io/version", StrAt(object, "spec", "version")}}},
                           {"ownerReferences", json::array({OwnerReference(object)})}}},
             {"data", {{key, value}}}};
  kube::Result<json> created = client_.Create(kube::resources::ConfigMaps(), ns, cm);
  if (created.ok()) return kube::Status::Ok();
  if (created.status().code() == kube::StatusCode::kAlreadyExists) {
    patched = client_.Patch(kube::resources::ConfigMaps(), ns, name, kube::PatchType::kMerge, patch);
    return patched.ok() ? kube::Status::Ok() : patched.status();
  }
  return created.status();
}

ReconcileOutcome CandidateReconciler::Reconcile(const std::string& key) {
  const std::shared_ptr<const json> cached = cache_.Get(key);
  if (!cached) return ReconcileOutcome::Done();  // deleted: the Job and ConfigMap are garbage-collected
  const json& object = *cached;
  if (object.contains("metadata") && object["metadata"].contains("deletionTimestamp")) return ReconcileOutcome::Done();
  const std::string ns = StrAt(object, "metadata", "namespace");
  const std::string name = StrAt(object, "metadata", "name");

  CandidateContext context{object, clock_.Now(), {}, std::nullopt, ""};
  if (auto run = CurrentRun(object)) {
    GatePool::Observation observed = pool_->Check(run->second);
    context.run = {run->second, observed.state, std::move(observed.result)};
  }
  const json status = object.value("status", json::object());
  if (status.value("phase", "") == "Training") {
    const std::string job_name = StrAt(status, "training", "jobName");
    if (!job_name.empty()) {
      kube::Result<json> job = client_.Get(kube::resources::Jobs(), ns, job_name);
      if (job.ok()) {
        context.job = ObserveJob(*job);
      } else if (job.status().code() == kube::StatusCode::kNotFound) {
        context.job = JobObservation{};
      } else {
        return ReconcileOutcome::Retry(job.status());
      }
    }
  }

  CandidateDecision decision = DecideCandidate(context);

  if (decision.report) {
    if (kube::Status s = StoreReport(object, decision.report->first, decision.report->second); !s.ok()) {
      return ReconcileOutcome::Retry(s);
    }
  }
  if (decision.create_job) {
    kube::Result<json> created = client_.Create(kube::resources::Jobs(), ns, *decision.create_job);
    if (!created.ok() && created.status().code() != kube::StatusCode::kAlreadyExists) {
      const kube::StatusCode code = created.status().code();
      if (code != kube::StatusCode::kInvalid && code != kube::StatusCode::kForbidden) {
        return ReconcileOutcome::Retry(created.status());
      }
      // The jobTemplate cannot be created as is: decide again with that fact (ends Rejected).
      context.job_create_error = created.status().ToString();
      decision = DecideCandidate(context);
      decision.create_job.reset();
    }
  }

  if (decision.delete_job && !decision.delete_job->empty()) {
    kube::Status deleted = client_.Delete(kube::resources::Jobs(), ns, *decision.delete_job, kube::DeletePropagation::kBackground);
    if (!deleted.ok() && deleted.code() != kube::StatusCode::kNotFound) return ReconcileOutcome::Retry(deleted);
  }
  if (decision.status_changed) {
    json updated = object;
    updated["status"] = decision.status;
    kube::Result<json> written = client_.UpdateStatus(kube::resources::ModelCandidates(), ns, updated);
    if (!written.ok()) {
      if (written.status().code() == kube::StatusCode::kNotFound) return ReconcileOutcome::Done();
      // Conflict: another writer (the rollout controller) or our stale cache; re-read and re-decide.
      return ReconcileOutcome::Retry(written.status());
    }
  }

  if (!decision.consumed_key.empty()) pool_->MarkConsumed(decision.consumed_key);
  if (decision.start_gate) {
    GateRequest request;
    request.gate = *decision.start_gate;
    request.ns = ns;
    request.spec = ParseCandidateSpec(object.value("spec", json::object()));
    request.limits = options_.limits;
    const std::optional<registry::MlflowSpec> mlflow = registry::ParseMlflowSpec(object);
    const bool from_registry = request.gate != Gate::kData && mlflow && mlflow->ChampionFromRegistry();
    if (request.gate != Gate::kData && !from_registry) request.champion = FindChampion(object, cache_.List());
    std::shared_ptr<InputFetcher> fetcher = fetcher_;
    std::function<GateRunResult(const std::atomic<bool>&)> run =
        [request = std::move(request), fetcher](const std::atomic<bool>& cancel) {
          return RunGate(request, *fetcher, &cancel);
        };
    if (from_registry) {
      // The champion alias is read on the gate pool: a slow registry delays this gate only.
      run = [request = std::move(request), fetcher, factory = options_.registry_factory, mlflow = *mlflow, object,
             all = cache_.List()](const std::atomic<bool>& cancel) {
        auto champion = RegistryChampionFor(factory, mlflow, object, all);
        if (!champion.ok()) {
          return GateRunResult{.kind = GateRunResult::Kind::kSourceUnavailable,
                               .error = champion.status().message(),
                               .source = "spec.registry.mlflow.championSource"};
        }
        GateRequest with_champion = request;
        with_champion.champion = *champion;
        return RunGate(with_champion, *fetcher, &cancel);
      };
    }
    const bool submitted = pool_->Submit(decision.start_key, run);
    if (!submitted && pool_->Check(decision.start_key).state == GatePool::State::kUnknown) {
      LogEvent("warn", "gate pool full; will retry", {{"namespace", ns}, {"name", name}, {"key", decision.start_key}});
    }
  }

  const json spec = object.contains("spec") && object["spec"].is_object() ? object["spec"] : json::object();
  std::string trigger = "Manual";
  if (spec.contains("trigger") && spec["trigger"].is_object()) trigger = spec["trigger"].value("type", "Manual");
  for (const CandidateEvent& e : decision.events) {
    events_.Record(object, e.event.type == "Warning" ? kube::EventType::kWarning : kube::EventType::kNormal,
                   e.event.reason, e.event.action, e.event.note);
    json fields = {{"namespace", ns},
                   {"name", name},
                   {"kind", "ModelCandidate"},
                   {"model", spec.value("model", "")},
                   {"version", spec.value("version", "")},
                   {"trigger", trigger},
                   {"gate", e.gate},
                   {"decision", e.decision},
                   {"reason", e.event.reason},
                   {"phase", decision.status.value("phase", "")},
                   {"generation", object["metadata"].value("generation", 0)}};
    LogEvent(e.event.type == "Warning" ? "warn" : "info", e.event.note, fields);
  }
  if (decision.requeue_after) return ReconcileOutcome::After(*decision.requeue_after);
  return ReconcileOutcome::Done();
}

}  // namespace modelgate::controllers::candidate
