// `modelgate audit`: reads a model's audit trail back from MLflow (docs/registry.md, "Reading it
// back") and prints it as a timeline: the registry's aliases, then per candidate (oldest first) its
// trigger and every audit record in time order (gates with the deciding numbers, the verdict,
// rollout, promotion and what it replaced, rollback, archival).
//
// Where the records are (written by controllers/registry/registry_reconciler.cpp): the experiment
// modelgate/<registered model>, one run per candidate (tags modelgate.candidate,
// modelgate.candidate_uid, modelgate.model, modelgate.version, modelgate.trigger.*), each record
// an artifact audit/<time>-<id>.json of that run.
//
// The command never writes to MLflow: its registry client goes through ReadOnlyMlflowTransport.
// Layers, so that everything but the network is tested without MLflow:
//   ParseAuditFlags (pure) -> AuditMlflowConfig (reads the credential files) ->
//   FetchAuditTrail (a ModelRegistry) -> SelectAuditRecords (pure) -> FormatAuditText /
//   AuditTrailJson (pure).
// Exit codes: 0 printed; 1 MLflow answered an error or holds no records for the model (version);
// 2 a flag is wrong (the message names it). Credentials are never printed.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/registry/model_registry.h"
#include "operator/kube/status.h"
#include "operator/kube/time_format.h"
#include "operator/kube/transport.h"
#include "operator/mlflow_registry.h"

namespace modelgate {

struct AuditFlags {
  std::string tracking_uri;  // --mlflow (validated like MlflowConfig::tracking_uri)
  std::string model;         // --model: the registered model
  std::string version;       // --version: only this MLflow version ("" = all)
  std::optional<kube::TimePoint> since;  // --since: drop records before it
  bool json = false;                     // -o json (default text)
  std::string username;                  // --username, with --password-file
  std::string password_file;             // --password-file
  std::string token_file;                // --token-file (bearer), instead of basic auth
  std::string ca_file;                   // --ca-file: PEM bundle, trusted instead of the system store
  std::chrono::milliseconds timeout{10000};  // --timeout: per request
};

// The usage text of `modelgate audit`.
const char* AuditUsage();

// Parses args (without the program name and the "audit" word): --flag value or --flag=value,
// -o json. Returns the flags, or nullopt with `error` naming the flag and what was expected
// ("--since: expected an RFC 3339 date or date-time such as 2026-12-01 or
// 2026-12-01T08:00:00Z, got 'yesterday'"); for --help/-h, nullopt with `error` = the usage and
// *help = true. Pure: files are not read here.
std::optional<AuditFlags> ParseAuditFlags(const std::vector<std::string>& args, std::string* error,
                                          bool* help = nullptr);

// The MLflow client configuration of the flags: reads --password-file, --token-file and --ca-file
// (one trailing newline of a secret file is dropped). kInvalid naming the flag and the file (never
// its content) when a file cannot be read, is empty, or the CA file holds no PEM certificate.
kube::Result<MlflowConfig> AuditMlflowConfig(const AuditFlags& flags);

// A Transport that passes reads through to `inner` (GET, and POST of runs/search, which is a
// query) and answers every other request itself, without sending it, with MLflow's 404
// RESOURCE_DOES_NOT_EXIST. So a ModelRegistry over it cannot change anything, and its
// GetOrCreateExperiment answers kNotFound for an experiment that does not exist instead of
// creating it. Thread-safe as `inner`.
std::shared_ptr<kube::Transport> ReadOnlyMlflowTransport(std::shared_ptr<kube::Transport> inner);

// One candidate's run and its records.
struct AuditRun {
  std::string run_id;
  int64_t start_time_ms = 0;                  // the candidate's creation time
  std::map<std::string, std::string> tags;    // the run's tags (modelgate.*)
  std::vector<nlohmann::ordered_json> records;  // the audit documents as stored
};

struct AuditTrail {
  std::string tracking_uri;
  std::string model;
  bool registered_model_found = true;          // false: the registered model is gone, the runs remain
  std::map<std::string, std::string> aliases;  // alias -> version, from GetRegisteredModel
  std::vector<AuditRun> runs;                  // oldest first
  std::vector<std::string> warnings;           // artifacts skipped (not an audit document)
};

// Reads the trail of `model` (only runs tagged modelgate.version = `version` unless it is "").
// `registry` must not create what it cannot find (a client over ReadOnlyMlflowTransport):
// a missing experiment is kNotFound with the message
//   "no audit records for model X in <uri> (experiment modelgate/X not found)".
// A missing registered model is not an error (registered_model_found = false: the audit trail
// outlives it). Any other error of MLflow is returned with its code and a message naming what was
// being read. Artifacts under audit/ that are not .json are ignored; a .json one that is not a JSON
// object is skipped with a warning.
kube::Result<AuditTrail> FetchAuditTrail(controllers::registry::ModelRegistry& registry,
                                         const std::string& tracking_uri, const std::string& model,
                                         const std::string& version);

// The trail limited to runs of `version` ("" = all) and records at or after `since` (records whose
// time cannot be read are kept), each run's records sorted by (time, id), runs sorted by their
// start time, then version. A run left without records by `since` is dropped. Pure.
AuditTrail SelectAuditRecords(AuditTrail trail, const std::string& version,
                              const std::optional<kube::TimePoint>& since);

// -o json: {model, trackingUri, aliases {champion, previous-champion, challenger, then the others
// by name}, versions [{version, candidate "<namespace>/<name>", runId, trigger (spec.trigger as in
// the records), records [the documents as stored]}]}, keys in this order. Pure.
nlohmann::ordered_json AuditTrailJson(const AuditTrail& trail);

// The text timeline (readable at 100 columns):
//   Model fraud-detector in http://127.0.0.1:16500 — champion 45, previous-champion 43
//   version 45  fraud-detector-v45 (ml-demo)
//     trigger DataDrift alertmanager/FeatureDriftHigh: PSI of transaction_amount is 0.35
//     2026-12-05T08:40:43Z  DataValidation      Passed   ChecksPassed   24 checks passed
//     2026-12-05T08:41:16Z  Promoted            replaced version 43 …
// Pure.
std::string FormatAuditText(const AuditTrail& trail);

// The command after flag parsing, over `registry` (tests pass a fake): fetch, select, print.
int RunAudit(const AuditFlags& flags, controllers::registry::ModelRegistry& registry, std::ostream& out,
             std::ostream& err);

// `modelgate audit …`: parses, builds the read-only MLflow client, runs. Never throws.
int RunAuditCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace modelgate
