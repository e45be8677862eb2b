#include "operator/kube/client.h"

#include <deque>
#include <mutex>

#include <gtest/gtest.h>

namespace modelgate::kube {
namespace {

// A scripted Transport: records every request; Send() answers from a queue (default 200 "{}"),
// Stream() replays `stream_lines` then returns `stream_result`.
class FakeTransport : public Transport {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests.push_back(request);
    if (answers.empty()) return HttpResponse{200, {}, "{}"};
    Result<HttpResponse> next = answers.front();
    answers.pop_front();
    return next;
  }
  Status Stream(const HttpRequest& request, const std::function<bool(std::string_view)>& on_line,
                const std::atomic<bool>*) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests.push_back(request);
    }
    for (const std::string& line : stream_lines) {
      if (!on_line(line)) return Status::Ok();
    }
    return stream_result;
  }

  void Answer(int status, std::string body, std::map<std::string, std::string> headers = {}) {
    answers.push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }
  std::string Header(std::size_t i, const std::string& name) const {
    for (const auto& [k, v] : requests.at(i).headers) if (k == name) return v;
    return "";
  }

  std::mutex mu_;
  std::vector<HttpRequest> requests;
  std::deque<Result<HttpResponse>> answers;
  std::vector<std::string> stream_lines;
  Status stream_result;
};

class ClientTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  Client client{fake, "modelgate-test"};
};

const Resource kClusterScoped{"apiextensions.k8s.io", "v1", "customresourcedefinitions", false};

TEST(Resource, PathsForCoreGroupAndClusterScopedResources) {
  EXPECT_EQ(resources::ConfigMaps().ObjectPath("ns", "cm"), "/api/v1/namespaces/ns/configmaps/cm");
  EXPECT_EQ(resources::ModelRollouts().ObjectPath("ml", "r", "status"),
            "/apis/modelgate.io/v1alpha1/namespaces/ml/modelrollouts/r/status");
  EXPECT_EQ(resources::Deployments().CollectionPath(""), "/apis/apps/v1/deployments");
  EXPECT_EQ(kClusterScoped.ObjectPath("ignored", "x"),
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x");
}

TEST(UrlEncode, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(UrlEncode("app in (a,b)"), "app%20in%20%28a%2Cb%29");
  EXPECT_EQ(UrlEncode("a=b&c"), "a%3Db%26c");
  EXPECT_EQ(UrlEncode("Az09-_.~"), "Az09-_.~");
}

TEST_F(ClientTest, GetSendsAcceptAndUserAgent) {
  fake->Answer(200, R"({"metadata":{"name":"c"}})");
  Result<json> got = client.Get(resources::ModelCandidates(), "ml", "c");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ((*got)["metadata"]["name"], "c");
  ASSERT_EQ(fake->requests.size(), 1u);
  EXPECT_EQ(fake->requests[0].method, "GET");
  EXPECT_EQ(fake->requests[0].path, "/apis/modelgate.io/v1alpha1/namespaces/ml/modelcandidates/c");
  EXPECT_EQ(fake->Header(0, "Accept"), "application/json");
  EXPECT_EQ(fake->Header(0, "User-Agent"), "modelgate-test");
}

TEST_F(ClientTest, ListEncodesQueryParameters) {
  ASSERT_TRUE(client.List(resources::Jobs(), "ml",
                          {.label_selector = "app in (a,b)", .field_selector = "metadata.name=x",
                           .resource_version = "0", .limit = 50, .continue_token = "abc=="})
                  .ok());
  EXPECT_EQ(fake->requests[0].path,
            "/apis/batch/v1/namespaces/ml/jobs?labelSelector=app%20in%20%28a%2Cb%29"
            "&fieldSelector=metadata.name%3Dx&resourceVersion=0&limit=50&continue=abc%3D%3D");
}

TEST_F(ClientTest, PatchUsesTheContentTypeOfItsType) {
  const std::pair<PatchType, const char*> cases[] = {
      {PatchType::kMerge, "application/merge-patch+json"},
      {PatchType::kJson, "application/json-patch+json"},
      {PatchType::kStrategicMerge, "application/strategic-merge-patch+json"},
      {PatchType::kApply, "application/apply-patch+yaml"}};
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    ASSERT_TRUE(client.Patch(resources::Deployments(), "ml", "d", cases[i].first, json::object()).ok());
    EXPECT_EQ(fake->requests[i].method, "PATCH");
    EXPECT_EQ(fake->Header(i, "Content-Type"), cases[i].second);
  }
}

TEST_F(ClientTest, PatchStatusSubresource) {
  ASSERT_TRUE(client.Patch(resources::ModelRollouts(), "ml", "r", PatchType::kMerge,
                           {{"status", {{"phase", "Soaking"}}}}, {.subresource = "status"})
                  .ok());
  EXPECT_EQ(fake->requests[0].path, "/apis/modelgate.io/v1alpha1/namespaces/ml/modelrollouts/r/status");
  EXPECT_EQ(json::parse(fake->requests[0].body)["status"]["phase"], "Soaking");
}

TEST_F(ClientTest, ApplySendsFieldManagerAndForce) {
  const json object = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "cm"}}}};
  ASSERT_TRUE(client.Apply(resources::ConfigMaps(), "ml", object, "modelgate").ok());
  EXPECT_EQ(fake->requests[0].path, "/api/v1/namespaces/ml/configmaps/cm?fieldManager=modelgate&force=true");
  EXPECT_EQ(fake->Header(0, "Content-Type"), "application/apply-patch+yaml");
  EXPECT_EQ(json::parse(fake->requests[0].body), object);
}

TEST_F(ClientTest, CreatePostsToTheCollection) {
  ASSERT_TRUE(client.Create(resources::ConfigMaps(), "ml", {{"metadata", {{"name", "cm"}}}}).ok());
  EXPECT_EQ(fake->requests[0].method, "POST");
  EXPECT_EQ(fake->requests[0].path, "/api/v1/namespaces/ml/configmaps");
  EXPECT_EQ(fake->Header(0, "Content-Type"), "application/json");
}

TEST_F(ClientTest, UpdateStatusPutsToTheStatusSubresourceByName) {
  ASSERT_TRUE(client.UpdateStatus(resources::ModelCandidates(), "ml", {{"metadata", {{"name", "c"}}}}).ok());
  EXPECT_EQ(fake->requests[0].method, "PUT");
  EXPECT_EQ(fake->requests[0].path, "/apis/modelgate.io/v1alpha1/namespaces/ml/modelcandidates/c/status");
}

TEST_F(ClientTest, DeleteWithPropagationSendsDeleteOptions) {
  ASSERT_TRUE(client.Delete(resources::Jobs(), "ml", "j", DeletePropagation::kBackground).ok());
  EXPECT_EQ(fake->requests[0].method, "DELETE");
  EXPECT_EQ(json::parse(fake->requests[0].body)["propagationPolicy"], "Background");
}

TEST_F(ClientTest, DeleteOfAMissingObjectIsNotFound) {
  fake->Answer(404, R"({"kind":"Status","code":404,"reason":"NotFound","message":"gone"})");
  EXPECT_EQ(client.Delete(resources::Jobs(), "ml", "j").code(), StatusCode::kNotFound);
}

TEST_F(ClientTest, ConflictOnUpdateIsConflict) {
  fake->Answer(409, R"({"kind":"Status","code":409,"reason":"Conflict","message":"modified"})");
  EXPECT_EQ(client.Update(resources::ConfigMaps(), "ml", {{"metadata", {{"name", "cm"}}}}).status().code(),
            StatusCode::kConflict);
}

TEST_F(ClientTest, ThrottlingCarriesRetryAfterFromTheHeader) {
  fake->Answer(429, "", {{"retry-after", "4"}});
  Result<json> got = client.Get(resources::ConfigMaps(), "ml", "cm");
  EXPECT_EQ(got.status().code(), StatusCode::kTooManyRequests);
  EXPECT_EQ(got.status().retry_after(), std::chrono::seconds(4));
}

TEST_F(ClientTest, TransportFailurePassesThrough) {
  fake->answers.push_back(Status(StatusCode::kUnavailable, "connection refused"));
  EXPECT_EQ(client.Get(resources::ConfigMaps(), "ml", "cm").status().code(), StatusCode::kUnavailable);
}

TEST_F(ClientTest, SuccessWithANonJsonBodyIsInternal) {
  fake->Answer(200, "<html>");
  EXPECT_EQ(client.Get(resources::ConfigMaps(), "ml", "cm").status().code(), StatusCode::kInternal);
}

TEST_F(ClientTest, ListAllFollowsContinueTokensAndKeepsTheFirstResourceVersion) {
  fake->Answer(200, R"({"metadata":{"resourceVersion":"10","continue":"p2"},"items":[{"n":1}]})");
  fake->Answer(200, R"({"metadata":{"resourceVersion":"11","continue":"p3"},"items":[{"n":2}]})");
  fake->Answer(200, R"({"metadata":{"resourceVersion":"12"},"items":[{"n":3}]})");
  Result<json> all = client.ListAll(resources::ConfigMaps(), "ml", {.limit = 1});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ((*all)["items"].size(), 3u);
  EXPECT_EQ((*all)["items"][2]["n"], 3);
  EXPECT_EQ((*all)["metadata"]["resourceVersion"], "10");
  EXPECT_FALSE((*all)["metadata"].contains("continue"));
  ASSERT_EQ(fake->requests.size(), 3u);
  EXPECT_EQ(fake->requests[1].path, "/api/v1/namespaces/ml/configmaps?limit=1&continue=p2");
}

TEST_F(ClientTest, ListAllRestartsOnceWhenTheContinueTokenExpired) {
  fake->Answer(200, R"({"metadata":{"resourceVersion":"10","continue":"p2"},"items":[{"n":1}]})");
  fake->Answer(410, R"({"kind":"Status","code":410,"reason":"Expired","message":"expired"})");
  fake->Answer(200, R"({"metadata":{"resourceVersion":"20"},"items":[{"n":1},{"n":2}]})");
  Result<json> all = client.ListAll(resources::ConfigMaps(), "ml", {.limit = 1});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ((*all)["items"].size(), 2u);
  EXPECT_EQ((*all)["metadata"]["resourceVersion"], "20");
  EXPECT_EQ(fake->requests[2].path, "/api/v1/namespaces/ml/configmaps?limit=1");
}

TEST_F(ClientTest, ListAllGivesUpOnASecondExpiredContinueToken) {
  const std::string page = R"({"metadata":{"resourceVersion":"10","continue":"p2"},"items":[]})";
  const std::string gone = R"({"kind":"Status","code":410,"reason":"Expired"})";
  fake->Answer(200, page);
  fake->Answer(410, gone);
  fake->Answer(200, page);
  fake->Answer(410, gone);
  EXPECT_EQ(client.ListAll(resources::ConfigMaps(), "ml", {.limit = 1}).status().code(), StatusCode::kGone);
}

TEST_F(ClientTest, WatchBuildsTheWatchQuery) {
  ASSERT_TRUE(client.Watch(resources::ModelRollouts(), "", {.label_selector = "a=b", .resource_version = "42",
                                                           .timeout_seconds = 321},
                           [](std::string_view, const json&) { return true; }, nullptr)
                  .ok());
  EXPECT_EQ(fake->requests[0].path,
            "/apis/modelgate.io/v1alpha1/modelrollouts?watch=true&labelSelector=a%3Db&resourceVersion=42"
            "&allowWatchBookmarks=true&timeoutSeconds=321");
  EXPECT_GT(fake->requests[0].timeout, std::chrono::seconds(321));
}

TEST_F(ClientTest, WatchDeliversEventsInOrderAndSkipsBlankLines) {
  fake->stream_lines = {R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})", "",
                        R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"7"}}})",
                        R"({"type":"ERROR","object":{"kind":"Status","code":410}})"};
  std::vector<std::string> seen;
  Status s = client.Watch(resources::ConfigMaps(), "ml", {},
                          [&](std::string_view type, const json& object) {
                            seen.push_back(std::string(type));
                            if (type == "ERROR") {
                              EXPECT_EQ(object["code"], 410);
                            }
                            return true;
                          },
                          nullptr);
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED", "BOOKMARK", "ERROR"}));
}

TEST_F(ClientTest, WatchStopsWhenTheHandlerReturnsFalse) {
  fake->stream_lines = {R"({"type":"ADDED","object":{}})", R"({"type":"ADDED","object":{}})"};
  int events = 0;
  EXPECT_TRUE(client.Watch(resources::ConfigMaps(), "ml", {},
                           [&](std::string_view, const json&) { return ++events < 1; }, nullptr)
                  .ok());
  EXPECT_EQ(events, 1);
}

TEST_F(ClientTest, WatchLineThatIsNotJsonEndsTheWatchWithInternal) {
  fake->stream_lines = {R"({"type":"ADDED","object":{}})", "{truncated", R"({"type":"ADDED","object":{}})"};
  int events = 0;
  Status s = client.Watch(resources::ConfigMaps(), "ml", {},
                          [&](std::string_view, const json&) { return ++events, true; }, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(events, 1);
}

TEST_F(ClientTest, WatchTransportErrorIsReturned) {
  fake->stream_result = Status(StatusCode::kGone, "too old");
  EXPECT_EQ(client.Watch(resources::ConfigMaps(), "ml", {}, [](std::string_view, const json&) { return true; },
                         nullptr)
                .code(),
            StatusCode::kGone);
}

}  // namespace
}  // namespace modelgate::kube
