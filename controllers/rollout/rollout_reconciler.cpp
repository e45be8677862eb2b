#include "controllers/rollout/rollout_reconciler.h"

#include <algorithm>

#include "controllers/conditions.h"
#include "controllers/rollout/analysis_status.h"
#include "operator/kube/logging.h"
#include "operator/kube/time_format.h"
#include "controllers/json_fields.h"
#include "controllers/registry/registry_champion.h"

namespace modelgate::controllers::rollout {
namespace {

using nlohmann::json;
namespace resources = kube::resources;

constexpr int kMaxTransitionsPerReconcile = 8;
constexpr int kCandidateWriteAttempts = 3;

CandidateView ViewOf(const json& candidate) {
  CandidateView v;
  v.name = Str(Child(candidate, "metadata"), "name");
  v.model = Str(Child(candidate, "spec"), "model");
  v.version = Str(Child(candidate, "spec"), "version");
  v.phase = Str(Child(candidate, "status"), "phase");
  v.stage = Str(Child(candidate, "status"), "stage");
  v.artifact.image = Str(Child(Child(candidate, "spec"), "artifact"), "image");
  v.artifact.uri = Str(Child(Child(candidate, "spec"), "artifact"), "uri");
  return v;
}

// A provider that answers every query with the error that prevented building the real one, so the
// analysis reports it as what it is (Error verdicts: held, then failed safe after outageTimeout).
class UnavailableProvider final : public gates::analysis::MetricsProvider {
 public:
  explicit UnavailableProvider(std::string message) : message_(std::move(message)) {}
  gates::analysis::QueryResult Query(std::string_view, gates::analysis::TimePoint) override {
    return gates::analysis::ProviderError{gates::analysis::ProviderError::Kind::kUnreachable, 0, message_};
  }

 private:
  std::string message_;
};

}  // namespace

struct RolloutReconciler::Gathered {
  json rollout;
  std::string ns;
  std::string name;
  std::optional<RolloutSpec> spec;
  RolloutContext context;
  json champion_deployment;  // null when absent
  json challenger;           // null when absent
  traffic::RouteTarget target;
  std::unique_ptr<traffic::TrafficRouter> router;
};

RolloutReconciler::RolloutReconciler(const kube::Client& client, kube::EventRecorder& events, kube::Clock& clock,
                                     RouterFactory routers, ProviderFactory providers, AnalysisGauges* gauges,
                                     registry::RegistryFactory registry)
    : client_(client),
      events_(events),
      clock_(clock),
      routers_(std::move(routers)),
      providers_(std::move(providers)),
      gauges_(gauges),
      registry_(std::move(registry)) {}

std::shared_ptr<gates::analysis::MetricsProvider> RolloutReconciler::Provider(
    const std::string& ns, const gates::analysis::PrometheusSpec& spec) {
  std::string key = ns + "|" + spec.address + "|" + std::to_string(spec.timeout.count());
  if (spec.bearer_token_secret_ref) key += "|token:" + spec.bearer_token_secret_ref->name + "/" + spec.bearer_token_secret_ref->key;
  if (spec.ca_secret_ref) key += "|ca:" + spec.ca_secret_ref->name + "/" + spec.ca_secret_ref->key;
  {
    std::lock_guard<std::mutex> lock(providers_mu_);
    if (auto it = provider_cache_.find(key); it != provider_cache_.end()) return it->second;
  }
  auto made = providers_ ? providers_(ns, spec)
                         : kube::Result<std::shared_ptr<gates::analysis::MetricsProvider>>(
                               kube::Status(kube::StatusCode::kInternal, "no metrics provider configured"));
  if (!made.ok()) {
    // Not cached: a Secret created later is picked up at the next interval.
    return std::make_shared<UnavailableProvider>("spec.analysis.prometheus: " + made.status().ToString());
  }
  std::lock_guard<std::mutex> lock(providers_mu_);
  provider_cache_[key] = *made;
  return *made;
}

kube::Status RolloutReconciler::Gather(const json& rollout, Gathered& out) const {
  out.rollout = rollout;
  out.ns = Str(Child(rollout, "metadata"), "namespace");
  out.name = Str(Child(rollout, "metadata"), "name");
  out.context.rollout = rollout;
  out.context.now = clock_.Now();
  auto spec = ParseRolloutSpec(Child(rollout, "spec"));
  if (!spec.ok()) return kube::Status::Ok();  // the decision reports the Invalid condition
  out.spec = *spec;
  const RolloutSpec& s = *out.spec;

  auto candidate = client_.Get(resources::ModelCandidates(), out.ns, s.candidate);
  if (candidate.ok()) {
    out.challenger = *candidate;
    out.context.challenger = ViewOf(*candidate);
  } else if (candidate.status().code() != kube::StatusCode::kNotFound) {
    return candidate.status();
  }
  if (Str(Child(rollout, "status"), "phase") == "Pending" || !Child(rollout, "status").is_object() ||
      Str(Child(rollout, "status"), "phase").empty()) {
    if (out.context.challenger) {
      const std::optional<registry::MlflowSpec> mlflow = registry::ParseMlflowSpec(out.challenger);
      const bool from_registry = mlflow && mlflow->ChampionFromRegistry();
      if (from_registry && !registry_) {
        return kube::Status(kube::StatusCode::kUnavailable,
                            "candidate " + s.candidate + ": championSource: Registry needs the operator's registry support");
      }
      auto list = client_.List(resources::ModelCandidates(), out.ns);
      if (!list.ok()) return list.status();
      if (from_registry) {
        // championSource: Registry: the candidate the registry's champion alias names.
        std::vector<std::shared_ptr<const json>> all;
        for (const json& item : Child(*list, "items")) all.push_back(std::make_shared<const json>(item));
        auto client = registry_(out.ns, *mlflow);
        if (!client.ok()) {
          return kube::Status(client.status().code(), "candidate " + s.candidate +
                                                          ": the champion cannot be read from MLflow " +
                                                          mlflow->tracking_uri + ": " + client.status().message());
        }
        auto found = registry::FindRegistryChampion(**client, *mlflow, out.challenger, all);
        if (!found.ok()) return kube::Status(found.status().code(), "candidate " + s.candidate + ": " + found.status().message());
        if (found->champion) out.context.champion = ViewOf(*found->champion);
      } else {
        for (const json& item : Child(*list, "items")) {
          CandidateView v = ViewOf(item);
          if (v.stage == "Production" && v.model == out.context.challenger->model && v.name != s.candidate &&
              (!out.context.champion || v.name < out.context.champion->name)) {
            out.context.champion = v;
          }
        }
      }
    }
  }

  const ChallengerArtifact artifact = out.context.challenger ? out.context.challenger->artifact : ChallengerArtifact{};
  auto view = [&](const std::string& name, WorkloadView& w, json* keep) -> kube::Status {
    auto got = client_.Get(resources::Deployments(), out.ns, name);
    if (!got.ok()) return got.status().code() == kube::StatusCode::kNotFound ? kube::Status::Ok() : got.status();
    w.exists = true;
    w.ready = DeploymentReady(*got);
    w.replicas = DesiredReplicas(*got);
    w.runs_challenger = RunsChallenger(*got, s, artifact);
    if (keep != nullptr) *keep = *got;
    return kube::Status::Ok();
  };
  if (kube::Status st = view(s.deployment, out.context.champion_deployment, &out.champion_deployment); !st.ok()) return st;
  if (kube::Status st = view(s.canary_deployment(), out.context.canary, nullptr); !st.ok()) return st;
  if (kube::Status st = view(s.shadow_deployment(), out.context.shadow, nullptr); !st.ok()) return st;

  out.target.ns = out.ns;
  out.target.route_name = s.route_name;
  out.target.istio_routes = s.istio_routes;
  out.target.champion_service = s.service;
  out.target.canary_service = s.canary_service();
  out.target.shadow_service = s.shadow_service();
  out.target.champion_deployment = s.deployment;
  out.target.canary_deployment = s.canary_deployment();
  const json& recorded = Child(Child(rollout, "status"), "championReplicas");
  out.target.total_replicas = recorded.is_number_integer() ? recorded.get<int>() : out.context.champion_deployment.replicas;
  out.router = routers_ ? routers_(s.traffic_kind) : nullptr;
  if (out.router) {
    auto split = out.router->Observe(out.target);
    if (split.ok()) out.context.route = *split;
  }
  return kube::Status::Ok();
}

kube::Status RolloutReconciler::EnsureVariant(const Gathered& world, const std::string& variant, int replicas) const {
  const RolloutSpec& s = *world.spec;
  if (!world.context.challenger) {
    return kube::Status(kube::StatusCode::kNotFound, "ModelCandidate " + s.candidate + " (spec.candidateRef) not found");
  }
  if (world.champion_deployment.is_null()) {
    return kube::Status(kube::StatusCode::kNotFound, "Deployment " + s.deployment + " (spec.target.deployment) not found");
  }
  // The Service first, so the route never points at a backend that does not exist.
  const std::string service_name = s.service + "-" + variant;
  auto service = client_.Get(resources::Services(), world.ns, service_name);
  if (!service.ok()) {
    if (service.status().code() != kube::StatusCode::kNotFound) return service.status();
    auto champion_service = client_.Get(resources::Services(), world.ns, s.service);
    if (!champion_service.ok()) {
      return kube::Status(champion_service.status().code(),
                          "Service " + s.service + " (spec.target.service): " + champion_service.status().message());
    }
    auto created = client_.Create(resources::Services(), world.ns,
                                  BuildVariantService(*champion_service, variant, s, world.rollout));
    if (!created.ok() && created.status().code() != kube::StatusCode::kAlreadyExists) return created.status();
  }
  const int build_replicas = replicas < 0 ? 0 : replicas;
  auto desired = BuildVariantDeployment(world.champion_deployment, variant, s, world.context.challenger->artifact,
                                        build_replicas, world.rollout);
  if (!desired.ok()) return kube::Status(kube::StatusCode::kInvalid, desired.status().message());
  const std::string name = s.deployment + "-" + variant;
  auto existing = client_.Get(resources::Deployments(), world.ns, name);
  if (!existing.ok()) {
    if (existing.status().code() != kube::StatusCode::kNotFound) return existing.status();
    auto created = client_.Create(resources::Deployments(), world.ns, *desired);
    if (!created.ok() && created.status().code() != kube::StatusCode::kAlreadyExists) return created.status();
    return kube::Status::Ok();
  }
  json updated = *existing;
  bool changed = false;
  if (replicas >= 0 && DesiredReplicas(updated) != replicas) {
    updated["spec"]["replicas"] = replicas;
    changed = true;
  }
  if (!RunsChallenger(updated, s, world.context.challenger->artifact)) {
    updated["spec"]["template"] = (*desired)["spec"]["template"];
    changed = true;
  }
  if (!changed) return kube::Status::Ok();
  auto written = client_.Update(resources::Deployments(), world.ns, updated);
  return written.ok() ? kube::Status::Ok() : written.status();
}

kube::Status RolloutReconciler::RemoveVariant(const std::string& ns, const std::string& deployment,
                                              const std::string& service) const {
  for (auto [resource, name] : {std::pair{&resources::Deployments(), deployment}, std::pair{&resources::Services(), service}}) {
    kube::Status st = client_.Delete(*resource, ns, name, kube::DeletePropagation::kBackground);
    if (!st.ok() && st.code() != kube::StatusCode::kNotFound) return st;
  }
  return kube::Status::Ok();
}

kube::Status RolloutReconciler::UpdateCandidate(const std::string& ns, const CandidateUpdate& update) const {
  kube::Status last;
  for (int attempt = 0; attempt < kCandidateWriteAttempts; ++attempt) {
    auto candidate = client_.Get(resources::ModelCandidates(), ns, update.name);
    if (!candidate.ok()) {
      if (candidate.status().code() == kube::StatusCode::kNotFound) {
        LogEvent("warn", "ModelCandidate to update not found", {{"namespace", ns}, {"name", update.name}});
        return kube::Status::Ok();
      }
      return candidate.status();
    }
    json object = *candidate;
    json& status = object["status"];
    if (!status.is_object()) status = json::object();
    const bool same = Str(status, "phase") == update.phase && (update.stage.empty() || Str(status, "stage") == update.stage);
    if (same && Str(status, "message") == update.message) return kube::Status::Ok();
    status["phase"] = update.phase;
    if (!update.stage.empty() && Str(status, "stage") != update.stage) {
      status["stage"] = update.stage;
      status["stageTransitionTime"] = kube::FormatTime(clock_.Now());
    }
    status["message"] = update.message;
    auto written = client_.UpdateStatus(resources::ModelCandidates(), ns, object);
    if (written.ok()) return kube::Status::Ok();
    last = written.status();
    if (last.code() != kube::StatusCode::kConflict) return last;
  }
  return last;
}

kube::Status RolloutReconciler::Apply(const Gathered& world, const RolloutDecision& d) const {
  if (!world.spec) return kube::Status::Ok();
  const RolloutSpec& s = *world.spec;
  if (d.canary == WorkloadAction::kPresent) {
    if (kube::Status st = EnsureVariant(world, "canary", d.canary_replicas); !st.ok()) return st;
  }
  if (d.shadow == WorkloadAction::kPresent) {
    if (kube::Status st = EnsureVariant(world, "shadow", d.shadow_replicas); !st.ok()) return st;
  }
  if (d.promote_stable) {
    if (!world.context.challenger) {
      return kube::Status(kube::StatusCode::kNotFound, "ModelCandidate " + s.candidate + " not found");
    }
    // The controller manager writes the Deployment's status all the time, so a 409 here is
    // ordinary: re-read and re-apply (a few times) rather than fail the whole reconcile.
    json current = world.champion_deployment;
    kube::Status last;
    for (int attempt = 0; attempt < 4; ++attempt) {
      auto updated = WithChallenger(current, s, world.context.challenger->artifact);
      if (!updated.ok()) return kube::Status(kube::StatusCode::kInvalid, updated.status().message());
      auto written = client_.Update(resources::Deployments(), world.ns, *updated);
      if (written.ok()) {
        last = kube::Status::Ok();
        break;
      }
      last = written.status();
      if (last.code() != kube::StatusCode::kConflict) return last;
      auto again = client_.Get(resources::Deployments(), world.ns, s.deployment);
      if (!again.ok()) return again.status();
      current = *again;
    }
    if (!last.ok()) return last;
  }
  if (d.traffic) {
    if (!world.router) {
      return kube::Status(kube::StatusCode::kInvalid, "spec.traffic: no router for provider " + s.traffic_kind);
    }
    if (kube::Status st = world.router->Apply(world.target, *d.traffic); !st.ok()) return st;
  }
  if (d.canary == WorkloadAction::kAbsent && (world.context.canary.exists || d.traffic)) {
    if (kube::Status st = RemoveVariant(world.ns, s.canary_deployment(), s.canary_service()); !st.ok()) return st;
  }
  if (d.shadow == WorkloadAction::kAbsent && world.context.shadow.exists) {
    if (kube::Status st = RemoveVariant(world.ns, s.shadow_deployment(), s.shadow_service()); !st.ok()) return st;
  }
  for (const CandidateUpdate& update : d.candidates) {
    if (kube::Status st = UpdateCandidate(world.ns, update); !st.ok()) return st;
  }
  return kube::Status::Ok();
}

void RolloutReconciler::Report(const json& written, const RolloutDecision& d) const {
  const json& meta = written["metadata"];
  const json& status = written["status"];
  for (const EventSpec& e : d.events) {
    events_.Record(written, e.type == "Warning" ? kube::EventType::kWarning : kube::EventType::kNormal, e.reason,
                   e.action, e.note);
    LogEvent(e.type == "Warning" ? "warn" : "info", e.note,
             {{"namespace", meta.value("namespace", "")},
              {"name", meta.value("name", "")},
              {"kind", "ModelRollout"},
              {"reason", e.reason},
              {"phase", status.value("phase", "")},
              {"step", status.value("currentStep", 0)},
              {"canaryWeight", status.value("canaryWeight", 0)},
              {"candidate", Str(Child(written, "spec").value("candidateRef", json::object()), "name")},
              {"generation", meta.value("generation", 0)}});
  }
}

ReconcileOutcome RolloutReconciler::Reconcile(const std::string& key) {
  const auto slash = key.find('/');
  const std::string ns = slash == std::string::npos ? "" : key.substr(0, slash);
  const std::string name = slash == std::string::npos ? key : key.substr(slash + 1);
  auto read = client_.Get(kube::resources::ModelRollouts(), ns, name);
  if (!read.ok()) {
    if (read.status().code() == kube::StatusCode::kNotFound) return ReconcileOutcome::Done();
    return ReconcileOutcome::Retry(read.status());
  }
  json rollout = *read;
  // Events of decisions whose effects were applied but whose status write conflicted: the status
  // is decided again from the re-read object, and the new decision may no longer mention what
  // already happened (e.g. StableUpdated once the Deployment runs the challenger). They are
  // recorded with the next status that is written, unless that decision records the same reason.
  std::vector<EventSpec> carried;
  for (int transition = 0; transition < kMaxTransitionsPerReconcile; ++transition) {
    if (Child(rollout, "metadata").contains("deletionTimestamp")) return ReconcileOutcome::Done();
    Gathered world;
    if (kube::Status st = Gather(rollout, world); !st.ok()) return ReconcileOutcome::Retry(st);

    if (world.spec) {
      if (auto variant = MeasurementDue(rollout, world.context.now)) {
        auto provider = Provider(ns, world.spec->analysis.prometheus);
        gates::analysis::IntervalContext interval{
            .challenger = *variant,
            .namespace_name = ns,
            .model = world.context.challenger ? world.context.challenger->model : "",
            .at = world.context.now};
        auto measured = gates::analysis::MeasureInterval(world.spec->analysis, interval, *provider);
        if (measured.ok()) {
          world.context.measurements = *measured;
          if (gauges_) gauges_->Record(ns, name, *measured);
        }
      }
    }

    RolloutDecision decision = DecideRollout(world.context);
    kube::Status applied = Apply(world, decision);
    if (!applied.ok()) {
      // Leave the status as observed but say what failed; retried with backoff.
      json status = Child(rollout, "status").is_object() ? rollout["status"] : json::object();
      const std::string message = applied.ToString();
      const auto previous = FindCondition(Child(status, "conditions"), "ReconcileError");
      if (!previous || previous->value("message", "") != message || previous->value("status", "") != "True") {
        SetCondition(status["conditions"],
                     {"ReconcileError", "True", kube::StatusCodeName(applied.code()), message,
                      Child(rollout, "metadata").value("generation", 0LL)},
                     world.context.now);
        json updated = rollout;
        updated["status"] = status;
        auto written = client_.UpdateStatus(kube::resources::ModelRollouts(), ns, updated);
        if (written.ok()) {
          events_.Record(*written, kube::EventType::kWarning, "ReconcileError", "Reconcile", message);
        }
      }
      LogEvent("error", "rollout reconcile failed",
               {{"namespace", ns}, {"name", name}, {"kind", "ModelRollout"}, {"error", message}});
      return ReconcileOutcome::Retry(applied);
    }
    if (RemoveCondition(decision.status["conditions"], "ReconcileError")) decision.status_changed = true;

    json written = rollout;
    if (decision.status_changed) {
      json updated = rollout;
      updated["status"] = decision.status;
      auto result = client_.UpdateStatus(kube::resources::ModelRollouts(), ns, updated);
      if (!result.ok()) {
        if (result.status().code() == kube::StatusCode::kNotFound) return ReconcileOutcome::Done();
        if (result.status().code() != kube::StatusCode::kConflict) return ReconcileOutcome::Retry(result.status());
        carried.insert(carried.end(), decision.events.begin(), decision.events.end());
        auto again = client_.Get(kube::resources::ModelRollouts(), ns, name);  // re-read and re-decide
        if (!again.ok()) return ReconcileOutcome::Retry(again.status());
        rollout = *again;
        continue;
      }
      written = *result;
      std::vector<EventSpec> events;
      for (const EventSpec& e : carried) {
        const bool repeated = std::any_of(decision.events.begin(), decision.events.end(),
                                          [&](const EventSpec& d) { return d.reason == e.reason; });
        const bool seen = std::any_of(events.begin(), events.end(),
                                      [&](const EventSpec& d) { return d.reason == e.reason; });
        if (!repeated && !seen) events.push_back(e);
      }
      carried.clear();
      events.insert(events.end(), decision.events.begin(), decision.events.end());
      decision.events = std::move(events);
      Report(written, decision);
    } else if (!carried.empty()) {
      RolloutDecision applied;
      applied.events = std::move(carried);
      carried.clear();
      Report(written, applied);
    }
    if (!decision.again) {
      if (decision.requeue_after) return ReconcileOutcome::After(*decision.requeue_after);
      return ReconcileOutcome::Done();
    }
    rollout = written;
  }
  return ReconcileOutcome::After(std::chrono::milliseconds(100));
}

}  // namespace modelgate::controllers::rollout
