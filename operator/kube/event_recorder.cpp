#include "operator/kube/event_recorder.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include "operator/kube/logging.h"

#include "operator/kube/time_format.h"

namespace modelgate::kube {

namespace {

constexpr size_t kMaxNote = 1024;
constexpr size_t kMaxShortField = 128;  // reason, action, reportingInstance
constexpr size_t kMaxName = 253;

// Valid UTF-8 of at most `max` bytes: invalid bytes become U+FFFD (serialising the Event would
// otherwise fail) and the cut never splits a character.
std::string CleanText(std::string_view s, size_t max) {
  std::string text;
  try {
    const std::string quoted =
        json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
    text = json::parse(quoted).get<std::string>();
  } catch (const std::exception&) {
    return "";
  }
  if (text.size() > max) {
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
  }
  return text;
}

std::string DefaultInstance() {
  if (const char* pod = std::getenv("POD_NAME"); pod != nullptr && *pod != '\0') return pod;
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') return host;
  return "unknown";
}

std::string Field(const json& object, const char* field) {
  const auto it = object.find(field);
  return (it != object.end() && it->is_string()) ? it->get<std::string>() : "";
}

json ReferenceTo(const json& object) {
  const json meta = object.is_object() ? object.value("metadata", json::object()) : json::object();
  json ref = json::object();
  for (const char* f : {"apiVersion", "kind"}) {
    if (const std::string v = object.is_object() ? Field(object, f) : ""; !v.empty()) ref[f] = v;
  }
  for (const char* f : {"name", "namespace", "uid", "resourceVersion"}) {
    if (const std::string v = meta.is_object() ? Field(meta, f) : ""; !v.empty()) ref[f] = v;
  }
  return ref;
}

}  // namespace

EventRecorder::EventRecorder(const Client& client, EventRecorderOptions options)
    : client_(client), options_(std::move(options)), clock_(options_.clock) {
  if (options_.reporting_instance.empty()) options_.reporting_instance = DefaultInstance();
  options_.reporting_instance = CleanText(options_.reporting_instance, kMaxShortField);
  thread_ = std::thread([this] { Run(); });
}

EventRecorder::~EventRecorder() { Stop(); }

bool EventRecorder::Record(const json& regarding, EventType type, std::string_view reason,
                           std::string_view action, std::string_view note) {
  json ref = ReferenceTo(regarding);
  if (!ref.contains("name")) {
    LogEvent("warn", "event not recorded: the object has no metadata.name", {{"reason", reason}});
    return false;
  }
  Pending event{.regarding = std::move(ref),
                .type = type == EventType::kWarning ? "Warning" : "Normal",
                .reason = CleanText(reason, kMaxShortField),
                // The API requires an action; the reason is the closest stand-in.
                .action = CleanText(action.empty() ? reason : action, kMaxShortField),
                .note = CleanText(note, kMaxNote),
                .observed = clock_->Now()};
  {
    std::lock_guard lock(mu_);
    if (!stop_ && queue_.size() < options_.queue_capacity) {
      queue_.push_back(std::move(event));
      cv_.notify_one();
      return true;
    }
  }
  const uint64_t dropped = ++dropped_;
  LogEvent("warn", "event dropped: queue full",
           {{"namespace", Field(event.regarding, "namespace")}, {"name", Field(event.regarding, "name")}, {"reason", event.reason}, {"droppedTotal", dropped}});
  return false;
}

bool EventRecorder::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !writing_; });
}

void EventRecorder::Stop() {
  size_t abandoned = 0;
  {
    std::lock_guard lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
    abandoned = queue_.size();
    queue_.clear();
  }
  cv_.notify_all();
  idle_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (abandoned > 0) {
    dropped_ += abandoned;
    LogEvent("warn", "event recorder stopped; queued events dropped", {{"dropped", abandoned}});
  }
}

void EventRecorder::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    Pending event = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    Write(event);
    lock.lock();
    writing_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

std::string EventRecorder::NextName(const std::string& object_name) {
  int64_t nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      clock_->Now().time_since_epoch())
                      .count();
  // Unique even when the clock does not move between two events (a coarse or fake clock).
  nanos = std::max(nanos, last_name_nanos_ + 1);
  last_name_nanos_ = nanos;
  char hex[32];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(nanos));
  const size_t room = kMaxName - 1 - std::char_traits<char>::length(hex);
  return object_name.substr(0, room) + "." + hex;
}

void EventRecorder::ForgetOldSeries() {
  if (series_.size() <= options_.max_tracked_series) return;
  const Clock::time_point now = clock_->Now();
  std::erase_if(series_, [&](const auto& entry) {
    return now - entry.second.last_observed > options_.series_window;
  });
  if (series_.size() <= options_.max_tracked_series) return;
  // Still too many live series: forget the least recently observed half.
  std::vector<std::pair<Clock::time_point, std::string>> by_age;
  by_age.reserve(series_.size());
  for (const auto& [key, s] : series_) by_age.emplace_back(s.last_observed, key);
  std::sort(by_age.begin(), by_age.end());
  for (size_t i = 0; i < by_age.size() / 2; ++i) series_.erase(by_age[i].second);
}

bool EventRecorder::Create(const Pending& event, const std::string& key) {
  const std::string object_ns = Field(event.regarding, "namespace");
  const std::string ns = object_ns.empty() ? "default" : object_ns;
  const std::string name = NextName(Field(event.regarding, "name"));
  const json body = {{"apiVersion", "events.k8s.io/v1"},
                     {"kind", "Event"},
                     {"metadata", {{"name", name}, {"namespace", ns}}},
                     {"eventTime", FormatMicroTime(event.observed)},
                     {"regarding", event.regarding},
                     {"type", event.type},
                     {"reason", event.reason},
                     {"action", event.action},
                     {"note", event.note},
                     {"reportingController", options_.reporting_controller},
                     {"reportingInstance", options_.reporting_instance}};
  Result<json> created = client_.Create(resources::Events(), ns, body);
  if (!created.ok()) {
    LogEvent("warn", "event create failed",
             {{"namespace", Field(event.regarding, "namespace")}, {"name", Field(event.regarding, "name")}, {"reason", event.reason}, {"error", created.status().ToString()}});
    return false;
  }
  series_[key] = Series{.ns = ns, .name = name, .count = 1, .last_observed = event.observed};
  ForgetOldSeries();
  return true;
}

void EventRecorder::Write(const Pending& event) {
  std::string identity = Field(event.regarding, "uid");
  if (identity.empty()) {
    identity = Field(event.regarding, "kind") + "/" + Field(event.regarding, "namespace") + "/" +
               Field(event.regarding, "name");
  }
  const std::string key = identity + '\x1f' + event.reason + '\x1f' + event.note;

  const auto it = series_.find(key);
  if (it != series_.end() && event.observed - it->second.last_observed <= options_.series_window) {
    Series& s = it->second;
    const json patch = {{"series",
                         {{"count", s.count + 1},
                          {"lastObservedTime", FormatMicroTime(event.observed)}}}};
    Result<json> patched =
        client_.Patch(resources::Events(), s.ns, s.name, PatchType::kMerge, patch);
    if (patched.ok()) {
      s.count += 1;
      s.last_observed = event.observed;
      return;
    }
    if (patched.status().code() != StatusCode::kNotFound) {
      LogEvent("warn", "event series update failed",
               {{"namespace", Field(event.regarding, "namespace")}, {"name", Field(event.regarding, "name")}, {"reason", event.reason}, {"error", patched.status().ToString()}});
      return;
    }
    // The Event expired or was deleted: start over with a new one.
  }
  Create(event, key);
}

}  // namespace modelgate::kube
