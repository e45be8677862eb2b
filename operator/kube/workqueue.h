// WorkQueue: the rate-limited queue of object keys ("namespace/name") between informers and
// reconcile workers, with client-go's semantics:
//   - Stingy: a key added many times before a worker takes it is processed once.
//   - Exclusive: a key is never handed to two workers at once. A key added while a worker holds
//     it is remembered and handed out again after that worker calls Done().
//   - Fair: keys are handed out in the order they became ready.
//   - Delayed adds (AddAfter) and rate-limited adds (AddRateLimited) become ready at a time of the
//     injected Clock, so tests drive them with FakeClock.
//
// Worker loop:
//   while (auto key = queue.Get()) {
//     Status s = Reconcile(*key);
//     if (s.ok()) queue.Forget(*key); else queue.AddRateLimited(*key);
//     queue.Done(*key);
//   }
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "operator/kube/clock.h"

namespace prometheus {
class Registry;
}

namespace modelgate::kube {

struct RateLimiterOptions {
  // Per-key exponential backoff: base_delay * 2^(failures), capped at max_delay.
  std::chrono::milliseconds base_delay{5};
  std::chrono::milliseconds max_delay{std::chrono::seconds(1000)};
  // Overall token bucket shared by all keys: `qps` tokens per second, at most `burst` saved.
  double qps = 10;
  int burst = 100;
};

// client-go's DefaultControllerRateLimiter: the delay for a key is the larger of its exponential
// backoff and the wait for a token of the overall bucket. Thread-safe.
class RateLimiter {
 public:
  explicit RateLimiter(RateLimiterOptions options = {}, Clock* clock = &SystemClock::Instance());

  // Counts one more failure of `key` and returns how long to wait before retrying it. Takes a
  // token from the bucket (the bucket may go into debt, which delays later callers).
  std::chrono::milliseconds When(const std::string& key);
  // Resets the failure count of `key` (call after it was processed successfully).
  void Forget(const std::string& key);
  // Failures counted for `key` since the last Forget.
  int NumRequeues(const std::string& key) const;

 private:
  std::chrono::milliseconds ItemDelay(int failures) const;
  std::chrono::milliseconds BucketDelay();  // requires mu_

  const RateLimiterOptions options_;
  Clock* const clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int> failures_;
  double tokens_;
  Clock::time_point last_refill_;
};

struct WorkQueueOptions {
  // Names the queue in logs and in the `name` / `controller` metric labels.
  std::string name = "default";
  RateLimiterOptions rate_limits;
  Clock* clock = &SystemClock::Instance();  // not owned; must outlive the queue
  // If non-null, the workqueue_* metrics (controller-runtime names) are registered there and a
  // small thread refreshes the unfinished/longest-running gauges every 500 ms. Not owned; must
  // outlive the queue.
  prometheus::Registry* registry = nullptr;
};

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});
  // Shuts the queue down and joins the metrics thread. Callers of Get() must have returned.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Marks `key` as needing processing. No-op if it is already queued or after ShutDown().
  void Add(const std::string& key);
  // Adds `key` once `delay` of the queue's Clock has passed (immediately if delay <= 0). If the
  // key is already waiting, the earlier of the two ready times wins.
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  // AddAfter(key, rate_limiter.When(key)): exponential per-key backoff plus the overall bucket.
  void AddRateLimited(const std::string& key);
  // Resets the backoff of `key`. Does not remove it from the queue.
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

  // Blocks until a key is ready, marks it as being processed and returns it. Returns nullopt once
  // ShutDown() was called (keys still queued are abandoned: on restart the informers relist).
  std::optional<std::string> Get();
  // Ends processing of `key` (obtained from Get). If it was added meanwhile, it is queued again.
  void Done(const std::string& key);

  // Refuses further adds and wakes every caller blocked in Get(). Idempotent.
  void ShutDown();
  bool ShuttingDown() const;

  // Keys ready to be handed out (excluding delayed and in-flight keys).
  size_t Len() const;
  // Keys waiting for their AddAfter delay.
  size_t NumWaiting() const;

 private:
  struct Metrics;
  struct Waiting {
    Clock::time_point ready_at;
    uint64_t seq;
    std::string key;
    bool operator>(const Waiting& o) const {
      return ready_at != o.ready_at ? ready_at > o.ready_at : seq > o.seq;
    }
  };

  void AddLocked(const std::string& key);     // requires mu_
  void PromoteReadyLocked(Clock::time_point now);  // requires mu_
  void RefreshProcessingGauges();
  void MetricsLoop();

  const WorkQueueOptions options_;
  Clock* const clock_;
  RateLimiter limiter_;
  std::unique_ptr<Metrics> metrics_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;
  std::unordered_set<std::string> processing_;
  // Waiting keys: a heap of (ready time, key) plus the current ready time per key; heap entries
  // whose time no longer matches waiting_at_ are stale and skipped.
  std::priority_queue<Waiting, std::vector<Waiting>, std::greater<Waiting>> waiting_;
  std::unordered_map<std::string, Clock::time_point> waiting_at_;
  uint64_t next_seq_ = 0;
  // When each dirty key was added (queue latency) and each in-flight key was taken (work time).
  std::unordered_map<std::string, Clock::time_point> added_at_;
  std::unordered_map<std::string, Clock::time_point> started_at_;
  bool shutting_down_ = false;

  std::thread metrics_thread_;
};

}  // namespace modelgate::kube
