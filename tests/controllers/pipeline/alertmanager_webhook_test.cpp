// The Alertmanager webhook's pure part: parsing a version-4 notification (and every refusal, with
// the JSON path in its message), the bearer token check, label matching, and the bounded trigger
// fields. No sockets.
#include "controllers/pipeline/alertmanager_webhook.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace modelgate::controllers::pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using json = nlohmann::json;

// As Alertmanager 0.25 sends it: one group with a firing and a resolved alert.
constexpr char kNotification[] = R"({
  "receiver": "modelgate",
  "status": "firing",
  "alerts": [
    {
      "status": "firing",
      "labels": {"alertname": "FeatureDrift", "model": "fraud", "namespace": "ml", "severity": "warning"},
      "annotations": {"summary": "PSI of feature amount is 0.31 on model fraud", "description": "long text"},
      "startsAt": "2024-03-01T10:15:30.123Z",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "http://prometheus:9090/graph?g0.expr=psi+%3E+0.2\u0026g0.tab=1",
      "fingerprint": "b4f5a0d31c2e9f77"
    },
    {
      "status": "resolved",
      "labels": {"alertname": "FeatureDrift", "model": "churn", "namespace": "ml", "severity": "warning"},
      "annotations": {"summary": "PSI of feature tenure is 0.25 on model churn"},
      "startsAt": "2024-03-01T09:00:00Z",
      "endsAt": "2024-03-01T10:00:00Z",
      "generatorURL": "http://prometheus:9090/graph",
      "fingerprint": "0a1b2c3d4e5f6a7b"
    }
  ],
  "groupLabels": {"alertname": "FeatureDrift"},
  "commonLabels": {"alertname": "FeatureDrift", "namespace": "ml", "severity": "warning"},
  "commonAnnotations": {},
  "externalURL": "http://alertmanager:9093",
  "version": "4",
  "groupKey": "{}/{namespace=\"ml\"}:{alertname=\"FeatureDrift\"}",
  "truncatedAlerts": 0
})";

json Valid() { return json::parse(kNotification); }

// The parse error for `document`, or "" when it parses.
std::string ErrorFor(const json& document) {
  std::string error;
  if (ParseAlertmanagerNotification(document.dump(), &error)) return "";
  return error;
}

std::string ErrorForText(std::string_view body) {
  std::string error;
  if (ParseAlertmanagerNotification(body, &error)) return "";
  return error;
}

AlertNotification Parsed(const json& document) {
  std::string error;
  auto notification = ParseAlertmanagerNotification(document.dump(), &error);
  EXPECT_TRUE(notification) << error;
  return notification.value_or(AlertNotification{});
}

// --- parsing ---------------------------------------------------------------------------------

TEST(AlertmanagerParse, ReadsEveryFieldOfAVersion4Notification) {
  std::string error;
  const auto n = ParseAlertmanagerNotification(kNotification, &error);
  ASSERT_TRUE(n) << error;
  EXPECT_EQ(n->version, "4");
  EXPECT_EQ(n->group_key, R"({}/{namespace="ml"}:{alertname="FeatureDrift"})");
  EXPECT_EQ(n->truncated_alerts, 0);
  EXPECT_EQ(n->status, "firing");
  EXPECT_EQ(n->receiver, "modelgate");
  EXPECT_EQ(n->group_labels.at("alertname"), "FeatureDrift");
  EXPECT_EQ(n->common_labels.size(), 3u);
  EXPECT_THAT(n->common_annotations, IsEmpty());
  EXPECT_EQ(n->external_url, "http://alertmanager:9093");
  ASSERT_EQ(n->alerts.size(), 2u);
  const Alert& firing = n->alerts[0];
  EXPECT_TRUE(firing.firing());
  EXPECT_EQ(firing.labels.at("model"), "fraud");
  EXPECT_EQ(firing.annotations.at("summary"), "PSI of feature amount is 0.31 on model fraud");
  EXPECT_EQ(firing.starts_at, "2024-03-01T10:15:30.123Z");
  EXPECT_EQ(firing.ends_at, "0001-01-01T00:00:00Z");
  EXPECT_EQ(firing.generator_url, "http://prometheus:9090/graph?g0.expr=psi+%3E+0.2&g0.tab=1");
  EXPECT_EQ(firing.fingerprint, "b4f5a0d31c2e9f77");
  EXPECT_FALSE(n->alerts[1].firing());
  EXPECT_EQ(n->alerts[1].status, "resolved");
}

TEST(AlertmanagerParse, IgnoresUnknownFieldsAsGrafanaSendsThem) {
  json document = Valid();
  document["orgId"] = 1;
  document["alerts"][0]["values"] = {{"B", 44.2}};
  document["alerts"][0]["silenceURL"] = "https://grafana/silence";
  EXPECT_EQ(ErrorFor(document), "");
}

TEST(AlertmanagerParse, ReadsAbsentOrNullOptionalFieldsAsEmpty) {
  json document = {{"version", "4"}, {"groupKey", "g"}, {"alerts", json::array()}};
  document["commonAnnotations"] = nullptr;
  json alert = {{"status", "firing"}, {"labels", {{"alertname", "A"}}}, {"annotations", nullptr}};
  document["alerts"].push_back(alert);
  const AlertNotification n = Parsed(document);
  EXPECT_EQ(n.status, "");
  EXPECT_EQ(n.truncated_alerts, 0);
  ASSERT_EQ(n.alerts.size(), 1u);
  EXPECT_THAT(n.alerts[0].annotations, IsEmpty());
  EXPECT_EQ(n.alerts[0].fingerprint, "");
}

TEST(AlertmanagerParse, AcceptsAnEmptyAlertArray) {
  json document = Valid();
  document["alerts"] = json::array();
  EXPECT_TRUE(Parsed(document).alerts.empty());
}

TEST(AlertmanagerParse, ReadsTruncatedAlerts) {
  json document = Valid();
  document["truncatedAlerts"] = 7;
  EXPECT_EQ(Parsed(document).truncated_alerts, 7);
}

TEST(AlertmanagerParse, RefusesABodyThatIsNotJson) {
  EXPECT_THAT(ErrorForText("{\"version\": "), HasSubstr("body: not valid JSON: "));
  EXPECT_THAT(ErrorForText(""), HasSubstr("body: not valid JSON: "));
  EXPECT_THAT(ErrorForText("{\"version\": x}"), ::testing::Not(HasSubstr("[json.exception")));
}

TEST(AlertmanagerParse, RefusesABodyThatIsNotAnObject) {
  EXPECT_EQ(ErrorForText("[1,2]"), "body: expected a JSON object, got an array");
  EXPECT_EQ(ErrorForText("\"4\""), "body: expected a JSON object, got a string");
}

TEST(AlertmanagerParse, RefusesDeepNestingBeforeBuildingIt) {
  std::string deep = R"({"version":"4","groupKey":"g","alerts":[],"x":)";
  deep += std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(ErrorForText(deep), "body: JSON nested deeper than 32 levels");
}

TEST(AlertmanagerParse, AcceptsNestingUpToTheLimitInUnknownFields) {
  json document = Valid();
  json nested = json::array();
  for (int i = 0; i < kMaxNotificationDepth - 2; ++i) nested = json::array({nested});
  document["extra"] = nested;  // depth 0 is the body, depth 1 "extra", ... up to the limit - 1
  EXPECT_EQ(ErrorFor(document), "");
}

TEST(AlertmanagerParse, NamesAnUnsupportedVersion) {
  json document = Valid();
  document["version"] = "3";
  EXPECT_EQ(ErrorFor(document), R"(version: unsupported webhook payload version "3" (expected "4"))");
}

TEST(AlertmanagerParse, RefusesAMissingOrNumericVersion) {
  json document = Valid();
  document.erase("version");
  EXPECT_EQ(ErrorFor(document), R"(version: missing (expected "4"))");
  document["version"] = 4;
  EXPECT_EQ(ErrorFor(document), "version: expected a string, got a number");
}

TEST(AlertmanagerParse, RefusesAMissingEmptyOrNonStringGroupKey) {
  json document = Valid();
  document.erase("groupKey");
  EXPECT_EQ(ErrorFor(document), "groupKey: missing (expected a non-empty string)");
  document["groupKey"] = "";
  EXPECT_EQ(ErrorFor(document), "groupKey: expected a non-empty string");
  document["groupKey"] = json::object();
  EXPECT_EQ(ErrorFor(document), "groupKey: expected a string, got an object");
}

TEST(AlertmanagerParse, RefusesANegativeOrFractionalTruncatedAlerts) {
  json document = Valid();
  document["truncatedAlerts"] = -1;
  EXPECT_EQ(ErrorFor(document), "truncatedAlerts: expected a non-negative integer, got -1");
  document["truncatedAlerts"] = 1.5;
  EXPECT_EQ(ErrorFor(document), "truncatedAlerts: expected a non-negative integer, got a number");
  document["truncatedAlerts"] = "2";
  EXPECT_EQ(ErrorFor(document), "truncatedAlerts: expected a non-negative integer, got a string");
}

TEST(AlertmanagerParse, RefusesAnUnknownTopLevelStatus) {
  json document = Valid();
  document["status"] = "pending";
  EXPECT_EQ(ErrorFor(document), R"(status: expected "firing" or "resolved", got "pending")");
}

TEST(AlertmanagerParse, RefusesKnownTopLevelFieldsOfTheWrongType) {
  json document = Valid();
  document["receiver"] = 5;
  EXPECT_EQ(ErrorFor(document), "receiver: expected a string, got a number");
  document = Valid();
  document["externalURL"] = true;
  EXPECT_EQ(ErrorFor(document), "externalURL: expected a string, got a boolean");
  document = Valid();
  document["groupLabels"] = json::array();
  EXPECT_EQ(ErrorFor(document), "groupLabels: expected an object of strings, got an array");
  document = Valid();
  document["commonLabels"]["severity"] = 3;
  EXPECT_EQ(ErrorFor(document), "commonLabels.severity: expected a string, got a number");
  document = Valid();
  document["commonAnnotations"]["summary"] = json::object();
  EXPECT_EQ(ErrorFor(document), "commonAnnotations.summary: expected a string, got an object");
}

TEST(AlertmanagerParse, RefusesMissingOrNonArrayAlerts) {
  json document = Valid();
  document.erase("alerts");
  EXPECT_EQ(ErrorFor(document), "alerts: missing (expected an array)");
  document["alerts"] = json::object();
  EXPECT_EQ(ErrorFor(document), "alerts: expected an array, got an object");
}

TEST(AlertmanagerParse, RefusesAnAlertThatIsNotAnObject) {
  json document = Valid();
  document["alerts"].push_back("firing");
  EXPECT_EQ(ErrorFor(document), "alerts[2]: expected an object, got a string");
}

TEST(AlertmanagerParse, RefusesAnAlertWithoutAValidStatus) {
  json document = Valid();
  document["alerts"][1].erase("status");
  EXPECT_EQ(ErrorFor(document), R"(alerts[1].status: missing (expected "firing" or "resolved"))");
  document["alerts"][1]["status"] = "suppressed";
  EXPECT_EQ(ErrorFor(document), R"(alerts[1].status: expected "firing" or "resolved", got "suppressed")");
  document["alerts"][1]["status"] = nullptr;
  EXPECT_EQ(ErrorFor(document), R"(alerts[1].status: missing (expected "firing" or "resolved"))");
  document["alerts"][1]["status"] = 1;
  EXPECT_EQ(ErrorFor(document), "alerts[1].status: expected a string, got a number");
}

TEST(AlertmanagerParse, RefusesAnAlertWithoutLabels) {
  json document = Valid();
  document["alerts"][0].erase("labels");
  EXPECT_EQ(ErrorFor(document), "alerts[0].labels: missing (expected an object of strings)");
  document["alerts"][0]["labels"] = json::array();
  EXPECT_EQ(ErrorFor(document), "alerts[0].labels: expected an object of strings, got an array");
}

TEST(AlertmanagerParse, NamesTheLabelThatIsNotAString) {
  json document = Valid();
  document["alerts"].push_back(document["alerts"][0]);
  document["alerts"][2]["labels"]["severity"] = 2;
  EXPECT_EQ(ErrorFor(document), "alerts[2].labels.severity: expected a string, got a number");
  document["alerts"][2]["labels"]["severity"] = nullptr;
  EXPECT_EQ(ErrorFor(document), "alerts[2].labels.severity: expected a string, got null");
}

TEST(AlertmanagerParse, QuotesALabelNameThatIsNotAnIdentifier) {
  json document = Valid();
  document["alerts"][0]["labels"]["app.kubernetes.io/name"] = false;
  EXPECT_EQ(ErrorFor(document), R"(alerts[0].labels["app.kubernetes.io/name"]: expected a string, got a boolean)");
}

TEST(AlertmanagerParse, RefusesAlertFieldsOfTheWrongType) {
  json document = Valid();
  document["alerts"][0]["annotations"]["summary"] = 1;
  EXPECT_EQ(ErrorFor(document), "alerts[0].annotations.summary: expected a string, got a number");
  for (const char* field : {"startsAt", "endsAt", "generatorURL", "fingerprint"}) {
    document = Valid();
    document["alerts"][1][field] = json::array();
    EXPECT_EQ(ErrorFor(document), std::string("alerts[1].") + field + ": expected a string, got an array");
  }
}

TEST(AlertmanagerParse, CutsALongOffendingValueInTheMessage) {
  json document = Valid();
  document["version"] = std::string(1000, 'v');
  const std::string error = ErrorFor(document);
  EXPECT_LT(error.size(), 200u);
  EXPECT_THAT(error, HasSubstr("...\" (expected \"4\")"));
}

TEST(AlertmanagerParse, AcceptsANullErrorPointer) {
  EXPECT_FALSE(ParseAlertmanagerNotification("[]", nullptr));
  EXPECT_TRUE(ParseAlertmanagerNotification(kNotification, nullptr));
}

// --- bearer token -------------------------------------------------------------------------------

TEST(AlertmanagerBearerToken, MatchesTheExpectedToken) {
  EXPECT_TRUE(BearerTokenMatches("Bearer s3cret-token", "s3cret-token"));
}

TEST(AlertmanagerBearerToken, TakesTheSchemeInAnyCase) {
  EXPECT_TRUE(BearerTokenMatches("bearer s3cret", "s3cret"));
  EXPECT_TRUE(BearerTokenMatches("BEARER s3cret", "s3cret"));
}

TEST(AlertmanagerBearerToken, IgnoresSurroundingWhitespace) {
  EXPECT_TRUE(BearerTokenMatches("  Bearer   s3cret  ", "s3cret"));
  EXPECT_TRUE(BearerTokenMatches("Bearer\ts3cret", "s3cret"));
}

TEST(AlertmanagerBearerToken, RefusesAMissingHeader) {
  EXPECT_FALSE(BearerTokenMatches("", "s3cret"));
}

TEST(AlertmanagerBearerToken, RefusesAnotherScheme) {
  EXPECT_FALSE(BearerTokenMatches("Basic czNjcmV0", "czNjcmV0"));
  EXPECT_FALSE(BearerTokenMatches("Token s3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearers3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("s3cret", "s3cret"));
}

TEST(AlertmanagerBearerToken, RefusesASchemeWithoutAToken) {
  EXPECT_FALSE(BearerTokenMatches("Bearer", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer    ", "s3cret"));
}

TEST(AlertmanagerBearerToken, RefusesAWrongToken) {
  EXPECT_FALSE(BearerTokenMatches("Bearer s3creT", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer s3cret2", "s3cret"));
}

TEST(AlertmanagerBearerToken, NeverMatchesAnEmptyExpectedToken) {
  EXPECT_FALSE(BearerTokenMatches("Bearer ", ""));
  EXPECT_FALSE(BearerTokenMatches("Bearer x", ""));
  EXPECT_FALSE(BearerTokenMatches("", ""));
}

// --- matching -----------------------------------------------------------------------------------

std::vector<std::string> Fingerprints(const std::vector<const Alert*>& alerts) {
  std::vector<std::string> out;
  for (const Alert* alert : alerts) out.push_back(alert->fingerprint);
  return out;
}

AlertNotification ThreeAlerts() {
  json document = Valid();
  json third = document["alerts"][0];
  third["labels"]["model"] = "churn";
  third["fingerprint"] = "ccc";
  document["alerts"].push_back(third);
  return Parsed(document);
}

TEST(AlertmanagerMatch, EmptyMatchSelectsEveryFiringAlert) {
  EXPECT_THAT(Fingerprints(MatchingFiringAlerts(ThreeAlerts(), {})), ElementsAre("b4f5a0d31c2e9f77", "ccc"));
}

TEST(AlertmanagerMatch, SelectsAlertsCarryingEveryMatchLabel) {
  const AlertNotification n = ThreeAlerts();
  EXPECT_THAT(Fingerprints(MatchingFiringAlerts(n, {{"model", "churn"}, {"namespace", "ml"}})), ElementsAre("ccc"));
}

TEST(AlertmanagerMatch, NeverSelectsAResolvedAlert) {
  // Only the resolved alert has model=churn in the original payload.
  EXPECT_THAT(MatchingFiringAlerts(Parsed(Valid()), {{"model", "churn"}}), IsEmpty());
}

TEST(AlertmanagerMatch, RequiresTheSameValue) {
  EXPECT_THAT(MatchingFiringAlerts(ThreeAlerts(), {{"severity", "critical"}}), IsEmpty());
}

TEST(AlertmanagerMatch, RequiresTheLabelToBePresent) {
  EXPECT_THAT(MatchingFiringAlerts(ThreeAlerts(), {{"team", ""}}), IsEmpty());
}

// --- trigger fields -------------------------------------------------------------------------------

TEST(AlertmanagerTrigger, NoneWhenNoFiringAlertMatches) {
  EXPECT_FALSE(BuildAlertTriggerFields(Parsed(Valid()), {{"model", "churn"}}));
}

TEST(AlertmanagerTrigger, RecordsTheFirstMatchingAlert) {
  const auto t = BuildAlertTriggerFields(Parsed(Valid()), {{"model", "fraud"}});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->alertname, "FeatureDrift");
  EXPECT_THAT(t->alertnames, ElementsAre("FeatureDrift"));
  EXPECT_EQ(t->group_key, R"({}/{namespace="ml"}:{alertname="FeatureDrift"})");
  EXPECT_THAT(t->fingerprints, ElementsAre("b4f5a0d31c2e9f77"));
  EXPECT_EQ(t->matching_alerts, 1u);
  EXPECT_EQ(t->reason, "PSI of feature amount is 0.31 on model fraud");
  EXPECT_EQ(t->source, "alertmanager/FeatureDrift");
  EXPECT_EQ(t->labels.at("model"), "fraud");
  EXPECT_EQ(t->annotations.at("description"), "long text");
  EXPECT_EQ(t->starts_at, "2024-03-01T10:15:30.123Z");
  EXPECT_EQ(t->external_url, "http://alertmanager:9093");
  EXPECT_EQ(t->dedup_key.size(), 32u);
}

TEST(AlertmanagerTrigger, SortsFingerprintsAndCountsTheOtherAlertsInTheReason) {
  json document = Valid();
  json other = document["alerts"][0];
  other["labels"]["alertname"] = "LabelDrift";
  other["fingerprint"] = "0000";
  document["alerts"].push_back(other);
  const auto t = BuildAlertTriggerFields(Parsed(document), {});
  ASSERT_TRUE(t);
  EXPECT_THAT(t->fingerprints, ElementsAre("0000", "b4f5a0d31c2e9f77"));
  EXPECT_THAT(t->alertnames, ElementsAre("FeatureDrift", "LabelDrift"));
  EXPECT_EQ(t->alertname, "FeatureDrift");
  EXPECT_EQ(t->matching_alerts, 2u);
  EXPECT_EQ(t->reason, "PSI of feature amount is 0.31 on model fraud (and 1 more matching alert)");
}

TEST(AlertmanagerTrigger, ReasonFallsBackToTheDescriptionOnOneLine) {
  json document = Valid();
  document["alerts"][0]["annotations"] = {{"description", "  PSI above 0.2\n  for 15m  "}};
  EXPECT_EQ(BuildAlertTriggerFields(Parsed(document), {})->reason, "PSI above 0.2 for 15m");
}

TEST(AlertmanagerTrigger, ReasonFallsBackToTheAlertAndItsLabels) {
  json document = Valid();
  document["alerts"][0]["annotations"] = json::object();
  EXPECT_EQ(BuildAlertTriggerFields(Parsed(document), {})->reason,
            R"(alert FeatureDrift firing (model="fraud", namespace="ml", severity="warning"))");
}

TEST(AlertmanagerTrigger, AnAlertWithoutANameIsUnnamed) {
  json document = Valid();
  document["alerts"][0]["labels"] = json::object();
  document["alerts"][0]["annotations"] = json::object();
  const auto t = BuildAlertTriggerFields(Parsed(document), {});
  EXPECT_EQ(t->source, "alertmanager/unnamed");
  EXPECT_EQ(t->reason, "alert unnamed firing");
}

TEST(AlertmanagerTrigger, BoundsReasonAndSourceOnACharacterBoundary) {
  json document = Valid();
  std::string long_text;
  for (int i = 0; i < 3000; ++i) long_text += "é";  // two bytes each
  document["alerts"][0]["annotations"]["summary"] = long_text;
  document["alerts"][0]["labels"]["alertname"] = long_text;
  const auto t = BuildAlertTriggerFields(Parsed(document), {});
  ASSERT_TRUE(t);
  EXPECT_LE(t->reason.size(), kMaxTriggerReasonBytes);
  EXPECT_LE(t->source.size(), kMaxTriggerSourceBytes);
  EXPECT_THAT(t->reason, ::testing::EndsWith("é..."));
  EXPECT_THAT(t->source, ::testing::EndsWith("é..."));
  EXPECT_NO_THROW(json(t->reason).dump());  // still valid UTF-8
  EXPECT_NO_THROW(json(t->source).dump());
}

TEST(AlertmanagerTrigger, KeepsTheCountOfOtherAlertsWhenTheReasonIsCut) {
  json document = Valid();
  document["alerts"][0]["annotations"]["summary"] = std::string(5000, 'x');
  document["alerts"].push_back(document["alerts"][0]);
  const auto t = BuildAlertTriggerFields(Parsed(document), {});
  EXPECT_LE(t->reason.size(), kMaxTriggerReasonBytes);
  EXPECT_THAT(t->reason, ::testing::EndsWith("... (and 1 more matching alert)"));
}

TEST(AlertmanagerTrigger, BoundsTheNumberOfFingerprints) {
  json document = Valid();
  json alerts = json::array();
  for (int i = 0; i < 120; ++i) {
    json alert = document["alerts"][0];
    alert["fingerprint"] = "f" + std::to_string(1000 + i);
    alerts.push_back(alert);
  }
  document["alerts"] = alerts;
  const auto t = BuildAlertTriggerFields(Parsed(document), {});
  EXPECT_EQ(t->fingerprints.size(), kMaxTriggerFingerprints);
  EXPECT_EQ(t->matching_alerts, 120u);
}

TEST(AlertmanagerTrigger, DedupKeyIsTheSameForARepeatedNotification) {
  json repeat = Valid();
  repeat["alerts"][0]["annotations"]["summary"] = "PSI is now 0.35";  // values change, the episode does not
  EXPECT_EQ(BuildAlertTriggerFields(Parsed(Valid()), {})->dedup_key,
            BuildAlertTriggerFields(Parsed(repeat), {})->dedup_key);
}

TEST(AlertmanagerTrigger, DedupKeyChangesWhenTheAlertFiresAgain) {
  json again = Valid();
  again["alerts"][0]["startsAt"] = "2024-03-02T08:00:00Z";
  EXPECT_NE(BuildAlertTriggerFields(Parsed(Valid()), {})->dedup_key,
            BuildAlertTriggerFields(Parsed(again), {})->dedup_key);
}

TEST(AlertmanagerTrigger, DedupKeyChangesWithTheGroup) {
  json other = Valid();
  other["groupKey"] = "{}:{alertname=\"Other\"}";
  EXPECT_NE(BuildAlertTriggerFields(Parsed(Valid()), {})->dedup_key,
            BuildAlertTriggerFields(Parsed(other), {})->dedup_key);
}

TEST(AlertmanagerTrigger, DedupKeyUsesLabelsWithoutAFingerprint) {
  json a = Valid();
  a["alerts"][0].erase("fingerprint");
  json b = a;
  b["alerts"][0]["labels"]["model"] = "other";
  EXPECT_NE(BuildAlertTriggerFields(Parsed(a), {})->dedup_key, BuildAlertTriggerFields(Parsed(b), {})->dedup_key);
}

// --- small helpers ------------------------------------------------------------------------------

TEST(AlertmanagerErrorBody, IsAJsonObjectWithErrorAndStatus) {
  EXPECT_EQ(WebhookErrorBody(401, "missing bearer token"), R"({"error":"missing bearer token","status":401})");
}

TEST(AlertmanagerErrorBody, EscapesTheMessageAndReplacesInvalidUtf8) {
  const json body = json::parse(WebhookErrorBody(400, "bad \"x\"\n\xff"));
  EXPECT_EQ(body["status"], 400);
  EXPECT_EQ(body["error"].get<std::string>().substr(0, 8), "bad \"x\"\n");
}

TEST(AlertmanagerTruncateUtf8, KeepsShortTextAndCutsLongTextWithAnEllipsis) {
  EXPECT_EQ(TruncateUtf8("abc", 3), "abc");
  EXPECT_EQ(TruncateUtf8("abcdef", 5), "ab...");
  EXPECT_EQ(TruncateUtf8("abcdef", 2), "..");
  EXPECT_EQ(TruncateUtf8("a\xc3\xa9xyz", 5), "a...");  // does not split é
}

}  // namespace
}  // namespace modelgate::controllers::pipeline
