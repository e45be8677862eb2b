#include "operator/kube/workqueue.h"

#include <algorithm>
#include <cmath>
#include <exception>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include "operator/kube/logging.h"

namespace modelgate::kube {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// The Clock interface has no way to wake a waiter when a FakeClock is advanced, so timed waits
// re-read the clock at least this often (real time). With the SystemClock the wait ends on time.
constexpr milliseconds kClockPoll{50};

double Seconds(Clock::time_point::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// RateLimiter

RateLimiter::RateLimiter(RateLimiterOptions options, Clock* clock)
    : options_(options),
      clock_(clock),
      tokens_(static_cast<double>(std::max(options.burst, 1))),
      last_refill_(clock->Now()) {}

milliseconds RateLimiter::ItemDelay(int failures) const {
  // base * 2^failures without overflow: past 2^62 (or the cap) the answer is the cap.
  const double delay_ms =
      static_cast<double>(options_.base_delay.count()) * std::pow(2.0, std::min(failures, 62));
  if (delay_ms >= static_cast<double>(options_.max_delay.count())) return options_.max_delay;
  return milliseconds(static_cast<int64_t>(delay_ms));
}

milliseconds RateLimiter::BucketDelay() {
  if (options_.qps <= 0) return milliseconds(0);
  const Clock::time_point now = clock_->Now();
  if (now > last_refill_) {
    tokens_ = std::min(static_cast<double>(std::max(options_.burst, 1)),
                       tokens_ + Seconds(now - last_refill_) * options_.qps);
    last_refill_ = now;
  }
  // Reserve one token; a negative balance is paid back by waiting (golang.org/x/time/rate style).
  tokens_ -= 1;
  if (tokens_ >= 0) return milliseconds(0);
  return milliseconds(static_cast<int64_t>(std::ceil(-tokens_ / options_.qps * 1000.0)));
}

milliseconds RateLimiter::When(const std::string& key) {
  std::lock_guard lock(mu_);
  const int failures = failures_[key]++;
  return std::max(ItemDelay(failures), BucketDelay());
}

void RateLimiter::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int RateLimiter::NumRequeues(const std::string& key) const {
  std::lock_guard lock(mu_);
  const auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

// ---------------------------------------------------------------------------------------------
// Metrics (controller-runtime names; labels name and controller carry the queue's name)

struct WorkQueue::Metrics {
  prometheus::Gauge* depth = nullptr;
  prometheus::Counter* adds = nullptr;
  prometheus::Histogram* queue_duration = nullptr;
  prometheus::Histogram* work_duration = nullptr;
  prometheus::Counter* retries = nullptr;
  prometheus::Gauge* unfinished_work = nullptr;
  prometheus::Gauge* longest_running = nullptr;
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stop = false;

  static std::unique_ptr<Metrics> Register(prometheus::Registry& registry, const std::string& name) {
    // ExponentialBuckets(10e-9, 10, 12) as in controller-runtime.
    prometheus::Histogram::BucketBoundaries buckets;
    for (double b = 1e-8; buckets.size() < 12; b *= 10) buckets.push_back(b);
    const prometheus::Labels labels{{"name", name}, {"controller", name}};
    try {
      auto m = std::make_unique<Metrics>();
      m->depth = &prometheus::BuildGauge()
                      .Name("workqueue_depth")
                      .Help("Current depth of workqueue")
                      .Register(registry)
                      .Add(labels);
      m->adds = &prometheus::BuildCounter()
                     .Name("workqueue_adds_total")
                     .Help("Total number of adds handled by workqueue")
                     .Register(registry)
                     .Add(labels);
      m->queue_duration = &prometheus::BuildHistogram()
                               .Name("workqueue_queue_duration_seconds")
                               .Help("How long in seconds an item stays in workqueue before being requested")
                               .Register(registry)
                               .Add(labels, buckets);
      m->work_duration = &prometheus::BuildHistogram()
                              .Name("workqueue_work_duration_seconds")
                              .Help("How long in seconds processing an item from workqueue takes.")
                              .Register(registry)
                              .Add(labels, buckets);
      m->retries = &prometheus::BuildCounter()
                        .Name("workqueue_retries_total")
                        .Help("Total number of retries handled by workqueue")
                        .Register(registry)
                        .Add(labels);
      m->unfinished_work = &prometheus::BuildGauge()
                                .Name("workqueue_unfinished_work_seconds")
                                .Help("How many seconds of work has been done that is in progress and "
                                      "hasn't been observed by work_duration. Large values indicate "
                                      "stuck threads. One can deduce the number of stuck threads by "
                                      "observing the rate at which this increases.")
                                .Register(registry)
                                .Add(labels);
      m->longest_running = &prometheus::BuildGauge()
                                .Name("workqueue_longest_running_processor_seconds")
                                .Help("How many seconds has the longest running processor for "
                                      "workqueue been running.")
                                .Register(registry)
                                .Add(labels);
      return m;
    } catch (const std::exception& e) {
      LogEvent("error", "workqueue metrics not registered", {{"queue", name}, {"error", e.what()}});
      return nullptr;
    }
  }
};

// ---------------------------------------------------------------------------------------------
// WorkQueue

WorkQueue::WorkQueue(WorkQueueOptions options)
    : options_(std::move(options)),
      clock_(options_.clock),
      limiter_(options_.rate_limits, options_.clock) {
  if (options_.registry != nullptr) {
    metrics_ = Metrics::Register(*options_.registry, options_.name);
    if (metrics_) metrics_thread_ = std::thread([this] { MetricsLoop(); });
  }
}

WorkQueue::~WorkQueue() {
  ShutDown();
  if (metrics_thread_.joinable()) {
    {
      std::lock_guard lock(metrics_->stop_mu);
      metrics_->stop = true;
    }
    metrics_->stop_cv.notify_all();
    metrics_thread_.join();
  }
}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.contains(key)) return;
  dirty_.insert(key);
  if (metrics_) metrics_->adds->Increment();
  if (processing_.contains(key)) return;  // Done() queues it again
  queue_.push_back(key);
  added_at_[key] = clock_->Now();
  if (metrics_) metrics_->depth->Set(static_cast<double>(queue_.size()));
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, milliseconds delay) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  if (metrics_) metrics_->retries->Increment();
  if (delay <= milliseconds(0)) {
    AddLocked(key);
    return;
  }
  const Clock::time_point ready_at = clock_->Now() + delay;
  const auto it = waiting_at_.find(key);
  if (it != waiting_at_.end() && it->second <= ready_at) return;
  waiting_at_[key] = ready_at;
  waiting_.push(Waiting{ready_at, next_seq_++, key});
  // A blocked Get() may have to wake earlier than it planned.
  cv_.notify_all();
}

void WorkQueue::AddRateLimited(const std::string& key) { AddAfter(key, limiter_.When(key)); }

void WorkQueue::Forget(const std::string& key) { limiter_.Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) const { return limiter_.NumRequeues(key); }

void WorkQueue::PromoteReadyLocked(Clock::time_point now) {
  while (!waiting_.empty()) {
    const Waiting& top = waiting_.top();
    const auto it = waiting_at_.find(top.key);
    if (it == waiting_at_.end() || it->second != top.ready_at) {  // superseded entry
      waiting_.pop();
      continue;
    }
    if (top.ready_at > now) return;
    const std::string key = top.key;
    waiting_at_.erase(it);
    waiting_.pop();
    AddLocked(key);
  }
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock lock(mu_);
  while (true) {
    if (shutting_down_) return std::nullopt;
    const Clock::time_point now = clock_->Now();
    PromoteReadyLocked(now);
    if (!queue_.empty()) break;
    if (waiting_.empty()) {
      cv_.wait(lock);
    } else {
      const auto until_ready = duration_cast<milliseconds>(waiting_.top().ready_at - now);
      cv_.wait_for(lock, std::clamp(until_ready, milliseconds(1), kClockPoll));
    }
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  const Clock::time_point now = clock_->Now();
  if (metrics_) {
    metrics_->depth->Set(static_cast<double>(queue_.size()));
    if (const auto it = added_at_.find(key); it != added_at_.end()) {
      metrics_->queue_duration->Observe(Seconds(now - it->second));
    }
  }
  added_at_.erase(key);
  processing_.insert(key);
  started_at_[key] = now;
  dirty_.erase(key);
  return key;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard lock(mu_);
  if (processing_.erase(key) == 0) return;
  if (const auto it = started_at_.find(key); it != started_at_.end()) {
    if (metrics_) metrics_->work_duration->Observe(Seconds(clock_->Now() - it->second));
    started_at_.erase(it);
  }
  if (dirty_.contains(key) && !shutting_down_) {
    queue_.push_back(key);
    added_at_[key] = clock_->Now();
    if (metrics_) metrics_->depth->Set(static_cast<double>(queue_.size()));
    cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
  }
  cv_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

size_t WorkQueue::NumWaiting() const {
  std::lock_guard lock(mu_);
  return waiting_at_.size();
}

void WorkQueue::RefreshProcessingGauges() {
  double total = 0;
  double longest = 0;
  {
    std::lock_guard lock(mu_);
    const Clock::time_point now = clock_->Now();
    for (const auto& [key, started] : started_at_) {
      const double s = Seconds(now - started);
      total += s;
      longest = std::max(longest, s);
    }
  }
  metrics_->unfinished_work->Set(total);
  metrics_->longest_running->Set(longest);
}

void WorkQueue::MetricsLoop() {
  std::unique_lock lock(metrics_->stop_mu);
  while (!metrics_->stop) {
    lock.unlock();
    RefreshProcessingGauges();
    lock.lock();
    metrics_->stop_cv.wait_for(lock, milliseconds(500), [this] { return metrics_->stop; });
  }
}

}  // namespace modelgate::kube
