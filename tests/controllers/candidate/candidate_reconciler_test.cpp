#include "controllers/candidate/candidate_reconciler.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "controllers/candidate/candidate_decision.h"
#include "tests/controllers/candidate/test_inputs.h"
#include "tests/controllers/registry/fake_registry.h"
#include "tests/operator/kube/fake_transport.h"

namespace modelgate::controllers::candidate {
namespace {

using kube::testing::ErrorResponse;
using kube::testing::FakeTransport;
using kube::testing::JsonResponse;
using json = nlohmann::json;
using namespace std::chrono_literals;

json Candidate() {
  return {{"apiVersion", "modelgate.io/v1alpha1"},
          {"kind", "ModelCandidate"},
          {"metadata", {{"name", "fraud-v2"}, {"namespace", "ns"}, {"uid", "uid-1"}, {"generation", 1}, {"resourceVersion", "5"}}},
          {"spec", {{"model", "fraud"}, {"version", "2"}, {"artifact", {{"uri", "s3://m/2"}}},
                    {"gates", {{"evaluation", {{"dataset", {{"uri", "file:///eval.csv"}}},
                                               {"policy", {{"global_metrics", {{"auc_roc", {{"min", 0.5}}}}}}}}}}}}}};
}

// The effect layer against a scripted API server: the informer lists one candidate, and the
// status PUT answers as each test says.
class CandidateReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    transport_->Respond("GET", "/apis/modelgate.io/v1alpha1/namespaces/ns/modelcandidates",
                        {JsonResponse(200, {{"items", {Candidate()}}, {"metadata", {{"resourceVersion", "5"}}}})});
    transport_->Handle("PUT", "/apis/modelgate.io/v1alpha1/namespaces/ns/modelcandidates/fraud-v2/status",
                       [this](const kube::HttpRequest& r) -> kube::Result<kube::HttpResponse> {
                         std::lock_guard lock(mu_);
                         written_.push_back(json::parse(r.body));
                         if (conflict_) return ErrorResponse(409, "Conflict");
                         return JsonResponse(200, written_.back());
                       });
    informer_ = std::make_unique<kube::Informer>(
        client_, kube::InformerOptions{.resource = kube::resources::ModelCandidates(), .ns = "ns"},
        kube::InformerHandlers{});
    informer_->Start();
    ASSERT_TRUE(informer_->WaitForSync(10s));
    fetcher_->uris["file:///eval.csv"] = "label,score\n0,0.1\n1,0.9\n0,0.2\n1,0.8\n";
    reconciler_ = std::make_unique<CandidateReconciler>(client_, *informer_, events_, clock_,
                                                        CandidateReconcilerOptions{}, fetcher_);
  }
  void TearDown() override {
    reconciler_.reset();
    informer_->Stop();
    events_.Stop();
  }

  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  kube::Client client_{transport_};
  kube::FakeClock clock_;
  kube::EventRecorder events_{client_, kube::EventRecorderOptions{.clock = &clock_}};
  std::unique_ptr<kube::Informer> informer_;
  std::shared_ptr<testing::FakeFetcher> fetcher_ = std::make_shared<testing::FakeFetcher>();
  std::unique_ptr<CandidateReconciler> reconciler_;
  std::mutex mu_;
  std::vector<json> written_;
  bool conflict_ = false;
};

TEST_F(CandidateReconcilerTest, TheGateRunStartsOnlyAfterTheStatusSaysRunning) {
  ReconcileOutcome outcome = reconciler_->Reconcile("ns/fraud-v2");
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.requeue_after, kGatePollInterval);
  std::lock_guard lock(mu_);
  ASSERT_EQ(written_.size(), 1u);
  EXPECT_EQ(written_[0]["metadata"]["resourceVersion"], "5");  // optimistic concurrency
  EXPECT_EQ(written_[0]["status"]["phase"], "Evaluating");
  EXPECT_NE(reconciler_->pool().Check("uid-1/g1/OfflineEvaluation/a0").state, GatePool::State::kUnknown);
}

TEST_F(CandidateReconcilerTest, AConflictOnTheStatusWriteStartsNoRunAndIsRetried) {
  conflict_ = true;
  ReconcileOutcome outcome = reconciler_->Reconcile("ns/fraud-v2");
  EXPECT_FALSE(outcome.status.ok());
  EXPECT_EQ(outcome.status.code(), kube::StatusCode::kConflict);
  EXPECT_EQ(reconciler_->pool().Check("uid-1/g1/OfflineEvaluation/a0").state, GatePool::State::kUnknown);
}

TEST_F(CandidateReconcilerTest, ADeletedCandidateIsDone) {
  ReconcileOutcome outcome = reconciler_->Reconcile("ns/gone");
  EXPECT_TRUE(outcome.status.ok());
  EXPECT_FALSE(outcome.requeue_after.has_value());
}


// championSource: Registry (docs/registry.md): gate 3 compares with the candidate MLflow's champion
// alias names, looked up on the gate pool; a registry that cannot answer holds the gate.
class RegistryChampionReconcileTest : public ::testing::Test {
 protected:
  static json WithRegistry(json candidate) {
    candidate["spec"]["gates"] = json::parse(R"({"evaluation": {"dataset": {"uri": "file:///eval.csv"},
        "policy": {"global_metrics": {"auc_roc": {"min": 0.5}}}}})");
    candidate["spec"]["registry"] = {{"mlflow", {{"trackingUri", "http://mlflow:5000"}, {"registeredModel", "fraud"},
                                                  {"championSource", "Registry"}}}};
    return candidate;
  }
  void Start() {
    json champion = WithRegistry(Candidate());
    champion["metadata"]["name"] = "fraud-v1";
    champion["metadata"]["uid"] = "uid-0";
    champion["spec"]["version"] = "1";
    champion["status"] = {{"phase", "Ready"},
                          {"gates", {{{"name", "OfflineEvaluation"}, {"state", "Passed"},
                                      {"metrics", {{"auc_roc", {{"value", 0.75}}}}}}}}};
    transport_->Respond("GET", "/apis/modelgate.io/v1alpha1/namespaces/ns/modelcandidates",
                        {JsonResponse(200, {{"items", {WithRegistry(Candidate()), champion}},
                                            {"metadata", {{"resourceVersion", "5"}}}})});
    transport_->Respond("PUT", "/apis/modelgate.io/v1alpha1/namespaces/ns/modelcandidates/fraud-v2/status",
                        {JsonResponse(200, WithRegistry(Candidate()))});
    informer_ = std::make_unique<kube::Informer>(
        client_, kube::InformerOptions{.resource = kube::resources::ModelCandidates(), .ns = "ns"},
        kube::InformerHandlers{});
    informer_->Start();
    ASSERT_TRUE(informer_->WaitForSync(10s));
    fetcher_->uris["file:///eval.csv"] = "label,score\n0,0.1\n1,0.9\n0,0.2\n1,0.8\n";
    CandidateReconcilerOptions options;
    options.registry_factory = [this](const std::string& ns, const registry::MlflowSpec& spec)
        -> kube::Result<std::shared_ptr<registry::ModelRegistry>> {
      EXPECT_EQ(ns, "ns");
      EXPECT_EQ(spec.registered_model, "fraud");
      return std::shared_ptr<registry::ModelRegistry>(registry_);
    };
    reconciler_ = std::make_unique<CandidateReconciler>(client_, *informer_, events_, clock_, options, fetcher_);
  }
  // Reconciles once and waits (bounded) for the gate run's result.
  GateRunResult RunGate3() {
    EXPECT_TRUE(reconciler_->Reconcile("ns/fraud-v2").status.ok());
    for (int i = 0; i < 1000; ++i) {
      auto seen = reconciler_->pool().Check("uid-1/g1/OfflineEvaluation/a0");
      if (seen.state == GatePool::State::kDone) return *seen.result;
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "the gate run did not finish within 10 s";
    return {};
  }
  void TearDown() override {
    reconciler_.reset();
    if (informer_) informer_->Stop();
    events_.Stop();
  }

  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  kube::Client client_{transport_};
  kube::FakeClock clock_;
  kube::EventRecorder events_{client_, kube::EventRecorderOptions{.clock = &clock_}};
  std::unique_ptr<kube::Informer> informer_;
  std::shared_ptr<testing::FakeFetcher> fetcher_ = std::make_shared<testing::FakeFetcher>();
  std::shared_ptr<registry::fakes::FakeRegistry> registry_ = std::make_shared<registry::fakes::FakeRegistry>();
  std::unique_ptr<CandidateReconciler> reconciler_;
};

TEST_F(RegistryChampionReconcileTest, GateThreeAsksTheRegistryOnThePoolAndRunsWhenItAnswers) {
  registry_->aliases = {{"champion", "1"}};
  Start();
  const GateRunResult result = RunGate3();
  EXPECT_NE(result.kind, GateRunResult::Kind::kSourceUnavailable) << result.error;
  EXPECT_EQ(registry_->Count("GetRegisteredModel"), 1) << "the champion alias was read once, for this run";
  EXPECT_TRUE(registry_->writes().empty()) << "a gate only reads the registry";
}

TEST_F(RegistryChampionReconcileTest, AnUnreachableRegistryHoldsTheGateNamingIt) {
  registry_->outage = kube::Status(kube::StatusCode::kUnavailable, "connection refused");
  Start();
  const GateRunResult result = RunGate3();
  EXPECT_EQ(result.kind, GateRunResult::Kind::kSourceUnavailable) << "never judged against no champion";
  EXPECT_EQ(result.source, "spec.registry.mlflow.championSource");
  EXPECT_NE(result.error.find("MLflow http://mlflow:5000, registered model 'fraud'"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("connection refused"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace modelgate::controllers::candidate
