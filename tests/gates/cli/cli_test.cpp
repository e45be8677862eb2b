#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "gates/cli/cli.h"
#include "tests/gates/io/test_http_server.h"
#include "tests/gates/policy/seed_policy.h"

namespace modelgate::gates {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// The checkout: the working directory (ctest runs the tests there) or its nearest ancestor with
// the shipped policy. Not __FILE__: with ccache's relative paths it is relative to the build dir.
fs::path FindRoot() {
  for (fs::path dir = fs::current_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / "config/eval_slices.yaml") && fs::exists(dir / "gates")) return dir;
    if (dir == dir.root_path()) break;
  }
  return fs::current_path();
}
const fs::path kRoot = FindRoot();

struct Run {
  int exit_code;
  std::string out, err;
};

Run Cli(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  int code = RunCli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("modelgate_cli_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

TEST_F(CliTest, TheShippedSampleRunsAgainstTheShippedPolicyAndPasses) {
  auto r = Cli({"gate", "evaluate", "--policy", (kRoot / "config/eval_slices.yaml").string(), "--data",
                (kRoot / "config/samples/data/eval_predictions.csv").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("gate 3 (offline evaluation): PASSED"));
  EXPECT_THAT(r.out, HasSubstr("eu_region"));
}

TEST_F(CliTest, TheFairnessRegressionSampleFailsWithExitOne) {
  auto r = Cli({"gate", "evaluate", "--policy", (kRoot / "config/eval_slices.yaml").string(), "--data",
                (kRoot / "config/samples/data/eval_predictions_fairness_regression.csv").string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("slice eu_region (207 rows): disparate_impact_ratio = 0.6996 is below the minimum 0.8"));
}

TEST_F(CliTest, TheShippedPolicyIsTheSeedPolicy) {
  std::ifstream in(kRoot / "config/eval_slices.yaml");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), testing::kSeedPolicy);
}

TEST_F(CliTest, PolicyAndDataMayBeHttpUrls) {
  std::ifstream policy_file(kRoot / "config/eval_slices.yaml");
  std::stringstream policy;
  policy << policy_file.rdbuf();
  std::ifstream data_file(kRoot / "config/samples/data/eval_predictions.csv");
  std::stringstream data;
  data << data_file.rdbuf();
  testing::HttpTestServer server([&](const testing::HttpTestRequest& request, testing::HttpTestConnection& c) {
    if (request.target == "/eval_slices.yaml") {
      c.Respond(200, policy.str());
    } else if (request.target == "/eval.csv") {
      c.Respond(200, data.str());
    } else {
      c.Respond(404, "");
    }
  });
  auto r = Cli({"gate", "evaluate", "--policy", server.url("/eval_slices.yaml"), "--data", server.url("/eval.csv"),
                "--http-timeout", "20"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("gate 3 (offline evaluation): PASSED"));
  auto missing = Cli({"gate", "evaluate", "--policy", server.url("/eval_slices.yaml"), "--data",
                      server.url("/gone.csv")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr(server.url("/gone.csv") + ": not found (HTTP 404"));
}

TEST_F(CliTest, HttpTimeoutMustBePositive) {
  auto r = Cli({"gate", "evaluate", "--policy", "p.yaml", "--data", "d.csv", "--http-timeout", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--http-timeout: expected a whole number of seconds greater than 0"));
}

TEST_F(CliTest, JsonOutputAndReportFileCarryTheDocumentedFields) {
  std::string policy = Write("p.yaml", "global_metrics: {auc_roc: {min: 0.9}}\n"
                                       "slices:\n  - {name: a, filter: \"g == 'a'\", metrics: {auc_roc: {min: 0.9}}}\n"
                                       "behavioral_tests:\n  - {name: d, feature: x, direction: positive}\n");
  std::string data = Write("d.csv", "g,x,label,score\na,1,0,0.1\na,2,1,0.9\nb,3,0,0.2\nb,4,1,0.8\n");
  std::string report = (dir_ / "report.json").string();
  auto r = Cli({"gate", "evaluate", "--policy", policy, "--data", data, "--output", "json", "--report", report});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto printed = nlohmann::json::parse(r.out);
  std::ifstream file(report);
  auto written = nlohmann::json::parse(file);
  EXPECT_EQ(printed, written);
  EXPECT_EQ(written["gate"], "evaluation");
  EXPECT_EQ(written["passed"], true);
  EXPECT_EQ(written["rows"], 4);
  EXPECT_EQ(written["global"]["metrics"]["auc_roc"]["value"], 1.0);
  EXPECT_TRUE(written["global"]["metrics"]["auc_roc"]["champion"].is_null());
  EXPECT_EQ(written["global"]["metrics"]["auc_roc"]["passed"], true);
  EXPECT_EQ(written["slices"][0]["name"], "a");
  EXPECT_EQ(written["slices"][0]["rows"], 2);
  EXPECT_EQ(written["slices"][0]["metrics"]["auc_roc"]["passed"], true);
  EXPECT_EQ(written["behavioral_tests"][0]["name"], "d");
  EXPECT_EQ(written["behavioral_tests"][0]["passed"], true);
  EXPECT_DOUBLE_EQ(written["behavioral_tests"][0]["value"].get<double>(), 0.4);
  EXPECT_TRUE(written["failures"].is_array());
}

TEST_F(CliTest, AChampionReportFromAPreviousRunIsUsedForRegression) {
  std::string policy = Write("p.yaml", "global_metrics: {auc_roc: {max_regression_vs_champion: 0.01}}\n");
  std::string champion = Write("champion.json",
                               R"({"gate":"evaluation","global":{"metrics":{"auc_roc":{"value":0.99}}},"slices":[]})");
  std::string data = Write("d.csv", "label,score\n0,0.1\n1,0.9\n0,0.95\n1,0.8\n");
  auto r = Cli({"gate", "evaluate", "--policy", policy, "--data", data, "--champion-report", champion});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("regressed by 0.4900 against the champion (0.9900 -> 0.5000)"));
}

TEST_F(CliTest, InputErrorsExitTwoWithTheMessageOnStderrAndAnErrorReport) {
  std::string policy = Write("p.yaml", "global_metrics: {auc_roc: {min: 0.9}}\n");
  std::string data = Write("d.csv", "label,score\n0,0.1\n3,0.9\n");
  std::string report = (dir_ / "report.json").string();
  auto r = Cli({"gate", "evaluate", "--policy", policy, "--data", data, "--report", report});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, data + " line 3: column label: expected 0 or 1, got '3' (the policy's "
                          "classification metrics need binary labels)\n");
  std::ifstream file(report);
  auto written = nlohmann::json::parse(file);
  EXPECT_EQ(written["outcome"], "error");
  EXPECT_EQ(written["passed"], false);
}

TEST_F(CliTest, AMalformedPolicyExitsTwo) {
  std::string policy = Write("p.yaml", "global_metrics: [\n");
  std::string data = Write("d.csv", "label,score\n0,0.1\n");
  auto r = Cli({"gate", "evaluate", "--policy", policy, "--data", data});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("policy p.yaml line 2, column 1: malformed YAML"));
}

TEST_F(CliTest, AMissingFileExitsTwo) {
  auto r = Cli({"gate", "evaluate", "--policy", (dir_ / "nope.yaml").string(), "--data", "x.csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "policy " + (dir_ / "nope.yaml").string() + ": cannot open: No such file or directory\n");
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Cli({"gate", "evaluate", "--data", "x.csv"}).err, "modelgate gate evaluate: missing --policy\n");
  EXPECT_EQ(Cli({"gate", "evaluate", "--polcy", "p"}).err,
            "modelgate gate evaluate: unknown flag --polcy (did you mean --policy?)\n");
  EXPECT_EQ(Cli({"gate", "evaluate", "--policy", "p", "--data", "d", "--output", "yaml"}).err,
            "modelgate gate evaluate: --output: expected 'text' or 'json', got 'yaml'\n");
  EXPECT_EQ(Cli({"gate", "deploy"}).exit_code, 2);
  EXPECT_THAT(Cli({"gate", "deploy"}).err, HasSubstr("gate: unknown gate 'deploy'"));
  EXPECT_EQ(Cli({"gate"}).exit_code, 2);
}

TEST_F(CliTest, ReadsJsonLinesAndGzipByName) {
  std::string policy = Write("p.yaml", "global_metrics: {auc_roc: {min: 0.9}}\n");
  std::string data = Write("d.jsonl", "{\"label\": 0, \"score\": 0.1}\n{\"label\": 1, \"score\": 0.9}\n");
  EXPECT_EQ(Cli({"gate", "evaluate", "--policy", policy, "--data", data}).exit_code, 0);
  std::string tsv = Write("d.tsv", "label\tscore\n0\t0.1\n1\t0.9\n");
  EXPECT_EQ(Cli({"gate", "evaluate", "--policy", policy, "--data", tsv, "--delimiter", "tab"}).exit_code, 0);
}

TEST_F(CliTest, TheSkewSampleFailsOnTheRowLevelCheckWithExitOne) {
  std::string report = (dir_ / "report.json").string();
  auto r =
      Cli({"gate", "data", "--policy", (kRoot / "config/samples/data/skew_policy.yaml").string(),
           "--data", (kRoot / "config/samples/data/skew_training.csv").string(), "--serving",
           (kRoot / "config/samples/data/skew_serving.csv").string(), "--report", report});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(
      r.out,
      HasSubstr("ROW-LEVEL SKEW joined on transaction_id: 10 joined rows (12 training, 12 serving; "
                "2 training-only, 2 serving-only, 0 duplicate keys)"));
  EXPECT_THAT(
      r.out,
      HasSubstr("skew: transaction_amount differs between training and serving on 1 of 10 joined "
                "rows (10.00 %, max 0 %); e.g. key 1007: training 36.00, serving 36.50"));
  std::ifstream file(report);
  auto written = nlohmann::json::parse(file);
  const auto& row = written["skew"]["row_level"];
  EXPECT_EQ(row["joined_rows"], 10);
  EXPECT_EQ(row["training_only"], 2);
  EXPECT_EQ(row["serving_only"], 2);
  EXPECT_EQ(row["worst_column"], "transaction_amount");
  EXPECT_EQ(row["columns"][0]["examples"][0],
            (nlohmann::json{{"key", "1010"}, {"training", "mobile"}, {"serving", nullptr}}));
}

TEST_F(CliTest, RowLevelSkewWithinItsLimitsPasses) {
  std::string policy =
      Write("p.yaml", "skew:\n  join_key: transaction_id\n  max_mismatch_rate: 0.1\n");
  auto r = Cli({"gate", "data", "--policy", policy, "--data",
                (kRoot / "config/samples/data/skew_training.csv").string(), "--serving",
                (kRoot / "config/samples/data/skew_serving.csv").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("region              0           0.00     10      passed"));
}

TEST_F(CliTest, AJoinKeyMissingFromASampleExitsTwo) {
  std::string policy = Write("p.yaml", "skew:\n  join_key: transaction_id\n");
  std::string training = Write("t.csv", "transaction_id,x\n1,a\n");
  std::string serving = Write("s.csv", "transaction,x\n1,a\n");
  auto r = Cli({"gate", "data", "--policy", policy, "--data", training, "--serving", serving});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err,
      serving + ": no column 'transaction_id' (skew.join_key); did you mean 'transaction'?\n");
  std::string profile = Write("s.json", "{}");
  auto saved = Cli({"gate", "data", "--policy", policy, "--data", training, "--serving", profile});
  EXPECT_EQ(saved.exit_code, 2);
  EXPECT_THAT(saved.err, HasSubstr("a saved profile has no rows to join on skew.join_key"));
}

}  // namespace
}  // namespace modelgate::gates
