#include "operator/alert_webhook_handler.h"

#include "controllers/json_fields.h"
#include "controllers/pipeline/alertmanager_webhook.h"
#include "controllers/pipeline/pipeline_spec.h"
#include "operator/kube/rest_config.h"
#include "operator/kube/logging.h"
#include "operator/kube/secret_data.h"

namespace modelgate {

namespace pl = controllers::pipeline;
using json = nlohmann::json;
using controllers::Child;
using controllers::Str;

namespace {

WebhookResponse Error(int status, const std::string& message) {
  return {status, "application/json", pl::WebhookErrorBody(status, message), {}};
}

WebhookResponse Answer(int status, json body) {
  body["status"] = status;
  return {status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}

json With(json fields, const char* key, const std::string& value) {
  fields[key] = value;
  return fields;
}

bool ValidName(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  return true;
}

}  // namespace

AlertWebhookHandler::AlertWebhookHandler(const kube::Client& client, const pl::TriggerWriter& writer,
                                         std::string watch_namespace)
    : client_(client), writer_(writer), watch_namespace_(std::move(watch_namespace)) {}

WebhookResponse AlertWebhookHandler::Handle(const WebhookRequest& request) const {
  const std::string prefix = kAlertmanagerWebhookPrefix;
  if (request.path.compare(0, prefix.size(), prefix) != 0) {
    return Error(404, "not found: alerts are accepted at POST " + prefix + "<namespace>/<modelpipeline>");
  }
  const std::string rest = request.path.substr(prefix.size());
  const size_t slash = rest.find('/');
  const std::string ns = slash == std::string::npos ? "" : rest.substr(0, slash);
  const std::string name = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (!ValidName(ns) || !ValidName(name)) {
    return Error(404, "not found: expected " + prefix + "<namespace>/<modelpipeline>");
  }
  if (request.method != "POST") {
    WebhookResponse r = Error(405, "method " + request.method + " not allowed; Alertmanager sends POST");
    r.headers["Allow"] = "POST";
    return r;
  }
  const json log_fields = {{"namespace", ns}, {"name", name}, {"kind", "ModelPipeline"}, {"remote", request.remote}};
  if (!watch_namespace_.empty() && ns != watch_namespace_) {
    return Error(404, "modelpipeline " + ns + "/" + name + " not found (this operator watches namespace " +
                          watch_namespace_ + ")");
  }
  kube::Result<json> pipeline = client_.Get(kube::resources::ModelPipelines(), ns, name);
  if (!pipeline.ok()) {
    if (pipeline.status().code() == kube::StatusCode::kNotFound) {
      return Error(404, "modelpipeline " + ns + "/" + name + " not found");
    }
    LogEvent("error", "webhook: cannot read the pipeline", With(log_fields, "error", pipeline.status().ToString()));
    return Error(503, "the Kubernetes API server could not be read; retry later");
  }
  std::string spec_error;
  auto spec = pl::ParsePipelineSpec(Child(*pipeline, "spec"), &spec_error);
  if (!spec) return Error(409, "modelpipeline " + ns + "/" + name + " is invalid: " + spec_error);
  if (!spec->alerts.enabled) {
    return Error(404, "modelpipeline " + ns + "/" + name + " has no alert trigger (spec.alerts.enabled is false)");
  }

  // Authentication before the body is even parsed.
  const auto auth = request.headers.find("authorization");
  if (auth == request.headers.end()) {
    WebhookResponse r = Error(401, "a bearer token is required (Authorization: Bearer <token>)");
    r.headers["WWW-Authenticate"] = "Bearer";
    LogEvent("warn", "webhook: request without a bearer token refused", log_fields);
    return r;
  }
  kube::Result<json> secret = client_.Get(kube::resources::Secrets(), ns, spec->alerts.token_secret_name);
  std::string token;
  if (secret.ok()) {
    kube::Result<std::string> value = kube::SecretDataValue(*secret, spec->alerts.token_secret_key, /*trim_line_feed=*/true);
    if (value.ok()) token = *std::move(value);
  } else if (secret.status().code() != kube::StatusCode::kNotFound && secret.status().code() != kube::StatusCode::kForbidden) {
    return Error(503, "the token Secret could not be read; retry later");
  }
  if (token.empty() || !pl::BearerTokenMatches(auth->second, token)) {
    WebhookResponse r = Error(401, "wrong or missing bearer token");
    r.headers["WWW-Authenticate"] = "Bearer error=\"invalid_token\"";
    LogEvent("warn", token.empty() ? "webhook: the token Secret has no usable token; request refused"
                                   : "webhook: wrong bearer token; request refused",
             log_fields);
    return r;
  }

  std::string parse_error;
  auto notification = pl::ParseAlertmanagerNotification(request.body, &parse_error);
  if (!notification) return Error(400, "malformed Alertmanager payload: " + parse_error);
  auto fields = pl::BuildAlertTriggerFields(*notification, spec->alerts.match_labels);
  if (!fields) {
    return Answer(200, {{"result", "Ignored"},
                        {"message", "no firing alert matches spec.alerts.matchLabels; nothing triggered"}});
  }

  pl::TriggerRequest trigger;
  trigger.type = "DataDrift";
  trigger.source = fields->source;
  trigger.reason = fields->reason;
  pl::AlertTrigger alert;
  alert.name = fields->alertname;
  alert.group_key = fields->group_key;
  alert.fingerprints = fields->fingerprints;
  alert.labels = fields->labels;
  alert.annotations = fields->annotations;
  alert.starts_at = fields->starts_at;
  alert.external_url = fields->external_url;
  trigger.alert = std::move(alert);
  pl::TriggerOutcome outcome = writer_.Trigger(ns, name, trigger);
  if (!outcome.status.ok()) {
    switch (outcome.status.code()) {
      case kube::StatusCode::kNotFound: return Error(404, "modelpipeline " + ns + "/" + name + " not found");
      case kube::StatusCode::kInvalid: return Error(409, outcome.status.message());
      default:
        LogEvent("error", "webhook: trigger failed", With(log_fields, "error", outcome.status.ToString()));
        return Error(503, "the trigger could not be recorded (" + std::string(kube::StatusCodeName(outcome.status.code())) +
                              "); retry later");
    }
  }
  json body = {{"result", pl::TriggerResultName(outcome.result)}, {"message", outcome.message}};
  if (!outcome.candidate.empty()) body["candidate"] = outcome.candidate;
  switch (outcome.result) {
    case pl::TriggerResult::kCreated:
    case pl::TriggerResult::kDeduplicated:
    case pl::TriggerResult::kAlreadyHandled: return Answer(202, body);
    case pl::TriggerResult::kSkipped:
    case pl::TriggerResult::kMissed: body["error"] = outcome.message; return Answer(409, body);
    case pl::TriggerResult::kInvalid: body["error"] = outcome.message; return Answer(400, body);
  }
  return Answer(500, body);
}

}  // namespace modelgate
