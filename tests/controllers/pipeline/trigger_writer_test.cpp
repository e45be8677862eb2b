// Tests of controllers/pipeline/trigger_writer.h against a fake API server that checks
// resourceVersion preconditions: triggers racing on one pipeline (two threads, like two webhook
// threads or two replicas) never get the same version, and a conflict re-plans instead of failing.
#include "controllers/pipeline/trigger_writer.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "operator/kube/event_recorder.h"
#include "tests/controllers/traffic/fake_object_server.h"

namespace modelgate::controllers::pipeline {
namespace {

using nlohmann::json;
using traffic::testing::FakeObjectServer;
using traffic::testing::JsonResponse;

class TriggerWriterTest : public ::testing::Test {
 protected:
  TriggerWriterTest()
      : informer_(server_.client(), {.resource = kube::resources::ModelCandidates(), .ns = "ml"}, {}),
        events_(server_.client()) {
    server_.Put(kube::resources::ModelPipelines(),
                {{"apiVersion", "modelgate.io/v1alpha1"},
                 {"kind", "ModelPipeline"},
                 {"metadata", {{"name", "fraud"}, {"namespace", "ml"}, {"generation", 1}}},
                 {"spec",
                  {{"model", "fraud"},
                   {"concurrencyPolicy", "Allow"},
                   {"candidateTemplate", {{"artifact", {{"uri", "s3://m/{{version}}/"}}}}}}}});
    // Candidates are created through POST; the names are recorded.
    server_.transport().Handle("POST", kube::resources::ModelCandidates().CollectionPath("ml"),
                               [this](const kube::HttpRequest& request) {
                                 std::lock_guard lock(mu_);
                                 const json body = json::parse(request.body);
                                 created_.push_back(body["metadata"]["name"].get<std::string>());
                                 return kube::Result<kube::HttpResponse>(JsonResponse(201, body));
                               });
  }
  ~TriggerWriterTest() override { events_.Stop(); }

  TriggerRequest Manual(int i) {
    TriggerRequest request;
    request.type = "Manual";
    request.request_id = "req-" + std::to_string(i);
    request.reason = "test " + std::to_string(i);
    return request;
  }

  FakeObjectServer server_;
  kube::Informer informer_;  // never started: the namespace has no candidates yet
  kube::EventRecorder events_;
  kube::FakeClock clock_;
  std::mutex mu_;
  std::vector<std::string> created_;
};

TEST_F(TriggerWriterTest, AConflictRereadsAndReplansInsteadOfFailing) {
  TriggerWriter writer(server_.client(), informer_, events_, clock_);
  server_.ConflictNext(2);  // another writer changed the pipeline twice in between
  const TriggerOutcome outcome = writer.Trigger("ml", "fraud", Manual(1));
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.result, TriggerResult::kCreated);
  EXPECT_EQ(outcome.candidate, "fraud-v1");
  EXPECT_EQ(created_, std::vector<std::string>{"fraud-v1"});
  const json stored = server_.Get(kube::resources::ModelPipelines(), "ml", "fraud");
  EXPECT_EQ(stored["status"]["lastVersion"], 1);
  EXPECT_EQ(stored["status"]["lastTriggerRequest"], "req-1");
}

TEST_F(TriggerWriterTest, TriggersRacingOnOnePipelineNeverShareAVersion) {
  TriggerWriter writer(server_.client(), informer_, events_, clock_);
  constexpr int kPerThread = 8;
  std::vector<std::thread> threads;
  std::vector<TriggerOutcome> outcomes(2 * kPerThread);
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        outcomes[t * kPerThread + i] = writer.Trigger("ml", "fraud", Manual(t * kPerThread + i));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> names;
  for (const TriggerOutcome& o : outcomes) {
    ASSERT_TRUE(o.status.ok()) << o.status.ToString();
    ASSERT_EQ(o.result, TriggerResult::kCreated);
    names.insert(o.candidate);
  }
  EXPECT_EQ(names.size(), 2u * kPerThread);  // every trigger its own version
  EXPECT_EQ(created_.size(), 2u * kPerThread);
  const json stored = server_.Get(kube::resources::ModelPipelines(), "ml", "fraud");
  EXPECT_EQ(stored["status"]["lastVersion"], 2 * kPerThread);
  EXPECT_EQ(stored["status"]["pending"].size(), 2u * kPerThread);  // until the reconciler sees them
}

TEST_F(TriggerWriterTest, TheSameRequestIdIsActedOnOnce) {
  TriggerWriter writer(server_.client(), informer_, events_, clock_);
  ASSERT_EQ(writer.Trigger("ml", "fraud", Manual(7)).result, TriggerResult::kCreated);
  const TriggerOutcome again = writer.Trigger("ml", "fraud", Manual(7));
  EXPECT_EQ(again.result, TriggerResult::kAlreadyHandled);
  EXPECT_EQ(created_.size(), 1u);
}

TEST_F(TriggerWriterTest, AMissingPipelineIsNotFoundAndCreatesNothing) {
  TriggerWriter writer(server_.client(), informer_, events_, clock_);
  const TriggerOutcome outcome = writer.Trigger("ml", "nope", Manual(1));
  EXPECT_EQ(outcome.status.code(), kube::StatusCode::kNotFound);
  EXPECT_TRUE(created_.empty());
}

}  // namespace
}  // namespace modelgate::controllers::pipeline
