#include "controllers/candidate/candidate_reconciler.h"

#include <gtest/gtest.h>

#include <mutex>

#include "controllers/candidate/candidate_decision.h"
#include "tests/controllers/candidate/test_inputs.h"
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

}  // namespace
}  // namespace modelgate::controllers::candidate
