#include "operator/kube/leader_election.h"
#include "operator/kube/time_format.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "tests/operator/kube/fake_transport.h"

namespace modelgate::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::ErrorResponse;
using testing::Eventually;
using testing::FakeTransport;
using testing::JsonResponse;

constexpr const char* kLeases = "/apis/coordination.k8s.io/v1/namespaces/modelgate-system/leases";
constexpr const char* kLease =
    "/apis/coordination.k8s.io/v1/namespaces/modelgate-system/leases/modelgate-leader";

// A tiny API server for one Lease: GET, POST (create), PUT with resourceVersion checks, plus
// injected failures.
class FakeLeaseServer {
 public:
  explicit FakeLeaseServer(FakeTransport& transport) {
    transport.Handle("GET", kLease, [this](const HttpRequest&) -> Result<HttpResponse> {
      std::lock_guard lock(mu_);
      Log("GET");
      if (failing_) return ErrorResponse(500, "InternalError");
      if (!lease_) return ErrorResponse(404, "NotFound");
      return JsonResponse(200, *lease_);
    });
    transport.Handle("POST", kLeases, [this](const HttpRequest& r) -> Result<HttpResponse> {
      std::lock_guard lock(mu_);
      Log("POST");
      if (failing_) return ErrorResponse(500, "InternalError");
      if (lease_) return ErrorResponse(409, "AlreadyExists");
      lease_ = json::parse(r.body);
      (*lease_)["metadata"]["resourceVersion"] = std::to_string(++rv_);
      return JsonResponse(201, *lease_);
    });
    transport.Handle("PUT", kLease, [this](const HttpRequest& r) -> Result<HttpResponse> {
      std::lock_guard lock(mu_);
      Log("PUT");
      if (failing_) return ErrorResponse(500, "InternalError");
      json body = json::parse(r.body);
      if (conflicts_ > 0) {
        --conflicts_;
        return ErrorResponse(409, "Conflict");
      }
      if (!lease_ || body["metadata"].value("resourceVersion", "") !=
                         (*lease_)["metadata"].value("resourceVersion", "")) {
        return ErrorResponse(409, "Conflict");
      }
      body["metadata"]["resourceVersion"] = std::to_string(++rv_);
      lease_ = body;
      return JsonResponse(200, *lease_);
    });
  }

  void Put(const std::string& holder, Clock::time_point renewed, int transitions = 3) {
    std::lock_guard lock(mu_);
    lease_ = json{{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", "modelgate-leader"}, {"namespace", "modelgate-system"},
                                {"resourceVersion", std::to_string(++rv_)}}},
                  {"spec", {{"holderIdentity", holder}, {"leaseDurationSeconds", 15},
                            {"acquireTime", FormatMicroTime(renewed)},
                            {"renewTime", FormatMicroTime(renewed)},
                            {"leaseTransitions", transitions}}}};
  }
  json spec() const {
    std::lock_guard lock(mu_);
    return lease_ ? (*lease_)["spec"] : json();
  }
  std::vector<std::string> log() const {
    std::lock_guard lock(mu_);
    return log_;
  }
  void set_failing(bool failing) {
    std::lock_guard lock(mu_);
    failing_ = failing;
  }
  void inject_conflicts(int n) {
    std::lock_guard lock(mu_);
    conflicts_ = n;
  }

 private:
  void Log(const std::string& method) { log_.push_back(method); }

  mutable std::mutex mu_;
  std::optional<json> lease_;
  int rv_ = 100;
  bool failing_ = false;
  int conflicts_ = 0;
  std::vector<std::string> log_;
};

class LeaderElectionTest : public ::testing::Test {
 protected:
  LeaderElectionTest()
      : transport_(std::make_shared<FakeTransport>()), client_(transport_), server_(*transport_) {}

  std::unique_ptr<LeaderElector> Make(prometheus::Registry* registry = nullptr) {
    LeaderElectionOptions options{.lease_namespace = "modelgate-system",
                                  .lease_name = "modelgate-leader",
                                  .identity = "me",
                                  .retry_jitter = 0,
                                  .clock = &clock_,
                                  .registry = registry};
    EXPECT_TRUE(LeaderElector::Validate(options).ok());
    return std::make_unique<LeaderElector>(
        client_, options,
        LeaderCallbacks{.on_started_leading = [this] { ++started_; },
                        .on_stopped_leading = [this] { ++stopped_; }});
  }

  // Lock-step with the elector: waits for its next completed attempt after advancing the clock
  // by one retry period (the elector measures its wait from the start of the previous attempt).
  bool Step(LeaderElector& elector) {
    const uint64_t before = elector.attempts();
    clock_.Advance(seconds(2));
    return Eventually([&] { return elector.attempts() > before; });
  }

  size_t Count(const std::string& method) const {
    const auto log = server_.log();
    return static_cast<size_t>(std::count(log.begin(), log.end(), method));
  }

  FakeClock clock_;
  std::shared_ptr<FakeTransport> transport_;
  Client client_;
  FakeLeaseServer server_;
  std::atomic<int> started_{0};
  std::atomic<int> stopped_{0};
};

TEST_F(LeaderElectionTest, AcquiresAnAbsentLeaseAndRecordsTheHolder) {
  auto elector = Make();
  elector->Start();
  ASSERT_TRUE(Eventually([&] { return started_.load() == 1; }));
  EXPECT_TRUE(elector->IsLeader());
  const json spec = server_.spec();
  EXPECT_EQ(spec["holderIdentity"], "me");
  EXPECT_EQ(spec["leaseDurationSeconds"], 15);
  EXPECT_EQ(spec["leaseTransitions"], 0);
  const std::regex micro_time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  EXPECT_TRUE(std::regex_match(spec["acquireTime"].get<std::string>(), micro_time));
  EXPECT_EQ(spec["renewTime"], FormatMicroTime(clock_.Now()));
  EXPECT_EQ(server_.log(), (std::vector<std::string>{"GET", "POST"}));
}

TEST_F(LeaderElectionTest, RenewsEveryRetryPeriod) {
  auto elector = Make();
  elector->Start();
  ASSERT_TRUE(Eventually([&] { return elector->IsLeader(); }));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(Step(*elector));  // 20 s: longer than the lease
  EXPECT_TRUE(elector->IsLeader());
  EXPECT_EQ(stopped_.load(), 0);
  EXPECT_EQ(server_.spec()["renewTime"], FormatMicroTime(clock_.Now()));
  EXPECT_EQ(Count("PUT"), 10u);  // renewals use the fast path: no re-read
  EXPECT_EQ(Count("GET"), 1u);
}

TEST_F(LeaderElectionTest, DoesNotStealALiveLease) {
  server_.Put("other", clock_.Now());
  auto elector = Make();
  elector->Start();
  ASSERT_TRUE(Eventually([&] { return elector->attempts() >= 1; }));
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(Step(*elector));  // 12 s < 15 s lease
  EXPECT_FALSE(elector->IsLeader());
  EXPECT_EQ(elector->Holder(), "other");
  EXPECT_EQ(Count("PUT"), 0u);
  EXPECT_EQ(server_.spec()["holderIdentity"], "other");
}

TEST_F(LeaderElectionTest, TakesOverALeaseThatStoppedBeingRenewed) {
  const Clock::time_point last_renewed = clock_.Now();
  server_.Put("other", last_renewed, /*transitions=*/3);
  auto elector = Make();
  elector->Start();
  ASSERT_TRUE(Eventually([&] { return elector->attempts() >= 1; }));
  for (int i = 0; i < 12 && !elector->IsLeader(); ++i) ASSERT_TRUE(Step(*elector));
  ASSERT_TRUE(elector->IsLeader());
  const json spec = server_.spec();
  EXPECT_EQ(spec["holderIdentity"], "me");
  EXPECT_EQ(spec["leaseTransitions"], 4);
  EXPECT_EQ(spec["acquireTime"], spec["renewTime"]);
  // Not before the lease duration (15 s) passed without a renewal.
  EXPECT_GE(ParseRfc3339(spec["acquireTime"].get<std::string>()).value(),
            last_renewed + seconds(15));
}

TEST_F(LeaderElectionTest, TakesOverALeaseAbandonedLongAgoAtOnce) {
  server_.Put("crashed-replica", clock_.Now() - std::chrono::hours(1));
  auto elector = Make();
  elector->Start();
  ASSERT_TRUE(Eventually([&] { return elector->IsLeader(); }));
  EXPECT_EQ(elector->attempts(), 1u);
  EXPECT_EQ(server_.spec()["holderIdentity"], "me");
}

TEST_F(LeaderElectionTest, LosesLeadershipWhenRenewalsFailPastTheDeadline) {
  auto elector = Make();
  elector->Start();
  ASSERT_TRUE(Eventually([&] { return elector->IsLeader(); }));
  const Clock::time_point led_at = clock_.Now();
  server_.set_failing(true);
  for (int i = 0; i < 10 && stopped_.load() == 0; ++i) ASSERT_TRUE(Step(*elector));
  ASSERT_TRUE(Eventually([&] { return stopped_.load() == 1; }));
  EXPECT_FALSE(elector->IsLeader());
  EXPECT_GE(clock_.Now() - led_at, seconds(10));  // not before the renew deadline
}

TEST_F(LeaderElectionTest, LosesLeadershipAtOnceWhenAnotherHolderTookTheLease) {
  auto elector = Make();
  elector->Start();
  ASSERT_TRUE(Eventually([&] { return elector->IsLeader(); }));
  server_.Put("usurper", clock_.Now());  // new resourceVersion: our fast-path PUT conflicts
  ASSERT_TRUE(Step(*elector));
  ASSERT_TRUE(Eventually([&] { return stopped_.load() == 1; }));
  EXPECT_EQ(elector->Holder(), "usurper");
}

TEST_F(LeaderElectionTest, ConflictOnUpdateIsFollowedByAReRead) {
  server_.Put("other", clock_.Now() - std::chrono::hours(1));
  server_.inject_conflicts(1);
  auto elector = Make();
  elector->Start();
  ASSERT_TRUE(Eventually([&] { return elector->attempts() >= 1; }));
  EXPECT_FALSE(elector->IsLeader());
  ASSERT_TRUE(Step(*elector));
  ASSERT_TRUE(elector->IsLeader());
  EXPECT_EQ(server_.log(), (std::vector<std::string>{"GET", "PUT", "GET", "PUT"}));
}

TEST_F(LeaderElectionTest, StopReleasesTheLeaseWithoutCallingOnStoppedLeading) {
  auto elector = Make();
  elector->Start();
  ASSERT_TRUE(Eventually([&] { return elector->IsLeader(); }));
  elector->Stop();
  EXPECT_FALSE(elector->IsLeader());
  EXPECT_EQ(stopped_.load(), 0);
  EXPECT_EQ(server_.spec()["holderIdentity"], "");
  EXPECT_EQ(server_.spec()["leaseDurationSeconds"], 1);

  // Another replica takes the released lease on its first attempt.
  LeaderElector next(client_,
                     {.lease_namespace = "modelgate-system", .lease_name = "modelgate-leader",
                      .identity = "next", .clock = &clock_},
                     {});
  next.Start();
  ASSERT_TRUE(Eventually([&] { return next.IsLeader(); }));
  EXPECT_EQ(server_.spec()["leaseTransitions"], 1);
}

TEST_F(LeaderElectionTest, ExportsMasterStatusGauge) {
  prometheus::Registry registry;
  auto elector = Make(&registry);
  auto gauge_value = [&] {
    for (const auto& family : registry.Collect()) {
      if (family.name == "leader_election_master_status" && family.metric.size() == 1) {
        return family.metric[0].gauge.value;
      }
    }
    return -1.0;
  };
  EXPECT_EQ(gauge_value(), 0.0);
  elector->Start();
  ASSERT_TRUE(Eventually([&] { return gauge_value() == 1.0; }));
}

TEST_F(LeaderElectionTest, ValidateRejectsInconsistentDurations) {
  EXPECT_FALSE(LeaderElector::Validate({.lease_namespace = "ns", .lease_name = "l",
                                        .lease_duration = seconds(10),
                                        .renew_deadline = seconds(10)})
                   .ok());
  EXPECT_FALSE(LeaderElector::Validate({.lease_namespace = "ns", .lease_name = "l",
                                        .renew_deadline = seconds(2),
                                        .retry_period = seconds(2)})
                   .ok());
  EXPECT_FALSE(LeaderElector::Validate({.lease_name = "l"}).ok());
  EXPECT_TRUE(LeaderElector::Validate({.lease_namespace = "ns", .lease_name = "l"}).ok());
}

}  // namespace
}  // namespace modelgate::kube
