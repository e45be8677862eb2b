// Clock: the one seam for time. Everything that waits, times out, backs off or computes a soak
// from a stored timestamp reads time from a Clock, so unit tests can drive it with FakeClock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace modelgate::kube {

class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  // Wall-clock now (timestamps stored in the API server are wall-clock).
  virtual time_point Now() const = 0;
  // Blocks the calling thread for d of this clock's time (a FakeClock returns when advanced past).
  virtual void SleepFor(std::chrono::milliseconds d) = 0;
};

// The real clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  time_point Now() const override { return std::chrono::system_clock::now(); }
  void SleepFor(std::chrono::milliseconds d) override;
  static SystemClock& Instance();
};

// A manually advanced clock for tests. SleepFor blocks until another thread Advance()s the clock
// past the deadline. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(time_point start = time_point{} + std::chrono::hours(24 * 365 * 50))
      : now_(start) {}
  time_point Now() const override;
  void SleepFor(std::chrono::milliseconds d) override;
  void Advance(std::chrono::milliseconds d);
  // Number of threads currently blocked in SleepFor (lets tests wait until a sleeper is parked).
  int sleepers() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  time_point now_;
  int sleepers_ = 0;
};

}  // namespace modelgate::kube
