#include "controllers/rollout/rollout_reconciler.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "controllers/rollout/analysis_status.h"
#include "tests/controllers/rollout/rollout_world.h"
#include "tests/operator/kube/fake_transport.h"

namespace modelgate::controllers::rollout {
namespace {

using kube::testing::ErrorResponse;
using kube::testing::FakeTransport;
using kube::testing::JsonResponse;
using nlohmann::json;

// An in-memory API server: objects by path, resourceVersion checks on PUT, an ordered log of
// writes ("PUT deployments/fraud", "DELETE services/fraud-canary", "ROUTE 0/0", ...).
class FakeApi {
 public:
  explicit FakeApi(FakeTransport& transport) {
    transport.Handle("GET", "/", [this](const kube::HttpRequest& r) { return Get(r); });
    transport.Handle("PUT", "/", [this](const kube::HttpRequest& r) { return Put(r); });
    transport.Handle("POST", "/", [this](const kube::HttpRequest& r) { return Post(r); });
    transport.Handle("DELETE", "/", [this](const kube::HttpRequest& r) { return Delete(r); });
  }
  void Put(const std::string& path, json object) {
    std::lock_guard lock(mu_);
    object["metadata"]["resourceVersion"] = std::to_string(++version_);
    objects_[path] = std::move(object);
  }
  json Object(const std::string& path) {
    std::lock_guard lock(mu_);
    return objects_.count(path) ? objects_[path] : json();
  }
  void Log(const std::string& entry) {
    std::lock_guard lock(mu_);
    log_.push_back(entry);
  }
  std::vector<std::string> log() {
    std::lock_guard lock(mu_);
    return log_;
  }
  // The objects stored under `prefix` (e.g. every Event of the namespace).
  std::vector<json> ObjectsUnder(const std::string& prefix) {
    std::lock_guard lock(mu_);
    std::vector<json> out;
    for (const auto& [p, o] : objects_) {
      if (p.rfind(prefix, 0) == 0) out.push_back(o);
    }
    return out;
  }
  int conflicts_to_inject = 0;
  std::string conflicts_on = "modelrollouts";  // objects whose paths contain this get the conflicts

 private:
  static std::string Path(const kube::HttpRequest& r) { return r.path.substr(0, r.path.find('?')); }
  static std::string Short(const std::string& path) {  // ".../deployments/fraud" -> "deployments/fraud"
    const auto last = path.rfind('/');
    const auto before = path.rfind('/', last - 1);
    return path.substr(before + 1);
  }
  kube::Result<kube::HttpResponse> Get(const kube::HttpRequest& r) {
    std::lock_guard lock(mu_);
    const std::string path = Path(r);
    if (objects_.count(path)) return JsonResponse(200, objects_[path]);
    json items = json::array();
    for (const auto& [p, o] : objects_) {
      if (p.rfind(path + "/", 0) == 0 && p.find('/', path.size() + 1) == std::string::npos) items.push_back(o);
    }
    if (!items.empty() || path.ends_with("modelcandidates")) {
      return JsonResponse(200, {{"items", items}, {"metadata", {{"resourceVersion", "1"}}}});
    }
    return ErrorResponse(404, "NotFound");
  }
  kube::Result<kube::HttpResponse> Put(const kube::HttpRequest& r) {
    std::lock_guard lock(mu_);
    std::string path = Path(r);
    const bool status = path.ends_with("/status");
    if (status) path.resize(path.size() - 7);
    if (!objects_.count(path)) return ErrorResponse(404, "NotFound");
    json body = json::parse(r.body);
    if (conflicts_to_inject > 0 && path.find(conflicts_on) != std::string::npos) {
      --conflicts_to_inject;
      ++version_;
      objects_[path]["metadata"]["resourceVersion"] = std::to_string(version_);
      return ErrorResponse(409, "Conflict");
    }
    if (body["metadata"].value("resourceVersion", "") != objects_[path]["metadata"].value("resourceVersion", "")) {
      return ErrorResponse(409, "Conflict");
    }
    json& stored = objects_[path];
    if (status) stored["status"] = body["status"];
    else {
      body["status"] = stored.value("status", json::object());
      stored = body;
    }
    stored["metadata"]["resourceVersion"] = std::to_string(++version_);
    log_.push_back(std::string("PUT ") + Short(path) + (status ? "/status" : ""));
    if (status && path.find("modelrollouts") != std::string::npos) log_.back() += " " + stored["status"].value("phase", "");
    return JsonResponse(200, stored);
  }
  kube::Result<kube::HttpResponse> Post(const kube::HttpRequest& r) {
    std::lock_guard lock(mu_);
    json body = json::parse(r.body);
    const std::string path = Path(r) + "/" + body["metadata"].value("name", "");
    if (objects_.count(path)) return ErrorResponse(409, "AlreadyExists");
    body["metadata"]["resourceVersion"] = std::to_string(++version_);
    body["metadata"]["generation"] = 1;
    objects_[path] = body;
    log_.push_back("POST " + Short(path));
    return JsonResponse(201, body);
  }
  kube::Result<kube::HttpResponse> Delete(const kube::HttpRequest& r) {
    std::lock_guard lock(mu_);
    const std::string path = Path(r);
    if (!objects_.erase(path)) return ErrorResponse(404, "NotFound");
    log_.push_back("DELETE " + Short(path));
    return JsonResponse(200, json::object());
  }

  std::mutex mu_;
  std::map<std::string, json> objects_;
  std::vector<std::string> log_;
  long long version_ = 0;
};

class FakeRouter final : public traffic::TrafficRouter {
 public:
  FakeRouter(FakeApi& api, traffic::TrafficSplit& split) : api_(api), split_(split) {}
  std::string kind() const override { return "gatewayAPI"; }
  bool SupportsMirroring() const override { return true; }
  kube::Status Apply(const traffic::RouteTarget&, const traffic::TrafficSplit& split) const override {
    split_ = split;
    api_.Log("ROUTE " + std::to_string(split.canary_weight) + "/" + std::to_string(split.mirror_percent));
    return kube::Status::Ok();
  }
  kube::Result<traffic::TrafficSplit> Observe(const traffic::RouteTarget&) const override { return split_; }

 private:
  FakeApi& api_;
  traffic::TrafficSplit& split_;
};

constexpr const char* kRollouts = "/apis/modelgate.io/v1alpha1/namespaces/ml/modelrollouts/";
constexpr const char* kCandidates = "/apis/modelgate.io/v1alpha1/namespaces/ml/modelcandidates/";
constexpr const char* kDeployments = "/apis/apps/v1/namespaces/ml/deployments/";
constexpr const char* kServices = "/api/v1/namespaces/ml/services/";

json ReadyDeployment(const std::string& name, const std::string& image) {
  return {{"metadata", {{"name", name}, {"namespace", "ml"}, {"generation", 1}}},
          {"spec",
           {{"replicas", 2},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec", {{"containers", json::array({{{"name", "server"}, {"image", image}}})}}}}}}},
          {"status", {{"observedGeneration", 1}, {"replicas", 2}, {"updatedReplicas", 2}, {"readyReplicas", 2},
                      {"availableReplicas", 2}}}};
}

json Candidate(const std::string& name, const std::string& version, const std::string& phase,
               const std::string& stage) {
  return {{"metadata", {{"name", name}, {"namespace", "ml"}}},
          {"spec", {{"model", "fraud"}, {"version", version}, {"artifact", {{"image", "img:" + version}}}}},
          {"status", {{"phase", phase}, {"stage", stage}}}};
}

class RolloutReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api.Put(std::string(kDeployments) + "fraud", ReadyDeployment("fraud", "img:1"));
    api.Put(std::string(kServices) + "fraud",
            {{"metadata", {{"name", "fraud"}}}, {"spec", {{"ports", json::array({{{"name", "http"}, {"port", 80}}})}}}});
    api.Put(std::string(kCandidates) + "fraud-v1", Candidate("fraud-v1", "1", "Production", "Production"));
    api.Put(std::string(kCandidates) + "fraud-v2", Candidate("fraud-v2", "2", "Ready", "Staging"));
    json rollout = {{"apiVersion", "modelgate.io/v1alpha1"}, {"kind", "ModelRollout"},
                    {"metadata", {{"name", "fraud"}, {"namespace", "ml"}, {"generation", 1}, {"uid", "u1"}}},
                    {"spec", testing::BaseSpec(false)}};
    api.Put(std::string(kRollouts) + "fraud", rollout);
  }

  RolloutReconciler MakeReconciler() {
    return RolloutReconciler(
        client, events, clock, [this](const std::string&) { return std::make_unique<FakeRouter>(api, split); },
        [this](const std::string&, const gates::analysis::PrometheusSpec&)
            -> kube::Result<std::shared_ptr<gates::analysis::MetricsProvider>> {
          return std::shared_ptr<gates::analysis::MetricsProvider>(backend);
        },
        nullptr);
  }
  json Rollout() { return api.Object(std::string(kRollouts) + "fraud"); }
  void StartPromoted();

  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  FakeApi api{*transport};
  kube::Client client{transport};
  kube::FakeClock clock{std::chrono::system_clock::from_time_t(1'800'000'000)};
  kube::EventRecorder events{client, {.clock = &clock}};
  traffic::TrafficSplit split;
  std::shared_ptr<testing::FakeBackend> backend = std::make_shared<testing::FakeBackend>();
};

TEST_F(RolloutReconcilerTest, StartCreatesTheCanaryServiceBeforeItsDeploymentAndMovesNoTrafficUntilReady) {
  backend->values = {{"champion", 0.01}, {"canary", 0.01}};
  RolloutReconciler reconciler = MakeReconciler();
  ReconcileOutcome outcome = reconciler.Reconcile("ml/fraud");
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  ASSERT_TRUE(outcome.requeue_after.has_value());
  const auto log = api.log();
  const auto pos = [&](const std::string& entry) { return std::find(log.begin(), log.end(), entry) - log.begin(); };
  EXPECT_LT(pos("POST services/fraud-canary"), pos("POST deployments/fraud-canary"));
  EXPECT_EQ(std::count_if(log.begin(), log.end(), [](const std::string& e) { return e.starts_with("ROUTE"); }), 0)
      << "the new canary Deployment is not Ready yet";
  EXPECT_EQ(Rollout()["status"]["phase"], "Canary");
  EXPECT_EQ(api.Object(std::string(kCandidates) + "fraud-v2")["status"]["phase"], "RollingOut");
  EXPECT_EQ(Rollout()["status"]["champion"]["name"], "fraud-v1");
}

TEST_F(RolloutReconcilerTest, RollbackMovesTrafficBeforeDeletingTheCanaryAndMarksTheCandidate) {
  backend->values = {{"champion", 0.01}, {"canary", 0.01}};
  RolloutReconciler reconciler = MakeReconciler();
  reconciler.Reconcile("ml/fraud");
  // kwok's part: the canary becomes Ready.
  json canary = api.Object(std::string(kDeployments) + "fraud-canary");
  canary["status"] = {{"observedGeneration", 1}, {"replicas", 1}, {"updatedReplicas", 1}, {"readyReplicas", 1},
                      {"availableReplicas", 1}};
  api.Put(std::string(kDeployments) + "fraud-canary", canary);
  reconciler.Reconcile("ml/fraud");
  ASSERT_EQ(split.canary_weight, 10);
  backend->values["canary"] = 0.3;
  clock.Advance(std::chrono::seconds(10));
  ReconcileOutcome outcome = reconciler.Reconcile("ml/fraud");
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(Rollout()["status"]["phase"], "RolledBack");
  EXPECT_EQ(split, (traffic::TrafficSplit{0, 0}));
  const auto log = api.log();
  const auto pos = [&](const std::string& entry) { return std::find(log.begin(), log.end(), entry) - log.begin(); };
  const auto rolling_back = pos("PUT modelrollouts/fraud/status RollingBack");
  ASSERT_LT(rolling_back, static_cast<long>(log.size())) << "the reason is stored before anything moves";
  EXPECT_LT(rolling_back, pos("ROUTE 0/0"));
  EXPECT_LT(pos("ROUTE 0/0"), pos("DELETE deployments/fraud-canary"));
  EXPECT_EQ(api.Object(std::string(kDeployments) + "fraud-canary"), json());
  EXPECT_EQ(api.Object(std::string(kCandidates) + "fraud-v2")["status"]["phase"], "RolledBack");
  EXPECT_NE(Rollout()["status"]["message"].get<std::string>().find("error-rate"), std::string::npos);
}

// A rollout just promoted: all traffic on the ready canary (img:2), the stable Deployment still
// to be updated to the challenger.
void RolloutReconcilerTest::StartPromoted() {
  json rollout = Rollout();
  rollout["status"] = {{"observedGeneration", 1},
                       {"phase", "Promoted"},
                       {"currentStep", 2},
                       {"canaryWeight", 100},
                       {"challenger", {{"name", "fraud-v2"}, {"version", "2"}}},
                       {"champion", {{"name", "fraud-v1"}, {"version", "1"}}},
                       {"startedAt", "2027-01-15T06:00:00.000000Z"},
                       {"promotedAt", "2027-01-15T07:00:00.000000Z"}};
  api.Put(std::string(kRollouts) + "fraud", rollout);
  api.Put(std::string(kDeployments) + "fraud-canary", ReadyDeployment("fraud-canary", "img:2"));
  split = {100, 0};
}

TEST_F(RolloutReconcilerTest, AConflictOnTheStatusWriteRereadsAndDecidesAgain) {
  api.conflicts_to_inject = 1;
  RolloutReconciler reconciler = MakeReconciler();
  ReconcileOutcome outcome = reconciler.Reconcile("ml/fraud");
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(Rollout()["status"]["phase"], "Canary") << Rollout().dump(2);
}

// The effects of a decision happen before its status is written; when that write conflicts, the
// status is decided again and the new decision no longer mentions what already happened. Its
// Events must still be recorded (e2e once lost StableUpdated this way).
TEST_F(RolloutReconcilerTest, EventsOfAppliedEffectsSurviveAConflictOnTheStatusWrite) {
  StartPromoted();
  api.conflicts_to_inject = 1;
  RolloutReconciler reconciler = MakeReconciler();
  ReconcileOutcome outcome = reconciler.Reconcile("ml/fraud");
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(api.Object(std::string(kDeployments) + "fraud")["spec"]["template"]["spec"]["containers"][0]["image"],
            "img:2");
  events.Flush(std::chrono::seconds(5));
  int stable_updated = 0;
  for (const json& e : api.ObjectsUnder("/apis/events.k8s.io/v1/namespaces/ml/events/")) {
    if (e.value("reason", "") == "StableUpdated") ++stable_updated;
  }
  EXPECT_EQ(stable_updated, 1) << Rollout()["status"].dump(2);
}

// The controller manager writes the stable Deployment's status all the time, so updating it to
// the challenger meets 409s in real clusters: they are re-read and retried, never a failed
// reconcile.
TEST_F(RolloutReconcilerTest, ConflictsOnTheStableDeploymentUpdateAreRetried) {
  StartPromoted();
  api.conflicts_on = "deployments/fraud";
  api.conflicts_to_inject = 2;
  RolloutReconciler reconciler = MakeReconciler();
  ReconcileOutcome outcome = reconciler.Reconcile("ml/fraud");
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(api.conflicts_to_inject, 0);
  EXPECT_EQ(api.Object(std::string(kDeployments) +
                       "fraud")["spec"]["template"]["spec"]["containers"][0]["image"],
            "img:2");
}

TEST_F(RolloutReconcilerTest, AMissingRouteObjectIsAReconcileErrorNotASilentSuccess) {
  RolloutReconciler reconciler(
      client, events, clock,
      [](const std::string&) -> std::unique_ptr<traffic::TrafficRouter> { return nullptr; },
      [this](const std::string&, const gates::analysis::PrometheusSpec&)
          -> kube::Result<std::shared_ptr<gates::analysis::MetricsProvider>> {
          return std::shared_ptr<gates::analysis::MetricsProvider>(backend);
        },
      nullptr);
  reconciler.Reconcile("ml/fraud");
  json canary = api.Object(std::string(kDeployments) + "fraud-canary");
  canary["status"] = {{"observedGeneration", 1}, {"replicas", 1}, {"updatedReplicas", 1}, {"readyReplicas", 1},
                      {"availableReplicas", 1}};
  api.Put(std::string(kDeployments) + "fraud-canary", canary);
  ReconcileOutcome outcome = reconciler.Reconcile("ml/fraud");
  EXPECT_FALSE(outcome.status.ok());
  EXPECT_EQ(Rollout()["status"].value("canaryWeight", -1), 0) << "the weight is not claimed when it was not written";
  const json rollout = Rollout();
  bool has_error = false;
  for (const auto& c : rollout["status"]["conditions"]) has_error = has_error || c["type"] == "ReconcileError";
  EXPECT_TRUE(has_error) << Rollout()["status"].dump(2);
}

}  // namespace
}  // namespace modelgate::controllers::rollout
