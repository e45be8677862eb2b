#include "controllers/candidate/gate_pool.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace modelgate::controllers::candidate {
namespace {

using namespace std::chrono_literals;

// Waits (with a deadline) until `key` reaches `state`.
bool WaitFor(GatePool& pool, const std::string& key, GatePool::State state) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pool.Check(key).state == state) return true;
    std::this_thread::yield();
  }
  return false;
}

struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  void Open() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mu);
    cv.wait_for(lock, 10s, [this] { return open; });
  }
};

GateRunResult Outcome(const std::string& outcome) {
  GateRunResult r;
  r.outcome = outcome;
  return r;
}

TEST(GatePoolTest, ARunGoesFromQueuedToDoneAndIsThenConsumed) {
  kube::FakeClock clock;
  GatePool pool(1, 4, clock);
  Gate gate;
  ASSERT_TRUE(pool.Submit("k", [&](const std::atomic<bool>&) { gate.Wait(); return Outcome("passed"); }));
  EXPECT_TRUE(WaitFor(pool, "k", GatePool::State::kRunning));
  gate.Open();
  ASSERT_TRUE(WaitFor(pool, "k", GatePool::State::kDone));
  EXPECT_EQ(pool.Check("k").result->outcome, "passed");
  pool.MarkConsumed("k");
  EXPECT_EQ(pool.Check("k").state, GatePool::State::kConsumed);
  EXPECT_FALSE(pool.Check("k").result.has_value());
}

TEST(GatePoolTest, AKeyIsSubmittedOnlyOnceAndTheQueueIsBounded) {
  kube::FakeClock clock;
  GatePool pool(1, 1, clock);
  Gate gate;
  ASSERT_TRUE(pool.Submit("busy", [&](const std::atomic<bool>&) { gate.Wait(); return Outcome("passed"); }));
  ASSERT_TRUE(WaitFor(pool, "busy", GatePool::State::kRunning));
  EXPECT_FALSE(pool.Submit("busy", [](const std::atomic<bool>&) { return Outcome("passed"); }));
  EXPECT_TRUE(pool.Submit("waiting", [](const std::atomic<bool>&) { return Outcome("passed"); }));
  EXPECT_FALSE(pool.Submit("over", [](const std::atomic<bool>&) { return Outcome("passed"); }));
  EXPECT_EQ(pool.Check("over").state, GatePool::State::kUnknown);
  gate.Open();
  EXPECT_TRUE(WaitFor(pool, "waiting", GatePool::State::kDone));
}

TEST(GatePoolTest, FinishedResultsAreDroppedAfterTheRetention) {
  kube::FakeClock clock;
  GatePool pool(1, 4, clock, 1min);
  ASSERT_TRUE(pool.Submit("old", [](const std::atomic<bool>&) { return Outcome("passed"); }));
  ASSERT_TRUE(WaitFor(pool, "old", GatePool::State::kDone));
  clock.Advance(2min);
  ASSERT_TRUE(pool.Submit("new", [](const std::atomic<bool>&) { return Outcome("passed"); }));
  EXPECT_EQ(pool.Check("old").state, GatePool::State::kUnknown);
}

TEST(GatePoolTest, DestroyingThePoolCancelsTheRunInFlight) {
  kube::FakeClock clock;
  std::atomic<bool> saw_cancel{false};
  {
    GatePool pool(1, 4, clock);
    ASSERT_TRUE(pool.Submit("k", [&](const std::atomic<bool>& cancel) {
      const auto deadline = std::chrono::steady_clock::now() + 10s;
      while (!cancel && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      saw_cancel = cancel.load();
      return Outcome("failed");
    }));
    ASSERT_TRUE(WaitFor(pool, "k", GatePool::State::kRunning));
  }
  EXPECT_TRUE(saw_cancel);
}

}  // namespace
}  // namespace modelgate::controllers::candidate
