#include "controllers/registry/registry_reconciler.h"

#include <algorithm>
#include <set>

#include "controllers/conditions.h"
#include "controllers/decision.h"
#include "controllers/json_fields.h"
#include "controllers/registry/audit_record.h"
#include "controllers/registry/sync_plan.h"
#include "operator/kube/logging.h"
#include "operator/kube/time_format.h"

namespace modelgate::controllers::registry {

using json = nlohmann::json;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds kMaxBackoff{std::chrono::minutes(1)};

milliseconds Backoff(long long attempts) {
  milliseconds delay{1000};
  for (long long i = 1; i < attempts && delay < kMaxBackoff; ++i) delay *= 2;
  return std::min(delay, kMaxBackoff);
}

std::string Reason(const kube::Status& status) {
  switch (status.code()) {
    case kube::StatusCode::kUnavailable:
    case kube::StatusCode::kTimeout:
    case kube::StatusCode::kTooManyRequests: return "RegistryUnavailable";
    case kube::StatusCode::kUnauthorized:
    case kube::StatusCode::kForbidden: return "RegistryAuthFailed";
    default: return "RegistryRefused";
  }
}

// "audit/20261205T084042Z-gate-DataValidation-g1-a1-Passed.json": sorts by time in a listing.
std::string ArtifactPath(const json& record) {
  std::string time = record.value("time", "");
  time.erase(std::remove_if(time.begin(), time.end(), [](char c) { return c == '-' || c == ':'; }), time.end());
  std::string id = record.value("id", "");
  for (char& c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
  }
  return "audit/" + time + "-" + id + ".json";
}

struct Failure {
  std::string reason;
  std::string message;
};

}  // namespace

RegistryReconciler::RegistryReconciler(const kube::Client& client, const kube::Informer& candidates,
                                       const kube::Informer& rollouts, kube::EventRecorder& events, kube::Clock& clock,
                                       RegistryFactory factory, std::string operator_version)
    : client_(client), candidates_(candidates), rollouts_(rollouts), events_(events), clock_(clock),
      factory_(std::move(factory)),
      operator_version_(std::move(operator_version)) {}

ReconcileOutcome RegistryReconciler::Reconcile(const std::string& key) {
  // The candidate is read from the API server, not the cache: the seen and pending audit records
  // and the applied digest must be the ones the previous reconcile wrote, or a record would be
  // logged twice (a stale cache still shows it unseen).
  if (!candidates_.Get(key)) return ReconcileOutcome::Done();
  const auto slash = key.find('/');
  kube::Result<json> fetched = client_.Get(kube::resources::ModelCandidates(), key.substr(0, slash), key.substr(slash + 1));
  if (!fetched.ok()) {
    if (fetched.status().code() == kube::StatusCode::kNotFound) return ReconcileOutcome::Done();
    return ReconcileOutcome::Retry(fetched.status());
  }
  const json& object = *fetched;
  if (Child(object, "metadata").contains("deletionTimestamp")) return ReconcileOutcome::Done();
  const std::string ns = Str(Child(object, "metadata"), "namespace");
  const std::string name = Str(Child(object, "metadata"), "name");
  const auto now = clock_.Now();
  const long long generation = Child(Child(object, "metadata"), "generation").is_number_integer()
                                   ? object["metadata"]["generation"].get<long long>()
                                   : 0;
  const json original = Child(object, "status").is_object() ? object["status"] : json::object();
  json status = original;
  json registry = Child(status, "registry").is_object() ? status["registry"] : json::object();
  const std::optional<MlflowSpec> mlflow = ParseMlflowSpec(object);

  // 1. New audit records: logged once, queued for the registry.
  std::vector<std::string> seen;
  if (Child(registry, "seen").is_array()) {
    for (const json& id : registry["seen"]) {
      if (id.is_string()) seen.push_back(id.get<std::string>());
    }
  }
  std::set<std::string> seen_set(seen.begin(), seen.end());
  json pending = Child(registry, "pendingAudit").is_array() ? registry["pendingAudit"] : json::array();
  std::vector<nlohmann::ordered_json> new_records;  // logged once the status that marks them seen is written
  std::vector<json> rollouts;
  for (const auto& r : rollouts_.List()) {
    if (Str(Child(*r, "metadata"), "namespace") == ns && Child(Child(*r, "status"), "history").is_array()) {
      rollouts.push_back(*r);
    }
  }
  for (AuditRecord& record : AuditRecordsOf(object, operator_version_, rollouts)) {
    if (seen_set.count(record.id)) continue;
    seen_set.insert(record.id);
    seen.push_back(record.id);
    new_records.push_back(record.document);
    if (mlflow) pending.push_back(json::parse(record.document.dump()));
  }
  if (seen.size() > kMaxSeenRecords) seen.erase(seen.begin(), seen.end() - kMaxSeenRecords);
  registry["seen"] = seen;
  if (pending.empty()) registry.erase("pendingAudit");
  else registry["pendingAudit"] = pending;

  std::optional<milliseconds> requeue;
  std::vector<EventSpec> events;
  if (mlflow) {
    // A new generation (e.g. fixed credentials) is tried at once, whatever the backoff says.
    const bool new_generation = !Child(registry, "observedGeneration").is_number_integer() ||
                                registry["observedGeneration"].get<long long>() != generation;
    registry["observedGeneration"] = generation;
    const auto next = kube::ParseRfc3339(Str(registry, "nextAttemptAt"));
    if (next && now < *next && !new_generation) {
      requeue = std::chrono::duration_cast<milliseconds>(*next - now) + milliseconds(10);
    } else {
      std::optional<Failure> failure;
      std::string synced_summary;
      auto fail = [&](const std::string& reason, const std::string& message) {
        failure = Failure{reason, "MLflow " + mlflow->tracking_uri + ": " + message};
      };
      kube::Result<std::shared_ptr<ModelRegistry>> client = factory_(ns, *mlflow);
      if (!client.ok()) {
        fail("RegistryCredentialsUnavailable", client.status().ToString());
      } else {
        ModelRegistry& mlf = **client;
        // 2a. Aliases, stage, tags.
        std::vector<RegistryCandidate> all;
        std::vector<std::shared_ptr<const json>> keep;
        for (auto& c : candidates_.List()) {
          if (Str(Child(*c, "metadata"), "namespace") != ns) continue;
          keep.push_back(c);
          if (auto view = ViewRegistryCandidate(*c)) all.push_back(std::move(*view));
        }
        const RegistryCandidate self = *ViewRegistryCandidate(object);
        const DesiredRegistryState desired = DesiredFor(self, all);
        const std::string digest = DesiredDigest(desired, *mlflow);
        std::string alias_summary;
        for (const auto& [alias, version] : desired.aliases) alias_summary += (alias_summary.empty() ? "" : ", ") + alias + "=" + version;
        if (digest != Str(registry, "appliedDigest")) {
          kube::Result<RegisteredModel> model = mlf.GetRegisteredModel(mlflow->registered_model);
          kube::Result<ModelVersion> version = model.ok() ? mlf.GetModelVersion(mlflow->registered_model, mlflow->version)
                                                          : kube::Result<ModelVersion>(model.status());
          if (!model.ok()) {
            if (model.status().code() == kube::StatusCode::kNotFound) {
              fail("RegisteredModelNotFound", "registered model '" + mlflow->registered_model +
                                                  "' does not exist (spec.registry.mlflow.registeredModel): " +
                                                  model.status().message());
            } else {
              fail(Reason(model.status()), model.status().message());
            }
          } else if (!version.ok()) {
            if (version.status().code() == kube::StatusCode::kNotFound) {
              fail("VersionNotFound", "registered model '" + mlflow->registered_model + "' has no version " +
                                          mlflow->version + " (spec.registry.mlflow.version; register it first): " +
                                          version.status().message());
            } else {
              fail(Reason(version.status()), version.status().message());
            }
          } else {
            ObservedRegistry observed{model->aliases, version->tags, version->current_stage};
            int applied = 0;
            for (const RegistryOp& op : PlanSync(desired, observed, mlflow->version)) {
              kube::Status done;
              switch (op.kind) {
                case RegistryOp::Kind::kSetAlias: done = mlf.SetAlias(mlflow->registered_model, op.key, op.value); break;
                case RegistryOp::Kind::kDeleteAlias: done = mlf.DeleteAlias(mlflow->registered_model, op.key); break;
                case RegistryOp::Kind::kTransitionStage:
                  done = mlf.TransitionStage(mlflow->registered_model, mlflow->version, op.key);
                  break;
                case RegistryOp::Kind::kSetTag:
                  done = mlf.SetModelVersionTag(mlflow->registered_model, mlflow->version, op.key, op.value);
                  break;
              }
              if (!done.ok()) {
                fail(Reason(done), Describe(op, mlflow->registered_model, mlflow->version) + ": " + done.message());
                break;
              }
              if (op.kind != RegistryOp::Kind::kSetTag) {
                LogEvent("info", "registry: " + Describe(op, mlflow->registered_model, mlflow->version),
                         {{"namespace", ns}, {"name", name}, {"kind", "ModelCandidate"}, {"registry", mlflow->tracking_uri}});
              }
              ++applied;
            }
            if (!failure) {
              registry["appliedDigest"] = digest;
              registry["aliases"] = desired.aliases;
              registry["lastSyncTime"] = kube::FormatMicroTime(now);
              registry["operationsApplied"] = Child(registry, "operationsApplied").is_number_integer()
                                                  ? registry["operationsApplied"].get<long long>() + applied
                                                  : applied;
            }
          }
        }
        // 2b. Audit records, oldest first.
        if (!failure && !pending.empty()) {
          kube::Result<std::string> experiment = mlf.GetOrCreateExperiment("modelgate/" + mlflow->registered_model);
          std::optional<RunInfo> run;
          if (!experiment.ok()) {
            fail(Reason(experiment.status()), "experiment modelgate/" + mlflow->registered_model + ": " +
                                                  experiment.status().message());
          } else {
            const std::string uid = Str(Child(object, "metadata"), "uid");
            kube::Result<std::optional<RunInfo>> found = mlf.FindRunByTag(*experiment, "modelgate.candidate_uid", uid);
            if (!found.ok()) {
              fail(Reason(found.status()), "searching the candidate's run: " + found.status().message());
            } else if (*found) {
              run = **found;
            } else {
              const json& trigger = Child(Child(object, "spec"), "trigger");
              std::map<std::string, std::string> tags = {
                  {"modelgate.candidate", ns + "/" + name}, {"modelgate.candidate_uid", uid},
                  {"modelgate.model", mlflow->registered_model}, {"modelgate.version", mlflow->version},
                  {"modelgate.trigger.type", Str(trigger, "type")}};
              if (!Str(trigger, "source").empty()) tags["modelgate.trigger.source"] = Str(trigger, "source");
              if (!Str(trigger, "commit").empty()) tags["modelgate.trigger.commit"] = Str(trigger, "commit");
              const auto created_at = kube::ParseRfc3339(Str(Child(object, "metadata"), "creationTimestamp")).value_or(now);
              kube::Result<RunInfo> created = mlf.CreateRun(
                  *experiment, name, tags,
                  std::chrono::duration_cast<milliseconds>(created_at.time_since_epoch()).count());
              if (!created.ok()) fail(Reason(created.status()), "creating the candidate's run: " + created.status().message());
              else run = *created;
            }
          }
          if (run) {
            registry["experimentId"] = *experiment;
            registry["runId"] = run->run_id;
            json still = json::array();
            for (size_t i = 0; i < pending.size(); ++i) {
              const json& record = pending[i];
              if (failure) {
                still.push_back(record);
                continue;
              }
              kube::Status uploaded = mlf.UploadArtifact(*run, ArtifactPath(record), InAuditKeyOrder(record).dump(2));
              if (!uploaded.ok()) {
                fail(Reason(uploaded), "uploading audit record " + record.value("id", "") + ": " + uploaded.message());
                still.push_back(record);
                continue;
              }
              // The deciding numbers as run metrics too (searchable in the MLflow UI).
              std::map<std::string, double> metrics;
              if (record.contains("metrics") && record["metrics"].is_object()) {
                const std::string gate = record["decision"].value("gate", "");
                for (const auto& [metric, m] : record["metrics"].items()) {
                  if (m.is_object() && m.contains("value") && m["value"].is_number()) {
                    metrics[gate + "." + metric] = m["value"].get<double>();
                  }
                }
              }
              std::map<std::string, std::string> run_tags = {
                  {"modelgate.last_decision", record["decision"].value("type", "")},
                  {"modelgate.last_decision_time", record.value("time", "")}};
              const auto at = kube::ParseRfc3339(record.value("time", "")).value_or(now);
              kube::Status logged = mlf.LogBatch(run->run_id, {}, metrics, run_tags,
                                                 std::chrono::duration_cast<milliseconds>(at.time_since_epoch()).count());
              if (!logged.ok()) {
                fail(Reason(logged), "logging the run's metrics: " + logged.message());
                still.push_back(record);
                continue;
              }
              registry["auditRecordsWritten"] = Child(registry, "auditRecordsWritten").is_number_integer()
                                                    ? registry["auditRecordsWritten"].get<long long>() + 1
                                                    : 1;
            }
            if (still.empty()) registry.erase("pendingAudit");
            else registry["pendingAudit"] = still;
          }
        }
        synced_summary = "registered model " + mlflow->registered_model + " version " + mlflow->version + " in step" +
                         (alias_summary.empty() ? "" : " (aliases " + alias_summary + ")");
      }

      const auto previous = FindCondition(Child(status, "conditions"), "RegistrySynced");
      if (failure) {
        const long long attempts = Child(registry, "attempts").is_number_integer() ? registry["attempts"].get<long long>() + 1 : 1;
        const milliseconds delay = Backoff(attempts);
        registry["attempts"] = attempts;
        registry["nextAttemptAt"] = kube::FormatMicroTime(now + delay);
        registry["lastError"] = failure->message;
        SetCondition(status["conditions"],
                     {"RegistrySynced", "False", failure->reason,
                      failure->message + " (attempt " + std::to_string(attempts) + ", next in " +
                          std::to_string(delay.count() / 1000) + "s)",
                      generation},
                     now);
        if (!previous || previous->value("status", "") != "False" || previous->value("reason", "") != failure->reason) {
          events.push_back({"Warning", "RegistrySyncFailed", "Sync", failure->message});
        }
        LogEvent("warn", "registry sync failed; retrying",
                 {{"namespace", ns}, {"name", name}, {"kind", "ModelCandidate"}, {"reason", failure->reason},
                  {"error", failure->message}, {"attempt", attempts}, {"retryInMs", delay.count()}});
        requeue = delay;
      } else {
        registry.erase("attempts");
        registry.erase("nextAttemptAt");
        registry.erase("lastError");
        SetCondition(status["conditions"], {"RegistrySynced", "True", "InStep", synced_summary, generation}, now);
        if (!previous || previous->value("status", "") != "True") {
          events.push_back({"Normal", "RegistrySynced", "Sync", synced_summary});
        }
      }
    }
  }

  status["registry"] = registry;
  if (status != original) {
    // A conflict (the candidate or rollout controller wrote meanwhile) is retried from a fresh
    // read: the registry operations are idempotent, and nothing is logged before a write succeeds.
    json updated = object;
    updated["status"] = status;
    kube::Result<json> written = client_.UpdateStatus(kube::resources::ModelCandidates(), ns, updated);
    if (!written.ok()) {
      if (written.status().code() == kube::StatusCode::kNotFound) return ReconcileOutcome::Done();
      return ReconcileOutcome::Retry(written.status());
    }
    for (const nlohmann::ordered_json& record : new_records) {
      nlohmann::ordered_json fields = {{"namespace", ns}, {"name", name}, {"kind", "ModelCandidate"}};
      fields["audit"] = record;
      LogEventOrdered("info", "audit record", fields);
    }
    for (const EventSpec& e : events) {
      events_.Record(object, e.type == "Warning" ? kube::EventType::kWarning : kube::EventType::kNormal, e.reason,
                     e.action, e.note);
    }
  }
  if (requeue) return ReconcileOutcome::After(*requeue);
  return ReconcileOutcome::Done();
}

}  // namespace modelgate::controllers::registry
