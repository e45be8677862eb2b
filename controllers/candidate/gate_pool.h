// GatePool: a bounded pool of threads that run gate evaluations off the reconcile workers.
// Runs are keyed (candidate uid, generation, gate, attempt: see candidate_decision.h), so a
// reconcile can ask "is the run for this key queued, running, done, or already consumed?" and
// pick up a result later. A key is submitted at most once while it is known to the pool.
//
// Bounds: `workers` threads; at most `queue_capacity` runs waiting (Submit returns false beyond:
// the reconcile retries later). Finished results not picked up and consumed markers are dropped
// `retention` after they finished (a candidate deleted meanwhile). A run that exceeds its timeout
// is ended by the run itself (gate_run.h checks its deadline on every read).
//
// Destruction sets the cancel flag (in-flight runs fail their next read), then joins the threads.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "controllers/candidate/gate_run.h"
#include "operator/kube/clock.h"

namespace modelgate::controllers::candidate {

class GatePool {
 public:
  // The work receives the pool's cancel flag.
  using Work = std::function<GateRunResult(const std::atomic<bool>& cancel)>;

  enum class State {
    kUnknown,   // never submitted, or forgotten (e.g. after an operator restart)
    kQueued,    // waiting for a thread
    kRunning,
    kDone,      // result available
    kConsumed,  // its result was applied to the status (MarkConsumed)
  };
  struct Observation {
    State state = State::kUnknown;
    std::optional<GateRunResult> result;  // with kDone
  };

  GatePool(int workers, size_t queue_capacity, kube::Clock& clock,
           std::chrono::milliseconds retention = std::chrono::minutes(15));
  ~GatePool();
  GatePool(const GatePool&) = delete;
  GatePool& operator=(const GatePool&) = delete;

  // Queues `work` under `key`. False when the key is already known or the queue is full.
  bool Submit(const std::string& key, Work work);
  Observation Check(const std::string& key);
  // The result of `key` was written to the status: keep only a marker so that a reconcile working
  // from a stale cache does not start the same run again.
  void MarkConsumed(const std::string& key);

  size_t queued() const;
  size_t running() const;

 private:
  struct Entry {
    State state = State::kQueued;
    std::optional<GateRunResult> result;
    kube::Clock::time_point finished_at{};
  };
  void Loop();
  void DropExpiredLocked();

  kube::Clock& clock_;
  const size_t queue_capacity_;
  const std::chrono::milliseconds retention_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, Work>> queue_;
  std::map<std::string, Entry> entries_;
  size_t running_ = 0;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};
  std::vector<std::thread> threads_;
};

}  // namespace modelgate::controllers::candidate
