#include "operator/kube/event_recorder.h"

#include "operator/kube/time_format.h"

#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "tests/operator/kube/fake_transport.h"

namespace modelgate::kube {
namespace {

using std::chrono::seconds;
using testing::FakeTransport;
using testing::JsonResponse;

constexpr const char* kEvents = "/apis/events.k8s.io/v1/namespaces/team-a/events";

json Rollout(const std::string& name = "fraud-detector", const std::string& uid = "uid-1") {
  return {{"apiVersion", "modelgate.io/v1alpha1"},
          {"kind", "ModelRollout"},
          {"metadata", {{"name", name}, {"namespace", "team-a"}, {"uid", uid},
                        {"resourceVersion", "42"}}},
          {"spec", {{"candidateRef", {{"name", "fraud-detector-v7"}}}}}};
}

class EventRecorderTest : public ::testing::Test {
 protected:
  EventRecorderTest() : transport_(std::make_shared<FakeTransport>()), client_(transport_) {
    // The API server echoes what it was sent.
    transport_->Handle("POST", kEvents, [](const HttpRequest& r) -> Result<HttpResponse> {
      return JsonResponse(201, json::parse(r.body));
    });
    transport_->Handle("PATCH", kEvents, [](const HttpRequest& r) -> Result<HttpResponse> {
      return JsonResponse(200, json::parse(r.body));
    });
  }

  std::vector<HttpRequest> Sent(const std::string& method) const {
    return transport_->SentMatching(method, kEvents);
  }

  FakeClock clock_;
  std::shared_ptr<FakeTransport> transport_;
  Client client_;
};

TEST_F(EventRecorderTest, CreatesAnEventsV1EventAboutTheObject) {
  EventRecorder recorder(client_, {.reporting_instance = "modelgate-0", .clock = &clock_});
  ASSERT_TRUE(recorder.Record(Rollout(), EventType::kWarning, "CanaryAnalysisFailed", "Analyze",
                              "error rate 4.2% > 1%"));
  ASSERT_TRUE(recorder.Flush(seconds(10)));
  const auto posts = Sent("POST");
  ASSERT_EQ(posts.size(), 1u);
  const json event = json::parse(posts[0].body);
  EXPECT_EQ(event["apiVersion"], "events.k8s.io/v1");
  EXPECT_TRUE(std::regex_match(event["metadata"]["name"].get<std::string>(),
                               std::regex(R"(fraud-detector\.[0-9a-f]+)")));
  EXPECT_EQ(event["metadata"]["namespace"], "team-a");
  EXPECT_EQ(event["type"], "Warning");
  EXPECT_EQ(event["reason"], "CanaryAnalysisFailed");
  EXPECT_EQ(event["action"], "Analyze");
  EXPECT_EQ(event["note"], "error rate 4.2% > 1%");
  EXPECT_EQ(event["reportingController"], "modelgate.io/operator");
  EXPECT_EQ(event["reportingInstance"], "modelgate-0");
  EXPECT_EQ(event["eventTime"], FormatMicroTime(clock_.Now()));
  EXPECT_EQ(event["regarding"],
            (json{{"apiVersion", "modelgate.io/v1alpha1"}, {"kind", "ModelRollout"},
                  {"name", "fraud-detector"}, {"namespace", "team-a"}, {"uid", "uid-1"},
                  {"resourceVersion", "42"}}));
  EXPECT_FALSE(event.contains("series"));
}

TEST_F(EventRecorderTest, RepeatsWithinTheWindowUpdateTheSeriesInsteadOfCreating) {
  EventRecorder recorder(client_, {.clock = &clock_});
  recorder.Record(Rollout(), EventType::kNormal, "CanaryStepAdvanced", "Advance", "weight 10");
  clock_.Advance(seconds(30));
  recorder.Record(Rollout(), EventType::kNormal, "CanaryStepAdvanced", "Advance", "weight 10");
  clock_.Advance(seconds(30));
  recorder.Record(Rollout(), EventType::kNormal, "CanaryStepAdvanced", "Advance", "weight 10");
  ASSERT_TRUE(recorder.Flush(seconds(10)));

  const auto posts = Sent("POST");
  const auto patches = Sent("PATCH");
  ASSERT_EQ(posts.size(), 1u);
  ASSERT_EQ(patches.size(), 2u);
  const std::string name = json::parse(posts[0].body)["metadata"]["name"];
  EXPECT_EQ(patches[1].path, std::string(kEvents) + "/" + name);
  const json last = json::parse(patches[1].body);
  EXPECT_EQ(last["series"]["count"], 3);
  EXPECT_EQ(last["series"]["lastObservedTime"], FormatMicroTime(clock_.Now()));
  EXPECT_EQ(json::parse(patches[0].body)["series"]["count"], 2);
}

TEST_F(EventRecorderTest, DifferentNoteOrObjectIsANewEvent) {
  EventRecorder recorder(client_, {.clock = &clock_});
  recorder.Record(Rollout(), EventType::kNormal, "CanaryStepAdvanced", "Advance", "weight 10");
  recorder.Record(Rollout(), EventType::kNormal, "CanaryStepAdvanced", "Advance", "weight 20");
  recorder.Record(Rollout("other", "uid-2"), EventType::kNormal, "CanaryStepAdvanced", "Advance",
                  "weight 10");
  ASSERT_TRUE(recorder.Flush(seconds(10)));
  const auto posts = Sent("POST");
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_NE(json::parse(posts[0].body)["metadata"]["name"],
            json::parse(posts[1].body)["metadata"]["name"]);  // unique with a frozen clock
  EXPECT_TRUE(Sent("PATCH").empty());
}

TEST_F(EventRecorderTest, RepeatAfterTheWindowStartsANewEvent) {
  EventRecorder recorder(client_, {.clock = &clock_});
  recorder.Record(Rollout(), EventType::kNormal, "Promoted", "Promote", "v7 serves 100%");
  ASSERT_TRUE(recorder.Flush(seconds(10)));
  clock_.Advance(std::chrono::minutes(7));
  recorder.Record(Rollout(), EventType::kNormal, "Promoted", "Promote", "v7 serves 100%");
  ASSERT_TRUE(recorder.Flush(seconds(10)));
  EXPECT_EQ(Sent("POST").size(), 2u);
  EXPECT_TRUE(Sent("PATCH").empty());
}

TEST_F(EventRecorderTest, SeriesOfADeletedEventStartsOver) {
  auto transport = std::make_shared<FakeTransport>();
  transport->Respond("POST", kEvents, {JsonResponse(201, json::object())});
  transport->Respond("PATCH", kEvents, {testing::ErrorResponse(404, "NotFound")});
  Client client(transport);
  EventRecorder recorder(client, {.clock = &clock_});
  recorder.Record(Rollout(), EventType::kNormal, "Promoted", "Promote", "done");
  recorder.Record(Rollout(), EventType::kNormal, "Promoted", "Promote", "done");
  ASSERT_TRUE(recorder.Flush(seconds(10)));
  EXPECT_EQ(transport->SentMatching("POST", kEvents).size(), 2u);
  EXPECT_EQ(transport->SentMatching("PATCH", kEvents).size(), 1u);
}

TEST_F(EventRecorderTest, RecordNeverBlocksWhenTheApiServerIsSlow) {
  // The API server hangs on every write until the test lets it go.
  auto transport = std::make_shared<FakeTransport>();
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  transport->Handle("POST", kEvents, [&](const HttpRequest& r) -> Result<HttpResponse> {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return released; });
    return JsonResponse(201, json::parse(r.body));
  });
  Client client(transport);
  EventRecorder recorder(client, {.queue_capacity = 10, .clock = &clock_});

  auto recording = std::async(std::launch::async, [&] {
    int queued = 0;
    for (int i = 0; i < 100; ++i) {
      queued += recorder.Record(Rollout(), EventType::kNormal, "Reason" + std::to_string(i),
                                "Act", "note") ? 1 : 0;
    }
    return queued;
  });
  ASSERT_EQ(recording.wait_for(seconds(10)), std::future_status::ready);
  const int queued = recording.get();
  EXPECT_LE(queued, 11);  // the queue plus at most the one write in flight
  EXPECT_EQ(recorder.dropped(), static_cast<uint64_t>(100 - queued));

  {
    std::lock_guard lock(mu);
    released = true;
  }
  cv.notify_all();
  ASSERT_TRUE(recorder.Flush(seconds(10)));
  EXPECT_EQ(transport->SentMatching("POST", kEvents).size(), static_cast<size_t>(queued));
}

TEST_F(EventRecorderTest, NoteIsCutToOneKilobyteOfValidUtf8) {
  EventRecorder recorder(client_, {.clock = &clock_});
  std::string note = "bad byte \xff here ";
  for (int i = 0; i < 1000; ++i) note += "\xc3\xa9";  // "é", two bytes each
  ASSERT_TRUE(recorder.Record(Rollout(), EventType::kNormal, "Rejected", "", note));
  ASSERT_TRUE(recorder.Flush(seconds(10)));
  const auto posts = Sent("POST");
  ASSERT_EQ(posts.size(), 1u);
  const json event = json::parse(posts[0].body);  // parses: the body is valid UTF-8
  const std::string sent_note = event["note"];
  EXPECT_LE(sent_note.size(), 1024u);
  EXPECT_TRUE(sent_note.starts_with("bad byte \xef\xbf\xbd here "));  // U+FFFD
  EXPECT_NO_THROW((void)json(sent_note).dump());
  EXPECT_EQ(event["action"], "Rejected");  // an empty action falls back to the reason
}

TEST_F(EventRecorderTest, ObjectWithoutNameIsNotRecorded) {
  EventRecorder recorder(client_, {.clock = &clock_});
  EXPECT_FALSE(recorder.Record(json::object(), EventType::kNormal, "X", "Y", "z"));
}

}  // namespace
}  // namespace modelgate::kube
