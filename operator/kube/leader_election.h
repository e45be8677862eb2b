// LeaderElector: leader election on a coordination.k8s.io/v1 Lease, so that of several operator
// replicas exactly one reconciles (in the usual case; like client-go this is not fencing: a paused
// leader may act for up to the lease duration after losing the lease).
//
// Algorithm (client-go's tryAcquireOrRenew, one attempt every retry_period):
//   - GET the Lease; absent -> CREATE it with us as holder.
//   - Held by someone else and still live -> wait. It is expired when EITHER the record has not
//     changed for lease_duration by our own clock since we first saw it (skew-tolerant, as
//     client-go) OR its renewTime + leaseDurationSeconds is in the past by our clock (lets a new
//     replica take over a lease abandoned long ago at once; assumes NTP-synchronised nodes).
//   - Expired, released (empty holderIdentity) or ours -> PUT the record with the resourceVersion
//     we read (optimistic concurrency: a 409 means someone else wrote first; the next attempt
//     re-reads). Taking over from another holder increments leaseTransitions and sets acquireTime.
//   - While leading, renew by PUT from the last Lease we wrote (falling back to a re-read).
//     If no renewal succeeds within renew_deadline since the last success, or the Lease shows
//     another holder, leadership is lost: on_stopped_leading is called and the elector ends. The
//     binary exits then (controller-runtime behaviour): its reconcilers may no longer act.
//
// Clean shutdown: Stop() while leading releases the Lease (holderIdentity "", leaseDurationSeconds
// 1, renewTime now), so another replica takes over at its next retry instead of waiting for the
// lease to expire. on_stopped_leading is NOT called for a Stop().
//
// Times are written as MicroTime (RFC 3339, 6 fractional digits, UTC).
// Thread-safety: IsLeader/Holder/attempts from any thread; Start/Stop from the owning thread.
// Callbacks run on the elector's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "operator/kube/client.h"
#include "operator/kube/clock.h"
#include "operator/kube/status.h"

namespace prometheus {
class Gauge;
class Registry;
}  // namespace prometheus

namespace modelgate::kube {

struct LeaderElectionOptions {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per process; DefaultIdentity() if empty
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};
  // While not leading, each wait is retry_period * (1 + random[0, retry_jitter)).
  double retry_jitter = 0.2;
  bool release_on_stop = true;
  Clock* clock = &SystemClock::Instance();  // not owned; must outlive the elector
  // If non-null, leader_election_master_status{name=<lease_name>} is registered there. Not owned.
  prometheus::Registry* registry = nullptr;
};

struct LeaderCallbacks {
  std::function<void()> on_started_leading;
  // Leadership was lost (renewals failed past the deadline, or another holder took the Lease).
  std::function<void()> on_stopped_leading;
  // The holder seen in the Lease changed (also on the first observation); may be our identity.
  std::function<void(const std::string& holder)> on_new_leader;
};

class LeaderElector {
 public:
  // OK, or kInvalid naming the broken rule (names set; lease > renew > 1.2 * retry > 0).
  static Status Validate(const LeaderElectionOptions& options);
  // "<hostname>_<16 hex digits>".
  static std::string DefaultIdentity();

  // `client` is not owned and must outlive the elector. Options must pass Validate().
  LeaderElector(const Client& client, LeaderElectionOptions options, LeaderCallbacks callbacks);
  ~LeaderElector();  // Stop()
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Starts campaigning on a background thread. Call once.
  void Start();
  // Interrupts any wait, releases the Lease if leading (and release_on_stop), joins the thread.
  // Returns after at most one in-flight request plus the release request. Idempotent.
  void Stop();

  bool IsLeader() const { return leading_.load(); }
  // The holderIdentity last seen in the Lease ("" if none seen yet).
  std::string Holder() const;
  const std::string& identity() const { return options_.identity; }
  // Completed acquire/renew attempts (for tests and debugging). An attempt counts once its
  // outcome is visible: after a successful acquire IsLeader() is true; after a lost renewal
  // IsLeader() is false and on_stopped_leading has returned.
  uint64_t attempts() const { return attempts_.load(); }

 private:
  void Run();
  // One attempt: true when we hold the Lease afterwards.
  bool TryAcquireOrRenew();
  // Stores the Lease as last written/read by us.
  void Remember(const json& lease, Clock::time_point now);
  void Release();
  void SetLeading(bool leading);
  // Waits until `deadline` of the clock unless Stop() is called first; false if stopped.
  bool WaitUntil(Clock::time_point deadline);

  const Client& client_;
  LeaderElectionOptions options_;
  const LeaderCallbacks callbacks_;
  Clock* const clock_;
  prometheus::Gauge* master_status_ = nullptr;

  // Run-thread state.
  std::optional<json> last_lease_;       // the Lease as last read or written (with resourceVersion)
  json observed_spec_;                   // spec as last seen, to detect changes
  Clock::time_point observed_time_{};    // our clock when observed_spec_ last changed

  mutable std::mutex mu_;  // guards holder_ and the stop wait
  std::condition_variable cv_;
  std::string holder_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> leading_{false};
  std::atomic<uint64_t> attempts_{0};
  std::thread thread_;
};

}  // namespace modelgate::kube
