#include "operator/kube/workqueue.h"

#include <atomic>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "tests/operator/kube/fake_transport.h"

namespace modelgate::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Eventually;

// Runs Get() on another thread so a test can wait for it with a deadline instead of blocking.
std::future<std::optional<std::string>> GetAsync(WorkQueue& queue) {
  return std::async(std::launch::async, [&queue] { return queue.Get(); });
}

bool Ready(const std::future<std::optional<std::string>>& f) {
  return f.wait_for(seconds(0)) == std::future_status::ready;
}

TEST(WorkqueueTest, DuplicateAddsBeforeGetAreProcessedOnce) {
  FakeClock clock;
  WorkQueue queue({.clock = &clock});
  queue.Add("ns/a");
  queue.Add("ns/b");
  queue.Add("ns/a");
  EXPECT_EQ(queue.Len(), 2u);
  EXPECT_EQ(queue.Get(), "ns/a");
  EXPECT_EQ(queue.Get(), "ns/b");
  EXPECT_EQ(queue.Len(), 0u);
}

TEST(WorkqueueTest, KeyAddedWhileInFlightIsNotHandedToASecondWorker) {
  FakeClock clock;
  WorkQueue queue({.clock = &clock});
  queue.Add("ns/a");
  ASSERT_EQ(queue.Get(), "ns/a");
  queue.Add("ns/a");  // re-added while a worker holds it
  EXPECT_EQ(queue.Len(), 0u);
  auto second = GetAsync(queue);
  queue.Add("ns/b");
  ASSERT_TRUE(Eventually([&] { return Ready(second); }));
  EXPECT_EQ(second.get(), "ns/b");  // the other worker gets b, never a
  queue.ShutDown();
}

TEST(WorkqueueTest, KeyAddedWhileInFlightIsProcessedAgainAfterDone) {
  FakeClock clock;
  WorkQueue queue({.clock = &clock});
  queue.Add("ns/a");
  ASSERT_EQ(queue.Get(), "ns/a");
  queue.Add("ns/a");
  queue.Add("ns/a");
  auto again = GetAsync(queue);
  queue.Done("ns/a");
  ASSERT_TRUE(Eventually([&] { return Ready(again); }));
  EXPECT_EQ(again.get(), "ns/a");
  queue.Done("ns/a");
  EXPECT_EQ(queue.Len(), 0u);
}

TEST(WorkqueueTest, ConcurrentWorkersNeverHoldTheSameKeyAtOnce) {
  WorkQueue queue({.rate_limits = {.qps = 0}});
  std::mutex mu;
  std::set<std::string> in_flight;
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue.Get()) {
        {
          std::lock_guard lock(mu);
          if (!in_flight.insert(*key).second) overlap = true;
        }
        std::this_thread::yield();
        {
          std::lock_guard lock(mu);
          in_flight.erase(*key);
        }
        ++processed;
        queue.Done(*key);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) queue.Add("ns/k" + std::to_string(i % 3));
  ASSERT_TRUE(Eventually([&] { return queue.Len() == 0 && processed.load() > 0; }));
  queue.ShutDown();
  for (auto& t : workers) t.join();
  EXPECT_FALSE(overlap.load());
}

TEST(WorkqueueTest, AddAfterBecomesReadyWhenTheClockPassesTheDelay) {
  FakeClock clock;
  WorkQueue queue({.clock = &clock});
  queue.AddAfter("ns/a", seconds(30));
  EXPECT_EQ(queue.NumWaiting(), 1u);
  auto got = GetAsync(queue);
  clock.Advance(seconds(29));
  EXPECT_EQ(queue.Len(), 0u);
  EXPECT_FALSE(Ready(got));
  clock.Advance(seconds(1));
  ASSERT_TRUE(Eventually([&] { return Ready(got); }));
  EXPECT_EQ(got.get(), "ns/a");
  EXPECT_EQ(queue.NumWaiting(), 0u);
}

TEST(WorkqueueTest, AddAfterKeepsTheEarlierReadyTime) {
  FakeClock clock;
  WorkQueue queue({.clock = &clock});
  queue.AddAfter("ns/a", seconds(60));
  queue.AddAfter("ns/a", seconds(10));
  queue.AddAfter("ns/a", seconds(20));
  EXPECT_EQ(queue.NumWaiting(), 1u);
  auto got = GetAsync(queue);
  clock.Advance(seconds(10));
  ASSERT_TRUE(Eventually([&] { return Ready(got); }));
  EXPECT_EQ(got.get(), "ns/a");
}

TEST(WorkqueueTest, PerItemBackoffDoublesUpToTheCap) {
  FakeClock clock;
  RateLimiter limiter({.base_delay = milliseconds(5), .max_delay = milliseconds(100), .qps = 0},
                      &clock);
  EXPECT_EQ(limiter.When("ns/a"), milliseconds(5));
  EXPECT_EQ(limiter.When("ns/a"), milliseconds(10));
  EXPECT_EQ(limiter.When("ns/a"), milliseconds(20));
  EXPECT_EQ(limiter.When("ns/a"), milliseconds(40));
  EXPECT_EQ(limiter.When("ns/a"), milliseconds(80));
  EXPECT_EQ(limiter.When("ns/a"), milliseconds(100));
  for (int i = 0; i < 200; ++i) limiter.When("ns/a");  // no overflow far past the cap
  EXPECT_EQ(limiter.When("ns/a"), milliseconds(100));
  EXPECT_EQ(limiter.When("ns/b"), milliseconds(5));  // per key
}

TEST(WorkqueueTest, ForgetResetsTheBackoff) {
  FakeClock clock;
  WorkQueue queue({.rate_limits = {.qps = 0}, .clock = &clock});
  queue.AddRateLimited("ns/a");
  queue.AddRateLimited("ns/a");
  queue.AddRateLimited("ns/a");
  EXPECT_EQ(queue.NumRequeues("ns/a"), 3);
  queue.Forget("ns/a");
  EXPECT_EQ(queue.NumRequeues("ns/a"), 0);
}

TEST(WorkqueueTest, RateLimitedAddWaitsForTheItemBackoff) {
  FakeClock clock;
  WorkQueue queue({.rate_limits = {.base_delay = milliseconds(5), .qps = 0}, .clock = &clock});
  queue.AddRateLimited("ns/a");  // 5 ms
  queue.Add("ns/other");
  ASSERT_EQ(queue.Get(), "ns/other");
  queue.Done("ns/other");
  EXPECT_EQ(queue.Len(), 0u);
  clock.Advance(milliseconds(5));
  EXPECT_EQ(queue.Get(), "ns/a");
  queue.Done("ns/a");
  queue.AddRateLimited("ns/a");  // 10 ms now
  clock.Advance(milliseconds(9));
  queue.Add("ns/other");
  EXPECT_EQ(queue.Get(), "ns/other");  // a is still waiting
  clock.Advance(milliseconds(1));
  EXPECT_EQ(queue.Get(), "ns/a");
}

TEST(WorkqueueTest, OverallBucketDelaysBurstsBeyondItsCapacity) {
  FakeClock clock;
  RateLimiter limiter({.base_delay = milliseconds(1), .qps = 10, .burst = 3}, &clock);
  EXPECT_EQ(limiter.When("ns/a"), milliseconds(1));
  EXPECT_EQ(limiter.When("ns/b"), milliseconds(1));
  EXPECT_EQ(limiter.When("ns/c"), milliseconds(1));
  EXPECT_EQ(limiter.When("ns/d"), milliseconds(100));  // bucket empty: one token per 100 ms
  EXPECT_EQ(limiter.When("ns/e"), milliseconds(200));
  clock.Advance(seconds(10));  // refilled to the burst size
  EXPECT_EQ(limiter.When("ns/f"), milliseconds(1));
}

TEST(WorkqueueTest, ShutDownWakesEveryBlockedGet) {
  FakeClock clock;
  WorkQueue queue({.clock = &clock});
  auto first = GetAsync(queue);
  auto second = GetAsync(queue);
  queue.AddAfter("ns/later", seconds(100));
  queue.ShutDown();
  ASSERT_TRUE(Eventually([&] { return Ready(first) && Ready(second); }));
  EXPECT_EQ(first.get(), std::nullopt);
  EXPECT_EQ(second.get(), std::nullopt);
  queue.Add("ns/a");
  EXPECT_EQ(queue.Len(), 0u);
  EXPECT_TRUE(queue.ShuttingDown());
}

TEST(WorkqueueTest, ExportsControllerRuntimeMetricNames) {
  FakeClock clock;
  prometheus::Registry registry;
  WorkQueue queue({.name = "modelrollout", .clock = &clock, .registry = &registry});
  queue.Add("ns/a");
  queue.AddAfter("ns/b", seconds(1));
  std::set<std::string> names;
  for (const auto& family : registry.Collect()) names.insert(family.name);
  for (const char* expected :
       {"workqueue_depth", "workqueue_adds_total", "workqueue_queue_duration_seconds",
        "workqueue_work_duration_seconds", "workqueue_retries_total",
        "workqueue_longest_running_processor_seconds", "workqueue_unfinished_work_seconds"}) {
    EXPECT_TRUE(names.contains(expected)) << expected;
  }
  for (const auto& family : registry.Collect()) {
    if (family.name != "workqueue_depth") continue;
    ASSERT_EQ(family.metric.size(), 1u);
    EXPECT_EQ(family.metric[0].gauge.value, 1.0);
  }
}

}  // namespace
}  // namespace modelgate::kube
