#include "operator/kube/informer.h"

#include <algorithm>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/operator/kube/fake_transport.h"

namespace modelgate::kube {
namespace {

using std::chrono::milliseconds;
using testing::Eventually;
using testing::FakeTransport;
using testing::JsonResponse;
using testing::WatchLine;
using testing::WatchScript;

constexpr const char* kListPath = "/api/v1/namespaces/default/configmaps?limit=";
constexpr const char* kWatchPath = "/api/v1/namespaces/default/configmaps?watch=true";

json ConfigMap(const std::string& name, const std::string& rv) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"resourceVersion", rv},
                        {"uid", "uid-" + name}}}};
}

HttpResponse ListOf(const std::string& rv, const std::vector<json>& items) {
  json list = {{"apiVersion", "v1"}, {"kind", "ConfigMapList"},
               {"metadata", {{"resourceVersion", rv}}}, {"items", json::array()}};
  for (json item : items) {
    item.erase("apiVersion");
    item.erase("kind");
    list["items"].push_back(item);
  }
  return JsonResponse(200, list);
}

// Records handler calls as "add:default/a", "update:default/a", "delete:default/a".
class Calls {
 public:
  InformerHandlers Handlers() {
    return {.on_add = [this](const json& o) { Push("add:" + Informer::KeyOf(o)); },
            .on_update = [this](const json&, const json& o) { Push("update:" + Informer::KeyOf(o)); },
            .on_delete = [this](const json& o) { Push("delete:" + Informer::KeyOf(o)); }};
  }
  bool Has(const std::string& call) const {
    std::lock_guard lock(mu_);
    return std::find(calls_.begin(), calls_.end(), call) != calls_.end();
  }
  size_t Count(const std::string& call) const {
    std::lock_guard lock(mu_);
    return static_cast<size_t>(std::count(calls_.begin(), calls_.end(), call));
  }

 private:
  void Push(std::string call) {
    std::lock_guard lock(mu_);
    calls_.push_back(std::move(call));
  }
  mutable std::mutex mu_;
  std::vector<std::string> calls_;
};

class InformerTest : public ::testing::Test {
 protected:
  InformerTest() : transport_(std::make_shared<FakeTransport>()), client_(transport_) {}

  std::unique_ptr<Informer> Make() {
    // Real clock, tiny backoffs: retries happen at once and Stop() interrupts any wait.
    return std::make_unique<Informer>(
        client_,
        InformerOptions{.resource = resources::ConfigMaps(), .ns = "default",
                        .initial_backoff = milliseconds(1), .max_backoff = milliseconds(5)},
        calls_.Handlers());
  }

  size_t Lists() const { return transport_->SentMatching("GET", kListPath).size(); }
  std::vector<HttpRequest> Watches() const { return transport_->streams(); }
  bool WatchCountAtLeast(size_t n) const { return Watches().size() >= n; }

  std::shared_ptr<FakeTransport> transport_;
  Client client_;
  Calls calls_;
};

TEST_F(InformerTest, InitialListFillsTheCacheAndDeliversAdds) {
  transport_->Respond("GET", kListPath, {ListOf("10", {ConfigMap("a", "5"), ConfigMap("b", "6")})});
  auto informer = Make();
  EXPECT_FALSE(informer->HasSynced());
  informer->Start();
  ASSERT_TRUE(informer->WaitForSync(std::chrono::seconds(10)));
  ASSERT_TRUE(Eventually([&] { return calls_.Has("add:default/a") && calls_.Has("add:default/b"); }));
  ASSERT_NE(informer->Get("default", "a"), nullptr);
  EXPECT_EQ((*informer->Get("default/a"))["kind"], "ConfigMap");  // filled in from the list kind
  EXPECT_EQ(informer->List().size(), 2u);
  EXPECT_EQ(informer->Get("default/zzz"), nullptr);
  ASSERT_TRUE(transport_->WaitFor([&] { return WatchCountAtLeast(1); }));
  EXPECT_NE(Watches()[0].path.find("resourceVersion=10"), std::string::npos);
  EXPECT_NE(Watches()[0].path.find("allowWatchBookmarks=true"), std::string::npos);
}

TEST_F(InformerTest, WatchEventsUpdateTheCacheAndCallHandlers) {
  transport_->Respond("GET", kListPath, {ListOf("10", {ConfigMap("a", "5"), ConfigMap("b", "6")})});
  transport_->AddWatch({.lines = {WatchLine("ADDED", ConfigMap("c", "11")),
                                  WatchLine("MODIFIED", ConfigMap("a", "12")),
                                  WatchLine("DELETED", ConfigMap("b", "13"))},
                        .end = WatchScript::End::kBlock});
  auto informer = Make();
  informer->Start();
  ASSERT_TRUE(Eventually([&] { return calls_.Has("delete:default/b"); }));
  EXPECT_TRUE(calls_.Has("add:default/c"));
  EXPECT_TRUE(calls_.Has("update:default/a"));
  EXPECT_EQ(informer->Get("default/b"), nullptr);
  EXPECT_EQ((*informer->Get("default/a"))["metadata"]["resourceVersion"], "12");
  EXPECT_EQ(informer->LastSyncResourceVersion(), "13");
}

TEST_F(InformerTest, BookmarkAdvancesTheResourceVersionOfTheNextWatch) {
  transport_->Respond("GET", kListPath, {ListOf("10", {ConfigMap("a", "5")})});
  transport_->AddWatch({.lines = {WatchLine("BOOKMARK", {{"kind", "ConfigMap"},
                                                        {"metadata", {{"resourceVersion", "20"}}}})},
                        .end = WatchScript::End::kClean});
  auto informer = Make();
  informer->Start();
  ASSERT_TRUE(transport_->WaitFor([&] { return WatchCountAtLeast(2); }));
  EXPECT_NE(Watches()[1].path.find("resourceVersion=20"), std::string::npos) << Watches()[1].path;
  EXPECT_EQ(Lists(), 1u);  // a clean end re-watches without relisting
  EXPECT_EQ(informer->List().size(), 1u);
}

TEST_F(InformerTest, HttpGoneRelistsAndTheDiffDeliversDeletes) {
  transport_->Respond("GET", kListPath,
                      {ListOf("10", {ConfigMap("a", "5"), ConfigMap("b", "6")}),
                       ListOf("30", {ConfigMap("a", "25"), ConfigMap("c", "26")})});
  transport_->AddWatch({.end = WatchScript::End::kHttpError, .http_status = 410});
  auto informer = Make();
  informer->Start();
  ASSERT_TRUE(Eventually([&] { return calls_.Has("delete:default/b"); }));
  EXPECT_TRUE(calls_.Has("update:default/a"));
  EXPECT_TRUE(calls_.Has("add:default/c"));
  EXPECT_EQ(Lists(), 2u);
  EXPECT_EQ(informer->Get("default/b"), nullptr);
  ASSERT_TRUE(transport_->WaitFor([&] { return WatchCountAtLeast(2); }));
  EXPECT_NE(Watches()[1].path.find("resourceVersion=30"), std::string::npos);
}

TEST_F(InformerTest, ErrorEventWithCode410InsideTheStreamRelists) {
  transport_->Respond("GET", kListPath,
                      {ListOf("10", {ConfigMap("a", "5")}), ListOf("40", {ConfigMap("a", "5")})});
  transport_->AddWatch(
      {.lines = {WatchLine("ERROR", {{"kind", "Status"}, {"apiVersion", "v1"},
                                     {"status", "Failure"}, {"code", 410}, {"reason", "Expired"},
                                     {"message", "too old resource version: 10 (35)"}})},
       .end = WatchScript::End::kClean});
  auto informer = Make();
  informer->Start();
  ASSERT_TRUE(transport_->WaitFor([&] { return Lists() == 2 && WatchCountAtLeast(2); }));
  EXPECT_NE(Watches()[1].path.find("resourceVersion=40"), std::string::npos);
  EXPECT_EQ(calls_.Count("add:default/a"), 1u);  // unchanged object: no second notification
  EXPECT_EQ(calls_.Count("update:default/a"), 0u);
}

TEST_F(InformerTest, DroppedConnectionRewatchesFromTheLastResourceVersion) {
  transport_->Respond("GET", kListPath, {ListOf("10", {})});
  transport_->AddWatch({.lines = {WatchLine("ADDED", ConfigMap("a", "15"))},
                        .end = WatchScript::End::kDrop});
  auto informer = Make();
  informer->Start();
  ASSERT_TRUE(transport_->WaitFor([&] { return WatchCountAtLeast(2); }));
  EXPECT_NE(Watches()[1].path.find("resourceVersion=15"), std::string::npos) << Watches()[1].path;
  EXPECT_EQ(Lists(), 1u);
  EXPECT_NE(informer->Get("default/a"), nullptr);
}

TEST_F(InformerTest, FailedListIsRetriedWithBackoff) {
  transport_->Respond("GET", kListPath,
                      {testing::ErrorResponse(503, "ServiceUnavailable"), ListOf("10", {ConfigMap("a", "1")})});
  auto informer = Make();
  informer->Start();
  ASSERT_TRUE(informer->WaitForSync(std::chrono::seconds(10)));
  EXPECT_EQ(Lists(), 2u);
  EXPECT_NE(informer->Get("default/a"), nullptr);
}

TEST_F(InformerTest, StopReturnsWhileAWatchIsOpen) {
  transport_->Respond("GET", kListPath, {ListOf("10", {})});
  auto informer = Make();
  informer->Start();
  ASSERT_TRUE(transport_->WaitFor([&] { return WatchCountAtLeast(1); }));
  auto stopped = std::async(std::launch::async, [&] { informer->Stop(); });
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST_F(InformerTest, StopInterruptsABackoffWaitOnAFakeClock) {
  // The API server is down; with a FakeClock nobody advances, the informer sits in its backoff.
  FakeClock clock;
  transport_->Respond("GET", kListPath, {testing::ErrorResponse(503, "ServiceUnavailable")});
  Informer informer(client_,
                    {.resource = resources::ConfigMaps(), .ns = "default", .clock = &clock},
                    calls_.Handlers());
  informer.Start();
  ASSERT_TRUE(transport_->WaitFor([&] { return Lists() >= 1; }));
  auto stopped = std::async(std::launch::async, [&] { informer.Stop(); });
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_FALSE(informer.HasSynced());
}

}  // namespace
}  // namespace modelgate::kube
