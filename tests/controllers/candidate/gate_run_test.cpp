#include "controllers/candidate/gate_run.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "controllers/candidate/gate_status.h"
#include "gates/io/hashing_byte_source.h"
#include "tests/controllers/candidate/test_inputs.h"
#include "tests/gates/test_util.h"

namespace modelgate::controllers::candidate {
namespace {

using json = nlohmann::json;
using testing::FakeFetcher;
using Kind = GateRunResult::Kind;

GateRequest EvaluationRequest(const json& evaluation) {
  GateRequest request;
  request.gate = Gate::kEvaluation;
  request.ns = "ns";
  request.spec = ParseCandidateSpec({{"model", "m"}, {"version", "1"}, {"gates", {{"evaluation", evaluation}}}});
  return request;
}

json ConfigMapSource(const std::string& name, const std::string& key) {
  return {{"configMapKeyRef", {{"name", name}, {"key", key}}}};
}

TEST(GateRunTest, EvaluationFailsNamingTheSliceThatRegressedWhileTheGlobalMetricImproved) {
  FakeFetcher fetcher;
  fetcher.config_maps["data/eval.csv"] = testing::SliceRegressionCsv();
  fetcher.config_maps["policies/eval.yaml"] = testing::kSlicePolicyYaml;
  GateRequest request = EvaluationRequest(
      {{"dataset", ConfigMapSource("data", "eval.csv")}, {"policyFrom", ConfigMapSource("policies", "eval.yaml")}});

  GateRunResult result = RunGate(request, fetcher);

  ASSERT_EQ(result.kind, Kind::kJudged) << result.error;
  EXPECT_EQ(result.outcome, "failed");
  json entry;
  GateVerdict verdict = ApplyReport(Gate::kEvaluation, result, entry);
  EXPECT_EQ(verdict.state, "Failed");
  EXPECT_EQ(verdict.reason, "SliceFailed");
  EXPECT_NE(verdict.message.find("mobile_users"), std::string::npos) << verdict.message;
  const json& global = entry["metrics"]["auc_roc"];
  EXPECT_GT(global["value"].get<double>(), global["champion"].get<double>());
  ASSERT_EQ(entry["slices"].size(), 1u);
  EXPECT_EQ(entry["slices"][0]["name"], "mobile_users");
  EXPECT_FALSE(entry["slices"][0]["passed"].get<bool>());
}

TEST(GateRunTest, InvalidPolicyNamesTheYamlPath) {
  FakeFetcher fetcher;
  fetcher.config_maps["data/eval.csv"] = testing::SliceRegressionCsv();
  fetcher.config_maps["policies/eval.yaml"] = "global_metrics:\n  auc_roc: {min: high}\n";
  GateRunResult result = RunGate(EvaluationRequest({{"dataset", ConfigMapSource("data", "eval.csv")},
                                                    {"policyFrom", ConfigMapSource("policies", "eval.yaml")}}),
                                 fetcher);
  ASSERT_EQ(result.kind, Kind::kInvalidPolicy);
  EXPECT_NE(result.error.find("global_metrics.auc_roc.min"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("configMap policies key eval.yaml"), std::string::npos) << result.error;
}

TEST(GateRunTest, UnreachableUriIsSourceUnavailableNamingTheFieldAndTheUri) {
  FakeFetcher fetcher;
  GateRunResult result = RunGate(
      EvaluationRequest({{"dataset", {{"uri", "http://127.0.0.1:1/eval.csv"}}},
                         {"policy", {{"global_metrics", {{"auc_roc", {{"min", 0.5}}}}}}}}),
      fetcher);
  ASSERT_EQ(result.kind, Kind::kSourceUnavailable);
  EXPECT_EQ(result.source, "spec.gates.evaluation.dataset");
  EXPECT_NE(result.error.find("http://127.0.0.1:1/eval.csv"), std::string::npos) << result.error;
}

TEST(GateRunTest, MissingPolicyConfigMapIsSourceUnavailable) {
  FakeFetcher fetcher;
  fetcher.config_maps["data/eval.csv"] = testing::SliceRegressionCsv();
  GateRunResult result = RunGate(EvaluationRequest({{"dataset", ConfigMapSource("data", "eval.csv")},
                                                    {"policyFrom", ConfigMapSource("policies", "eval.yaml")}}),
                                 fetcher);
  ASSERT_EQ(result.kind, Kind::kSourceUnavailable);
  EXPECT_NE(result.error.find("spec.gates.evaluation.policyFrom"), std::string::npos) << result.error;
}

TEST(GateRunTest, RecordedChampionMetricsAreTheBaselineWhenTheDataHasNoChampionColumn) {
  FakeFetcher fetcher;
  fetcher.uris["file:///eval.csv"] = "label,score\n0,0.1\n1,0.9\n0,0.4\n1,0.3\n0,0.2\n1,0.8\n";
  GateRequest request = EvaluationRequest(
      {{"dataset", {{"uri", "file:///eval.csv"}}},
       {"policy", {{"global_metrics", {{"auc_roc", {{"min", 0.5}, {"require_improvement", true}}}}}}}});
  ChampionInfo champion;
  champion.name = "fraud-v1";
  champion.version = "1";
  champion.evaluation.source_name = "ModelCandidate fraud-v1";
  champion.evaluation.by_scope["global"]["auc_roc"] = 0.95;
  request.champion = champion;

  GateRunResult result = RunGate(request, fetcher);

  ASSERT_EQ(result.kind, Kind::kJudged) << result.error;
  EXPECT_EQ(result.outcome, "champion_retained");
  ASSERT_TRUE(result.champion.has_value());
  EXPECT_EQ(result.champion->version, "1");
  json entry;
  GateVerdict verdict = ApplyReport(Gate::kEvaluation, result, entry);
  EXPECT_EQ(verdict.reason, "NotImproved");
  EXPECT_EQ(entry["champion"]["name"], "fraud-v1");
  EXPECT_DOUBLE_EQ(entry["metrics"]["auc_roc"]["champion"].get<double>(), 0.95);
}

TEST(GateRunTest, TrainingLogWithNaNLossFailsAsLossNotFinite) {
  FakeFetcher fetcher;
  fetcher.uris["file:///log.jsonl"] =
      "{\"step\": 0, \"loss\": 0.7}\n{\"step\": 1, \"loss\": NaN}\n{\"step\": 2, \"loss\": 0.5}\n";
  GateRequest request;
  request.gate = Gate::kTraining;
  request.spec = ParseCandidateSpec(
      {{"gates", {{"training", {{"log", {{"uri", "file:///log.jsonl"}}}, {"policy", {{"loss", {{"field", "loss"}}}}}}}}}});
  GateRunResult result = RunGate(request, fetcher);
  ASSERT_EQ(result.kind, Kind::kJudged) << result.error;
  EXPECT_EQ(result.outcome, "failed");
  json entry;
  GateVerdict verdict = ApplyReport(Gate::kTraining, result, entry);
  EXPECT_EQ(verdict.reason, "LossNotFinite");
  EXPECT_EQ(entry["rows"], 3);
}

TEST(GateRunTest, DataGateFailsOnTooManyNulls) {
  FakeFetcher fetcher;
  fetcher.uris["file:///train.csv"] = "amount,label\n1.0,0\n,1\n,0\n2.0,1\n";
  GateRequest request;
  request.gate = Gate::kData;
  request.spec = ParseCandidateSpec(
      {{"gates", {{"data", {{"dataset", {{"uri", "file:///train.csv"}}},
                            {"policy", {{"max_null_rate", 0.1}, {"columns", {{"amount", {{"type", "number"}}}}}}}}}}}});
  GateRunResult result = RunGate(request, fetcher);
  ASSERT_EQ(result.kind, Kind::kJudged) << result.error;
  EXPECT_EQ(result.outcome, "failed");
  json entry;
  GateVerdict verdict = ApplyReport(Gate::kData, result, entry);
  EXPECT_EQ(verdict.reason, "DataChecksFailed");
  EXPECT_NE(verdict.message.find("amount"), std::string::npos) << verdict.message;
  ASSERT_FALSE(entry["checks"].empty());
  EXPECT_FALSE(entry["checks"][0]["passed"].get<bool>());  // failing checks first
}

TEST(GateRunTest, DataGateJoinsTrainingAndServingRowsOnTheJoinKey) {
  FakeFetcher fetcher;
  fetcher.uris["file:///train.csv"] = "id,amount\n1,36.00\n2,5\n3,7\n";
  fetcher.uris["file:///serving.csv"] = "id,amount\n1,36.50\n2,5.0\n4,9\n";
  GateRequest request;
  request.gate = Gate::kData;
  request.spec = ParseCandidateSpec(
      {{"gates",
        {{"data",
          {{"dataset", {{"uri", "file:///train.csv"}}},
           {"serving", {{"uri", "file:///serving.csv"}}},
           {"policy", {{"skew", {{"join_key", "id"}, {"max_mismatch_rate", 0.1}}}}}}}}}});
  GateRunResult result = RunGate(request, fetcher);
  ASSERT_EQ(result.kind, Kind::kJudged) << result.error;
  EXPECT_EQ(result.outcome, "failed");
  EXPECT_EQ(result.report["skew"]["row_level"]["joined_rows"], 2);
  json entry;
  GateVerdict verdict = ApplyReport(Gate::kData, result, entry);
  EXPECT_EQ(verdict.reason, "SkewExceeded");
  EXPECT_EQ(verdict.message,
            "skew: amount differs between training and serving on 1 of 2 joined rows (50.00 %, max "
            "10 %); e.g. key 1: "
            "training 36.00, serving 36.50");
  ASSERT_FALSE(entry["checks"].empty());
  EXPECT_EQ(entry["checks"][0]["name"], "skew.row_level");
  EXPECT_EQ(entry["checks"][0]["column"], "amount");
  EXPECT_EQ(entry["checks"][0]["value"], 0.5);
}

TEST(GateRunTest, ARunPastItsTimeoutEndsAsTimeout) {
  FakeFetcher fetcher;
  fetcher.uris["file:///eval.csv"] = testing::SliceRegressionCsv();
  GateRequest request = EvaluationRequest({{"dataset", {{"uri", "file:///eval.csv"}}},
                                           {"policy", {{"global_metrics", {{"auc_roc", {{"min", 0.5}}}}}}}});
  request.limits.timeout = std::chrono::milliseconds(-1);
  GateRunResult result = RunGate(request, fetcher);
  EXPECT_EQ(result.kind, Kind::kTimeout) << result.error;
}

TEST(GateRunTest, ARowLimitIsAnInvalidInputNotARetry) {
  FakeFetcher fetcher;
  fetcher.uris["file:///eval.csv"] = testing::SliceRegressionCsv();
  GateRequest request = EvaluationRequest({{"dataset", {{"uri", "file:///eval.csv"}}},
                                           {"policy", {{"global_metrics", {{"auc_roc", {{"min", 0.5}}}}}}}});
  request.limits.max_rows = 10;
  GateRunResult result = RunGate(request, fetcher);
  EXPECT_EQ(result.kind, Kind::kInvalidInput) << result.error;
}

// A malformed row is a data error: retrying reads the same bytes again, so it must reject, not
// back off as if the source were unreachable.
TEST(GateRunTest, AMalformedRowIsAnInvalidInputNotARetry) {
  FakeFetcher fetcher;
  fetcher.uris["file:///eval.csv"] = "label,score\n1,0.9\n0,0.1,extra\n1,0.8\n";
  GateRequest request = EvaluationRequest({{"dataset", {{"uri", "file:///eval.csv"}}},
                                           {"policy", {{"global_metrics", {{"auc_roc", {{"min", 0.5}}}}}}}});
  GateRunResult result = RunGate(request, fetcher);
  EXPECT_EQ(result.kind, Kind::kInvalidInput) << result.error;
  EXPECT_NE(result.error.find("line 3"), std::string::npos) << result.error;
}

// --- the SHA-256 of every input read, for the audit trail ---

constexpr const char* kInlinePolicyJson = R"({"global_metrics":{"auc_roc":{"min":0.5}}})";

json InlinePolicy() { return json::parse(kInlinePolicyJson); }

TEST(GateRunTest, ConfigMapInputsAreRecordedWithTheDigestOfTheValueRead) {
  FakeFetcher fetcher;
  const std::string csv = testing::SliceRegressionCsv();
  fetcher.config_maps["data/eval.csv"] = csv;
  fetcher.config_maps["policies/eval.yaml"] = testing::kSlicePolicyYaml;
  GateRunResult result = RunGate(EvaluationRequest({{"dataset", ConfigMapSource("data", "eval.csv")},
                                                    {"policyFrom", ConfigMapSource("policies", "eval.yaml")}}),
                                 fetcher);

  ASSERT_EQ(result.kind, Kind::kJudged) << result.error;
  ASSERT_EQ(result.inputs.size(), 2u);
  EXPECT_EQ(result.inputs[0].field, "spec.gates.evaluation.policyFrom");
  EXPECT_EQ(result.inputs[0].location, "configmap:policies/eval.yaml");
  EXPECT_EQ(result.inputs[0].sha256, gates::Sha256Hex(testing::kSlicePolicyYaml));
  EXPECT_EQ(result.inputs[0].bytes, std::string(testing::kSlicePolicyYaml).size());
  EXPECT_EQ(result.inputs[1].field, "spec.gates.evaluation.dataset");
  EXPECT_EQ(result.inputs[1].location, "configmap:data/eval.csv");
  EXPECT_EQ(result.inputs[1].sha256, gates::Sha256Hex(csv));
  EXPECT_EQ(result.inputs[1].bytes, csv.size());
}

TEST(GateRunTest, UriInputIsHashedAsFetchedBeforeGzipInflation) {
  FakeFetcher fetcher;
  const std::string stored = gates::testing::Gzip(testing::SliceRegressionCsv());
  fetcher.uris["https://lake/eval.csv.gz"] = stored;
  GateRunResult result = RunGate(
      EvaluationRequest({{"dataset", {{"uri", "https://lake/eval.csv.gz"}}}, {"policy", InlinePolicy()}}), fetcher);

  ASSERT_EQ(result.kind, Kind::kJudged) << result.error;
  EXPECT_EQ(result.report["rows"], 260);  // judged on the inflated rows
  ASSERT_EQ(result.inputs.size(), 2u);
  EXPECT_EQ(result.inputs[1].field, "spec.gates.evaluation.dataset");
  EXPECT_EQ(result.inputs[1].location, "https://lake/eval.csv.gz");
  EXPECT_EQ(result.inputs[1].sha256, gates::Sha256Hex(stored));  // `sha256sum eval.csv.gz`
  EXPECT_EQ(result.inputs[1].bytes, stored.size());
}

TEST(GateRunTest, InlinePolicyIsHashedAsItsCanonicalJson) {
  FakeFetcher fetcher;
  fetcher.uris["file:///eval.csv"] = testing::SliceRegressionCsv();
  GateRunResult result = RunGate(
      EvaluationRequest({{"dataset", {{"uri", "file:///eval.csv"}}}, {"policy", InlinePolicy()}}), fetcher);

  ASSERT_EQ(result.kind, Kind::kJudged) << result.error;
  ASSERT_FALSE(result.inputs.empty());
  EXPECT_EQ(result.inputs[0].field, "spec.gates.evaluation.policy");
  EXPECT_EQ(result.inputs[0].location, "inline");
  EXPECT_EQ(result.inputs[0].sha256, gates::Sha256Hex(kInlinePolicyJson));
  EXPECT_EQ(result.inputs[0].bytes, std::string(kInlinePolicyJson).size());
}

TEST(GateRunTest, EveryInputOfTheDataGateIsRecordedUnderItsField) {
  FakeFetcher fetcher;
  fetcher.uris["file:///train.csv"] = "id,amount\n1,36.00\n2,5\n3,7\n";
  fetcher.uris["file:///baseline.csv"] = "id,amount\n1,35\n2,6\n";
  fetcher.uris["file:///serving.csv"] = "id,amount\n1,36.50\n2,5.0\n4,9\n";
  GateRequest request;
  request.gate = Gate::kData;
  request.spec = ParseCandidateSpec(
      {{"gates",
        {{"data",
          {{"dataset", {{"uri", "file:///train.csv"}}},
           {"baseline", {{"uri", "file:///baseline.csv"}}},
           {"serving", {{"uri", "file:///serving.csv"}}},
           {"policy", {{"skew", {{"join_key", "id"}, {"max_mismatch_rate", 0.1}}}}}}}}}});
  GateRunResult result = RunGate(request, fetcher);

  ASSERT_EQ(result.kind, Kind::kJudged) << result.error;
  std::map<std::string, InputDigest> by_field;
  for (const InputDigest& input : result.inputs) by_field[input.field] = input;
  ASSERT_EQ(by_field.size(), 4u);
  EXPECT_EQ(by_field["spec.gates.data.policy"].location, "inline");
  for (const char* name : {"dataset", "baseline", "serving"}) {
    const InputDigest& input = by_field[std::string("spec.gates.data.") + name];
    EXPECT_EQ(input.sha256, gates::Sha256Hex(fetcher.uris[input.location])) << name;
    EXPECT_EQ(input.bytes, fetcher.uris[input.location].size()) << name;
  }
  EXPECT_EQ(by_field["spec.gates.data.serving"].location, "file:///serving.csv");
}

TEST(GateRunTest, TheTrainingLogIsRecorded) {
  FakeFetcher fetcher;
  const std::string log = "{\"step\": 0, \"loss\": 0.7}\n{\"step\": 1, \"loss\": 0.5}\n";
  fetcher.uris["file:///log.jsonl"] = log;
  GateRequest request;
  request.gate = Gate::kTraining;
  request.spec = ParseCandidateSpec(
      {{"gates", {{"training", {{"log", {{"uri", "file:///log.jsonl"}}}, {"policy", {{"loss", {{"field", "loss"}}}}}}}}}});
  GateRunResult result = RunGate(request, fetcher);

  ASSERT_EQ(result.kind, Kind::kJudged) << result.error;
  ASSERT_EQ(result.inputs.size(), 2u);
  EXPECT_EQ(result.inputs[1].field, "spec.gates.training.log");
  EXPECT_EQ(result.inputs[1].sha256, gates::Sha256Hex(log));
}

// A digest of the bytes up to an error would look like the file's and be wrong: such an input is
// left out, while the policy, read whole, keeps its digest.
TEST(GateRunTest, AnInputReadOnlyInPartHasNoDigest) {
  FakeFetcher fetcher;
  fetcher.uris["file:///eval.csv"] = "label,score\n1,0.9\n0,0.1,extra\n1,0.8\n";
  GateRunResult malformed = RunGate(
      EvaluationRequest({{"dataset", {{"uri", "file:///eval.csv"}}}, {"policy", InlinePolicy()}}), fetcher);
  ASSERT_EQ(malformed.kind, Kind::kInvalidInput) << malformed.error;
  ASSERT_EQ(malformed.inputs.size(), 1u);
  EXPECT_EQ(malformed.inputs[0].location, "inline");

  fetcher.uris["file:///eval.csv"] = testing::SliceRegressionCsv();
  GateRequest limited = EvaluationRequest({{"dataset", {{"uri", "file:///eval.csv"}}}, {"policy", InlinePolicy()}});
  limited.limits.max_rows = 10;
  GateRunResult stopped = RunGate(limited, fetcher);
  ASSERT_EQ(stopped.kind, Kind::kInvalidInput) << stopped.error;
  ASSERT_EQ(stopped.inputs.size(), 1u);
  EXPECT_EQ(stopped.inputs[0].location, "inline");
}

TEST(GateRunTest, TheStatusEntryOfAJudgedRunCarriesTheDigests) {
  FakeFetcher fetcher;
  const std::string csv = testing::SliceRegressionCsv();
  fetcher.config_maps["data/eval.csv"] = csv;
  GateRunResult result = RunGate(
      EvaluationRequest({{"dataset", ConfigMapSource("data", "eval.csv")}, {"policy", InlinePolicy()}}), fetcher);
  ASSERT_EQ(result.kind, Kind::kJudged) << result.error;

  json entry;
  ApplyReport(Gate::kEvaluation, result, entry);

  const json expected = json::array(
      {{{"field", "spec.gates.evaluation.policy"}, {"location", "inline"},
        {"sha256", gates::Sha256Hex(kInlinePolicyJson)}, {"bytes", 42}},
       {{"field", "spec.gates.evaluation.dataset"}, {"location", "configmap:data/eval.csv"},
        {"sha256", gates::Sha256Hex(csv)}, {"bytes", csv.size()}}});
  EXPECT_EQ(entry["inputs"], expected);
}

}  // namespace
}  // namespace modelgate::controllers::candidate
