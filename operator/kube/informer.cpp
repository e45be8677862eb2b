#include "operator/kube/informer.h"

#include <algorithm>
#include <random>

#include "operator/kube/logging.h"

namespace modelgate::kube {

namespace {

using std::chrono::milliseconds;

// The Clock cannot wake a waiter when a FakeClock advances: waits re-read it this often.
constexpr milliseconds kClockPoll{50};
// A watch that ends cleanly this fast without a single event is treated as a failure (client-go's
// "very short watch"), so a misbehaving server does not make us spin.
constexpr std::chrono::seconds kShortWatch{1};

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

std::string Metadata(const json& object, const char* field) {
  if (!object.is_object()) return "";
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  const auto it = meta->find(field);
  return (it != meta->end() && it->is_string()) ? it->get<std::string>() : "";
}

}  // namespace

std::string Informer::KeyOf(const json& object) {
  const std::string name = Metadata(object, "name");
  if (name.empty()) return "";
  const std::string ns = Metadata(object, "namespace");
  return ns.empty() ? name : ns + "/" + name;
}

Informer::Informer(const Client& client, InformerOptions options, InformerHandlers handlers)
    : client_(client),
      options_(std::move(options)),
      handlers_(std::move(handlers)),
      clock_(options_.clock),
      what_(options_.resource.plural + (options_.ns.empty() ? " (all namespaces)"
                                                              : " in " + options_.ns)) {}

Informer::~Informer() { Stop(); }

void Informer::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void Informer::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Informer::WaitForSync(milliseconds timeout) const {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return synced_.load() || stop_.load(); });
  return synced_.load();
}

std::shared_ptr<const json> Informer::Get(std::string_view key) const {
  std::shared_lock lock(cache_mu_);
  const auto it = cache_.find(std::string(key));
  return it == cache_.end() ? nullptr : it->second;
}

std::shared_ptr<const json> Informer::Get(std::string_view ns, std::string_view name) const {
  return Get(ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name));
}

std::vector<std::shared_ptr<const json>> Informer::List() const {
  std::shared_lock lock(cache_mu_);
  std::vector<std::shared_ptr<const json>> out;
  out.reserve(cache_.size());
  for (const auto& [key, object] : cache_) out.push_back(object);
  return out;
}

std::string Informer::LastSyncResourceVersion() const {
  std::lock_guard lock(mu_);
  return resource_version_;
}

void Informer::SetResourceVersion(std::string rv) {
  if (rv.empty()) return;
  std::lock_guard lock(mu_);
  resource_version_ = std::move(rv);
}

bool Informer::SleepUnlessStopped(milliseconds d) {
  const Clock::time_point deadline = clock_->Now() + d;
  std::unique_lock lock(mu_);
  while (!stop_) {
    const Clock::time_point now = clock_->Now();
    if (now >= deadline) return true;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
    cv_.wait_for(lock, std::clamp(left, milliseconds(1), kClockPoll));
  }
  return false;
}

milliseconds Informer::NextBackoff() {
  const int exponent = std::min(backoff_failures_++, 30);
  const int64_t cap = options_.max_backoff.count();
  const int64_t base = std::min<int64_t>(cap, options_.initial_backoff.count() << exponent);
  // Full jitter on top of the base (client-go: jitter 1.0), never past the cap.
  std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(base, 0));
  return milliseconds(std::min(cap, base + jitter(Rng())));
}

void Informer::Run() {
  bool need_list = true;
  while (!stop_) {
    if (need_list) {
      const Status listed = ListAndReplace();
      if (stop_) return;
      if (!listed.ok()) {
        LogEvent("warn", "informer list failed", {{"resource", options_.resource.plural}, {"namespace", options_.ns}, {"error", listed.ToString()}});
        if (!SleepUnlessStopped(NextBackoff())) return;
        continue;
      }
      need_list = false;
      backoff_failures_ = 0;
    }
    switch (WatchOnce()) {
      case WatchOutcome::kRewatch:
        break;
      case WatchOutcome::kBackoffRewatch:
        if (!SleepUnlessStopped(NextBackoff())) return;
        break;
      case WatchOutcome::kRelist:
        need_list = true;
        if (!SleepUnlessStopped(NextBackoff())) return;
        break;
      case WatchOutcome::kStopped:
        return;
    }
  }
}

Status Informer::ListAndReplace() {
  Result<json> list = client_.ListAll(options_.resource, options_.ns,
                                      {.label_selector = options_.label_selector,
                                       .field_selector = options_.field_selector,
                                       .limit = options_.page_size});
  if (!list.ok()) return list.status();

  // List items carry no apiVersion/kind; fill them in so handlers (and event recording) see
  // complete objects, as watch events deliver them.
  std::string kind = list->value("kind", "");
  if (kind.ends_with("List")) kind.resize(kind.size() - 4);
  const std::string api_version = list->value("apiVersion", "");

  std::unordered_map<std::string, std::shared_ptr<const json>> fresh;
  if (list->contains("items") && (*list)["items"].is_array()) {
    for (json& item : (*list)["items"]) {
      std::string key = KeyOf(item);
      if (key.empty()) continue;
      if (!kind.empty() && !item.contains("kind")) item["kind"] = kind;
      if (!api_version.empty() && !item.contains("apiVersion")) item["apiVersion"] = api_version;
      fresh.emplace(std::move(key), std::make_shared<const json>(std::move(item)));
    }
  }

  // Diff against the cache: vanished -> delete, new -> add, other resourceVersion -> update.
  std::vector<std::shared_ptr<const json>> added;
  std::vector<std::pair<std::shared_ptr<const json>, std::shared_ptr<const json>>> updated;
  std::vector<std::shared_ptr<const json>> deleted;
  size_t cache_size = 0;
  {
    std::unique_lock lock(cache_mu_);
    for (const auto& [key, object] : cache_) {
      if (!fresh.contains(key)) deleted.push_back(object);
    }
    for (const auto& [key, object] : fresh) {
      const auto old = cache_.find(key);
      if (old == cache_.end()) {
        added.push_back(object);
      } else if (Metadata(*old->second, "resourceVersion") != Metadata(*object, "resourceVersion")) {
        updated.emplace_back(old->second, object);
      }
    }
    cache_.swap(fresh);
    cache_size = cache_.size();
  }
  SetResourceVersion((*list)["metadata"].value("resourceVersion", ""));
  LogEvent("info", "informer listed",
           {{"resource", options_.resource.plural}, {"namespace", options_.ns}, {"objects", cache_size}, {"added", added.size()},
            {"updated", updated.size()}, {"deleted", deleted.size()},
            {"resourceVersion", LastSyncResourceVersion()}});

  for (const auto& object : deleted) {
    if (handlers_.on_delete) handlers_.on_delete(*object);
  }
  for (const auto& object : added) {
    if (handlers_.on_add) handlers_.on_add(*object);
  }
  for (const auto& [old_object, new_object] : updated) {
    if (handlers_.on_update) handlers_.on_update(*old_object, *new_object);
  }
  // Synced only once the handlers saw the first list, so workers started on HasSynced() find
  // every existing object queued.
  {
    std::lock_guard lock(mu_);
    synced_ = true;
  }
  cv_.notify_all();
  return Status::Ok();
}

bool Informer::HandleEvent(std::string_view type, const json& object, Status* watch_error) {
  if (type == "ERROR") {
    const int code = object.is_object() && object.contains("code") && object["code"].is_number()
                         ? object["code"].get<int>()
                         : 0;
    const std::string message =
        object.is_object() ? object.value("message", object.value("reason", "")) : "";
    *watch_error = Status(code == 410 ? StatusCode::kGone : StatusCode::kInternal,
                          "watch " + what_ + ": ERROR event: " + message)
                       .set_http_status(code);
    return false;
  }
  const std::string rv = Metadata(object, "resourceVersion");
  if (type == "BOOKMARK") {
    SetResourceVersion(rv);
    return true;
  }
  const std::string key = KeyOf(object);
  if (key.empty()) {
    LogEvent("warn", "informer: watch event without metadata.name", {{"resource", options_.resource.plural}, {"namespace", options_.ns}, {"type", type}});
    SetResourceVersion(rv);
    return true;
  }
  if (type == "ADDED" || type == "MODIFIED") {
    auto fresh = std::make_shared<const json>(object);
    std::shared_ptr<const json> old;
    {
      std::unique_lock lock(cache_mu_);
      auto& slot = cache_[key];
      old = std::move(slot);
      slot = fresh;
    }
    SetResourceVersion(rv);
    if (old) {
      if (handlers_.on_update) handlers_.on_update(*old, *fresh);
    } else if (handlers_.on_add) {
      handlers_.on_add(*fresh);
    }
  } else if (type == "DELETED") {
    {
      std::unique_lock lock(cache_mu_);
      cache_.erase(key);
    }
    SetResourceVersion(rv);
    if (handlers_.on_delete) handlers_.on_delete(object);
  } else {
    LogEvent("warn", "informer: unknown watch event type", {{"resource", options_.resource.plural}, {"namespace", options_.ns}, {"type", type}, {"key", key}});
  }
  return true;
}

Informer::WatchOutcome Informer::WatchOnce() {
  const auto min_timeout = options_.min_watch_timeout.count();
  std::uniform_int_distribution<int64_t> pick(min_timeout, 2 * min_timeout);
  const WatchOptions watch_options{.label_selector = options_.label_selector,
                                   .field_selector = options_.field_selector,
                                   .resource_version = LastSyncResourceVersion(),
                                   .timeout_seconds = static_cast<int>(pick(Rng())),
                                   .allow_bookmarks = true};
  const Clock::time_point started = clock_->Now();
  int events = 0;
  Status watch_error;
  const Status streamed = client_.Watch(
      options_.resource, options_.ns, watch_options,
      [&](std::string_view type, const json& object) {
        ++events;
        return HandleEvent(type, object, &watch_error);
      },
      &stop_);
  if (stop_) return WatchOutcome::kStopped;

  if (!watch_error.ok()) {
    LogEvent("info", "informer watch ended by a server error; relisting",
             {{"resource", options_.resource.plural}, {"namespace", options_.ns}, {"resourceVersion", watch_options.resource_version},
              {"error", watch_error.ToString()}});
    return WatchOutcome::kRelist;
  }
  if (streamed.ok()) {
    if (events == 0 && clock_->Now() - started < kShortWatch) {
      LogEvent("debug", "informer: very short watch without events", {{"resource", options_.resource.plural}, {"namespace", options_.ns}});
      return WatchOutcome::kBackoffRewatch;
    }
    backoff_failures_ = 0;
    return WatchOutcome::kRewatch;
  }
  if (streamed.code() == StatusCode::kGone || streamed.code() == StatusCode::kNotFound) {
    LogEvent("info", "informer watch refused; relisting",
             {{"resource", options_.resource.plural}, {"namespace", options_.ns}, {"resourceVersion", watch_options.resource_version},
              {"error", streamed.ToString()}});
    return WatchOutcome::kRelist;
  }
  if (events > 0) backoff_failures_ = 0;
  LogEvent("warn", "informer watch failed; watching again after a backoff",
           {{"resource", options_.resource.plural}, {"namespace", options_.ns}, {"resourceVersion", LastSyncResourceVersion()},
            {"error", streamed.ToString()}});
  return WatchOutcome::kBackoffRewatch;
}

}  // namespace modelgate::kube
