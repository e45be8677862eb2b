// What one trigger of a ModelPipeline does, as a pure function (docs/pipeline.md, "Triggers").
//
// All three trigger modes (CodeChange/Manual from the modelgate.io/trigger annotation, Scheduled
// from spec.schedule, DataDrift from the Alertmanager webhook) go through PlanTrigger, so every
// candidate records why it exists the same way (spec.trigger) and the pipeline's status records
// every trigger, including the skipped and deduplicated ones. The effect layer
// (trigger_writer.h) writes the returned status with the object's resourceVersion as a
// precondition and only then creates the candidate, so versions are allocated exactly once even
// with two triggers at the same moment or a restart between the two writes (status.pending keeps
// the candidate until it exists).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/decision.h"
#include "controllers/pipeline/pipeline_spec.h"

namespace modelgate::controllers::pipeline {

using TimePoint = std::chrono::system_clock::time_point;

// Annotation written by `kubectl modelgate trigger` on the ModelPipeline: a JSON object
// {"id","type","commit","reason","source","requestedAt"}; each id is acted on once.
inline constexpr char kTriggerAnnotation[] = "modelgate.io/trigger";
// Label on every candidate a pipeline makes: the pipeline's name.
inline constexpr char kPipelineLabel[] = "modelgate.io/pipeline";
// Annotation the pipeline puts on a candidate it replaces (concurrencyPolicy Replace): the name of
// the newer candidate. The candidate controller then ends it Superseded.
inline constexpr char kSupersededByAnnotation[] = "modelgate.io/superseded-by";
// How many triggers status.history keeps.
inline constexpr size_t kHistoryLimit = 50;

struct AlertTrigger {
  std::string name;        // alertname
  std::string group_key;   // Alertmanager's groupKey: the unit of deduplication
  std::vector<std::string> fingerprints;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string starts_at;
  std::string external_url;
};

struct TriggerRequest {
  std::string type;        // CodeChange | Manual | Scheduled | DataDrift
  std::string source;      // who or what; defaulted per type when empty
  std::string commit;
  std::string reason;
  std::string request_id;  // CodeChange/Manual from the annotation: acted on once
  std::string invalid;     // a request that could not be read (bad annotation): recorded, not acted on
  std::optional<TimePoint> scheduled_time;  // Scheduled: the instant this run is for
  int64_t missed_runs = 0;                  // Scheduled: further due runs this one stands for
  std::optional<AlertTrigger> alert;        // DataDrift
};

// A ModelCandidate as the pipeline needs to see it (from the informer cache).
struct PipelineCandidate {
  std::string name;
  std::string model;
  std::string version;
  long long numeric_version = -1;  // the version as a whole number, or -1
  std::string phase;
  std::string stage;
  std::string pipeline;            // its modelgate.io/pipeline label
  std::string superseded_by;       // its modelgate.io/superseded-by annotation
  bool deleting = false;
};

PipelineCandidate ViewCandidate(const nlohmann::json& candidate);

// True for the phases of gates 1-3 (and a candidate not yet picked up): the "active" candidates.
bool InGates(const std::string& phase);

enum class TriggerResult {
  kCreated,         // a version was allocated and the candidate is to be created
  kSkipped,         // suspended, or concurrencyPolicy Forbid with a candidate in gates 1-3
  kDeduplicated,    // the same alert group triggered within alerts.cooldown
  kMissed,          // a scheduled run later than schedule.startingDeadline
  kInvalid,         // the request itself is bad (e.g. a CodeChange without commit): recorded
  kAlreadyHandled,  // this request id / scheduled time is already in the status: nothing to do
};
const char* TriggerResultName(TriggerResult result);

struct TriggerPlan {
  TriggerResult result = TriggerResult::kAlreadyHandled;
  std::string candidate;  // created, or the one a deduplicated alert group made
  std::string message;    // one sentence: the history entry, the Event, the webhook's answer
  nlohmann::json status;  // the pipeline's new status (meaningful unless kAlreadyHandled)
  std::optional<nlohmann::json> candidate_object;  // kCreated: the ModelCandidate to create
  std::vector<EventSpec> events;
};

// Plans `request` against the pipeline as read (its status is the state: lastVersion,
// lastScheduleTime, lastTriggerRequest, alertGroups, pending). `candidates` are the
// ModelCandidates of the pipeline's namespace. The version is one more than the highest of
// status.lastVersion and every numeric version of the model's candidates, skipping names that
// are taken. Rendering errors of the template end kInvalid (the spec was checked before, so
// this is only a defence).
TriggerPlan PlanTrigger(const nlohmann::json& pipeline, const PipelineSpec& spec,
                        const std::vector<PipelineCandidate>& candidates, const TriggerRequest& request,
                        TimePoint now);

// The candidates of this pipeline still in gates 1-3, plus the allocated ones not yet created.
std::vector<std::string> ActiveCandidates(const std::string& pipeline_name, const nlohmann::json& status,
                                          const std::vector<PipelineCandidate>& candidates);

// Adds `entry` at the front of status.history (kept to kHistoryLimit). An entry equal to the
// newest one in type, result and key (alert group, message) is folded into it: its count grows and
// its time moves, so Alertmanager's repeats do not flush the history.
void PushHistory(nlohmann::json& status, nlohmann::json entry);

}  // namespace modelgate::controllers::pipeline
