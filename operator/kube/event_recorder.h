// EventRecorder: writes events.k8s.io/v1 Events about objects, so `kubectl describe` and
// `kubectl events` tell the story of a ModelCandidate or ModelRollout.
//
// Record() never blocks the caller on the API server: it appends to a bounded in-memory queue
// that one background thread drains. When the queue is full the event is dropped and a line is
// logged (events are best effort; a reconcile must never fail or stall because of one).
//
// Repeats are folded into a series: a second Record() of the same (object uid, reason, note)
// within `series_window` of the previous one PATCHes the existing Event's
// series.count / series.lastObservedTime instead of creating another Event (if that Event is gone,
// a new one is created). A repeat after the window starts a new Event.
//
// Events are named "<object-name>.<hex unix nanoseconds>", live in the object's namespace
// ("default" for cluster-scoped objects), and carry reportingController (default
// "modelgate.io/operator") and reportingInstance (default: $POD_NAME, else the host name).
//
// Thread-safety: Record/Flush/dropped from any thread; Stop from the owner.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "operator/kube/client.h"
#include "operator/kube/clock.h"

namespace modelgate::kube {

enum class EventType { kNormal, kWarning };

struct EventRecorderOptions {
  std::string reporting_controller = "modelgate.io/operator";
  std::string reporting_instance;  // "" = $POD_NAME, else the host name
  size_t queue_capacity = 1000;
  std::chrono::milliseconds series_window{std::chrono::minutes(6)};
  size_t max_tracked_series = 4096;  // oldest series are forgotten beyond this
  Clock* clock = &SystemClock::Instance();  // not owned; must outlive the recorder
};

class EventRecorder {
 public:
  // Starts the writer thread. `client` is not owned and must outlive the recorder.
  explicit EventRecorder(const Client& client, EventRecorderOptions options = {});
  ~EventRecorder();  // Stop()
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Queues an Event about `regarding` (the object as read from the API: apiVersion, kind,
  // metadata.name/namespace/uid/resourceVersion are used). `reason` is a CamelCase word
  // (e.g. "CanaryStepAdvanced", at most 128 chars), `action` what was done or failed (e.g.
  // "Promote"), `note` the human text (truncated to 1 kB). Returns true when queued, false when
  // dropped (queue full, stopped, or the object has no name). Never blocks on I/O.
  bool Record(const json& regarding, EventType type, std::string_view reason,
              std::string_view action, std::string_view note);

  // Waits (real time) until everything queued so far was written or `timeout` passed; true if
  // drained. For graceful shutdown and tests.
  bool Flush(std::chrono::milliseconds timeout);
  // Lets the write in flight finish, drops what is still queued (logged), joins. Idempotent.
  void Stop();

  // Events dropped because the queue was full (or the recorder stopped).
  uint64_t dropped() const { return dropped_.load(); }

 private:
  struct Pending {
    json regarding;  // an ObjectReference
    std::string type;
    std::string reason;
    std::string action;
    std::string note;
    Clock::time_point observed;
  };
  struct Series {
    std::string ns;
    std::string name;
    int32_t count = 1;
    Clock::time_point last_observed;
  };

  void Run();
  void Write(const Pending& event);
  bool Create(const Pending& event, const std::string& key);
  std::string NextName(const std::string& object_name);
  void ForgetOldSeries();

  const Client& client_;
  EventRecorderOptions options_;
  Clock* const clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;        // new work or stop
  std::condition_variable idle_cv_;   // queue drained
  std::deque<Pending> queue_;
  bool writing_ = false;
  bool stop_ = false;
  std::atomic<uint64_t> dropped_{0};

  // Writer-thread state.
  std::unordered_map<std::string, Series> series_;
  int64_t last_name_nanos_ = 0;

  std::thread thread_;
};

}  // namespace modelgate::kube
