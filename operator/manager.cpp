#include "operator/manager.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "controllers/admission_reconciler.h"
#include "controllers/rollout/analysis_gauges.h"
#include "controllers/rollout/rollout_reconciler.h"
#include "controllers/traffic/router.h"
#include "controllers/candidate/candidate_reconciler.h"
#include "controllers/pipeline/pipeline_reconciler.h"
#include "controllers/pipeline/pipeline_trigger.h"
#include "controllers/registry/registry_reconciler.h"
#include "operator/alert_webhook_handler.h"
#include "operator/controller.h"
#include "operator/controller_metrics.h"
#include "operator/http_server.h"
#include "operator/instrumented_transport.h"
#include "operator/kube/secret_data.h"
#include "operator/mlflow_registry_factory.h"
#include "operator/kube/clock.h"
#include "operator/kube/cpprest_transport.h"
#include "operator/kube/event_recorder.h"
#include "operator/kube/leader_election.h"
#include "operator/kube/logging.h"
#include "operator/kube/rest_config.h"
#include "operator/prometheus_provider.h"
#include "operator/webhook_server.h"

namespace modelgate {
namespace {

// "https://127.0.0.1:6443" -> "127.0.0.1:6443", the rest_client_* host label.
std::string HostOf(const std::string& server) {
  std::string host = server;
  if (const auto scheme = host.find("://"); scheme != std::string::npos) host = host.substr(scheme + 3);
  if (const auto slash = host.find('/'); slash != std::string::npos) host.resize(slash);
  return host;
}

int Fail(const std::string& message) {
  std::cerr << "modelgate run: " << message << "\n";
  LogEvent("error", "start-up failed", {{"error", message}});
  return 2;
}

}  // namespace

int RunManager(const RunFlags& flags) {
  std::string error;
  if (!ConfigureLogging(flags.log_format, flags.log_level, &error)) return Fail(error);

  // Block the stop signals in every thread (threads inherit the mask); the main thread waits for
  // them with sigtimedwait, so no handler runs on an arbitrary thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  kube::Result<kube::RestConfig> config = kube::LoadDefaultConfig(flags.kubeconfig, flags.context);
  if (!config.ok()) return Fail(config.status().ToString());

  auto registry = std::make_shared<prometheus::Registry>();
  ControllerMetrics metrics(*registry);
  std::shared_ptr<kube::Transport> base = kube::MakeTransport(*config);
  if (!base) return Fail("cannot build a transport for " + config->server);
  auto transport = std::make_shared<InstrumentedTransport>(base, HostOf(config->server), metrics);
  kube::Client client(transport, "modelgate/" MODELGATE_VERSION_STRING);

  std::atomic<bool> ready{false};
  HttpServer metrics_server(flags.metrics_addr, {{"/metrics", [registry] {
    prometheus::TextSerializer serializer;
    return HttpReply{200, "text/plain; version=0.0.4; charset=utf-8", serializer.Serialize(registry->Collect())};
  }}});
  HttpServer health_server(flags.health_addr, {
      {"/healthz", [] { return HttpReply{200, "text/plain; charset=utf-8", "ok\n"}; }},
      {"/readyz", [&ready] {
         return ready ? HttpReply{200, "text/plain; charset=utf-8", "ok\n"}
                      : HttpReply{503, "text/plain; charset=utf-8", "informers not synced\n"};
       }},
  });
  for (HttpServer* server : {&metrics_server, &health_server}) {
    if (flags.metrics_addr == "0" && server == &metrics_server) continue;
    if (flags.health_addr == "0" && server == &health_server) continue;
    if (!server->Start(&error)) return Fail(error);
  }

  kube::EventRecorder events(client);
  kube::Clock& clock = kube::SystemClock::Instance();
  // A candidate's change wakes its pipeline (label modelgate.io/pipeline); a rollout's change wakes
  // the pipelines that promote through it. Set once `pipelines` exists, before any informer starts.
  Controller* pipelines_ptr = nullptr;
  auto notify_pipeline_of_candidate = [&pipelines_ptr](const kube::json& candidate) {
    const kube::json& metadata = candidate.value("metadata", kube::json::object());
    const kube::json& labels = metadata.value("labels", kube::json::object());
    if (!pipelines_ptr || !labels.contains(controllers::pipeline::kPipelineLabel)) return;
    const kube::json& pipeline = labels[controllers::pipeline::kPipelineLabel];
    if (pipeline.is_string()) pipelines_ptr->Enqueue(metadata.value("namespace", "") + "/" + pipeline.get<std::string>());
  };
  // A rollout's change also wakes the registry sync of its candidate (its history is the audit
  // trail of the rollout's steps and manual actions).
  Controller* registry_sync_ptr = nullptr;
  auto notify_pipeline_of_rollout = [&pipelines_ptr, &registry_sync_ptr](const kube::json& rollout) {
    const kube::json& metadata = rollout.value("metadata", kube::json::object());
    const std::string ns = metadata.value("namespace", "");
    const kube::json candidate = rollout.value("/spec/candidateRef/name"_json_pointer, kube::json());
    if (registry_sync_ptr && candidate.is_string()) registry_sync_ptr->Enqueue(ns + "/" + candidate.get<std::string>());
    if (!pipelines_ptr) return;
    const std::string name = metadata.value("name", "");
    for (const auto& pipeline : pipelines_ptr->cache().List()) {
      const kube::json& pm = pipeline->value("metadata", kube::json::object());
      if (pm.value("namespace", "") != ns) continue;
      const kube::json ref = pipeline->value("/spec/promotion/rolloutRef/name"_json_pointer, kube::json());
      if (ref.is_string() && ref.get<std::string>() == name) pipelines_ptr->Enqueue(ns + "/" + pm.value("name", ""));
    }
  };
  Controller candidates(client, {.name = "modelcandidate", .resource = kube::resources::ModelCandidates(),
                                 .ns = flags.ns, .workers = flags.workers, .registry = registry.get(),
                                 .metrics = &metrics, .also_notify = notify_pipeline_of_candidate});
  Controller rollouts(client, {.name = "modelrollout", .resource = kube::resources::ModelRollouts(),
                               .ns = flags.ns, .workers = flags.workers, .registry = registry.get(),
                               .metrics = &metrics, .also_notify = notify_pipeline_of_rollout});
  Controller pipelines(client, {.name = "modelpipeline", .resource = kube::resources::ModelPipelines(),
                                .ns = flags.ns, .workers = flags.workers, .registry = registry.get(),
                                .metrics = &metrics});
  pipelines_ptr = &pipelines;
  // The registry and audit trail of candidates (docs/registry.md): its own queue (and informer),
  // so a slow or unreachable registry never delays a gate or a rollback.
  Controller registry_sync(client, {.name = "modelregistry", .resource = kube::resources::ModelCandidates(),
                                    .ns = flags.ns, .workers = flags.workers, .registry = registry.get(),
                                    .metrics = &metrics});
  registry_sync_ptr = &registry_sync;
  controllers::candidate::CandidateReconcilerOptions gate_options;
  gate_options.gate_workers = flags.gate_workers;
  gate_options.gate_queue_capacity = static_cast<size_t>(flags.gate_queue);
  gate_options.limits.max_rows = flags.gate_max_rows;
  gate_options.limits.max_bytes = flags.gate_max_bytes;
  gate_options.limits.timeout = flags.gate_timeout;
  const controllers::registry::RegistryFactory mlflow_factory = MakeMlflowRegistryFactory(client);
  gate_options.registry_factory = mlflow_factory;
  controllers::candidate::CandidateReconciler candidate_reconciler(client, candidates.cache(), events, clock,
                                                                   gate_options);
  // The rollout controller's seams: a TrafficRouter per provider kind, a Prometheus provider per
  // spec.analysis.prometheus (its token / CA read from the Secrets it names), the analysis gauges.
  controllers::rollout::AnalysisGauges analysis_gauges(*registry);
  auto read_secret_key = [&client](const std::string& ns, const gates::analysis::SecretKeyRef& ref,
                                   std::string* value) -> kube::Status {
    kube::Result<std::string> read = kube::ReadSecretValue(client, ns, ref.name, ref.key, /*trim_line_feed=*/false);
    if (!read.ok()) return read.status();
    *value = *std::move(read);
    return kube::Status::Ok();
  };
  controllers::rollout::RolloutReconciler rollout_reconciler(
      client, events, clock,
      [&client](const std::string& kind) { return traffic::MakeTrafficRouter(kind, client); },
      [read_secret_key](const std::string& ns, const gates::analysis::PrometheusSpec& prometheus)
          -> kube::Result<std::shared_ptr<gates::analysis::MetricsProvider>> {
        PrometheusConfig config{.address = prometheus.address, .timeout = prometheus.timeout};
        if (prometheus.bearer_token_secret_ref) {
          if (kube::Status st = read_secret_key(ns, *prometheus.bearer_token_secret_ref, &config.bearer_token); !st.ok()) {
            return st;
          }
        }
        if (prometheus.ca_secret_ref) {
          if (kube::Status st = read_secret_key(ns, *prometheus.ca_secret_ref, &config.ca_pem); !st.ok()) return st;
        }
        auto provider = MakePrometheusProvider(config);
        if (!provider.ok()) return provider.status();
        return std::shared_ptr<gates::analysis::MetricsProvider>(std::move(provider).value());
      },
      &analysis_gauges, mlflow_factory);
  candidates.SetReconciler([&](const std::string& key) { return candidate_reconciler.Reconcile(key); });
  rollouts.SetReconciler([&](const std::string& key) { return rollout_reconciler.Reconcile(key); });
  controllers::pipeline::PipelineReconciler pipeline_reconciler(client, pipelines.cache(), candidates.cache(),
                                                                rollouts.cache(), events, clock);
  pipelines.SetReconciler([&](const std::string& key) { return pipeline_reconciler.Reconcile(key); });
  controllers::registry::RegistryReconciler registry_reconciler(
      client, registry_sync.cache(), rollouts.cache(), events, clock,
      mlflow_factory, MODELGATE_VERSION_STRING);
  registry_sync.SetReconciler([&](const std::string& key) { return registry_reconciler.Reconcile(key); });

  // The webhook listener serves on every replica (a Service spreads Alertmanager's calls): the
  // trigger is a preconditioned write on the pipeline's status, safe from any replica.
  auto& webhook_requests = prometheus::BuildCounter()
                               .Name("modelgate_webhook_requests_total")
                               .Help("Webhook requests answered, by HTTP status code.")
                               .Register(*registry);
  AlertWebhookHandler alert_handler(client, pipeline_reconciler.trigger_writer(), flags.ns);
  WebhookServer webhook_server(
      WebhookServerOptions{.address = flags.webhook_addr,
                           .tls_cert_file = flags.webhook_tls_cert_file,
                           .tls_key_file = flags.webhook_tls_key_file,
                           .on_response = [&webhook_requests](int status) {
                             webhook_requests.Add({{"code", std::to_string(status)}}).Increment();
                           }},
      [&alert_handler](const WebhookRequest& request) { return alert_handler.Handle(request); });
  if (!webhook_server.Start(&error)) return Fail(error);

  LogEvent("info", "starting", {{"version", MODELGATE_VERSION_STRING}, {"server", config->server},
                                {"config", config->origin},
                                {"namespace", flags.ns.empty() ? "*" : flags.ns},
                                {"leaderElect", flags.leader_elect}});
  candidates.StartInformer();
  rollouts.StartInformer();
  pipelines.StartInformer();
  registry_sync.StartInformer();

  std::atomic<bool> lost_leadership{false};
  std::atomic<bool> start_workers{!flags.leader_elect};
  std::unique_ptr<kube::LeaderElector> elector;
  if (flags.leader_elect) {
    std::string lease_ns = flags.leader_election_namespace;
    if (lease_ns.empty()) {
      const char* pod_ns = std::getenv("POD_NAMESPACE");
      lease_ns = pod_ns && *pod_ns ? pod_ns : "default";
    }
    kube::LeaderElectionOptions options{.lease_namespace = lease_ns,
                                        .lease_name = flags.leader_election_id,
                                        .registry = registry.get()};
    if (kube::Status valid = kube::LeaderElector::Validate(options); !valid.ok()) {
      return Fail(valid.ToString());
    }
    elector = std::make_unique<kube::LeaderElector>(
        client, options,
        kube::LeaderCallbacks{
            .on_started_leading = [&] { start_workers = true; },
            .on_stopped_leading = [&] { lost_leadership = true; },
            .on_new_leader =
                [](const std::string& holder) {
                  LogEvent("info", "new leader observed", {{"holder", holder}});
                }});
    elector->Start();
  }

  bool workers_running = false;
  int exit_code = 0;
  while (true) {
    if (!ready && candidates.WaitForSync(std::chrono::milliseconds(0)) &&
        rollouts.WaitForSync(std::chrono::milliseconds(0)) && pipelines.WaitForSync(std::chrono::milliseconds(0)) &&
        registry_sync.WaitForSync(std::chrono::milliseconds(0))) {
      ready = true;
      LogEvent("info", "caches synced", {});
    }
    if (ready && start_workers && !workers_running) {
      candidates.StartWorkers();
      rollouts.StartWorkers();
      pipelines.StartWorkers();
      registry_sync.StartWorkers();
      workers_running = true;
      LogEvent("info", flags.leader_elect ? "leading: reconcilers started" : "reconcilers started", {});
    }
    if (lost_leadership) {
      LogEvent("error", "leadership lost; exiting so a fresh process campaigns again",
               {{"lease", flags.leader_election_id}});
      exit_code = 1;
      break;
    }
    timespec wait{0, 200 * 1000 * 1000};
    const int signal = sigtimedwait(&stop_signals, nullptr, &wait);
    if (signal == SIGTERM || signal == SIGINT) {
      LogEvent("info", "signal received; stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
      break;
    }
  }

  webhook_server.Stop();
  registry_sync.Stop();
  pipelines.Stop();
  candidates.Stop();
  rollouts.Stop();
  if (elector) elector->Stop();  // releases the Lease when leading and stopping cleanly
  events.Flush(std::chrono::seconds(2));
  events.Stop();
  metrics_server.Stop();
  health_server.Stop();
  return exit_code;
}

}  // namespace modelgate
