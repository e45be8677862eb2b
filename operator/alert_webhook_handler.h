// AlertWebhookHandler: the Alertmanager drift trigger of ModelPipelines (docs/pipeline.md,
// "Drift alerts"), served by WebhookServer at POST /webhooks/alertmanager/<namespace>/<pipeline>.
//
// Per request, in this order, and nothing is created unless every step passes:
//   path and method          -> 404 / 405
//   the pipeline (API GET)   -> 404 unknown, or alerts not enabled; 503 API server unreachable
//   bearer token             -> 401 (constant-time compare with alerts.tokenSecretRef's value;
//                               the Secret is read per request, so a rotated token applies at once)
//   payload (version 4)      -> 400 naming the JSON path
//   firing alerts matching alerts.matchLabels -> none: 200 {"result":"Ignored"}
//   TriggerWriter (PlanTrigger + preconditioned status write + create)
//                            -> 202 {"result":"Created"|"Deduplicated","candidate":...}
//                               409 {"result":"Skipped"} (suspended, concurrencyPolicy Forbid)
//                               503 on API errors (Alertmanager retries; the retry is deduplicated)
// Every answer is JSON; errors are {"error":"...","status":N}. The token and the request body are
// never logged. Thread-safe.
#pragma once

#include <string>

#include "controllers/pipeline/trigger_writer.h"
#include "operator/kube/client.h"
#include "operator/webhook_server.h"

namespace modelgate {

inline constexpr char kAlertmanagerWebhookPrefix[] = "/webhooks/alertmanager/";

class AlertWebhookHandler {
 public:
  // `watch_namespace` "" = all; otherwise other namespaces are 404. References are not owned.
  AlertWebhookHandler(const kube::Client& client, const controllers::pipeline::TriggerWriter& writer,
                      std::string watch_namespace);

  WebhookResponse Handle(const WebhookRequest& request) const;

 private:
  const kube::Client& client_;
  const controllers::pipeline::TriggerWriter& writer_;
  std::string watch_namespace_;
};

}  // namespace modelgate
