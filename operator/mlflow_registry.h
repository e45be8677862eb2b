// MlflowRegistry: the production ModelRegistry (controllers/registry/model_registry.h), MLflow's
// REST API (measured against MLflow 3.17.2: /work/shared/research/mlflow-registry.md) over a
// kube::Transport.
//
// Requests: GET with percent-encoded query parameters; POST and DELETE with a JSON body (MLflow
// reads no query parameters on DELETE); `version` always a JSON string, booleans real booleans.
// Answers: a missing list is an empty one (MLflow omits empty repeated fields, "{}" for no hits).
// Artifacts go through the server's proxy: PUT <prefix>/api/2.0/mlflow-artifacts/artifacts/<path
// under the run's mlflow-artifacts:/ root>, GET <prefix>/get-artifact?run_uuid=&path=.
//
// Error mapping (MlflowStatusFromResponse); the message is "MLflow <http> <error_code>: <MLflow's
// message>" for MLflow's JSON errors and "MLflow <http>: <first 200 bytes>" for other bodies (the
// HTML of basic auth's 401/403, a 405, a 500 page), followed by " [METHOD path]" without the query:
//   400 INVALID_PARAMETER_VALUE "Registered model alias X not found." -> kNotFound (MLflow's
//       answer for an unknown alias is a 400, not a 404)
//   400 RESOURCE_ALREADY_EXISTS -> kAlreadyExists;  400 RESOURCE_DOES_NOT_EXIST -> kNotFound
//   other 400 and 4xx -> kInvalid;  404 with MLflow's JSON error -> kNotFound
//   404 that is not MLflow JSON (an unknown route: wrong path prefix in the tracking URI) -> kInvalid
//   401 -> kUnauthorized;  403 -> kForbidden;  408 -> kTimeout;  409 -> kConflict
//   429 -> kTooManyRequests (Retry-After kept);  5xx -> kUnavailable;  3xx -> kInvalid
//   no answer: kUnavailable (refused, reset, TLS) / kTimeout, message "MLflow <METHOD path...>: why"
//   a 2xx answer that is not the JSON expected -> kInternal
// Credentials (basic or bearer) are sent in the Authorization header of every request and never
// appear in a message.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "controllers/registry/model_registry.h"
#include "operator/kube/status.h"
#include "operator/kube/transport.h"

namespace modelgate {

struct MlflowConfig {
  std::string tracking_uri;  // http(s)://host[:port][/prefix]; no user:password@, query or fragment
  std::string username;      // HTTP basic auth (MLflow's --app-name basic-auth); with password
  std::string password;
  std::string token;   // "Authorization: Bearer <token>" instead of basic auth (e.g. behind a proxy)
  std::string ca_pem;  // https only: trust ONLY these CAs; empty: the system store
  std::chrono::milliseconds timeout{10000};  // per request
};

// The production registry: a CppRestTransport for the tracking URI's server with the CA.
// kInvalid when the tracking URI is not http(s)://host[:port][/prefix], carries credentials,
// both basic auth and a token are set, a username has no password (or the reverse), or the CA is
// not PEM.
kube::Result<std::unique_ptr<controllers::registry::ModelRegistry>> MakeMlflowRegistry(const MlflowConfig& config);

// The same over a given transport (tests pass a fake): the path prefix, credentials and timeout
// come from `config`, the server and ca_pem are the transport's business.
kube::Result<std::unique_ptr<controllers::registry::ModelRegistry>> MakeMlflowRegistry(
    const MlflowConfig& config, std::shared_ptr<kube::Transport> transport);

// Maps a non-2xx answer of MLflow onto a Status (the table above), without the " [METHOD path]"
// suffix. `retry_after` is the raw Retry-After header or "". Pure; thread-safe.
kube::Status MlflowStatusFromResponse(int http_status, std::string_view body, std::string_view retry_after = "");

// The search-filter clause "tags.`key` = 'value'" (double quotes when the value contains a single
// quote). kInvalid for an empty key, a key with a backtick, or a value with both kinds of quote
// (MLflow's filter syntax has no escape for them). Pure.
kube::Result<std::string> MlflowTagFilter(std::string_view key, std::string_view value);

// Where UploadArtifact PUTs `path` of a run with `artifact_uri`:
//   "mlflow-artifacts:/1/abc/artifacts" + "audit/e 1.json"
//     -> "<prefix>/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/audit/e%201.json"
// (also mlflow-artifacts://host:port/1/abc/artifacts; every segment percent-encoded). kInvalid for
// another scheme (the server must proxy artifacts) and for a path that is empty, absolute, or has
// an empty, "." or ".." segment. Pure.
kube::Result<std::string> MlflowArtifactUploadPath(std::string_view path_prefix, std::string_view artifact_uri,
                                                   std::string_view path);

}  // namespace modelgate
