// `kubectl modelgate trigger <pipeline>`: the contract with the ModelPipeline controller, as pure
// functions (no I/O; plugin_commands.cpp does the reads and the patch).
//
// A request is ONE merge patch of the ModelPipeline: the annotation modelgate.io/trigger set to a
// compact JSON object {"id","type","commit","reason","source","requestedAt"} (absent fields
// omitted). The controller acts on each id exactly once and records it in
// status.lastTriggerRequest (the id), the result in status.lastTrigger {type, time, candidate,
// reason, result, message?} and status.history[] {id? (or requestId), type, time, result,
// candidate?, message}, where result is Created, Skipped or Deduplicated (any other result, e.g.
// Invalid, is reported as not created).
#pragma once

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "operator/kube/time_format.h"

namespace modelgate::plugin {

inline constexpr const char* kTriggerAnnotation = "modelgate.io/trigger";
// Limits of the ModelCandidate's spec.trigger (crds/modelgate.io_modelcandidates.yaml), in
// characters (Unicode code points, as the API server counts maxLength).
inline constexpr std::size_t kMaxTriggerReason = 2048;
inline constexpr std::size_t kMaxTriggerSource = 512;
// The source when --source is not given and the user's name is unknown.
inline constexpr const char* kDefaultTriggerSource = "kubectl-modelgate";
// How often --wait reads the pipeline.
inline constexpr std::chrono::milliseconds kTriggerPollInterval = std::chrono::seconds(1);

// One trigger request. Empty strings are absent.
struct TriggerRequest {
  std::string id;    // unique per call (CommandContext::request_id)
  std::string type;  // CodeChange or Manual
  std::string commit;
  std::string reason;
  std::string source;
  kube::TimePoint requested_at;
};

// 7 to 64 hexadecimal characters (either case), the CRD's pattern for spec.trigger.commit.
bool IsCommitSha(std::string_view text);

// The number of characters (code points) of UTF-8 text; a stray byte that is not valid UTF-8
// counts as one.
std::size_t CharacterCount(std::string_view utf8);

// "kubectl-modelgate/<username>" (the user `kubectl auth whoami` names), or "kubectl-modelgate"
// when the name is unknown ("") or would make the source longer than kMaxTriggerSource.
std::string DefaultTriggerSource(const std::string& username);

// The annotation's value: compact JSON with the keys in the order id, type, commit, reason,
// source, requestedAt (RFC 3339 UTC, seconds), absent fields omitted. Text that is not valid
// UTF-8 is replaced by U+FFFD rather than refused.
std::string TriggerAnnotationValue(const TriggerRequest& request);

// The merge patch: {"metadata":{"annotations":{"modelgate.io/trigger": <value>}}}.
nlohmann::json TriggerPatch(const TriggerRequest& request);

// What --wait prints once the operator has acted; exit_code 0 for Created, 1 otherwise.
struct TriggerOutcome {
  int exit_code = 1;
  std::string line;  // ends without a newline
};

// Reads `pipeline` (as the API server returned it) for the result of `request`, named
// "modelpipeline/<name>" in the line:
//   Created       "modelpipeline/fraud-detector: Created fraud-detector-v46 (CodeChange 1a2b3c4)"
//   Skipped       "modelpipeline/fraud-detector: Skipped: <message>" (Deduplicated likewise)
//   replaced      another request overwrote the annotation before the operator read this one
//                 (it will never be acted on): exit 1, saying so with the other id.
// The result is taken from the status.history entry with the request's id, else from
// status.lastTrigger when status.lastTriggerRequest is the id. nullopt while the operator has not
// acted on it yet.
std::optional<TriggerOutcome> TriggerOutcomeOf(const nlohmann::json& pipeline,
                                               const TriggerRequest& request);

// The error (without "error: ") when --wait ran out of time.
std::string TriggerTimeoutMessage(const std::string& pipeline_name, const std::string& id,
                                  std::chrono::milliseconds timeout);

}  // namespace modelgate::plugin
