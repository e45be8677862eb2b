// ModelRegistry: what the registry controller needs from a model registry (MLflow's tracking
// server and model registry), as an interface without I/O so decisions and their effects can be
// tested with a fake. The production implementation is operator/mlflow_registry.h.
//
// Contract of every method: thread-safe, never throws, no retries (the caller's workqueue retries
// on retryable codes). Errors are a kube::Status whose code says what to do next:
//   kNotFound          the model, version, alias, run, experiment or artifact does not exist
//   kInvalid           the request is wrong (bad name, alias, stage, a changed param value): do
//                      not retry until the spec changes
//   kUnauthorized      credentials missing or wrong;  kForbidden: no permission on that resource
//   kTooManyRequests   throttled;  kUnavailable: 5xx or unreachable;  kTimeout: no answer in time
//   kInternal          an answer this adapter does not understand
// The message names the registry and carries what it said, never credentials.
//
// Values are MLflow's: versions are decimal strings ("3"), times are epoch milliseconds, a field
// MLflow left out (it omits empty lists) is empty here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controllers/registry/registry_spec.h"
#include "operator/kube/status.h"

namespace modelgate::controllers::registry {

struct ModelVersion {
  std::string name;
  std::string version;
  std::string current_stage;  // None | Staging | Production | Archived
  std::string source;
  std::string run_id;  // "" when the version has no run
  std::string status;  // READY, PENDING_REGISTRATION, FAILED_REGISTRATION
  std::vector<std::string> aliases;
  std::map<std::string, std::string> tags;
};

struct RegisteredModel {
  std::string name;
  std::map<std::string, std::string> aliases;  // alias -> version
  std::map<std::string, std::string> tags;
};

struct RunInfo {
  std::string run_id;
  std::string run_name;
  std::string status;        // RUNNING, FINISHED, FAILED, KILLED, SCHEDULED
  std::string artifact_uri;  // e.g. mlflow-artifacts:/1/<run_id>/artifacts
  std::string experiment_id;
  int64_t start_time_ms = 0;
  std::map<std::string, std::string> tags;
  std::map<std::string, std::string> params;
  std::map<std::string, double> metrics;  // the latest value of each key; NaN kept as NaN
};

class ModelRegistry {
 public:
  virtual ~ModelRegistry() = default;

  // The registered model with its aliases and tags. kNotFound when there is no such model.
  virtual kube::Result<RegisteredModel> GetRegisteredModel(const std::string& name) = 0;

  // One version with its aliases and tags. kNotFound for an unknown model or version.
  virtual kube::Result<ModelVersion> GetModelVersion(const std::string& name, const std::string& version) = 0;

  // Points `alias` at `version`, moving it from any other version (MLflow has no compare-and-set).
  // kNotFound for an unknown model or version; kInvalid for a name MLflow refuses ("latest", "v3",
  // anything but alphanumerics, '_' and '-').
  virtual kube::Status SetAlias(const std::string& name, const std::string& alias, const std::string& version) = 0;

  // Removes `alias`. OK when the alias does not exist (idempotent); kNotFound for an unknown model.
  virtual kube::Status DeleteAlias(const std::string& name, const std::string& alias) = 0;

  // Sets (or overwrites) one tag of a version. kNotFound for an unknown model or version.
  virtual kube::Status SetModelVersionTag(const std::string& name, const std::string& version,
                                          const std::string& key, const std::string& value) = 0;

  // Moves a version to `stage` (None, Staging, Production, Archived; MLflow ignores case) without
  // archiving the other versions of that stage. Stages are deprecated in MLflow's clients but work.
  virtual kube::Status TransitionStage(const std::string& name, const std::string& version,
                                       const std::string& stage) = 0;

  // The id of the experiment `name`, created (with the server's default artifact location) when
  // absent; a concurrent create is tolerated. kInvalid when an experiment of that name exists but
  // is deleted (MLflow keeps its name: restore it or pick another name).
  virtual kube::Result<std::string> GetOrCreateExperiment(const std::string& name) = 0;

  // The oldest active run of the experiment whose tag `key` equals `value`; nullopt when none.
  // kInvalid when the filter cannot be written (a key with '`', a value with both ' and ").
  virtual kube::Result<std::optional<RunInfo>> FindRunByTag(const std::string& experiment_id,
                                                            const std::string& key,
                                                            const std::string& value) = 0;

  // A new run (status RUNNING) with these tags; MLflow adds mlflow.runName.
  virtual kube::Result<RunInfo> CreateRun(const std::string& experiment_id, const std::string& run_name,
                                          const std::map<std::string, std::string>& tags,
                                          int64_t start_time_ms) = 0;

  // Logs params, metrics (step 0, at timestamp_ms) and tags, split into as many requests as
  // MLflow's batch limits need. Re-logging a param with the SAME value is OK (so an apply can be
  // repeated); a DIFFERENT value is kInvalid and the message names the key, old and new value.
  virtual kube::Status LogBatch(const std::string& run_id, const std::map<std::string, std::string>& params,
                                const std::map<std::string, double>& metrics,
                                const std::map<std::string, std::string>& tags, int64_t timestamp_ms) = 0;

  // Writes `content` as the artifact `path` (relative, '/'-separated, no "..") of the run,
  // overwriting it. Needs a run whose artifact_uri is mlflow-artifacts:/... (a server that proxies
  // artifacts); any other artifact_uri is kInvalid.
  virtual kube::Status UploadArtifact(const RunInfo& run, const std::string& path, const std::string& content) = 0;

  // Active runs of the experiment matching `filter` (MLflow's search syntax, "" = all), oldest
  // first, at most max_results (>= 1) of them, following MLflow's pages.
  virtual kube::Result<std::vector<RunInfo>> SearchRuns(const std::string& experiment_id, const std::string& filter,
                                                        int max_results) = 0;

  // Paths (relative to the run's artifact root) of the files under `path` ("" = the root) and in
  // its direct subdirectories; directories themselves are not listed. Empty when there are none.
  virtual kube::Result<std::vector<std::string>> ListArtifacts(const std::string& run_id, const std::string& path) = 0;

  // The bytes of one artifact file. kNotFound when it does not exist.
  virtual kube::Result<std::string> DownloadArtifact(const std::string& run_id, const std::string& path) = 0;
};

// Builds the registry client for a candidate's spec (reading its Secrets in `ns`). An error is a
// RegistrySynced=False condition (e.g. the credentials Secret is missing), or holds the gate or
// rollout that needed the registry (championSource: Registry).
using RegistryFactory =
    std::function<kube::Result<std::shared_ptr<ModelRegistry>>(const std::string& ns, const MlflowSpec& spec)>;

}  // namespace modelgate::controllers::registry
