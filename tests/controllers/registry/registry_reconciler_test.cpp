// Tests of controllers/registry/registry_reconciler.h: the effect layer of the registry sync and
// the audit trail, against a fake model registry (one registered model with one version, runs and
// artifacts kept in memory, an outage switch) and an in-memory API server (resourceVersion
// preconditions on PUT, /status mapped onto its object, LISTs that fill the informers' caches).
#include "controllers/registry/registry_reconciler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "operator/kube/time_format.h"
#include "tests/controllers/registry/fake_registry.h"
#include "tests/operator/kube/fake_transport.h"

namespace modelgate::controllers::registry {
namespace {

using fakes::FakeRegistry;

using kube::testing::ErrorResponse;
using kube::testing::FakeTransport;
using kube::testing::JsonResponse;
using nlohmann::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr char kTrackingUri[] = "http://mlflow:5000";

// ---------------------------------------------------------------------------------------------
// An in-memory API server: objects by path; GET of an object or of a collection (a LIST, for the
// informers: one namespace or all of them); PUT checks metadata.resourceVersion (409 when stale)
// and a /status PUT replaces only the status; Events are kept as posted.

class FakeApi {
 public:
  explicit FakeApi(FakeTransport& transport) {
    transport.Handle("GET", "/", [this](const kube::HttpRequest& r) { return Get(r); });
    transport.Handle("PUT", "/", [this](const kube::HttpRequest& r) { return Put(r); });
    transport.Handle("POST", "/", [this](const kube::HttpRequest& r) { return Post(r); });
    transport.Handle("PATCH", "/", [](const kube::HttpRequest&) {
      return kube::Result<kube::HttpResponse>(JsonResponse(200, json::object()));
    });
  }
  void Store(const kube::Resource& resource, json object) {
    std::lock_guard lock(mu_);
    object["metadata"]["resourceVersion"] = std::to_string(++version_);
    const std::string path = resource.ObjectPath(object["metadata"]["namespace"].get<std::string>(),
                                                 object["metadata"]["name"].get<std::string>());
    objects_[path] = std::move(object);
  }
  json Object(const kube::Resource& resource, const std::string& ns, const std::string& name) {
    std::lock_guard lock(mu_);
    return objects_.at(resource.ObjectPath(ns, name));
  }
  int status_puts() {
    std::lock_guard lock(mu_);
    return status_puts_;
  }
  void ConflictNext(int count) {
    std::lock_guard lock(mu_);
    conflicts_left_ = count;
  }
  std::vector<std::string> EventReasons() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const json& e : events_) out.push_back(e.value("reason", ""));
    return out;
  }

 private:
  static std::string PathOf(const kube::HttpRequest& r) { return r.path.substr(0, r.path.find('?')); }

  kube::Result<kube::HttpResponse> Get(const kube::HttpRequest& r) {
    std::lock_guard lock(mu_);
    const std::string path = PathOf(r);
    if (objects_.count(path)) return JsonResponse(200, objects_[path]);
    const std::string plural = path.substr(path.rfind('/') + 1);
    if (plural != "modelcandidates" && plural != "modelrollouts") return ErrorResponse(404, "NotFound");
    // ".../namespaces/<ns>/<plural>" lists one namespace, "/apis/<group>/<version>/<plural>" all.
    const bool one_namespace = path.find("/namespaces/") != std::string::npos;
    const std::string api_prefix = path.substr(0, path.rfind('/'));
    json items = json::array();
    for (const auto& [p, o] : objects_) {
      const std::string collection = p.substr(0, p.rfind('/'));
      if (one_namespace ? collection == path
                        : collection.rfind(api_prefix + "/namespaces/", 0) == 0 && collection.ends_with("/" + plural)) {
        items.push_back(o);
      }
    }
    return JsonResponse(200, {{"items", items}, {"metadata", {{"resourceVersion", std::to_string(version_)}}}});
  }
  kube::Result<kube::HttpResponse> Put(const kube::HttpRequest& r) {
    std::lock_guard lock(mu_);
    std::string path = PathOf(r);
    const bool status = path.ends_with("/status");
    if (status) path.resize(path.size() - 7);
    if (!objects_.count(path)) return ErrorResponse(404, "NotFound");
    json& stored = objects_[path];
    if (conflicts_left_ > 0) {
      --conflicts_left_;
      stored["metadata"]["resourceVersion"] = std::to_string(++version_);  // someone else wrote
      return ErrorResponse(409, "Conflict");
    }
    const json body = json::parse(r.body);
    if (body["metadata"].value("resourceVersion", "") != stored["metadata"].value("resourceVersion", "")) {
      return ErrorResponse(409, "Conflict");
    }
    if (status) {
      stored["status"] = body["status"];
      ++status_puts_;
    } else {
      json spec_and_metadata = body;
      spec_and_metadata["status"] = stored.value("status", json::object());
      stored = spec_and_metadata;
    }
    stored["metadata"]["resourceVersion"] = std::to_string(++version_);
    return JsonResponse(200, stored);
  }
  kube::Result<kube::HttpResponse> Post(const kube::HttpRequest& r) {
    std::lock_guard lock(mu_);
    json body = json::parse(r.body);
    if (PathOf(r).ends_with("/events")) events_.push_back(body);
    return JsonResponse(201, body);
  }

  std::mutex mu_;
  std::map<std::string, json> objects_;
  std::vector<json> events_;
  long long version_ = 0;
  int status_puts_ = 0;
  int conflicts_left_ = 0;
};

// ---------------------------------------------------------------------------------------------

// fraud-v2, Ready (challenger), with two finished gates listed out of time order: its audit
// records are gate-DataValidation (08:40:43), gate-OfflineEvaluation (08:40:45), verdict-Ready.
json ReadyCandidate() {
  return json::parse(R"({
    "apiVersion": "modelgate.io/v1alpha1", "kind": "ModelCandidate",
    "metadata": {"name": "fraud-v2", "namespace": "ml", "uid": "uid-v2", "generation": 1,
                 "creationTimestamp": "2026-12-05T08:40:00Z"},
    "spec": {"model": "fraud", "version": "2", "artifact": {"uri": "s3://m/2/"},
             "trigger": {"type": "Manual", "source": "kubectl-modelgate/alice", "reason": "new features"},
             "registry": {"mlflow": {"trackingUri": "http://mlflow:5000/",
                                     "credentialsSecretRef": {"name": "mlflow-creds"}}}},
    "status": {"phase": "Ready", "stage": "Staging", "observedGeneration": 1, "message": "all gates passed",
               "conditions": [{"type": "Ready", "status": "True", "reason": "GatesPassed",
                               "lastTransitionTime": "2026-12-05T08:40:45Z"}],
               "gates": [
                 {"name": "OfflineEvaluation", "state": "Passed", "reason": "ChecksPassed", "message": "passed",
                  "observedGeneration": 1, "attempts": 1, "finishedAt": "2026-12-05T08:40:45Z",
                  "metrics": {"auc_roc": {"value": 0.87, "champion": 0.86, "passed": true, "status": "passed"}}},
                 {"name": "DataValidation", "state": "Passed", "reason": "ChecksPassed", "message": "24 checks passed",
                  "observedGeneration": 1, "attempts": 1, "finishedAt": "2026-12-05T08:40:43Z"}]}
  })");
}

const std::vector<std::string> kReadyRecordIds = {"gate-DataValidation-g1-a1-Passed",
                                                  "gate-OfflineEvaluation-g1-a1-Passed", "verdict-Ready-g1"};

// ---------------------------------------------------------------------------------------------

class RegistryReconcilerTest : public ::testing::Test {
 protected:
  ~RegistryReconcilerTest() override {
    reconciler_.reset();
    if (rollouts_) rollouts_->Stop();
    if (candidates_) candidates_->Stop();
    events_.Stop();
  }

  // Stores the objects, fills the informers' caches from a LIST and builds the reconciler.
  void Start(const std::vector<json>& candidates, const std::vector<json>& rollouts = {}) {
    for (const json& c : candidates) api_.Store(kube::resources::ModelCandidates(), c);
    for (const json& r : rollouts) api_.Store(kube::resources::ModelRollouts(), r);
    candidates_ = std::make_unique<kube::Informer>(
        client_, kube::InformerOptions{.resource = kube::resources::ModelCandidates(), .ns = "ml"},
        kube::InformerHandlers{});
    rollouts_ = std::make_unique<kube::Informer>(
        client_, kube::InformerOptions{.resource = kube::resources::ModelRollouts(), .ns = ""},
        kube::InformerHandlers{});
    candidates_->Start();
    rollouts_->Start();
    ASSERT_TRUE(candidates_->WaitForSync(10s));
    ASSERT_TRUE(rollouts_->WaitForSync(10s));
    ASSERT_EQ(candidates_->List().size(), candidates.size());
    ASSERT_EQ(rollouts_->List().size(), rollouts.size());
    RegistryFactory factory = [this](const std::string& ns,
                                     const MlflowSpec& spec) -> kube::Result<std::shared_ptr<ModelRegistry>> {
      factory_calls_.push_back(ns + " " + spec.tracking_uri + " " + spec.credentials_secret);
      if (factory_error_) return *factory_error_;
      return std::shared_ptr<ModelRegistry>(registry_);
    };
    reconciler_ = std::make_unique<RegistryReconciler>(client_, *candidates_, *rollouts_, events_, clock_,
                                                       std::move(factory), "0.9.0-test");
  }

  ReconcileOutcome Reconcile(const std::string& key = "ml/fraud-v2") {
    ReconcileOutcome outcome = reconciler_->Reconcile(key);
    EXPECT_TRUE(outcome.status.ok()) << outcome.status.ToString();
    return outcome;
  }
  json Stored(const std::string& name = "fraud-v2") {
    return api_.Object(kube::resources::ModelCandidates(), "ml", name);
  }
  json Registry(const std::string& name = "fraud-v2") { return Stored(name)["status"]["registry"]; }
  json RegistrySynced(const std::string& name = "fraud-v2") {
    for (const json& c : Stored(name)["status"].value("conditions", json::array())) {
      if (c.value("type", "") == "RegistrySynced") return c;
    }
    return json();
  }
  // The ids of the uploaded audit records, in upload order.
  std::vector<std::string> UploadedIds() {
    std::vector<std::string> ids;
    for (const auto& [path, content] : registry_->uploads) ids.push_back(json::parse(content).value("id", ""));
    return ids;
  }
  static std::vector<std::string> Ids(const json& records) {
    std::vector<std::string> ids;
    for (const json& r : records) ids.push_back(r.value("id", ""));
    return ids;
  }

  const kube::Clock::time_point start_ = *kube::ParseRfc3339("2026-12-05T09:00:00Z");
  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  FakeApi api_{*transport_};
  kube::Client client_{transport_};
  kube::FakeClock clock_{start_};
  kube::EventRecorder events_{client_, kube::EventRecorderOptions{.clock = &clock_}};
  std::unique_ptr<kube::Informer> candidates_;
  std::unique_ptr<kube::Informer> rollouts_;
  std::shared_ptr<FakeRegistry> registry_ = std::make_shared<FakeRegistry>();
  std::optional<kube::Status> factory_error_;
  std::vector<std::string> factory_calls_;
  std::unique_ptr<RegistryReconciler> reconciler_;
};

// 1. Aliases and tags, applied once.

TEST_F(RegistryReconcilerTest, AReadyCandidateBecomesTheChallengerWithItsTagsAndIsSynced) {
  Start({ReadyCandidate()});
  const ReconcileOutcome outcome = Reconcile();
  EXPECT_FALSE(outcome.requeue_after.has_value());

  EXPECT_EQ(factory_calls_, (std::vector<std::string>{"ml http://mlflow:5000 mlflow-creds"}))
      << "the factory gets the namespace and the spec (trailing '/' of the URI dropped)";
  EXPECT_EQ(registry_->Count("SetAlias"), 1);
  EXPECT_EQ(registry_->aliases, (std::map<std::string, std::string>{{"challenger", "2"}}));
  EXPECT_EQ(registry_->Count("DeleteAlias"), 0);
  EXPECT_EQ(registry_->Count("TransitionStage"), 0) << "stages are off by default";
  EXPECT_EQ(registry_->version_tags.at("modelgate.candidate"), "ml/fraud-v2");
  EXPECT_EQ(registry_->version_tags.at("modelgate.phase"), "Ready");
  EXPECT_EQ(registry_->version_tags.at("modelgate.stage"), "Staging");
  EXPECT_EQ(registry_->version_tags.at("modelgate.gate.OfflineEvaluation.state"), "Passed");
  EXPECT_EQ(registry_->version_tags.at("modelgate.metric.auc_roc"), "0.87");
  EXPECT_EQ(registry_->version_tags.at("modelgate.trigger.source"), "kubectl-modelgate/alice");
  // The alias moves before any tag is written (read, plan, apply in order).
  const std::vector<std::string> writes = registry_->writes();
  ASSERT_FALSE(writes.empty());
  EXPECT_EQ(writes.front(), "SetAlias challenger=2");

  const json registry = Registry();
  ASSERT_TRUE(registry.contains("appliedDigest"));
  EXPECT_EQ(registry["appliedDigest"].get<std::string>().size(), 64u);
  EXPECT_EQ(registry["aliases"], json({{"challenger", "2"}}));
  EXPECT_EQ(registry["lastSyncTime"], kube::FormatMicroTime(start_));
  EXPECT_EQ(registry["operationsApplied"], 1 + static_cast<int>(registry_->version_tags.size()));
  EXPECT_EQ(registry["observedGeneration"], 1);
  EXPECT_FALSE(registry.contains("attempts"));
  EXPECT_FALSE(registry.contains("nextAttemptAt"));
  const json synced = RegistrySynced();
  EXPECT_EQ(synced["status"], "True");
  EXPECT_EQ(synced["reason"], "InStep");
  EXPECT_THAT(synced["message"].get<std::string>(), HasSubstr("registered model fraud version 2 in step"));
  EXPECT_THAT(synced["message"].get<std::string>(), HasSubstr("challenger=2"));
  EXPECT_EQ(Stored()["status"]["phase"], "Ready") << "only status.registry and RegistrySynced are written";
}

TEST_F(RegistryReconcilerTest, ASecondReconcileWithNothingChangedWritesNothingToTheRegistryOrTheStatus) {
  Start({ReadyCandidate()});
  Reconcile();
  const std::string digest = Registry()["appliedDigest"];
  const int puts = api_.status_puts();
  registry_->ClearCalls();
  clock_.Advance(30s);

  const ReconcileOutcome outcome = Reconcile();
  EXPECT_FALSE(outcome.requeue_after.has_value());
  EXPECT_TRUE(registry_->writes().empty()) << ::testing::PrintToString(registry_->writes());
  EXPECT_TRUE(registry_->calls().empty()) << "the applied digest is equal: not even a read";
  EXPECT_EQ(api_.status_puts(), puts) << "the status is unchanged: no write";
  EXPECT_EQ(Registry()["appliedDigest"], digest);
  EXPECT_EQ(Registry()["lastSyncTime"], kube::FormatMicroTime(start_));
}

TEST_F(RegistryReconcilerTest, ALostAppliedDigestRereadsTheRegistryAndFindsNothingToChange) {
  Start({ReadyCandidate()});
  Reconcile();
  const long long operations = Registry()["operationsApplied"];
  // The status is rewritten without the digest (say, restored from a backup).
  json candidate = Stored();
  candidate["status"]["registry"].erase("appliedDigest");
  api_.Store(kube::resources::ModelCandidates(), candidate);
  registry_->ClearCalls();

  Reconcile();
  EXPECT_EQ(registry_->Count("GetRegisteredModel"), 1);
  EXPECT_EQ(registry_->Count("GetModelVersion"), 1);
  EXPECT_TRUE(registry_->writes().empty()) << ::testing::PrintToString(registry_->writes());
  EXPECT_TRUE(Registry().contains("appliedDigest"));
  EXPECT_EQ(Registry()["operationsApplied"], operations);
}

// 2. Audit records.

TEST_F(RegistryReconcilerTest, AuditRecordsAreUploadedOnceInTimeOrderToOneRunTaggedWithTheCandidateUid) {
  Start({ReadyCandidate()});
  Reconcile();

  ASSERT_EQ(registry_->Count("CreateRun"), 1);
  ASSERT_EQ(registry_->runs.size(), 1u);
  const RunInfo& run = registry_->runs[0];
  EXPECT_EQ(run.tags.at("modelgate.candidate_uid"), "uid-v2");
  EXPECT_EQ(run.tags.at("modelgate.candidate"), "ml/fraud-v2");
  EXPECT_EQ(run.tags.at("modelgate.version"), "2");
  EXPECT_EQ(run.tags.at("modelgate.trigger.type"), "Manual");
  EXPECT_EQ(run.run_name, "fraud-v2");
  EXPECT_EQ(run.start_time_ms,
            std::chrono::duration_cast<std::chrono::milliseconds>(
                kube::ParseRfc3339("2026-12-05T08:40:00Z")->time_since_epoch())
                .count())
      << "the run starts when the candidate was created";
  EXPECT_EQ(registry_->experiments.count("modelgate/fraud"), 1u);

  EXPECT_EQ(registry_->Count("UploadArtifact"), 3);
  EXPECT_EQ(UploadedIds(), kReadyRecordIds) << "one artifact per record, oldest first";
  ASSERT_EQ(registry_->uploads.size(), 3u);
  EXPECT_EQ(registry_->uploads[0].first, "audit/20261205T084043Z-gate-DataValidation-g1-a1-Passed.json");
  const json first = json::parse(registry_->uploads[0].second);
  EXPECT_EQ(first["kind"], "AuditRecord");
  EXPECT_EQ(first["decision"]["type"], "GatePassed");
  EXPECT_EQ(first["operator"]["version"], "0.9.0-test");
  EXPECT_EQ(first["triggeredBy"], "kubectl-modelgate/alice");
  // The gate's deciding numbers become run metrics.
  bool auc_logged = false;
  for (const auto& metrics : registry_->logged_metrics) auc_logged |= metrics.count("OfflineEvaluation.auc_roc") > 0;
  EXPECT_TRUE(auc_logged);

  const json registry = Registry();
  EXPECT_EQ(registry["runId"], run.run_id);
  EXPECT_EQ(registry["experimentId"], run.experiment_id);
  EXPECT_EQ(registry["auditRecordsWritten"], 3);
  EXPECT_FALSE(registry.contains("pendingAudit")) << "every record was uploaded";
  EXPECT_EQ(registry["seen"], json(kReadyRecordIds));

  // A second reconcile: every record is in `seen`, nothing is uploaded again.
  registry_->ClearCalls();
  Reconcile();
  EXPECT_EQ(registry_->Count("UploadArtifact"), 0);
  EXPECT_EQ(registry_->Count("CreateRun"), 0);
  EXPECT_EQ(registry_->uploads.size(), 3u);
  EXPECT_EQ(Registry()["auditRecordsWritten"], 3);
}

TEST_F(RegistryReconcilerTest, ANewDecisionIsUploadedToTheSameRunWithoutRepeatingTheOldOnes) {
  Start({ReadyCandidate()});
  Reconcile();
  // The rollout controller starts the canary.
  json candidate = Stored();
  candidate["status"]["phase"] = "RollingOut";
  candidate["status"]["stageTransitionTime"] = "2026-12-05T08:50:00Z";
  api_.Store(kube::resources::ModelCandidates(), candidate);
  registry_->ClearCalls();

  Reconcile();
  EXPECT_EQ(registry_->Count("CreateRun"), 0) << "the candidate's run is found by its uid tag";
  EXPECT_EQ(registry_->runs.size(), 1u);
  ASSERT_EQ(registry_->Count("UploadArtifact"), 1);
  EXPECT_EQ(UploadedIds().back(), "rollout-started-2026-12-05T08:50:00Z");
  EXPECT_EQ(Registry()["auditRecordsWritten"], 4);
  EXPECT_EQ(Registry()["seen"].size(), 4u);
}

TEST_F(RegistryReconcilerTest, WithoutARegistryRecordsAreOnlyMarkedSeenAndNoRegistryIsBuilt) {
  json candidate = ReadyCandidate();
  candidate["spec"].erase("registry");
  Start({candidate});
  Reconcile();
  EXPECT_TRUE(factory_calls_.empty());
  EXPECT_TRUE(registry_->calls().empty());
  const json registry = Registry();
  EXPECT_EQ(registry["seen"], json(kReadyRecordIds));
  EXPECT_FALSE(registry.contains("pendingAudit")) << "nothing to upload them to";
  EXPECT_TRUE(RegistrySynced().is_null()) << "no RegistrySynced condition without a registry";
}

// 3. An unavailable registry: backoff kept in the status, nothing lost.

TEST_F(RegistryReconcilerTest, AnUnavailableRegistryIsRetriedAfterTheBackoffAndLosesNoAuditRecord) {
  Start({ReadyCandidate()});
  registry_->outage = kube::Status(kube::StatusCode::kUnavailable, "MLflow 503: upstream connect error");

  ReconcileOutcome outcome = Reconcile();
  EXPECT_EQ(outcome.requeue_after, std::chrono::milliseconds(1000));
  json synced = RegistrySynced();
  EXPECT_EQ(synced["status"], "False");
  EXPECT_EQ(synced["reason"], "RegistryUnavailable");
  EXPECT_THAT(synced["message"].get<std::string>(), HasSubstr("MLflow http://mlflow:5000: "));
  EXPECT_THAT(synced["message"].get<std::string>(), HasSubstr("MLflow 503: upstream connect error"));
  EXPECT_THAT(synced["message"].get<std::string>(), HasSubstr("attempt 1, next in 1s"));
  json registry = Registry();
  EXPECT_EQ(registry["attempts"], 1);
  EXPECT_EQ(registry["nextAttemptAt"], kube::FormatMicroTime(start_ + 1s));
  EXPECT_THAT(registry["lastError"].get<std::string>(), HasSubstr("upstream connect error"));
  EXPECT_EQ(Ids(registry["pendingAudit"]), kReadyRecordIds) << "queued in the status, full documents";
  EXPECT_EQ(registry["pendingAudit"][0]["decision"]["type"], "GatePassed");
  EXPECT_FALSE(registry.contains("appliedDigest"));
  EXPECT_TRUE(registry_->uploads.empty());
  ASSERT_TRUE(events_.Flush(5s));
  EXPECT_THAT(api_.EventReasons(), ::testing::Contains("RegistrySyncFailed"));

  // Before nextAttemptAt: not a single call to the registry (nor building a client for it).
  registry_->ClearCalls();
  const size_t factory_calls = factory_calls_.size();
  clock_.Advance(500ms);
  outcome = Reconcile();
  EXPECT_TRUE(registry_->calls().empty()) << ::testing::PrintToString(registry_->calls());
  EXPECT_EQ(factory_calls_.size(), factory_calls);
  ASSERT_TRUE(outcome.requeue_after.has_value());
  EXPECT_EQ(*outcome.requeue_after, 510ms) << "the rest of the backoff (plus 10 ms)";
  EXPECT_EQ(Registry()["attempts"], 1);

  // After it, with the registry back: synced, and every queued record uploaded.
  registry_->outage.reset();
  clock_.Advance(600ms);
  outcome = Reconcile();
  EXPECT_FALSE(outcome.requeue_after.has_value());
  synced = RegistrySynced();
  EXPECT_EQ(synced["status"], "True");
  EXPECT_EQ(synced["reason"], "InStep");
  registry = Registry();
  EXPECT_FALSE(registry.contains("pendingAudit"));
  EXPECT_FALSE(registry.contains("attempts"));
  EXPECT_FALSE(registry.contains("nextAttemptAt"));
  EXPECT_FALSE(registry.contains("lastError"));
  EXPECT_TRUE(registry.contains("appliedDigest"));
  EXPECT_EQ(registry["auditRecordsWritten"], 3);
  EXPECT_EQ(UploadedIds(), kReadyRecordIds);
  EXPECT_EQ(registry_->aliases.at("challenger"), "2");
}

TEST_F(RegistryReconcilerTest, TheBackoffDoublesWhileTheRegistryStaysDown) {
  Start({ReadyCandidate()});
  registry_->outage = kube::Status(kube::StatusCode::kTimeout, "MLflow: no answer in 10s");
  Reconcile();
  clock_.Advance(1001ms);
  const ReconcileOutcome outcome = Reconcile();
  EXPECT_EQ(outcome.requeue_after, std::chrono::milliseconds(2000));
  EXPECT_EQ(Registry()["attempts"], 2);
  EXPECT_EQ(Registry()["nextAttemptAt"], kube::FormatMicroTime(start_ + 1001ms + 2s));
  EXPECT_EQ(RegistrySynced()["reason"], "RegistryUnavailable");
  EXPECT_EQ(Ids(Registry()["pendingAudit"]), kReadyRecordIds);
}

TEST_F(RegistryReconcilerTest, ANewGenerationIsTriedAtOnceDespiteTheBackoff) {
  Start({ReadyCandidate()});
  factory_error_ = kube::Status(kube::StatusCode::kInvalid, "Secret mlflow-creds not found");
  Reconcile();
  ASSERT_EQ(Registry()["attempts"], 1);
  // The user fixes the spec: a new generation.
  factory_error_.reset();
  json candidate = Stored();
  candidate["metadata"]["generation"] = 2;
  api_.Store(kube::resources::ModelCandidates(), candidate);
  clock_.Advance(100ms);  // well before nextAttemptAt
  Reconcile();
  EXPECT_EQ(RegistrySynced()["status"], "True");
  EXPECT_EQ(registry_->aliases.at("challenger"), "2");
}

// 4. The registry client cannot be built.

TEST_F(RegistryReconcilerTest, AFactoryErrorIsRegistryCredentialsUnavailableNamingTheSecret) {
  Start({ReadyCandidate()});
  factory_error_ = kube::Status(kube::StatusCode::kInvalid,
                                "Secret mlflow-creds in ml needs username and password, or token");
  const ReconcileOutcome outcome = Reconcile();
  EXPECT_EQ(outcome.requeue_after, std::chrono::milliseconds(1000));
  const json synced = RegistrySynced();
  EXPECT_EQ(synced["status"], "False");
  EXPECT_EQ(synced["reason"], "RegistryCredentialsUnavailable");
  EXPECT_THAT(synced["message"].get<std::string>(), HasSubstr("Secret mlflow-creds"));
  EXPECT_THAT(synced["message"].get<std::string>(), HasSubstr("needs username and password, or token"));
  EXPECT_THAT(synced["message"].get<std::string>(), HasSubstr(kTrackingUri));
  EXPECT_TRUE(registry_->calls().empty());
  EXPECT_EQ(Ids(Registry()["pendingAudit"]), kReadyRecordIds);
}

// 5. The version was never registered.

TEST_F(RegistryReconcilerTest, AMissingVersionIsVersionNotFoundNamingTheModelAndVersion) {
  Start({ReadyCandidate()});
  registry_->version_missing = true;
  const ReconcileOutcome outcome = Reconcile();
  EXPECT_EQ(outcome.requeue_after, std::chrono::milliseconds(1000)) << "retried: the pipeline may register it";
  const json synced = RegistrySynced();
  EXPECT_EQ(synced["status"], "False");
  EXPECT_EQ(synced["reason"], "VersionNotFound");
  const std::string message = synced["message"];
  EXPECT_THAT(message, HasSubstr("registered model 'fraud' has no version 2"));
  EXPECT_THAT(message, HasSubstr("Model Version (name=fraud, version=2) not found")) << "MLflow's own words";
  EXPECT_EQ(registry_->Count("SetAlias"), 0);
  EXPECT_EQ(registry_->Count("SetModelVersionTag"), 0);
  EXPECT_TRUE(registry_->uploads.empty());
  EXPECT_EQ(Ids(Registry()["pendingAudit"]), kReadyRecordIds) << "kept for when the version exists";
}

// 6. The rollout's history is part of the audit trail.

TEST_F(RegistryReconcilerTest, RolloutHistoryEntriesAboutTheCandidateBecomeRolloutStepAndManualActionRecords) {
  json candidate = ReadyCandidate();
  candidate["status"]["phase"] = "RollingOut";
  candidate["status"]["stageTransitionTime"] = "2026-12-05T08:50:00Z";
  const json rollout = json::parse(R"({
    "apiVersion": "modelgate.io/v1alpha1", "kind": "ModelRollout",
    "metadata": {"name": "fraud", "namespace": "ml"},
    "spec": {"candidateRef": {"name": "fraud-v2"}},
    "status": {"phase": "Paused", "history": [
      {"time": "2026-11-30T10:00:00Z", "phase": "Promoted", "step": 2, "canaryWeight": 100,
       "reason": "Promoted", "message": "v1", "candidate": "fraud-v1"},
      {"time": "2026-12-05T08:50:01.100000Z", "phase": "Canary", "step": 1, "canaryWeight": 10,
       "reason": "CanaryStepStarted", "message": "canary step 1: 10 %", "candidate": "fraud-v2"},
      {"time": "2026-12-05T08:52:00.500000Z", "phase": "Paused", "step": 1, "canaryWeight": 10,
       "reason": "Paused", "message": "paused by alice", "candidate": "fraud-v2",
       "actor": {"kind": "user", "name": "alice", "via": "kubectl-modelgate"}}]}
  })");
  // The same names in another namespace are another candidate's rollout.
  json elsewhere = rollout;
  elsewhere["metadata"]["namespace"] = "other";
  elsewhere["metadata"]["name"] = "fraud-elsewhere";
  Start({candidate}, {rollout, elsewhere});
  Reconcile();

  const std::vector<std::string> expected = {
      "gate-DataValidation-g1-a1-Passed", "gate-OfflineEvaluation-g1-a1-Passed", "verdict-Ready-g1",
      "rollout-started-2026-12-05T08:50:00Z", "rollout-fraud-2026-12-05T08:50:01.100000Z-CanaryStepStarted-s1-w10",
      "rollout-fraud-2026-12-05T08:52:00.500000Z-Paused-s1-w10"};
  EXPECT_EQ(UploadedIds(), expected) << "v1's entry and the other namespace's rollout are not fraud-v2's";
  ASSERT_EQ(registry_->uploads.size(), expected.size());
  const json step = json::parse(registry_->uploads[4].second);
  EXPECT_EQ(step["decision"]["type"], "RolloutStep");
  EXPECT_EQ(step["decision"]["rollout"], "fraud");
  EXPECT_EQ(step["decision"]["canaryWeight"], 10);
  EXPECT_EQ(step["actor"], json({{"kind", "operator"}, {"name", "modelgate"}}));
  const json manual = json::parse(registry_->uploads[5].second);
  EXPECT_EQ(manual["decision"]["type"], "ManualAction");
  EXPECT_EQ(manual["decision"]["reason"], "Paused");
  EXPECT_EQ(manual["actor"], json({{"kind", "user"}, {"name", "alice"}, {"via", "kubectl-modelgate"}}));
  EXPECT_EQ(registry_->uploads[5].first, "audit/20261205T085200.500000Z-rollout-fraud-2026-12-05T08_52_00.500000Z-Paused-s1-w10.json");
  EXPECT_EQ(Registry()["seen"], json(expected));
  EXPECT_EQ(Registry()["auditRecordsWritten"], 6);
}

// The status write races another controller: nothing is logged as done, and the retry reuses the
// candidate's run (found by its uid tag) and overwrites the same artifact paths.

TEST_F(RegistryReconcilerTest, AConflictOnTheStatusWriteIsRetriedWithoutASecondRun) {
  Start({ReadyCandidate()});
  api_.ConflictNext(1);
  const ReconcileOutcome conflicted = reconciler_->Reconcile("ml/fraud-v2");
  EXPECT_EQ(conflicted.status.code(), kube::StatusCode::kConflict);
  EXPECT_FALSE(Stored()["status"].contains("registry"));

  Reconcile();
  EXPECT_EQ(registry_->runs.size(), 1u);
  std::set<std::string> paths;
  for (const auto& [path, content] : registry_->uploads) paths.insert(path);
  EXPECT_EQ(paths.size(), 3u) << "the repeat overwrote the same three artifacts";
  EXPECT_EQ(Registry()["auditRecordsWritten"], 3);
  EXPECT_EQ(RegistrySynced()["status"], "True");
}

TEST_F(RegistryReconcilerTest, ACandidateNotInTheCacheIsDone) {
  Start({ReadyCandidate()});
  const ReconcileOutcome outcome = Reconcile("ml/gone");
  EXPECT_FALSE(outcome.requeue_after.has_value());
  EXPECT_TRUE(factory_calls_.empty());
  EXPECT_EQ(api_.status_puts(), 0);
}

}  // namespace
}  // namespace modelgate::controllers::registry
