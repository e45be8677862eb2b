#include "controllers/pipeline/alertmanager_webhook.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "gates/io/hashing_byte_source.h"

namespace modelgate::controllers::pipeline {

namespace {

using nlohmann::json;

// How much of an offending value or key an error message repeats.
constexpr std::size_t kMaxEchoBytes = 64;

std::string TypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    case json::value_t::binary: return "binary data";
    case json::value_t::discarded: return "nothing";
  }
  return "an unknown value";
}

// A string as JSON text (quoted and escaped), cut to kMaxEchoBytes first.
std::string Quoted(std::string_view text) {
  return json(TruncateUtf8(text, kMaxEchoBytes)).dump(-1, ' ', false, json::error_handler_t::replace);
}

bool IsIdentifier(std::string_view key) {
  if (key.empty() || key.size() > kMaxEchoBytes) return false;
  if (!(std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_')) return false;
  return std::all_of(key.begin(), key.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// `parent` extended by an object key: ".severity", or "[\"a.b\"]" for keys that are not names.
std::string Member(const std::string& parent, std::string_view key) {
  if (IsIdentifier(key)) return parent.empty() ? std::string(key) : parent + "." + std::string(key);
  return parent + "[" + Quoted(key) + "]";
}

std::string Index(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

void SetError(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
}

const json* Find(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// An optional string field: absent or null reads as "".
bool ReadString(const json& object, const char* key, const std::string& parent, std::string* out,
                std::string* error) {
  const json* value = Find(object, key);
  if (value == nullptr || value->is_null()) return true;
  if (!value->is_string()) {
    SetError(error, Member(parent, key) + ": expected a string, got " + TypeName(*value));
    return false;
  }
  *out = value->get<std::string>();
  return true;
}

// An object of strings (labels, annotations); absent or null reads as empty unless `required`.
bool ReadStringMap(const json& object, const char* key, const std::string& parent, bool required,
                   std::map<std::string, std::string>* out, std::string* error) {
  const std::string path = Member(parent, key);
  const json* value = Find(object, key);
  if (value == nullptr || value->is_null()) {
    if (!required) return true;
    SetError(error, path + ": missing (expected an object of strings)");
    return false;
  }
  if (!value->is_object()) {
    SetError(error, path + ": expected an object of strings, got " + TypeName(*value));
    return false;
  }
  for (const auto& [name, item] : value->items()) {
    if (!item.is_string()) {
      SetError(error, Member(path, name) + ": expected a string, got " + TypeName(item));
      return false;
    }
    (*out)[name] = item.get<std::string>();
  }
  return true;
}

// A status field: "firing" or "resolved"; absent or null is "" unless `required`.
bool ReadStatus(const json& object, const std::string& parent, bool required, std::string* out,
                std::string* error) {
  const std::string path = Member(parent, "status");
  const json* value = Find(object, "status");
  if (value == nullptr || value->is_null()) {
    if (!required) return true;
    SetError(error, path + ": missing (expected \"firing\" or \"resolved\")");
    return false;
  }
  if (!value->is_string()) {
    SetError(error, path + ": expected a string, got " + TypeName(*value));
    return false;
  }
  const auto& status = value->get_ref<const std::string&>();
  if (status != "firing" && status != "resolved") {
    SetError(error, path + ": expected \"firing\" or \"resolved\", got " + Quoted(status));
    return false;
  }
  *out = status;
  return true;
}

bool ReadAlert(const json& value, const std::string& path, Alert* alert, std::string* error) {
  if (!value.is_object()) {
    SetError(error, path + ": expected an object, got " + TypeName(value));
    return false;
  }
  return ReadStatus(value, path, /*required=*/true, &alert->status, error) &&
         ReadStringMap(value, "labels", path, /*required=*/true, &alert->labels, error) &&
         ReadStringMap(value, "annotations", path, /*required=*/false, &alert->annotations, error) &&
         ReadString(value, "startsAt", path, &alert->starts_at, error) &&
         ReadString(value, "endsAt", path, &alert->ends_at, error) &&
         ReadString(value, "generatorURL", path, &alert->generator_url, error) &&
         ReadString(value, "fingerprint", path, &alert->fingerprint, error);
}

bool ReadVersion(const json& body, std::string* out, std::string* error) {
  const json* value = Find(body, "version");
  if (value == nullptr || value->is_null()) {
    SetError(error, "version: missing (expected \"4\")");
    return false;
  }
  if (!value->is_string()) {
    SetError(error, "version: expected a string, got " + TypeName(*value));
    return false;
  }
  const auto& version = value->get_ref<const std::string&>();
  if (version != "4") {
    SetError(error, "version: unsupported webhook payload version " + Quoted(version) + " (expected \"4\")");
    return false;
  }
  *out = version;
  return true;
}

bool ReadGroupKey(const json& body, std::string* out, std::string* error) {
  const json* value = Find(body, "groupKey");
  if (value == nullptr || value->is_null()) {
    SetError(error, "groupKey: missing (expected a non-empty string)");
    return false;
  }
  if (!value->is_string()) {
    SetError(error, "groupKey: expected a string, got " + TypeName(*value));
    return false;
  }
  if (value->get_ref<const std::string&>().empty()) {
    SetError(error, "groupKey: expected a non-empty string");
    return false;
  }
  *out = value->get<std::string>();
  return true;
}

bool ReadTruncatedAlerts(const json& body, std::int64_t* out, std::string* error) {
  const json* value = Find(body, "truncatedAlerts");
  if (value == nullptr || value->is_null()) return true;
  if (value->is_number_unsigned()) {
    const auto n = value->get<std::uint64_t>();
    *out = n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
               ? std::numeric_limits<std::int64_t>::max()
               : static_cast<std::int64_t>(n);
    return true;
  }
  if (value->is_number_integer()) {  // signed, hence negative
    SetError(error, "truncatedAlerts: expected a non-negative integer, got " + value->dump());
    return false;
  }
  SetError(error, "truncatedAlerts: expected a non-negative integer, got " + TypeName(*value));
  return false;
}

bool ReadAlerts(const json& body, std::vector<Alert>* out, std::string* error) {
  const json* value = Find(body, "alerts");
  if (value == nullptr || value->is_null()) {
    SetError(error, "alerts: missing (expected an array)");
    return false;
  }
  if (!value->is_array()) {
    SetError(error, "alerts: expected an array, got " + TypeName(*value));
    return false;
  }
  out->reserve(value->size());
  for (std::size_t i = 0; i < value->size(); ++i) {
    Alert alert;
    if (!ReadAlert((*value)[i], Index("alerts", i), &alert, error)) return false;
    out->push_back(std::move(alert));
  }
  return true;
}

struct TooDeep : std::runtime_error {
  TooDeep() : std::runtime_error("too deep") {}
};

std::array<unsigned char, 32> Sha256(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size()) {
    // Out of memory inside OpenSSL; not something to carry on from.
    throw std::runtime_error("EVP_Digest(sha256) failed");
  }
  return digest;
}

std::string_view TrimWhitespace(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Annotation text as one line: runs of whitespace (newlines included) become one space.
std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : TrimWhitespace(text)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = true;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string Annotation(const Alert& alert, const char* name) {
  const auto it = alert.annotations.find(name);
  return it == alert.annotations.end() ? "" : OneLine(it->second);
}

std::string AlertnameOf(const Alert& alert) {
  const auto it = alert.labels.find("alertname");
  if (it == alert.labels.end() || it->second.empty()) return "unnamed";
  return it->second;
}

// `name="value", ...` over the labels except alertname, in name order.
std::string LabelList(const Alert& alert) {
  std::string out;
  for (const auto& [name, value] : alert.labels) {
    if (name == "alertname") continue;
    if (!out.empty()) out += ", ";
    out += name + "=" + json(value).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return out;
}

// What identifies one firing episode of an alert: its fingerprint (or its labels) and start.
std::string EpisodeIdentity(const Alert& alert) {
  std::string identity = alert.fingerprint;
  if (identity.empty()) identity = "{" + LabelList(alert) + ",alertname=" + AlertnameOf(alert) + "}";
  return identity + "@" + alert.starts_at;
}

}  // namespace

std::optional<AlertNotification> ParseAlertmanagerNotification(std::string_view body, std::string* error) {
  try {
    // The callback sees every container as it opens, so a deeply nested body is refused before
    // it is built.
    const json::parser_callback_t limit_depth = [](int depth, json::parse_event_t event, json&) {
      if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
          depth >= kMaxNotificationDepth) {
        throw TooDeep();
      }
      return true;
    };
    json document;
    try {
      document = json::parse(body.begin(), body.end(), limit_depth);
    } catch (const TooDeep&) {
      SetError(error, "body: JSON nested deeper than " + std::to_string(kMaxNotificationDepth) + " levels");
      return std::nullopt;
    } catch (const json::parse_error& e) {
      std::string what = e.what();
      if (const auto end = what.find("] "); what.rfind("[json.exception.", 0) == 0 && end != std::string::npos) {
        what.erase(0, end + 2);
      }
      SetError(error, "body: not valid JSON: " + what);
      return std::nullopt;
    }
    if (!document.is_object()) {
      SetError(error, "body: expected a JSON object, got " + TypeName(document));
      return std::nullopt;
    }
    AlertNotification notification;
    const std::string root;
    if (!ReadVersion(document, &notification.version, error) ||
        !ReadGroupKey(document, &notification.group_key, error) ||
        !ReadTruncatedAlerts(document, &notification.truncated_alerts, error) ||
        !ReadStatus(document, root, /*required=*/false, &notification.status, error) ||
        !ReadString(document, "receiver", root, &notification.receiver, error) ||
        !ReadStringMap(document, "groupLabels", root, false, &notification.group_labels, error) ||
        !ReadStringMap(document, "commonLabels", root, false, &notification.common_labels, error) ||
        !ReadStringMap(document, "commonAnnotations", root, false, &notification.common_annotations, error) ||
        !ReadString(document, "externalURL", root, &notification.external_url, error) ||
        !ReadAlerts(document, &notification.alerts, error)) {
      return std::nullopt;
    }
    return notification;
  } catch (const std::exception& e) {
    // Not expected (every access above is type-checked), but this function promises not to throw.
    SetError(error, std::string("body: could not be read: ") + e.what());
    return std::nullopt;
  }
}

bool BearerTokenMatches(std::string_view authorization_header, std::string_view expected_token) {
  if (expected_token.empty()) return false;
  const std::string_view header = TrimWhitespace(authorization_header);
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return false;
  }
  if (header[kScheme.size()] != ' ' && header[kScheme.size()] != '\t') return false;
  const std::string_view token = TrimWhitespace(header.substr(kScheme.size() + 1));
  if (token.empty()) return false;
  // Digests have a fixed length, so neither the position of the first difference nor the
  // tokens' lengths show in the comparison time.
  const auto presented = Sha256(token);
  const auto expected = Sha256(expected_token);
  return CRYPTO_memcmp(presented.data(), expected.data(), presented.size()) == 0;
}

std::vector<const Alert*> MatchingFiringAlerts(const AlertNotification& notification,
                                               const std::map<std::string, std::string>& match_labels) {
  std::vector<const Alert*> matching;
  for (const Alert& alert : notification.alerts) {
    if (!alert.firing()) continue;
    const bool matches = std::all_of(match_labels.begin(), match_labels.end(), [&](const auto& wanted) {
      const auto it = alert.labels.find(wanted.first);
      return it != alert.labels.end() && it->second == wanted.second;
    });
    if (matches) matching.push_back(&alert);
  }
  return matching;
}

std::optional<AlertTriggerFields> BuildAlertTriggerFields(const AlertNotification& notification,
                                              const std::map<std::string, std::string>& match_labels) {
  const std::vector<const Alert*> matching = MatchingFiringAlerts(notification, match_labels);
  if (matching.empty()) return std::nullopt;
  const Alert& first = *matching.front();

  AlertTriggerFields trigger;
  trigger.matching_alerts = matching.size();
  const std::string alertname = AlertnameOf(first);
  trigger.alertname = TruncateUtf8(alertname, kMaxTriggerSourceBytes);
  trigger.group_key = TruncateUtf8(notification.group_key, kMaxTriggerGroupKeyBytes);
  trigger.source = TruncateUtf8("alertmanager/" + alertname, kMaxTriggerSourceBytes);
  trigger.labels = first.labels;
  trigger.annotations = first.annotations;
  trigger.starts_at = first.starts_at;
  trigger.external_url = notification.external_url;

  std::set<std::string> alertnames;
  std::set<std::string> fingerprints;
  std::vector<std::string> episodes;
  for (const Alert* alert : matching) {
    alertnames.insert(TruncateUtf8(AlertnameOf(*alert), kMaxTriggerSourceBytes));
    if (!alert->fingerprint.empty()) fingerprints.insert(TruncateUtf8(alert->fingerprint, kMaxEchoBytes));
    episodes.push_back(EpisodeIdentity(*alert));
  }
  for (const auto& name : alertnames) {
    if (trigger.alertnames.size() == kMaxTriggerAlertnames) break;
    trigger.alertnames.push_back(name);
  }
  for (const auto& fingerprint : fingerprints) {
    if (trigger.fingerprints.size() == kMaxTriggerFingerprints) break;
    trigger.fingerprints.push_back(fingerprint);
  }

  std::string sentence = Annotation(first, "summary");
  if (sentence.empty()) sentence = Annotation(first, "description");
  if (sentence.empty()) {
    const std::string labels = LabelList(first);
    sentence = "alert " + alertname + " firing" + (labels.empty() ? "" : " (" + labels + ")");
  }
  std::string more;
  if (matching.size() > 1) {
    const std::size_t others = matching.size() - 1;
    more = " (and " + std::to_string(others) + " more matching alert" + (others == 1 ? "" : "s") + ")";
  }
  trigger.reason = TruncateUtf8(sentence, kMaxTriggerReasonBytes - more.size()) + more;

  std::sort(episodes.begin(), episodes.end());
  std::string material = notification.group_key + "\n";
  for (const auto& episode : episodes) material += episode + "\n";
  trigger.dedup_key = gates::Sha256Hex(material).substr(0, 32);
  return trigger;
}

std::string WebhookErrorBody(int status, std::string_view message) {
  json body = json::object();
  body["error"] = std::string(message);
  body["status"] = status;
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace modelgate::controllers::pipeline
