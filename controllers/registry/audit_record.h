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
//   each entry of a ModelRollout's status.history about this candidate (its `candidate` field):
//     rollout-<rollout>-<time>-<reason>-s<step>-w<weight>: decision.type "ManualAction" when the
//     entry names an actor (promote, abort, pause, resume by a user or a field manager; see
//     controllers/rollout/manual_actor.h), "RolloutStep" otherwise (steps, analysis verdicts,
//     promotion, rollback). The entry that is the rollout's latest also carries `analysis`: the
//     rollout's status.analysis (each metric's values, verdict and threshold) when it was written.
//
// Document fields (a JSON object with this key order): apiVersion "modelgate.io/audit/v1", kind
// "AuditRecord", id, time, namespace, candidate, uid, model, version, decision {type, gate?, state?,
// reason, message; rollout records add rollout, phase, step, canaryWeight}, trigger (spec.trigger
// as written), spec {generation, digest "sha256:<hex of the canonical spec JSON>"}, champion
// {name, version}, operator {version}, inputs [{field, location, sha256, bytes}] (the digests of
// every input the gate read, when the gate recorded them), metrics {name: {value, champion?,
// passed, status}}, failures [...], analysis [...] (rollout records), actor {kind "operator" |
// "user" | "fieldManager", name, via?}, triggeredBy (spec.trigger.source, when set).
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
// `rollouts` are the ModelRollouts whose history may name the candidate (others contribute nothing).
std::vector<AuditRecord> AuditRecordsOf(const nlohmann::json& candidate, const std::string& operator_version,
                                        const std::vector<nlohmann::json>& rollouts = {});

// The timeline's order of two records by their time (RFC 3339 UTC, "Z", with or without a
// fraction) and id: by the second; within one second by kind - gates, verdict, rollout started,
// the rollout's history, the outcome (promoted, rolled back), archived - then by the full time,
// then by id. Candidate times have whole seconds while a rollout's history has microseconds, so
// the kind decides within a second. Used by AuditRecordsOf and `modelgate audit`. Pure.
bool AuditRecordBefore(const std::string& time_a, const std::string& id_a, const std::string& time_b,
                       const std::string& id_b);

// `document` (e.g. a record that went through status.registry.pendingAudit, whose keys the API
// server sorted) with its top-level keys in the documented order above; unknown keys follow in
// their order. Pure.
nlohmann::ordered_json InAuditKeyOrder(const nlohmann::json& document);

// "sha256:<64 hex>" of the canonical (sorted keys, compact) JSON of `value`.
std::string CanonicalDigest(const nlohmann::json& value);

}  // namespace modelgate::controllers::registry
