// Informer: a reflector (list, then watch) plus a local cache for one resource type in one
// namespace (or all namespaces), delivering add/update/delete notifications.
//
// The loop (a state machine, one thread):
//   List (all pages) -> replace the cache, diff against it -> Watch from the list's
//   resourceVersion with bookmarks and a random server timeout in [min, 2*min].
//   - the watch ends cleanly (server timeout, or connection closed after events): watch again
//     from the last resourceVersion, at once;
//   - 410 Gone, as an HTTP status or as an ERROR event inside a 200 stream, or any other ERROR
//     event: back off, then relist (the diff turns objects that vanished into deletes);
//   - any other failure (connection refused/dropped, timeout, 429, 5xx, a clean end with no
//     events in under a second): back off, then watch again from the last resourceVersion.
//   Backoff is exponential with full jitter, capped, and reset after a successful list or a
//   watch that delivered events.
//
// Cache contract (as client-go's SharedInformer): eventually consistent; per object the states
// seen are a subsequence of the real ones, in order; identity is namespace/name, not UID (a delete
// and re-create may show up as one update: compare metadata.uid when it matters).
//
// Handlers run on the informer's thread, in event order, with no lock held: they may read the
// cache, and they must be quick (enqueue a key into a WorkQueue and return).
//
// Thread-safety: Get/List/HasSynced/WaitForSync/LastSyncResourceVersion may be called from any
// thread at any time; Start and Stop from the owning thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/client.h"
#include "operator/kube/clock.h"

namespace modelgate::kube {

struct InformerOptions {
  Resource resource;
  std::string ns;  // "" = all namespaces (or a cluster-scoped resource)
  std::string label_selector;
  std::string field_selector;
  int page_size = 500;  // list paging (client-go's default)
  // The server ends each watch after a random time in [min_watch_timeout, 2*min_watch_timeout].
  std::chrono::seconds min_watch_timeout{std::chrono::minutes(5)};
  // Backoff after failures: initial * 2^n with full jitter, capped (client-go: 800 ms .. 30 s).
  std::chrono::milliseconds initial_backoff{800};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
  Clock* clock = &SystemClock::Instance();  // not owned; must outlive the informer
};

struct InformerHandlers {
  std::function<void(const json& object)> on_add;
  std::function<void(const json& old_object, const json& new_object)> on_update;
  // The last state the informer knew (after a relist it may be older than the real final state).
  std::function<void(const json& object)> on_delete;
};

class Informer {
 public:
  // `client` is not owned and must outlive the informer.
  Informer(const Client& client, InformerOptions options, InformerHandlers handlers);
  // Stops (see Stop).
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Starts the list/watch thread. Call once.
  void Start();
  // Stops the thread and returns once it ended: an open watch is cancelled (the transport polls
  // the cancel flag at least every 200 ms) and a backoff wait is interrupted. A list request in
  // flight is waited for (bounded by its request timeout). Idempotent.
  void Stop();

  // True once the first list was stored in the cache and delivered to the handlers (stays true).
  bool HasSynced() const { return synced_.load(); }
  // Blocks (real time) until HasSynced() or `timeout`; returns HasSynced().
  bool WaitForSync(std::chrono::milliseconds timeout) const;

  // The cached object with this key ("namespace/name", or "name" when cluster-scoped), or null.
  std::shared_ptr<const json> Get(std::string_view key) const;
  std::shared_ptr<const json> Get(std::string_view ns, std::string_view name) const;
  // A snapshot of every cached object, in no particular order.
  std::vector<std::shared_ptr<const json>> List() const;
  // The resourceVersion the next watch will start from.
  std::string LastSyncResourceVersion() const;

  // "namespace/name" ("name" when metadata.namespace is empty); "" if the object has no name.
  static std::string KeyOf(const json& object);

 private:
  enum class WatchOutcome { kRewatch, kBackoffRewatch, kRelist, kStopped };

  void Run();
  Status ListAndReplace();
  WatchOutcome WatchOnce();
  // Handles one watch event; returns false to end the watch (ERROR events).
  bool HandleEvent(std::string_view type, const json& object, Status* watch_error);
  // Waits `d` of the clock unless Stop() is called first; returns false if stopped.
  bool SleepUnlessStopped(std::chrono::milliseconds d);
  std::chrono::milliseconds NextBackoff();
  void SetResourceVersion(std::string rv);

  const Client& client_;
  const InformerOptions options_;
  const InformerHandlers handlers_;
  Clock* const clock_;
  const std::string what_;  // "<plural> in <ns>" for logs

  mutable std::shared_mutex cache_mu_;
  std::unordered_map<std::string, std::shared_ptr<const json>> cache_;

  mutable std::mutex mu_;  // guards resource_version_ and the stop/sync waits
  mutable std::condition_variable cv_;
  std::string resource_version_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> synced_{false};
  int backoff_failures_ = 0;  // Run thread only
  std::thread thread_;
};

}  // namespace modelgate::kube
