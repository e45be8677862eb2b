// The Alertmanager webhook, pure part: parsing a notification (webhook payload version "4"),
// authenticating its bearer token, selecting the firing alerts a ModelPipeline trigger matches,
// and turning them into the bounded fields a trigger records. No sockets, no Kubernetes calls:
// operator/webhook_server.h serves the bytes, the pipeline glue calls these functions.
//
// The payload (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config):
//   {"version":"4","groupKey":"...","truncatedAlerts":0,"status":"firing|resolved",
//    "receiver":"...","groupLabels":{},"commonLabels":{},"commonAnnotations":{},
//    "externalURL":"...","alerts":[{"status":"firing|resolved","labels":{},"annotations":{},
//    "startsAt":"<rfc3339>","endsAt":"<rfc3339>","generatorURL":"...","fingerprint":"..."}]}
// Grafana's "Alertmanager" contact point sends the same shape plus fields of its own; unknown
// fields are ignored everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gates/common/text.h"

namespace modelgate::controllers::pipeline {

// Bounds of the strings a trigger records (the ModelCandidate CRD's trigger.reason has
// maxLength 2048). Lengths are in bytes, cut on a UTF-8 character boundary, so they also bound
// the character count the API server checks.
inline constexpr std::size_t kMaxTriggerReasonBytes = 2048;
inline constexpr std::size_t kMaxTriggerSourceBytes = 512;
inline constexpr std::size_t kMaxTriggerGroupKeyBytes = 1024;
// At most this many fingerprints / alert names are recorded; the count of matching alerts is
// recorded in full.
inline constexpr std::size_t kMaxTriggerFingerprints = 50;
inline constexpr std::size_t kMaxTriggerAlertnames = 20;
// JSON nesting deeper than this is refused before it is built (the payload itself is 3 deep).
inline constexpr int kMaxNotificationDepth = 32;

struct Alert {
  std::string status;  // "firing" or "resolved" (checked by the parser)
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string starts_at;      // RFC 3339 as sent, "" when absent
  std::string ends_at;        // "0001-01-01T00:00:00Z" for a firing alert, "" when absent
  std::string generator_url;  // "" when absent
  std::string fingerprint;    // "" when absent (Alertmanager before 0.19 did not send it)

  bool firing() const { return status == "firing"; }
};

struct AlertNotification {
  std::string version;  // always "4" after a successful parse
  std::string group_key;  // non-empty; identifies the alert group across repeats
  std::int64_t truncated_alerts = 0;  // alerts left out by the receiver's max_alerts
  std::string status;  // "firing" or "resolved"; "" when absent
  std::string receiver;
  std::map<std::string, std::string> group_labels;
  std::map<std::string, std::string> common_labels;
  std::map<std::string, std::string> common_annotations;
  std::string external_url;
  std::vector<Alert> alerts;
};

// Parses a webhook body. On success returns the notification; on failure returns nullopt and sets
// *error (when error is not null) to one sentence that names the JSON path, e.g.
//   "alerts[2].labels.severity: expected a string, got a number"
//   "version: unsupported webhook payload version \"3\" (expected \"4\")"
//   "body: not valid JSON: syntax error while parsing value - invalid literal; last read: 'x'"
// Strict where a trigger depends on it: the body is a JSON object; version is "4"; groupKey is a
// non-empty string; alerts is an array; every alert is an object whose status is "firing" or
// "resolved" and whose labels is an object of strings. Known fields of the wrong type are errors
// too (annotations and the label maps must be objects of strings, the URL/time/fingerprint fields
// strings, truncatedAlerts a non-negative integer); a known field that is absent or null reads as
// empty. Unknown fields are ignored. Nesting deeper than kMaxNotificationDepth is refused.
// Never throws. The caller bounds the body size (the webhook server does).
std::optional<AlertNotification> ParseAlertmanagerNotification(std::string_view body, std::string* error);

// True when `authorization_header` is "Bearer <token>" (scheme case-insensitive, surrounding
// whitespace ignored) and <token> equals `expected_token`. The comparison is of SHA-256 digests
// with CRYPTO_memcmp, so its time depends neither on where the tokens differ nor on their
// lengths. An empty expected token never matches (an unconfigured secret refuses everyone).
bool BearerTokenMatches(std::string_view authorization_header, std::string_view expected_token);

// The firing alerts whose labels contain every (name, value) of `match_labels`, in payload order;
// pointers into `notification`, valid while it lives. An empty match selects every firing alert.
// Resolved alerts never match.
std::vector<const Alert*> MatchingFiringAlerts(const AlertNotification& notification,
                                               const std::map<std::string, std::string>& match_labels);

// What a trigger records about the alerts that fired it (maps onto pipeline_trigger.h's
// AlertTrigger plus TriggerRequest's reason and source). The strings the constants above name are
// bounded; every string is valid UTF-8.
struct AlertTriggerFields {
  // The alertname label of the first matching alert ("unnamed" without one).
  std::string alertname;
  // The distinct alertnames of all matching alerts, sorted, at most kMaxTriggerAlertnames.
  std::vector<std::string> alertnames;
  std::string group_key;  // the notification's groupKey, cut to kMaxTriggerGroupKeyBytes
  // The distinct non-empty fingerprints of the matching alerts, sorted, at most
  // kMaxTriggerFingerprints.
  std::vector<std::string> fingerprints;
  std::size_t matching_alerts = 0;  // how many firing alerts matched (before any cut)
  // One sentence for trigger.reason: the first matching alert's `summary` annotation, else its
  // `description`, else "alert <alertname> firing (<label>=\"<value>\", ...)"; with
  // " (and N more matching alerts)" when there are others. At most kMaxTriggerReasonBytes.
  std::string reason;
  // "alertmanager/<alertname>", at most kMaxTriggerSourceBytes.
  std::string source;
  // The first matching alert's labels, annotations and startsAt, and the notification's
  // externalURL, as sent (not cut).
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string starts_at;
  std::string external_url;
  // A stable key for deduplication: 32 hex digits of SHA-256 over the full groupKey and, per
  // matching alert (sorted), its fingerprint (or, without one, its sorted labels) and startsAt.
  // Alertmanager repeats a notification every repeat_interval with the same key; an alert that
  // resolves and fires again has a new startsAt, hence a new key.
  std::string dedup_key;
};

// The trigger fields for the firing alerts of `notification` that match `match_labels` (see
// MatchingFiringAlerts); nullopt when none matches.
std::optional<AlertTriggerFields> BuildAlertTriggerFields(const AlertNotification& notification,
                                              const std::map<std::string, std::string>& match_labels);

// The JSON body of a webhook error answer: {"error":"<message>","status":<status>}. Never throws
// (invalid UTF-8 in the message is replaced).
std::string WebhookErrorBody(int status, std::string_view message);

// gates::TruncateUtf8 (gates/common/text.h): the bound every trigger string is cut to.
using gates::TruncateUtf8;

}  // namespace modelgate::controllers::pipeline
