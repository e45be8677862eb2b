// Tests of operator/audit_command.h: `modelgate audit` flags (every error), reading the trail
// through a fake ModelRegistry, --version/--since, and the text and JSON renderings (golden).
#include "operator/audit_command.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "controllers/registry/audit_record.h"

namespace modelgate {
namespace {

using controllers::registry::ModelRegistry;
using controllers::registry::ModelVersion;
using controllers::registry::RegisteredModel;
using controllers::registry::RunInfo;
using kube::Result;
using kube::Status;
using kube::StatusCode;
using nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr const char* kUri = "http://127.0.0.1:16500";

// --- fixtures: audit documents in the shape controllers/registry/audit_record.h writes ------------

ojson Trigger43() {
  return ojson::parse(R"({"commit": "1a2b3c4d5e6f7a8b9c0d1e2f", "reason": "fix: merchant features",
                          "source": "github.com/acme/fraud@main", "type": "CodeChange"})");
}
ojson Trigger44() {
  return ojson::parse(R"({"pipeline": "fraud-nightly", "scheduledTime": "2026-12-03T02:00:00Z",
                          "source": "modelpipeline/fraud-nightly", "type": "Scheduled"})");
}
ojson Trigger45() {
  return ojson::parse(R"({"alert": {"name": "FeatureDriftHigh"}, "reason": "PSI of transaction_amount is 0.35",
                          "source": "alertmanager/FeatureDriftHigh", "type": "DataDrift"})");
}

ojson Metric(const char* name, double value, double champion, bool passed) {
  return {{"metrics", {{name, {{"value", value}, {"champion", champion}, {"passed", passed},
                              {"status", passed ? "passed" : "failed"}}}}}};
}

struct Decision {
  std::string type, gate, state, reason, message;
};

ojson Record(const std::string& version, const ojson& trigger, const std::string& id, const std::string& time,
             const Decision& d, const std::string& champion_version, const ojson& extra = ojson::object()) {
  ojson doc;
  doc["apiVersion"] = "modelgate.io/audit/v1";
  doc["kind"] = "AuditRecord";
  doc["id"] = id;
  doc["time"] = time;
  doc["namespace"] = "ml-demo";
  doc["candidate"] = "fraud-detector-v" + version;
  doc["uid"] = "uid-" + version;
  doc["model"] = "fraud-detector";
  doc["version"] = version;
  ojson decision = {{"type", d.type}};
  if (!d.gate.empty()) decision["gate"] = d.gate, decision["state"] = d.state;
  decision["reason"] = d.reason;
  decision["message"] = d.message;
  doc["decision"] = decision;
  doc["trigger"] = trigger;
  doc["spec"] = {{"generation", 1}, {"digest", "sha256:" + std::string(64, 'a')}};
  if (!champion_version.empty()) {
    doc["champion"] = {{"name", "fraud-detector-v" + champion_version}, {"version", champion_version}};
  }
  doc["operator"] = {{"version", "0.1.0"}};
  for (const auto& [key, value] : extra.items()) doc[key] = value;
  doc["actor"] = {{"kind", "operator"}, {"name", "modelgate"}};
  doc["triggeredBy"] = trigger["source"];
  return doc;
}

std::vector<ojson> Records43() {
  const ojson t = Trigger43();
  return {
      Record("43", t, "gate-DataValidation-g1-a1-Passed", "2026-12-01T10:01:00Z",
             {"GatePassed", "DataValidation", "Passed", "ChecksPassed", "24 checks passed"}, "41"),
      Record("43", t, "gate-OfflineEvaluation-g1-a1-Passed", "2026-12-01T10:02:00Z",
             {"GatePassed", "OfflineEvaluation", "Passed", "ChecksPassed", "global auc_roc 0.8801"}, "41",
             Metric("auc_roc", 0.8801, 0.8702, true)),
      Record("43", t, "verdict-Ready-g1", "2026-12-01T10:02:01Z", {"CandidateReady", "", "", "Ready", ""}, "41"),
      Record("43", t, "rollout-started-2026-12-01T10:05:00Z", "2026-12-01T10:05:00Z",
             {"RolloutStarted", "", "", "RollingOut", "canary step 1 of 3"}, "41"),
      Record("43", t, "promoted-2026-12-01T10:30:00Z", "2026-12-01T10:30:00Z",
             {"Promoted", "", "", "Production", "promoted by ModelRollout fraud-detector"}, "41"),
      Record("43", t, "archived-2026-12-05T08:41:16.250000Z", "2026-12-05T08:41:16.250000Z",
             {"Archived", "", "", "Archived", "replaced by fraud-detector-v45"}, "41"),
  };
}

std::vector<ojson> Records44() {
  const ojson t = Trigger44();
  return {
      Record("44", t, "gate-DataValidation-g1-a1-Passed", "2026-12-03T02:05:00Z",
             {"GatePassed", "DataValidation", "Passed", "ChecksPassed", "24 checks passed"}, "43"),
      Record("44", t, "gate-OfflineEvaluation-g1-a1-Failed", "2026-12-03T02:09:30Z",
             {"GateFailed", "OfflineEvaluation", "Failed", "NotImproved", "the challenger did not beat the champion"},
             "43",
             [] {
               ojson extra = Metric("auc_roc", 0.8712, 0.8801, false);
               extra["failures"] = {"auc_roc 0.8712 is not above the champion's 0.8801 by 0.002"};
               return extra;
             }()),
      Record("44", t, "verdict-ChampionRetained-g1", "2026-12-03T02:09:31Z",
             {"CandidateChampionRetained", "", "", "ChampionRetained", "fraud-detector-v43 stays the champion"}, "43"),
  };
}

std::vector<ojson> Records45() {
  const ojson t = Trigger45();
  return {
      Record("45", t, "gate-DataValidation-g1-a1-Passed", "2026-12-05T08:40:43Z",
             {"GatePassed", "DataValidation", "Passed", "ChecksPassed", "24 checks passed"}, "43"),
      Record("45", t, "gate-OfflineEvaluation-g1-a1-Passed", "2026-12-05T08:40:45Z",
             {"GatePassed", "OfflineEvaluation", "Passed", "ChecksPassed", "global auc_roc 0.8764"}, "43",
             Metric("auc_roc", 0.8764, 0.8801, true)),
      Record("45", t, "verdict-Ready-g1", "2026-12-05T08:40:45Z", {"CandidateReady", "", "", "Ready", ""}, "43"),
      Record("45", t, "promoted-2026-12-05T08:41:16Z", "2026-12-05T08:41:16Z",
             {"Promoted", "", "", "Production", ""}, "43"),
  };
}

std::map<std::string, std::string> RunTags(const std::string& version, const ojson& trigger) {
  return {{"modelgate.candidate", "ml-demo/fraud-detector-v" + version},
          {"modelgate.candidate_uid", "uid-" + version},
          {"modelgate.model", "fraud-detector"},
          {"modelgate.version", version},
          {"modelgate.trigger.type", trigger["type"].get<std::string>()},
          {"modelgate.trigger.source", trigger["source"].get<std::string>()}};
}

int64_t Ms(const std::string& time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(kube::ParseRfc3339(time)->time_since_epoch()).count();
}

// The trail as FetchAuditTrail returns it: runs oldest first, records in listing order.
AuditTrail Trail() {
  AuditTrail trail{.tracking_uri = kUri, .model = "fraud-detector"};
  trail.aliases = {{"champion", "45"}, {"previous-champion", "43"}};
  trail.runs = {
      {"run43", Ms("2026-12-01T10:00:00Z"), RunTags("43", Trigger43()), Records43()},
      {"run44", Ms("2026-12-03T02:00:00Z"), RunTags("44", Trigger44()), Records44()},
      {"run45", Ms("2026-12-05T08:40:42Z"), RunTags("45", Trigger45()), Records45()},
  };
  return trail;
}

// --- a fake MLflow: experiments, a registered model, runs and their artifacts --------------------

class FakeRegistry final : public ModelRegistry {
 public:
  std::map<std::string, std::string> experiments;  // name -> id
  std::optional<RegisteredModel> model;
  std::vector<RunInfo> runs;                                             // of experiment "7"
  std::map<std::string, std::map<std::string, std::string>> artifacts;  // run -> path -> content
  std::optional<Status> fail_search;
  std::optional<Status> fail_model;
  std::vector<std::string> filters_seen;
  std::vector<std::string> downloads;

  // Fills the fake with Trail(): experiment modelgate/fraud-detector, runs 43-45, their records.
  static FakeRegistry WithTrail() {
    FakeRegistry fake;
    fake.experiments["modelgate/fraud-detector"] = "7";
    fake.model = RegisteredModel{.name = "fraud-detector", .aliases = Trail().aliases};
    for (const AuditRun& run : Trail().runs) {
      fake.runs.push_back({.run_id = run.run_id, .run_name = "fraud-detector-v" + run.tags.at("modelgate.version"),
                           .status = "RUNNING", .artifact_uri = "mlflow-artifacts:/7/" + run.run_id + "/artifacts",
                           .experiment_id = "7", .start_time_ms = run.start_time_ms, .tags = run.tags});
      for (const ojson& record : run.records) {
        const std::string path = "audit/" + record["time"].get<std::string>() + "-" + record["id"].get<std::string>();
        fake.artifacts[run.run_id][path + ".json"] = record.dump(2);
      }
    }
    return fake;
  }

  Result<RegisteredModel> GetRegisteredModel(const std::string& name) override {
    if (fail_model) return *fail_model;
    if (!model || model->name != name) {
      return Status(StatusCode::kNotFound,
                    "MLflow 404 RESOURCE_DOES_NOT_EXIST: Registered Model with name=" + name + " not found");
    }
    return *model;
  }
  Result<std::string> GetOrCreateExperiment(const std::string& name) override {
    auto it = experiments.find(name);
    if (it == experiments.end()) {
      return Status(StatusCode::kNotFound, "MLflow 404 RESOURCE_DOES_NOT_EXIST: not created");
    }
    return it->second;
  }
  Result<std::vector<RunInfo>> SearchRuns(const std::string& experiment_id, const std::string& filter,
                                          int max_results) override {
    filters_seen.push_back(filter);
    if (fail_search) return *fail_search;
    EXPECT_GE(max_results, 1000);
    std::smatch match;
    std::optional<std::pair<std::string, std::string>> tag;
    if (std::regex_match(filter, match, std::regex("tags\\.`([^`]+)` = '([^']*)'"))) {
      tag = {match[1], match[2]};
    } else {
      EXPECT_EQ(filter, "");
    }
    std::vector<RunInfo> out;
    for (const RunInfo& run : runs) {
      if (run.experiment_id != experiment_id) continue;
      if (tag && (!run.tags.count(tag->first) || run.tags.at(tag->first) != tag->second)) continue;
      out.push_back(run);
    }
    return out;
  }
  Result<std::vector<std::string>> ListArtifacts(const std::string& run_id, const std::string& path) override {
    EXPECT_EQ(path, "audit");
    std::vector<std::string> out;
    for (const auto& [file, content] : artifacts[run_id]) {
      if (file.rfind(path + "/", 0) == 0) out.push_back(file);
    }
    return out;
  }
  Result<std::string> DownloadArtifact(const std::string& run_id, const std::string& path) override {
    downloads.push_back(path);
    auto it = artifacts[run_id].find(path);
    if (it == artifacts[run_id].end()) return Status(StatusCode::kNotFound, "MLflow 404: no artifact " + path);
    return it->second;
  }

  // The command only reads.
  Result<ModelVersion> GetModelVersion(const std::string&, const std::string&) override { return Unexpected(); }
  Status SetAlias(const std::string&, const std::string&, const std::string&) override { return Unexpected(); }
  Status DeleteAlias(const std::string&, const std::string&) override { return Unexpected(); }
  Status SetModelVersionTag(const std::string&, const std::string&, const std::string&, const std::string&) override {
    return Unexpected();
  }
  Status TransitionStage(const std::string&, const std::string&, const std::string&) override { return Unexpected(); }
  Result<std::optional<RunInfo>> FindRunByTag(const std::string&, const std::string&, const std::string&) override {
    return Unexpected();
  }
  Result<RunInfo> CreateRun(const std::string&, const std::string&, const std::map<std::string, std::string>&,
                            int64_t) override {
    return Unexpected();
  }
  Status LogBatch(const std::string&, const std::map<std::string, std::string>&, const std::map<std::string, double>&,
                  const std::map<std::string, std::string>&, int64_t) override {
    return Unexpected();
  }
  Status UploadArtifact(const RunInfo&, const std::string&, const std::string&) override { return Unexpected(); }

 private:
  static Status Unexpected() {
    ADD_FAILURE() << "modelgate audit must not call this";
    return Status(StatusCode::kInternal, "unexpected call");
  }
};

AuditFlags Flags(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--mlflow", kUri, "--model", "fraud-detector"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::string error;
  std::optional<AuditFlags> flags = ParseAuditFlags(args, &error);
  EXPECT_TRUE(flags.has_value()) << error;
  return flags.value_or(AuditFlags{});
}

struct Outcome {
  int code;
  std::string out, err;
};

Outcome RunWith(const AuditFlags& flags, ModelRegistry& registry) {
  std::ostringstream out, err;
  const int code = RunAudit(flags, registry, out, err);
  return {code, out.str(), err.str()};
}

Outcome RunCommand(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = RunAuditCommand(args, out, err);
  return {code, out.str(), err.str()};
}

std::string ParseError(const std::vector<std::string>& args) {
  std::string error;
  EXPECT_FALSE(ParseAuditFlags(args, &error).has_value()) << "accepted";
  return error;
}

// A file in the temporary directory, removed at the end of the test. The name carries the pid:
// ctest runs tests of this file in parallel processes (a fixed seed collided, one test removing
// the other's file).
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    path_ = (std::filesystem::temp_directory_path() /
             ("audit_command_test_" + std::to_string(::getpid()) + "_" +
              std::to_string(counter_++)))
                .string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

// --- flags -------------------------------------------------------------------------------------

TEST(AuditFlags, ParsesEveryFlagInBothForms) {
  std::string error;
  const auto flags =
      ParseAuditFlags({"--mlflow=https://mlflow.example/prefix", "--model", "fraud-detector", "--version", "45",
                       "--since=2026-12-01", "-o", "json", "--username", "audit", "--password-file", "/p",
                       "--ca-file", "/ca.pem", "--timeout", "30s"},
                      &error);
  ASSERT_TRUE(flags) << error;
  EXPECT_EQ(flags->tracking_uri, "https://mlflow.example/prefix");
  EXPECT_EQ(flags->model, "fraud-detector");
  EXPECT_EQ(flags->version, "45");
  EXPECT_EQ(kube::FormatTime(*flags->since), "2026-12-01T00:00:00Z");
  EXPECT_TRUE(flags->json);
  EXPECT_EQ(flags->username, "audit");
  EXPECT_EQ(flags->password_file, "/p");
  EXPECT_EQ(flags->ca_file, "/ca.pem");
  EXPECT_EQ(flags->timeout, std::chrono::seconds(30));
}

TEST(AuditFlags, DefaultsToTextAllVersionsAndATenSecondTimeout) {
  const AuditFlags flags = Flags();
  EXPECT_FALSE(flags.json);
  EXPECT_EQ(flags.version, "");
  EXPECT_FALSE(flags.since);
  EXPECT_EQ(flags.timeout, std::chrono::seconds(10));
  EXPECT_TRUE(Flags({"--output=json"}).json);
  EXPECT_TRUE(Flags({"-ojson"}).json);
  EXPECT_FALSE(Flags({"-o=text"}).json);
  EXPECT_EQ(Flags({"--token-file", "/t"}).token_file, "/t");
}

TEST(AuditFlags, SinceTakesADateTimeWithAnOffset) {
  EXPECT_EQ(kube::FormatTime(*Flags({"--since", "2026-12-01T10:00:00+02:00"}).since), "2026-12-01T08:00:00Z");
}

TEST(AuditFlags, EveryErrorNamesTheFlag) {
  const std::string m = "--model=fraud-detector";
  const std::string u = std::string("--mlflow=") + kUri;
  EXPECT_EQ(ParseError({m}), "--mlflow: required: the MLflow tracking URI, e.g. http://127.0.0.1:5000");
  EXPECT_EQ(ParseError({"--mlflow", "ftp://mlflow", m}),
            "--mlflow: MLflow tracking URI 'ftp://mlflow': expected http:// or https://");
  EXPECT_EQ(ParseError({"--mlflow", "mlflow:5000", m}),
            "--mlflow: MLflow tracking URI 'mlflow:5000': expected http(s)://host[:port][/prefix]");
  EXPECT_EQ(ParseError({u}), "--model: required: the registered model, e.g. fraud-detector");
  EXPECT_EQ(ParseError({u, "--model", "ml/fraud"}),
            "--model: expected a registered model name (MLflow names contain no '/' or ':'), got 'ml/fraud'");
  EXPECT_EQ(ParseError({u, m, "--model="}), "--model: expected a value, got ''");
  EXPECT_EQ(ParseError({u, m, "--version", "v45"}),
            "--version: expected an MLflow model version number such as 45, got 'v45'");
  EXPECT_EQ(ParseError({u, m, "--since", "yesterday"}),
            "--since: expected an RFC 3339 date or date-time such as 2026-12-01 or 2026-12-01T08:00:00Z, got "
            "'yesterday'");
  EXPECT_EQ(ParseError({u, m, "--since", "2026-13-01"}).substr(0, 17), "--since: expected");
  EXPECT_EQ(ParseError({u, m, "-o", "yaml"}), "-o: expected text or json, got 'yaml'");
  EXPECT_EQ(ParseError({u, m, "--timeout", "10"}), "--timeout: expected a duration such as 10s, 500ms or 1m, got '10'");
  EXPECT_EQ(ParseError({u, m, "--timeout", "0s"}), "--timeout: expected a duration such as 10s, 500ms or 1m, got '0s'");
  EXPECT_EQ(ParseError({u, m, "--version"}), "--version: expected a value");
  EXPECT_EQ(ParseError({u, m, "-o"}), "-o: expected a value");
  EXPECT_EQ(ParseError({u, m, "--username", "a"}), "--username: needs --password-file");
  EXPECT_EQ(ParseError({u, m, "--password-file", "/p"}), "--password-file: needs --username");
  EXPECT_EQ(ParseError({u, m, "--username", "a", "--password-file", "/p", "--token-file", "/t"}),
            "--token-file: use either --token-file or --username/--password-file, not both");
  EXPECT_EQ(ParseError({u, m, "--modle", "x"}).substr(0, 43), "unknown flag --modle\nusage: modelgate audit");
  EXPECT_EQ(ParseError({u, m, "-x"}).substr(0, 16), "unknown flag -x\n");
  EXPECT_EQ(ParseError({u, m, "fraud-detector"}).substr(0, 41), "unexpected argument 'fraud-detector'\nusag");
}

TEST(AuditFlags, CredentialsInTheUriAreRefusedWithoutEchoingThem) {
  const std::string error = ParseError({"--mlflow", "http://admin:s3cret@mlflow:5000", "--model", "m"});
  EXPECT_EQ(error.rfind("--mlflow: ", 0), 0u) << error;
  EXPECT_EQ(error.find("s3cret"), std::string::npos) << error;
}

TEST(AuditFlags, HelpIsTheUsage) {
  std::string error;
  bool help = false;
  EXPECT_FALSE(ParseAuditFlags({"--help"}, &error, &help));
  EXPECT_TRUE(help);
  EXPECT_EQ(error, AuditUsage());
  const Outcome run = RunCommand({"-h"});
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.out, AuditUsage());
}

TEST(AuditFlags, ReadsOneLineSecretsFromFiles) {
  TempFile password("pa ss\n");
  TempFile token("tok\r\n");
  Result<MlflowConfig> basic = AuditMlflowConfig(Flags({"--username", "audit", "--password-file", password.path()}));
  ASSERT_TRUE(basic.ok()) << basic.status().message();
  EXPECT_EQ(basic->username, "audit");
  EXPECT_EQ(basic->password, "pa ss");
  Result<MlflowConfig> bearer = AuditMlflowConfig(Flags({"--token-file", token.path(), "--timeout", "2s"}));
  ASSERT_TRUE(bearer.ok()) << bearer.status().message();
  EXPECT_EQ(bearer->token, "tok");
  EXPECT_EQ(bearer->timeout, std::chrono::seconds(2));
}

TEST(AuditFlags, AnUnreadableOrEmptyFileNamesTheFlagAndTheFileNeverTheContent) {
  TempFile empty("\n");
  TempFile two_lines("secret-one\nsecret-two\n");
  TempFile not_pem("secret-ca");
  const std::string missing = "/nonexistent/modelgate/password";
  EXPECT_EQ(AuditMlflowConfig(Flags({"--username", "a", "--password-file", missing})).status().message(),
            "--password-file " + missing + ": cannot read: No such file or directory");
  EXPECT_EQ(AuditMlflowConfig(Flags({"--token-file", empty.path()})).status().message(),
            "--token-file " + empty.path() + ": the file is empty");
  EXPECT_EQ(AuditMlflowConfig(Flags({"--token-file", two_lines.path()})).status().message(),
            "--token-file " + two_lines.path() + ": expected one line");
  EXPECT_EQ(AuditMlflowConfig(Flags({"--ca-file", not_pem.path()})).status().message(),
            "--ca-file " + not_pem.path() + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
}

TEST(AuditCommand, AFlagErrorIsExitTwoWithTheMessage) {
  Outcome run = RunCommand({"--model", "m"});
  EXPECT_EQ(run.code, 2);
  EXPECT_EQ(run.err, "modelgate audit: --mlflow: required: the MLflow tracking URI, e.g. http://127.0.0.1:5000\n");
  EXPECT_EQ(run.out, "");
  TempFile password("s3cret\n");
  run = RunCommand({"--mlflow", kUri, "--model", "m", "--username", "a", "--password-file", "/nonexistent/pw"});
  EXPECT_EQ(run.code, 2);
  EXPECT_EQ(run.err, "modelgate audit: --password-file /nonexistent/pw: cannot read: No such file or directory\n");
}

// --- the read-only transport -------------------------------------------------------------------

class ScriptedTransport final : public kube::Transport {
 public:
  std::vector<std::string> sent;
  Result<kube::HttpResponse> Send(const kube::HttpRequest& request) override {
    sent.push_back(request.method + " " + request.path);
    if (request.path.find("experiments/get-by-name") != std::string::npos) {
      return kube::HttpResponse{404, {}, R"({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no experiment"})"};
    }
    return kube::HttpResponse{200, {}, "{}"};
  }
  Status Stream(const kube::HttpRequest&, const std::function<bool(std::string_view)>&,
                const std::atomic<bool>*) override {
    return Status::Ok();
  }
};

TEST(AuditReadOnlyTransport, AMissingExperimentIsNotFoundAndNothingIsCreated) {
  auto scripted = std::make_shared<ScriptedTransport>();
  auto registry = MakeMlflowRegistry(MlflowConfig{.tracking_uri = kUri}, ReadOnlyMlflowTransport(scripted));
  ASSERT_TRUE(registry.ok());
  Result<std::string> experiment = (*registry)->GetOrCreateExperiment("modelgate/fraud-detector");
  EXPECT_EQ(experiment.status().code(), StatusCode::kNotFound) << experiment.status().message();
  EXPECT_EQ(scripted->sent,
            std::vector<std::string>{
                "GET /api/2.0/mlflow/experiments/get-by-name?experiment_name=modelgate%2Ffraud-detector"});
}

TEST(AuditReadOnlyTransport, PassesReadsAndTheRunSearchAndAnswersEverythingElseItself) {
  auto scripted = std::make_shared<ScriptedTransport>();
  auto registry = MakeMlflowRegistry(MlflowConfig{.tracking_uri = std::string(kUri) + "/mlflow"},
                                     ReadOnlyMlflowTransport(scripted));
  ASSERT_TRUE(registry.ok());
  EXPECT_TRUE((*registry)->SearchRuns("7", "", 5).ok());
  EXPECT_TRUE((*registry)->ListArtifacts("r", "audit").ok());
  EXPECT_TRUE((*registry)->GetRegisteredModel("m").ok());
  const Status alias = (*registry)->SetAlias("m", "champion", "3");
  EXPECT_EQ(alias.code(), StatusCode::kNotFound);
  EXPECT_NE(alias.message().find("modelgate audit only reads: POST /mlflow/api/2.0/mlflow/registered-models/alias"),
            std::string::npos)
      << alias.message();
  EXPECT_FALSE((*registry)->UploadArtifact({.run_id = "r", .artifact_uri = "mlflow-artifacts:/7/r/artifacts"}, "a.json",
                                           "{}")
                   .ok());
  EXPECT_EQ(scripted->sent, (std::vector<std::string>{"POST /mlflow/api/2.0/mlflow/runs/search",
                                                      "GET /mlflow/api/2.0/mlflow/artifacts/list?run_id=r&path=audit",
                                                      "GET /mlflow/api/2.0/mlflow/registered-models/get?name=m"}));
}

// --- reading the trail -------------------------------------------------------------------------

TEST(AuditFetch, ReadsTheAliasesAndEveryRecordOfEveryRun) {
  FakeRegistry fake = FakeRegistry::WithTrail();
  Result<AuditTrail> trail = FetchAuditTrail(fake, kUri, "fraud-detector", "");
  ASSERT_TRUE(trail.ok()) << trail.status().message();
  EXPECT_EQ(trail->aliases, (std::map<std::string, std::string>{{"champion", "45"}, {"previous-champion", "43"}}));
  ASSERT_EQ(trail->runs.size(), 3u);
  EXPECT_EQ(trail->runs[0].run_id, "run43");
  EXPECT_EQ(trail->runs[0].records.size(), 6u);
  EXPECT_EQ(trail->runs[2].records.size(), 4u);
  EXPECT_EQ(fake.filters_seen, std::vector<std::string>{""});
  EXPECT_TRUE(trail->warnings.empty());
}

TEST(AuditFetch, TheDocumentsAreKeptAsStored) {
  FakeRegistry fake = FakeRegistry::WithTrail();
  Result<AuditTrail> trail = FetchAuditTrail(fake, kUri, "fraud-detector", "45");
  ASSERT_TRUE(trail.ok());
  ASSERT_EQ(trail->runs.size(), 1u);
  std::vector<std::string> stored;
  for (const ojson& record : trail->runs[0].records) stored.push_back(record.dump());
  std::vector<std::string> written;
  for (const ojson& record : Records45()) written.push_back(record.dump());
  std::sort(stored.begin(), stored.end());
  std::sort(written.begin(), written.end());
  EXPECT_EQ(stored, written);
}

TEST(AuditFetch, VersionIsAskedOfMlflowAsATagFilter) {
  FakeRegistry fake = FakeRegistry::WithTrail();
  Result<AuditTrail> trail = FetchAuditTrail(fake, kUri, "fraud-detector", "44");
  ASSERT_TRUE(trail.ok());
  EXPECT_EQ(fake.filters_seen, std::vector<std::string>{"tags.`modelgate.version` = '44'"});
  ASSERT_EQ(trail->runs.size(), 1u);
  EXPECT_EQ(trail->runs[0].run_id, "run44");
}

TEST(AuditFetch, AMissingExperimentIsNoAuditRecordsNamingTheExperiment) {
  FakeRegistry fake = FakeRegistry::WithTrail();
  Result<AuditTrail> trail = FetchAuditTrail(fake, kUri, "churn", "");
  EXPECT_EQ(trail.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(trail.status().message(),
            "no audit records for model churn in http://127.0.0.1:16500 (experiment modelgate/churn not found)");
  const Outcome run = RunWith(Flags({"--model", "churn"}), fake);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            "modelgate audit: no audit records for model churn in http://127.0.0.1:16500 (experiment "
            "modelgate/churn not found)\n");
}

TEST(AuditFetch, AMissingRegisteredModelStillShowsItsRecords) {
  FakeRegistry fake = FakeRegistry::WithTrail();
  fake.model.reset();
  const Outcome run = RunWith(Flags({"--version", "45"}), fake);
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out.substr(0, run.out.find('\n')),
            "Model fraud-detector in http://127.0.0.1:16500 — registered model not found (its audit records "
            "remain)");
  EXPECT_NE(run.out.find("Promoted"), std::string::npos);
}

TEST(AuditFetch, AnMlflowErrorIsExitOneNamingWhatWasRead) {
  FakeRegistry fake = FakeRegistry::WithTrail();
  fake.fail_search = Status(StatusCode::kUnauthorized, "MLflow 401: Unauthorized [POST /api/2.0/mlflow/runs/search]");
  Outcome run = RunWith(Flags(), fake);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "modelgate audit: MLflow http://127.0.0.1:16500: searching the runs of experiment "
            "modelgate/fraud-detector: MLflow 401: Unauthorized [POST /api/2.0/mlflow/runs/search]\n");
  fake.fail_search.reset();
  fake.fail_model = Status(StatusCode::kForbidden, "MLflow 403: Permission denied");
  run = RunWith(Flags(), fake);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "modelgate audit: MLflow http://127.0.0.1:16500: reading registered model fraud-detector: MLflow "
            "403: Permission denied\n");
}

TEST(AuditFetch, AnArtifactThatIsNotAnAuditDocumentIsSkippedWithAWarning) {
  FakeRegistry fake = FakeRegistry::WithTrail();
  fake.artifacts["run45"]["audit/broken.json"] = "{\"id\": ";
  fake.artifacts["run45"]["audit/notes.txt"] = "not a record";
  const Outcome run = RunWith(Flags({"--version", "45"}), fake);
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.err, "modelgate audit: warning: run run45: audit/broken.json is not a JSON object; skipped\n");
  EXPECT_EQ(std::count(fake.downloads.begin(), fake.downloads.end(), "audit/notes.txt"), 0);
}

TEST(AuditFetch, AVersionWithoutRecordsIsExitOne) {
  FakeRegistry fake = FakeRegistry::WithTrail();
  const Outcome run = RunWith(Flags({"--version", "99"}), fake);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "modelgate audit: no audit records for version 99 of model fraud-detector in http://127.0.0.1:16500 "
            "(experiment modelgate/fraud-detector has no run tagged modelgate.version=99)\n");
}

TEST(AuditFetch, ReadsWhatTheRegistryReconcilerWrites) {
  // The documents of controllers/registry/audit_record.h, as the reconciler uploads them.
  const json candidate = json::parse(R"({
    "metadata": {"name": "fraud-detector-v45", "namespace": "ml-demo", "uid": "u-45", "generation": 1,
                 "creationTimestamp": "2026-12-05T08:40:42Z"},
    "spec": {"model": "fraud-detector", "version": "45",
             "trigger": {"type": "DataDrift", "source": "alertmanager/FeatureDriftHigh",
                         "reason": "PSI of transaction_amount is 0.35"}},
    "status": {"phase": "Production", "stageTransitionTime": "2026-12-05T08:41:16Z", "observedGeneration": 1,
               "champion": {"name": "fraud-detector-v43", "version": "43"},
               "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-12-05T08:40:45Z"}],
               "gates": [{"name": "OfflineEvaluation", "state": "Passed", "reason": "ChecksPassed",
                          "observedGeneration": 1, "attempts": 1, "finishedAt": "2026-12-05T08:40:45Z",
                          "metrics": {"auc_roc": {"value": 0.8764, "champion": 0.8801, "passed": true}}}]}})");
  FakeRegistry fake;
  fake.experiments["modelgate/fraud-detector"] = "7";
  fake.model = RegisteredModel{.name = "fraud-detector", .aliases = {{"champion", "45"}}};
  fake.runs.push_back({.run_id = "r",
                       .experiment_id = "7",
                       .tags = {{"modelgate.version", "45"}, {"modelgate.candidate", "ml-demo/fraud-detector-v45"}}});
  for (const auto& record : controllers::registry::AuditRecordsOf(candidate, "0.1.0")) {
    fake.artifacts["r"]["audit/" + record.id + ".json"] = record.document.dump(2);
  }
  const Outcome run = RunWith(Flags(), fake);
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out,
            "Model fraud-detector in http://127.0.0.1:16500 — champion 45\n"
            "version 45  fraud-detector-v45 (ml-demo)\n"
            "  trigger DataDrift alertmanager/FeatureDriftHigh: PSI of transaction_amount is 0.35\n"
            "  2026-12-05T08:40:45Z  OfflineEvaluation   Passed   auc_roc 0.8764 (champion 0.8801)\n"
            "  2026-12-05T08:40:45Z  Ready\n"
            "  2026-12-05T08:41:16Z  Promoted            replaced version 43\n");
}

// --- selecting ---------------------------------------------------------------------------------

TEST(AuditSelect, SinceDropsEarlierRecordsAndRunsLeftEmpty) {
  const AuditTrail trail = SelectAuditRecords(Trail(), "", kube::ParseRfc3339("2026-12-05T00:00:00Z"));
  ASSERT_EQ(trail.runs.size(), 2u);
  EXPECT_EQ(trail.runs[0].run_id, "run43");
  ASSERT_EQ(trail.runs[0].records.size(), 1u);
  EXPECT_EQ(trail.runs[0].records[0]["decision"]["type"], "Archived");
  EXPECT_EQ(trail.runs[1].run_id, "run45");
  EXPECT_EQ(trail.runs[1].records.size(), 4u);
}

TEST(AuditSelect, ARecordAtTheSinceInstantIsKept) {
  const AuditTrail trail = SelectAuditRecords(Trail(), "45", kube::ParseRfc3339("2026-12-05T08:41:16Z"));
  ASSERT_EQ(trail.runs.size(), 1u);
  ASSERT_EQ(trail.runs[0].records.size(), 1u);
  EXPECT_EQ(trail.runs[0].records[0]["decision"]["type"], "Promoted");
}

TEST(AuditSelect, VersionKeepsThatVersionOnly) {
  const AuditTrail trail = SelectAuditRecords(Trail(), "44", std::nullopt);
  ASSERT_EQ(trail.runs.size(), 1u);
  EXPECT_EQ(trail.runs[0].run_id, "run44");
  EXPECT_EQ(trail.runs[0].records.size(), 3u);
}

TEST(AuditSelect, RecordsAreSortedByTimeThenIdAndRunsByStartTime) {
  AuditTrail trail = Trail();
  std::reverse(trail.runs.begin(), trail.runs.end());
  for (AuditRun& run : trail.runs) std::reverse(run.records.begin(), run.records.end());
  trail = SelectAuditRecords(std::move(trail), "", std::nullopt);
  EXPECT_EQ(trail.runs[0].run_id, "run43");
  EXPECT_EQ(trail.runs[2].run_id, "run45");
  // Two records of 08:40:45: the gate's id sorts before the verdict's.
  EXPECT_EQ(trail.runs[2].records[1]["id"], "gate-OfflineEvaluation-g1-a1-Passed");
  EXPECT_EQ(trail.runs[2].records[2]["id"], "verdict-Ready-g1");
  EXPECT_EQ(trail.runs[0].records.back()["decision"]["type"], "Archived");
}

TEST(AuditSelect, NothingSinceTheDateIsSaidAndIsNotAnError) {
  FakeRegistry fake = FakeRegistry::WithTrail();
  const Outcome run = RunWith(Flags({"--since", "2027-01-01"}), fake);
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out,
            "Model fraud-detector in http://127.0.0.1:16500 — champion 45, previous-champion 43\n"
            "no audit records since 2027-01-01T00:00:00Z\n");
}

// --- rendering ---------------------------------------------------------------------------------

TEST(AuditText, TheTimelineOfAModel) {
  const std::string expected =
      "Model fraud-detector in http://127.0.0.1:16500 — champion 45, previous-champion 43\n"
      "version 43  fraud-detector-v43 (ml-demo)\n"
      "  trigger CodeChange github.com/acme/fraud@main commit 1a2b3c4d5e6f: fix: merchant features\n"
      "  2026-12-01T10:01:00Z  DataValidation      Passed   ChecksPassed   24 checks passed\n"
      "  2026-12-01T10:02:00Z  OfflineEvaluation   Passed   auc_roc 0.8801 (champion 0.8702)\n"
      "  2026-12-01T10:02:01Z  Ready\n"
      "  2026-12-01T10:05:00Z  Rollout started     against version 41   canary step 1 of 3\n"
      "  2026-12-01T10:30:00Z  Promoted            replaced version 41\n"
      "                                            promoted by ModelRollout fraud-detector\n"
      "  2026-12-05T08:41:16Z  Archived            replaced by fraud-detector-v45\n"
      "\n"
      "version 44  fraud-detector-v44 (ml-demo)\n"
      "  trigger Scheduled modelpipeline/fraud-nightly for 2026-12-03T02:00:00Z\n"
      "  2026-12-03T02:05:00Z  DataValidation      Passed   ChecksPassed   24 checks passed\n"
      "  2026-12-03T02:09:30Z  OfflineEvaluation   Failed   NotImproved\n"
      "                                            auc_roc 0.8712 (champion 0.8801, failed)\n"
      "                        - auc_roc 0.8712 is not above the champion's 0.8801 by 0.002\n"
      "  2026-12-03T02:09:31Z  ChampionRetained    fraud-detector-v43 stays the champion\n"
      "\n"
      "version 45  fraud-detector-v45 (ml-demo)\n"
      "  trigger DataDrift alertmanager/FeatureDriftHigh: PSI of transaction_amount is 0.35\n"
      "  2026-12-05T08:40:43Z  DataValidation      Passed   ChecksPassed   24 checks passed\n"
      "  2026-12-05T08:40:45Z  OfflineEvaluation   Passed   auc_roc 0.8764 (champion 0.8801)\n"
      "  2026-12-05T08:40:45Z  Ready\n"
      "  2026-12-05T08:41:16Z  Promoted            replaced version 43\n";
  EXPECT_EQ(FormatAuditText(SelectAuditRecords(Trail(), "", std::nullopt)), expected);
}

TEST(AuditText, ALongTriggerWrapsUnderIt) {
  AuditTrail trail = SelectAuditRecords(Trail(), "45", std::nullopt);
  for (ojson& record : trail.runs[0].records) {
    record["trigger"]["reason"] = "PSI of transaction_amount rose from 0.08 to 0.35 within 24 hours on the EU slice";
  }
  const std::string expected =
      "Model fraud-detector in http://127.0.0.1:16500 — champion 45, previous-champion 43\n"
      "version 45  fraud-detector-v45 (ml-demo)\n"
      "  trigger DataDrift alertmanager/FeatureDriftHigh: PSI of transaction_amount rose from 0.08 to 0.35\n"
      "    within 24 hours on the EU slice\n"
      "  2026-12-05T08:40:43Z  DataValidation      Passed   ChecksPassed   24 checks passed\n";
  EXPECT_EQ(FormatAuditText(trail).substr(0, expected.size()), expected);
}

TEST(AuditText, LongDetailsWrapUnderTheDetailColumn) {
  AuditTrail trail = SelectAuditRecords(Trail(), "43", std::nullopt);
  trail.runs[0].records = {Record("43", Trigger43(), "archived-x", "2026-12-05T08:41:16Z",
                                  {"Archived", "", "", "Archived",
                                   "archived: fraud-detector-v45 was promoted (rollback target of ModelRollout "
                                   "fraud-detector)"},
                                  "41")};
  const std::string text = FormatAuditText(trail);
  EXPECT_NE(text.find("\n  2026-12-05T08:41:16Z  Archived            archived: fraud-detector-v45 was promoted "
                      "(rollback\n                                            target of ModelRollout fraud-detector)\n"),
            std::string::npos)
      << text;
}

TEST(AuditText, EveryLineFitsInOneHundredColumns) {
  const std::string text = FormatAuditText(SelectAuditRecords(Trail(), "", std::nullopt));
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Model ", 0) != 0) {
      EXPECT_LE(line.size(), 100u) << line;
    }
  }
}

TEST(AuditText, AliasesReadChampionFirstThenTheOthers) {
  AuditTrail trail{.tracking_uri = kUri, .model = "m"};
  trail.aliases = {{"challenger", "46"}, {"champion", "45"}, {"blessed", "40"}, {"previous-champion", "43"}};
  EXPECT_EQ(FormatAuditText(trail),
            "Model m in http://127.0.0.1:16500 — champion 45, previous-champion 43, challenger 46, blessed 40\n");
  trail.aliases.clear();
  EXPECT_EQ(FormatAuditText(trail), "Model m in http://127.0.0.1:16500 — no aliases\n");
}

TEST(AuditText, RollbacksRestoresAndUnknownDecisionsPrintTheirStory) {
  AuditTrail trail = SelectAuditRecords(Trail(), "45", std::nullopt);
  trail.runs[0].records = {
      Record("45", Trigger45(), "rolled-back-2026-12-05T09:00:00Z", "2026-12-05T09:00:00Z",
             {"RolledBack", "", "", "RolledBack", "error-rate 0.09 > 0.05"}, "43"),
      Record("45", Trigger45(), "later-kind", "2026-12-05T09:01:00Z", {"SomethingNew", "", "", "Why", "what"}, ""),
      Record("45", Trigger45(), "promoted-2026-12-05T09:02:00Z", "2026-12-05T09:02:00Z",
             {"Promoted", "", "", "Production", "restored as champion: fraud-detector-v46 was rolled back"}, "41")};
  const std::string text = FormatAuditText(trail);
  EXPECT_NE(text.find("  2026-12-05T09:00:00Z  Rolled back         back to version 43   error-rate 0.09 > 0.05\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  2026-12-05T09:01:00Z  SomethingNew        Why   what\n"), std::string::npos) << text;
  // A champion restored by a rollback is promoted again without replacing its own old champion.
  EXPECT_NE(text.find("  2026-12-05T09:02:00Z  Promoted            restored as champion: fraud-detector-v46 was rolled "
                      "back\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("replaced version 41"), std::string::npos) << text;
}

TEST(AuditJson, OneDocumentWithStableKeysAndTheRecordsAsStored) {
  AuditTrail trail = SelectAuditRecords(Trail(), "45", std::nullopt);
  trail.runs[0].records.resize(1);
  trail.aliases["challenger"] = "46";
  const ojson doc = AuditTrailJson(trail);
  EXPECT_EQ(doc.dump(),
            R"({"model":"fraud-detector","aliases":{"champion":"45","previous-champion":"43","challenger":"46"},)"
            R"("versions":[{"version":"45","candidate":"ml-demo/fraud-detector-v45","runId":"run45","trigger":)" +
                Trigger45().dump() + R"(,"records":[)" + Records45()[0].dump() + "]}]}");
}

TEST(AuditJson, ARunWithoutRecordsTakesItsTriggerFromTheRunTags) {
  AuditTrail trail = Trail();
  trail.runs.resize(1);
  trail.runs[0].records.clear();
  const ojson doc = AuditTrailJson(trail);
  EXPECT_EQ(doc["versions"][0]["trigger"].dump(),
            R"({"type":"CodeChange","source":"github.com/acme/fraud@main"})");
  EXPECT_EQ(doc["versions"][0]["records"], ojson::array());
}

TEST(AuditJson, TheCommandPrintsTheDocument) {
  FakeRegistry fake = FakeRegistry::WithTrail();
  const Outcome run = RunWith(Flags({"-o", "json", "--version", "43"}), fake);
  EXPECT_EQ(run.code, 0) << run.err;
  const ojson printed = ojson::parse(run.out);
  EXPECT_EQ(printed, AuditTrailJson(SelectAuditRecords(Trail(), "43", std::nullopt)));
  EXPECT_EQ(run.out.back(), '\n');
}

}  // namespace
}  // namespace modelgate
