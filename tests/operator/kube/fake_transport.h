// FakeTransport: a scripted Transport for unit tests of everything above the wire.
//
// Send(): rules are matched in the order they were added, by method and path prefix. A rule
// answers with its scripted responses in order and repeats the last one when they run out; a rule
// with a handler computes the answer. A request no rule matches gets a 404 Status.
//
// Stream(): watch scripts are consumed in order, one per Stream() call. A script delivers its
// lines, then ends the way it says (clean end, an HTTP error such as 410, or a dropped
// connection). When no script is left, Stream() behaves like an idle watch: it blocks until the
// cancel flag is set or the fake is closed.
//
// Every request is recorded; WaitFor() lets a test wait (with a deadline) until the recorded
// requests satisfy a condition. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/status.h"
#include "operator/kube/transport.h"

namespace modelgate::kube::testing {

using nlohmann::json;

// A metav1.Status body as the API server sends it with an error.
inline std::string StatusBody(int code, const std::string& reason, const std::string& message = "") {
  return json{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
              {"code", code}, {"reason", reason}, {"message", message.empty() ? reason : message}}
      .dump();
}

inline HttpResponse JsonResponse(int status, const json& body) {
  return HttpResponse{.status = status, .body = body.dump()};
}

inline HttpResponse ErrorResponse(int status, const std::string& reason) {
  return HttpResponse{.status = status, .body = StatusBody(status, reason)};
}

// One line of a watch stream.
inline std::string WatchLine(const std::string& type, const json& object) {
  return json{{"type", type}, {"object", object}}.dump();
}

struct WatchScript {
  enum class End {
    kClean,         // the server ended the watch (timeoutSeconds reached)
    kHttpError,     // the watch was answered with http_status (e.g. 410) and no stream
    kDrop,          // the connection broke after the lines
    kBlock,         // after the lines, stay open until cancelled
  };
  std::vector<std::string> lines;
  End end = End::kClean;
  int http_status = 0;
};

class FakeTransport : public Transport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

  // Scripted answers for `method` requests whose path starts with `path_prefix`.
  void Respond(const std::string& method, const std::string& path_prefix,
               std::vector<Result<HttpResponse>> responses) {
    std::lock_guard lock(mu_);
    rules_.push_back(Rule{method, path_prefix, std::deque<Result<HttpResponse>>(
                                                   responses.begin(), responses.end()),
                          nullptr});
  }
  // Computed answers; the handler runs on the caller's thread without the fake's lock held.
  void Handle(const std::string& method, const std::string& path_prefix, Handler handler) {
    std::lock_guard lock(mu_);
    rules_.push_back(Rule{method, path_prefix, {}, std::move(handler)});
  }
  void AddWatch(WatchScript script) {
    std::lock_guard lock(mu_);
    watches_.push_back(std::move(script));
    cv_.notify_all();
  }
  // Ends idle watches (as if cancelled) so threads blocked in Stream() return.
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    Handler handler;
    std::optional<Result<HttpResponse>> answer;
    {
      std::lock_guard lock(mu_);
      sent_.push_back(request);
      cv_.notify_all();
      for (Rule& rule : rules_) {
        if (rule.method != request.method || !request.path.starts_with(rule.prefix)) continue;
        if (rule.handler) {
          handler = rule.handler;
        } else if (!rule.responses.empty()) {
          answer = rule.responses.front();
          if (rule.responses.size() > 1) rule.responses.pop_front();
        }
        break;
      }
    }
    if (handler) return handler(request);
    if (answer) return *answer;
    return ErrorResponse(404, "NotFound");
  }

  Status Stream(const HttpRequest& request, const std::function<bool(std::string_view)>& on_line,
                const std::atomic<bool>* cancel) override {
    std::optional<WatchScript> script;
    {
      std::lock_guard lock(mu_);
      streams_.push_back(request);
      cv_.notify_all();
      if (!watches_.empty()) {
        script = std::move(watches_.front());
        watches_.pop_front();
      }
    }
    if (!script) return BlockUntilCancelled(cancel);
    if (script->end == WatchScript::End::kHttpError) {
      return FromKubernetesResponse(script->http_status,
                                    StatusBody(script->http_status, "Expired", "too old resource version"));
    }
    for (const std::string& line : script->lines) {
      if (cancel != nullptr && cancel->load()) return Status::Ok();
      if (!on_line(line)) return Status::Ok();
    }
    switch (script->end) {
      case WatchScript::End::kDrop:
        return Status(StatusCode::kUnavailable, "connection reset by peer");
      case WatchScript::End::kBlock:
        return BlockUntilCancelled(cancel);
      default:
        return Status::Ok();
    }
  }

  std::vector<HttpRequest> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  std::vector<HttpRequest> streams() const {
    std::lock_guard lock(mu_);
    return streams_;
  }
  // Requests sent with `method` whose path starts with `path_prefix`.
  std::vector<HttpRequest> SentMatching(const std::string& method,
                                        const std::string& path_prefix) const {
    std::lock_guard lock(mu_);
    std::vector<HttpRequest> out;
    for (const auto& r : sent_) {
      if (r.method == method && r.path.starts_with(path_prefix)) out.push_back(r);
    }
    return out;
  }

  // Waits until pred() is true (re-checked on every request and at least every 10 ms), at most
  // `deadline`. Returns the last value of pred().
  bool WaitFor(const std::function<bool()>& pred,
               std::chrono::milliseconds deadline = std::chrono::seconds(10)) const {
    const auto until = std::chrono::steady_clock::now() + deadline;
    std::unique_lock lock(mu_);
    while (true) {
      lock.unlock();
      if (pred()) return true;
      lock.lock();
      if (std::chrono::steady_clock::now() >= until) break;
      cv_.wait_for(lock, std::chrono::milliseconds(10));
    }
    lock.unlock();
    return pred();
  }

 private:
  struct Rule {
    std::string method;
    std::string prefix;
    std::deque<Result<HttpResponse>> responses;
    Handler handler;
  };

  Status BlockUntilCancelled(const std::atomic<bool>* cancel) {
    std::unique_lock lock(mu_);
    while (!closed_ && (cancel == nullptr || !cancel->load())) {
      cv_.wait_for(lock, std::chrono::milliseconds(5));  // the contract polls cancel too
    }
    return Status::Ok();
  }

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<Rule> rules_;
  std::deque<WatchScript> watches_;
  std::vector<HttpRequest> sent_;
  std::vector<HttpRequest> streams_;
  bool closed_ = false;
};

// Polls pred() every few milliseconds until it holds or `deadline` passes; for conditions that
// no request signals (handler calls, cache contents).
inline bool Eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

}  // namespace modelgate::kube::testing
