#include "operator/kube/clock.h"

#include <thread>

namespace modelgate::kube {

void SystemClock::SleepFor(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

Clock::time_point FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

void FakeClock::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  const time_point deadline = now_ + d;
  ++sleepers_;
  cv_.notify_all();
  cv_.wait(lock, [&] { return now_ >= deadline; });
  --sleepers_;
}

void FakeClock::Advance(std::chrono::milliseconds d) {
  std::lock_guard lock(mu_);
  now_ += d;
  cv_.notify_all();
}

int FakeClock::sleepers() const {
  std::lock_guard lock(mu_);
  return sleepers_;
}

}  // namespace modelgate::kube
