// The ModelCandidate state machine (DESIGN sections 2-3, docs/candidate.md): a pure function of
// the object as read, what the effect layer observed (the gate run of the current gate on the
// worker pool, the training Job) and the clock, returning the desired status, the Events, the
// side effects to perform (start a gate run, create the training Job, store a report) and when
// to look again.
//
//   Pending -> ValidatingData -> [Training] -> [ValidatingTraining] -> Evaluating
//           -> Ready (stage Staging) | Rejected | ChampionRetained
//   any phase of gates 1-3 -> Superseded (annotation modelgate.io/superseded-by, set by a
//                             ModelPipeline with concurrencyPolicy Replace)
//
// A gate absent from the spec is Skipped (reason InputsAbsent) and the machine moves past it; a
// spec without any gate stays Pending (NoGates): nothing judged is never Ready. A new generation
// resets the gates (GatesRestarted when gates had run). The phases RollingOut, Production,
// RolledBack and Archived belong to the ModelRollout controller: only observedGeneration is kept
// up to date there. Unreadable inputs and invalid policies are retried with
// spec.sourceRetry backoff (never a pass); malformed inputs and timeouts end Rejected.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/candidate/gate_pool.h"
#include "controllers/candidate/gate_run.h"
#include "controllers/candidate/training_job.h"
#include "controllers/decision.h"

namespace modelgate::controllers::candidate {

// How often an in-flight gate run is polled, and a running training Job.
inline constexpr std::chrono::milliseconds kGatePollInterval{1000};
inline constexpr std::chrono::milliseconds kJobPollInterval{3000};

struct GateRunObservation {
  std::string key;  // the key the effect layer checked (CurrentRun(object)); empty for none
  GatePool::State state = GatePool::State::kUnknown;
  std::optional<GateRunResult> result;
};

struct CandidateContext {
  const nlohmann::json& object;
  std::chrono::system_clock::time_point now;
  GateRunObservation run;
  // The Job named status.training.jobName, observed when the phase is Training.
  std::optional<JobObservation> job;
  // Set when creating the training Job was refused for good (e.g. an invalid jobTemplate).
  std::string job_create_error;
};

// An Event plus the fields of its structured log line.
struct CandidateEvent {
  EventSpec event;
  std::string gate;      // "DataValidation", ... or "" for the candidate as a whole
  std::string decision;  // "passed", "failed", "retry", "created", "ready", ...
};

struct CandidateDecision {
  nlohmann::json status;
  bool status_changed = false;
  std::vector<CandidateEvent> events;
  std::optional<std::chrono::milliseconds> requeue_after;

  // Effects, performed in this order: store the report, create the Job, write the status; then
  // (only after the status write succeeded) start the gate run and mark the result consumed.
  std::optional<std::pair<std::string, std::string>> report;  // ConfigMap key, JSON text
  std::optional<nlohmann::json> create_job;
  std::optional<std::string> delete_job;  // the training Job of a superseded candidate (name)
  std::optional<Gate> start_gate;
  std::string start_key;
  std::string consumed_key;
};

// The gate run the object's status says is current (phase ValidatingData / ValidatingTraining /
// Evaluating) and its pool key "<uid>/g<generation>/<gate>/a<attempts so far>".
std::optional<std::pair<Gate, std::string>> CurrentRun(const nlohmann::json& object);

// The report ConfigMap of a candidate: "<name>-gate-reports".
std::string ReportConfigMapName(const std::string& candidate);

CandidateDecision DecideCandidate(const CandidateContext& context);

}  // namespace modelgate::controllers::candidate
