#include "controllers/candidate/gate_pool.h"

namespace modelgate::controllers::candidate {

GatePool::GatePool(int workers, size_t queue_capacity, kube::Clock& clock, std::chrono::milliseconds retention)
    : clock_(clock), queue_capacity_(queue_capacity), retention_(retention) {
  for (int i = 0; i < std::max(1, workers); ++i) threads_.emplace_back([this] { Loop(); });
}

GatePool::~GatePool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cancel_ = true;
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

bool GatePool::Submit(const std::string& key, Work work) {
  std::lock_guard lock(mu_);
  DropExpiredLocked();
  if (stopping_ || entries_.count(key) || queue_.size() >= queue_capacity_) return false;
  entries_[key] = Entry{};
  queue_.emplace_back(key, std::move(work));
  cv_.notify_one();
  return true;
}

GatePool::Observation GatePool::Check(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return {};
  return {it->second.state, it->second.result};
}

void GatePool::MarkConsumed(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  it->second.state = State::kConsumed;
  it->second.result.reset();
  it->second.finished_at = clock_.Now();
}

size_t GatePool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

size_t GatePool::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

void GatePool::DropExpiredLocked() {
  const auto now = clock_.Now();
  for (auto it = entries_.begin(); it != entries_.end();) {
    const bool finished = it->second.state == State::kDone || it->second.state == State::kConsumed;
    if (finished && now - it->second.finished_at > retention_) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

void GatePool::Loop() {
  while (true) {
    std::pair<std::string, Work> item;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      item = std::move(queue_.front());
      queue_.pop_front();
      entries_[item.first].state = State::kRunning;
      ++running_;
    }
    GateRunResult result;
    try {
      result = item.second(cancel_);
    } catch (const std::exception& e) {
      result.kind = GateRunResult::Kind::kInvalidInput;
      result.error = std::string("internal error while running the gate: ") + e.what();
    }
    std::lock_guard lock(mu_);
    --running_;
    auto it = entries_.find(item.first);
    if (it != entries_.end()) {
      it->second.state = State::kDone;
      it->second.result = std::move(result);
      it->second.finished_at = clock_.Now();
    }
  }
}

}  // namespace modelgate::controllers::candidate
