#include "operator/kube/leader_election.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <exception>
#include <random>

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include "operator/kube/logging.h"
#include "operator/kube/time_format.h"

namespace modelgate::kube {

namespace {

using std::chrono::milliseconds;

// The Clock cannot wake a waiter when a FakeClock advances: waits re-read it this often.
constexpr milliseconds kClockPoll{50};

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

int64_t WholeSeconds(milliseconds d) {
  return std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

}  // namespace

Status LeaderElector::Validate(const LeaderElectionOptions& o) {
  if (o.lease_namespace.empty() || o.lease_name.empty()) {
    return Status(StatusCode::kInvalid, "leader election: lease namespace and name are required");
  }
  if (o.retry_period <= milliseconds(0)) {
    return Status(StatusCode::kInvalid, "leader election: retry period must be positive");
  }
  if (o.renew_deadline <= o.retry_period * 12 / 10) {
    return Status(StatusCode::kInvalid,
                  "leader election: renew deadline must be greater than 1.2 x retry period");
  }
  if (o.lease_duration <= o.renew_deadline) {
    return Status(StatusCode::kInvalid,
                  "leader election: lease duration must be greater than renew deadline");
  }
  return Status::Ok();
}

std::string LeaderElector::DefaultIdentity() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "modelgate");
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(Rng()()));
  return std::string(host) + "_" + suffix;
}

LeaderElector::LeaderElector(const Client& client, LeaderElectionOptions options,
                             LeaderCallbacks callbacks)
    : client_(client),
      options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      clock_(options_.clock) {
  if (options_.identity.empty()) options_.identity = DefaultIdentity();
  if (options_.registry != nullptr) {
    try {
      master_status_ = &prometheus::BuildGauge()
                            .Name("leader_election_master_status")
                            .Help("Gauge of if the reporting system is master of the relevant "
                                  "lease, 0 indicates backup, 1 indicates master. 'name' is the "
                                  "string used to identify the lease.")
                            .Register(*options_.registry)
                            .Add({{"name", options_.lease_name}});
      master_status_->Set(0);
    } catch (const std::exception& e) {
      LogEvent("error", "leader election metric not registered", {{"lease", options_.lease_namespace + "/" + options_.lease_name}, {"error", e.what()}});
    }
  }
}

LeaderElector::~LeaderElector() { Stop(); }

void LeaderElector::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void LeaderElector::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string LeaderElector::Holder() const {
  std::lock_guard lock(mu_);
  return holder_;
}

void LeaderElector::SetLeading(bool leading) {
  leading_ = leading;
  if (master_status_ != nullptr) master_status_->Set(leading ? 1 : 0);
}

bool LeaderElector::WaitUntil(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  while (!stop_) {
    const Clock::time_point now = clock_->Now();
    if (now >= deadline) return true;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
    cv_.wait_for(lock, std::clamp(left, milliseconds(1), kClockPoll));
  }
  return false;
}

void LeaderElector::Remember(const json& lease, Clock::time_point now) {
  last_lease_ = lease;
  const json spec = lease.value("spec", json::object());
  if (spec != observed_spec_) {
    observed_spec_ = spec;
    observed_time_ = now;
  }
  const std::string holder = spec.value("holderIdentity", "");
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    changed = holder != holder_;
    holder_ = holder;
  }
  if (changed) {
    LogEvent("info", "leader election: lease holder changed", {{"lease", options_.lease_namespace + "/" + options_.lease_name}, {"holder", holder}});
    if (callbacks_.on_new_leader) callbacks_.on_new_leader(holder);
  }
}

bool LeaderElector::TryAcquireOrRenew() {
  const Clock::time_point now = clock_->Now();
  const std::string now_text = FormatMicroTime(now);
  const Resource& leases = resources::Leases();
  const std::string& ns = options_.lease_namespace;

  // Fast path: renew from the Lease we last wrote, no read.
  if (leading_ && last_lease_ && observed_time_ + options_.lease_duration > now) {
    json lease = *last_lease_;
    lease["spec"]["renewTime"] = now_text;
    Result<json> renewed = client_.Update(leases, ns, lease);
    if (renewed.ok()) {
      Remember(*renewed, now);
      return true;
    }
    LogEvent("warn", "leader election: renew failed; re-reading",
             {{"lease", options_.lease_namespace + "/" + options_.lease_name}, {"error", renewed.status().ToString()}});
  }

  Result<json> current = client_.Get(leases, ns, options_.lease_name);
  if (!current.ok()) {
    if (current.status().code() != StatusCode::kNotFound) {
      LogEvent("warn", "leader election: cannot read the lease",
               {{"lease", options_.lease_namespace + "/" + options_.lease_name}, {"error", current.status().ToString()}});
      return false;
    }
    const json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", options_.lease_name}, {"namespace", ns}}},
        {"spec",
         {{"holderIdentity", options_.identity},
          {"leaseDurationSeconds", WholeSeconds(options_.lease_duration)},
          {"acquireTime", now_text},
          {"renewTime", now_text},
          {"leaseTransitions", 0}}}};
    Result<json> created = client_.Create(leases, ns, lease);
    if (!created.ok()) {
      LogEvent("info", "leader election: lease create lost",
               {{"lease", options_.lease_namespace + "/" + options_.lease_name}, {"error", created.status().ToString()}});
      return false;
    }
    Remember(*created, now);
    return true;
  }

  Remember(*current, now);
  const json& spec = observed_spec_;
  const std::string holder = spec.value("holderIdentity", "");
  if (!holder.empty() && holder != options_.identity) {
    const int64_t duration_s = spec.contains("leaseDurationSeconds") &&
                                       spec["leaseDurationSeconds"].is_number_integer()
                                   ? spec["leaseDurationSeconds"].get<int64_t>()
                                   : WholeSeconds(options_.lease_duration);
    const auto duration = std::chrono::seconds(duration_s);
    const bool unchanged_too_long = observed_time_ + duration <= now;
    const std::optional<Clock::time_point> renewed_at =
        spec.contains("renewTime") && spec["renewTime"].is_string()
            ? ParseRfc3339(spec["renewTime"].get<std::string>())
            : std::nullopt;
    const bool renew_time_past = renewed_at && *renewed_at + duration < now;
    if (!unchanged_too_long && !renew_time_past) return false;  // live: leave it alone
    LogEvent("info", "leader election: lease expired; taking over", {{"lease", options_.lease_namespace + "/" + options_.lease_name}, {"previousHolder", holder}});
  }

  json lease = *current;
  json& out = lease["spec"];
  if (holder != options_.identity) {
    out["acquireTime"] = now_text;
    out["leaseTransitions"] = spec.value("leaseTransitions", 0) + 1;
  } else if (!out.contains("acquireTime")) {
    out["acquireTime"] = now_text;
  }
  out["holderIdentity"] = options_.identity;
  out["leaseDurationSeconds"] = WholeSeconds(options_.lease_duration);
  out["renewTime"] = now_text;
  Result<json> updated = client_.Update(leases, ns, lease);
  if (!updated.ok()) {
    // kConflict: someone wrote between our read and write; the next attempt re-reads.
    LogEvent("info", "leader election: lease update lost",
             {{"lease", options_.lease_namespace + "/" + options_.lease_name}, {"error", updated.status().ToString()}});
    return false;
  }
  Remember(*updated, now);
  return true;
}

void LeaderElector::Release() {
  const Resource& leases = resources::Leases();
  for (int attempt = 0; attempt < 2 && last_lease_; ++attempt) {
    if (last_lease_->value("spec", json::object()).value("holderIdentity", "") != options_.identity) {
      return;  // not ours any more
    }
    json lease = *last_lease_;
    const std::string now_text = FormatMicroTime(clock_->Now());
    lease["spec"]["holderIdentity"] = "";
    lease["spec"]["leaseDurationSeconds"] = 1;
    lease["spec"]["renewTime"] = now_text;
    lease["spec"]["acquireTime"] = now_text;
    Result<json> released = client_.Update(leases, options_.lease_namespace, lease);
    if (released.ok()) {
      LogEvent("info", "leader election: lease released", {{"lease", options_.lease_namespace + "/" + options_.lease_name}});
      return;
    }
    if (released.status().code() != StatusCode::kConflict) {
      LogEvent("warn", "leader election: release failed",
               {{"lease", options_.lease_namespace + "/" + options_.lease_name}, {"error", released.status().ToString()}});
      return;
    }
    Result<json> current = client_.Get(leases, options_.lease_namespace, options_.lease_name);
    if (!current.ok()) return;
    last_lease_ = *current;
  }
}

void LeaderElector::Run() {
  LogEvent("info", "leader election: campaigning", {{"lease", options_.lease_namespace + "/" + options_.lease_name}, {"identity", options_.identity}});
  // Acquire. Each wait is measured from the start of the previous attempt, so a clock that
  // advanced during the attempt counts towards the wait.
  Clock::time_point attempt_start;
  while (true) {
    attempt_start = clock_->Now();
    const bool acquired = TryAcquireOrRenew();
    if (acquired) break;
    ++attempts_;
    std::uniform_real_distribution<double> jitter(0.0, std::max(options_.retry_jitter, 0.0));
    const auto wait = std::chrono::duration_cast<milliseconds>(
        options_.retry_period * (1.0 + jitter(Rng())));
    if (!WaitUntil(attempt_start + wait)) return;
  }
  SetLeading(true);
  // The acquiring attempt counts as complete once leadership is visible: an observer that saw
  // attempts() move past it also sees IsLeader() (on_started_leading may still be running).
  ++attempts_;
  LogEvent("info", "leader election: became leader", {{"lease", options_.lease_namespace + "/" + options_.lease_name}, {"identity", options_.identity}});
  if (callbacks_.on_started_leading) callbacks_.on_started_leading();

  // Renew.
  Clock::time_point last_renewal = attempt_start;
  while (true) {
    if (!WaitUntil(attempt_start + options_.retry_period)) {
      if (options_.release_on_stop) Release();
      SetLeading(false);
      return;
    }
    attempt_start = clock_->Now();
    const bool renewed = TryAcquireOrRenew();
    if (renewed) {
      last_renewal = attempt_start;
      ++attempts_;
      continue;
    }
    const std::string holder = Holder();
    const bool taken = !holder.empty() && holder != options_.identity;
    if (taken || clock_->Now() - last_renewal >= options_.renew_deadline) {
      SetLeading(false);
      LogEvent("error", "leader election: leadership lost",
               {{"lease", options_.lease_namespace + "/" + options_.lease_name}, {"identity", options_.identity}, {"holder", holder}});
      if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
      // Counted only now: an attempt is complete once its outcome (here, the loss and its
      // callback) has been acted on, so an observer of attempts() never sees a half-done one.
      ++attempts_;
      return;
    }
    ++attempts_;
  }
}

}  // namespace modelgate::kube
