// A fake ModelRegistry for unit tests (model_registry.h): one registered model "fraud" with version
// "2" (unless `version_missing`), aliases, tags, experiments, runs and artifacts in memory. Every
// call is logged ("SetAlias challenger=2", "UploadArtifact audit/...json", ...); `outage`, when
// set, is the answer to every call. Not thread-safe (tests call it from one thread).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "controllers/registry/model_registry.h"

namespace modelgate::controllers::registry::fakes {

class FakeRegistry final : public ModelRegistry {
 public:
  std::optional<kube::Status> outage;
  bool version_missing = false;

  std::map<std::string, std::string> aliases;  // of the registered model
  std::map<std::string, std::string> version_tags;
  std::string version_stage = "None";
  std::map<std::string, std::string> experiments;  // name -> id
  std::vector<RunInfo> runs;
  std::vector<std::pair<std::string, std::string>> uploads;  // path, content, in call order
  std::vector<std::map<std::string, double>> logged_metrics;

  std::vector<std::string> calls() const { return calls_; }
  void ClearCalls() { calls_.clear(); }
  // The calls that change the registry (everything but reads and searches).
  std::vector<std::string> writes() const {
    std::vector<std::string> out;
    for (const std::string& c : calls_) {
      if (c.rfind("Get", 0) != 0 && c.rfind("Find", 0) != 0 && c.rfind("Search", 0) != 0 &&
          c.rfind("List", 0) != 0 && c.rfind("Download", 0) != 0) {
        out.push_back(c);
      }
    }
    return out;
  }
  int Count(const std::string& method) const {
    int n = 0;
    for (const std::string& c : calls_) n += c.rfind(method + " ", 0) == 0 || c == method ? 1 : 0;
    return n;
  }

  kube::Result<RegisteredModel> GetRegisteredModel(const std::string& name) override {
    calls_.push_back("GetRegisteredModel " + name);
    if (outage) return *outage;
    if (name != "fraud") return kube::Status(kube::StatusCode::kNotFound, "MLflow 404 RESOURCE_DOES_NOT_EXIST");
    return RegisteredModel{name, aliases, {}};
  }
  kube::Result<ModelVersion> GetModelVersion(const std::string& name, const std::string& version) override {
    calls_.push_back("GetModelVersion " + name + " " + version);
    if (outage) return *outage;
    if (version_missing || version != "2") {
      return kube::Status(kube::StatusCode::kNotFound, "MLflow 404 RESOURCE_DOES_NOT_EXIST: Model Version (name=" +
                                                           name + ", version=" + version + ") not found");
    }
    ModelVersion v{name, version, version_stage, "s3://m/2", "", "READY", {}, version_tags};
    for (const auto& [alias, at] : aliases) {
      if (at == version) v.aliases.push_back(alias);
    }
    return v;
  }
  kube::Status SetAlias(const std::string&, const std::string& alias, const std::string& version) override {
    calls_.push_back("SetAlias " + alias + "=" + version);
    if (outage) return *outage;
    aliases[alias] = version;
    return kube::Status::Ok();
  }
  kube::Status DeleteAlias(const std::string&, const std::string& alias) override {
    calls_.push_back("DeleteAlias " + alias);
    if (outage) return *outage;
    aliases.erase(alias);
    return kube::Status::Ok();
  }
  kube::Status SetModelVersionTag(const std::string&, const std::string&, const std::string& key,
                                  const std::string& value) override {
    calls_.push_back("SetModelVersionTag " + key + "=" + value);
    if (outage) return *outage;
    version_tags[key] = value;
    return kube::Status::Ok();
  }
  kube::Status TransitionStage(const std::string&, const std::string&, const std::string& stage) override {
    calls_.push_back("TransitionStage " + stage);
    if (outage) return *outage;
    version_stage = stage;
    return kube::Status::Ok();
  }
  kube::Result<std::string> GetOrCreateExperiment(const std::string& name) override {
    calls_.push_back("GetOrCreateExperiment " + name);
    if (outage) return *outage;
    if (!experiments.count(name)) experiments[name] = std::to_string(experiments.size() + 1);
    return experiments[name];
  }
  kube::Result<std::optional<RunInfo>> FindRunByTag(const std::string& experiment_id, const std::string& key,
                                                    const std::string& value) override {
    calls_.push_back("FindRunByTag " + key + "=" + value);
    if (outage) return *outage;
    for (const RunInfo& run : runs) {
      const auto tag = run.tags.find(key);
      if (run.experiment_id == experiment_id && tag != run.tags.end() && tag->second == value) {
        return std::optional<RunInfo>(run);
      }
    }
    return std::optional<RunInfo>();
  }
  kube::Result<RunInfo> CreateRun(const std::string& experiment_id, const std::string& run_name,
                                  const std::map<std::string, std::string>& tags, int64_t start_time_ms) override {
    calls_.push_back("CreateRun " + run_name);
    if (outage) return *outage;
    RunInfo run;
    run.run_id = "run-" + std::to_string(runs.size() + 1);
    run.run_name = run_name;
    run.status = "RUNNING";
    run.experiment_id = experiment_id;
    run.artifact_uri = "mlflow-artifacts:/" + experiment_id + "/" + run.run_id + "/artifacts";
    run.start_time_ms = start_time_ms;
    run.tags = tags;
    runs.push_back(run);
    return run;
  }
  kube::Status LogBatch(const std::string& run_id, const std::map<std::string, std::string>&,
                        const std::map<std::string, double>& metrics, const std::map<std::string, std::string>&,
                        int64_t) override {
    calls_.push_back("LogBatch " + run_id);
    if (outage) return *outage;
    logged_metrics.push_back(metrics);
    return kube::Status::Ok();
  }
  kube::Status UploadArtifact(const RunInfo& run, const std::string& path, const std::string& content) override {
    calls_.push_back("UploadArtifact " + path);
    if (outage) return *outage;
    if (run.artifact_uri.rfind("mlflow-artifacts:/", 0) != 0) {
      return kube::Status(kube::StatusCode::kInvalid, "artifact_uri is not proxied");
    }
    uploads.emplace_back(path, content);
    return kube::Status::Ok();
  }
  kube::Result<std::vector<RunInfo>> SearchRuns(const std::string&, const std::string&, int) override {
    calls_.push_back("SearchRuns");
    return runs;
  }
  kube::Result<std::vector<std::string>> ListArtifacts(const std::string&, const std::string&) override {
    calls_.push_back("ListArtifacts");
    return std::vector<std::string>{};
  }
  kube::Result<std::string> DownloadArtifact(const std::string&, const std::string&) override {
    calls_.push_back("DownloadArtifact");
    return kube::Status(kube::StatusCode::kNotFound, "no artifact");
  }

 private:
  std::vector<std::string> calls_;
};

}  // namespace modelgate::controllers::registry::fakes
