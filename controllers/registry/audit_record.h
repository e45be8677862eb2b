// Audit records: one structured JSON document per decision about a ModelCandidate, the same shape
// for all three trigger modes (docs/registry.md, "Audit records"). Built by a pure function from
// the candidate as stored (its spec, trigger and status), so the operator can (re)derive them at
// any time: each has a stable id, and the effect layer writes each id once to the operator's JSON
// log and to MLflow (an artifact of the candidate's run), recording the ids done in
// status.registry.
//
// Decisions recorded (id):
//   a gate that ended (Passed, Failed, Error, Skipped)   gate-<Gate>-g<generation>-a<attempts>-<state>
//   the candidate's verdict (Ready, Rejected, ChampionRetained, Superseded)  verdict-<phase>-g<generation>
//   rollout decisions from the rollout controller's phases:
//     RollingOut  rollout-started-<time>;  Production  promoted-<time>;
//     RolledBack  rolled-back-<time>;      Archived    archived-<time>
//   (time = status.stageTransitionTime, so a second promotion of the same candidate is a new record)
//
// Document fields (a JSON object with this key order): apiVersion "modelgate.io/audit/v1", kind
// "AuditRecord", id, time, namespace, candidate, uid, model, version, decision {type, gate?, state?,
// reason, message}, trigger (spec.trigger as written), spec {generation, digest "sha256:<hex of
// the canonical spec JSON>"}, inputs [{field, location, sha256, bytes}] (the digests of every input
// the gate read, when the gate recorded them), metrics {name: {value, champion?, passed, status}},
// failures [...], champion {name, version}, actor {kind "operator" | "trigger", name},
// operator {version}.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace modelgate::controllers::registry {

struct AuditRecord {
  std::string id;
  std::string time;             // RFC 3339, when the decision was made
  nlohmann::ordered_json document;
};

// Every decision the candidate's status shows, oldest first (by time; within one second gates,
// then the verdict, the rollout's start, its outcome, archiving). A candidate in a rollout phase
// that was never Ready (a champion recorded by hand) has no verdict record. Pure.
std::vector<AuditRecord> AuditRecordsOf(const nlohmann::json& candidate, const std::string& operator_version);

// "sha256:<64 hex>" of the canonical (sorted keys, compact) JSON of `value`.
std::string CanonicalDigest(const nlohmann::json& value);

}  // namespace modelgate::controllers::registry
