#include "controllers/pipeline/pipeline_trigger.h"

#include <algorithm>
#include <set>

#include "controllers/json_fields.h"
#include "controllers/model_version.h"
#include "controllers/pipeline/candidate_template.h"
#include "gates/common/text.h"
#include "operator/kube/time_format.h"

namespace modelgate::controllers::pipeline {

using json = nlohmann::json;

namespace {

std::string EventReasonFor(const std::string& type) {
  if (type == "CodeChange") return "TriggeredByCodeChange";
  if (type == "Scheduled") return "TriggeredBySchedule";
  if (type == "DataDrift") return "TriggeredByAlert";
  return "TriggeredManually";
}

json StringMap(const std::map<std::string, std::string>& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = gates::TruncateUtf8(v, 1024);
  return out;
}

json TriggerField(const TriggerRequest& request, const std::string& pipeline, const std::string& source,
                  const std::string& reason, TimePoint now, std::optional<TimePoint> window_start,
                  TimePoint window_end) {
  json trigger = {{"type", request.type}, {"source", gates::TruncateUtf8(source, 512)}, {"time", kube::FormatTime(now)},
                  {"pipeline", pipeline}};
  if (!reason.empty()) trigger["reason"] = gates::TruncateUtf8(reason, 2048);
  if (!request.commit.empty()) trigger["commit"] = request.commit;
  if (!request.request_id.empty()) trigger["requestId"] = gates::TruncateUtf8(request.request_id, 128);
  if (request.scheduled_time) trigger["scheduledTime"] = kube::FormatTime(*request.scheduled_time);
  if (request.type == "Scheduled" && window_start) {
    trigger["window"] = {{"start", kube::FormatTime(*window_start)}, {"end", kube::FormatTime(window_end)}};
  }
  if (request.alert) {
    const AlertTrigger& a = *request.alert;
    json alert = {{"name", gates::TruncateUtf8(a.name, 512)}, {"groupKey", gates::TruncateUtf8(a.group_key, 2048)}};
    json fingerprints = json::array();
    for (const std::string& f : a.fingerprints) {
      if (fingerprints.size() >= 64) break;
      fingerprints.push_back(gates::TruncateUtf8(f, 64));
    }
    alert["fingerprints"] = fingerprints;
    alert["labels"] = StringMap(a.labels);
    alert["annotations"] = StringMap(a.annotations);
    if (!a.starts_at.empty()) alert["startsAt"] = gates::TruncateUtf8(a.starts_at, 64);
    if (!a.external_url.empty()) alert["externalURL"] = gates::TruncateUtf8(a.external_url, 2048);
    trigger["alert"] = alert;
  }
  return trigger;
}

std::string DefaultSource(const TriggerRequest& request, const std::string& pipeline, const PipelineSpec& spec) {
  if (!request.source.empty()) return request.source;
  if (request.type == "Scheduled" && spec.schedule) {
    return "modelpipeline/" + pipeline + " schedule '" + spec.schedule->cron_text + "'" +
           (spec.schedule->time_zone.empty() ? "" : " (" + spec.schedule->time_zone + ")");
  }
  if (request.type == "DataDrift" && request.alert) return "alertmanager/" + request.alert->name;
  return "kubectl-modelgate";
}

std::string DefaultReason(const TriggerRequest& request) {
  if (!request.reason.empty()) return request.reason;
  if (request.type == "Scheduled" && request.scheduled_time) {
    std::string reason = "scheduled retraining for " + kube::FormatTime(*request.scheduled_time);
    if (request.missed_runs > 0) {
      reason += " (the latest of " + std::to_string(request.missed_runs + 1) +
                " runs due while the operator was away; the earlier ones were not started)";
    }
    return reason;
  }
  if (request.type == "CodeChange") return "code change " + request.commit;
  return "";
}

// status.alertGroups[].groupKey keeps at most this much of the key (compared the same way).
constexpr size_t kGroupKeyBytes = 2048;

// The newest alert-group record for this group key within the cooldown, if any.
const json* RecentAlertGroup(const json& status, const std::string& group_key, TimePoint now,
                             std::chrono::milliseconds cooldown) {
  const json& groups = Child(status, "alertGroups");
  if (!groups.is_array()) return nullptr;
  for (const json& g : groups) {
    if (Str(g, "groupKey") != group_key) continue;
    auto at = kube::ParseRfc3339(Str(g, "triggeredAt"));
    if (at && now - *at < cooldown) return &g;
  }
  return nullptr;
}

void PruneAlertGroups(json& status, TimePoint now, std::chrono::milliseconds cooldown) {
  json kept = json::array();
  if (Child(status, "alertGroups").is_array()) {
    for (const json& g : status["alertGroups"]) {
      auto at = kube::ParseRfc3339(Str(g, "triggeredAt"));
      if (at && now - *at < cooldown) kept.push_back(g);
    }
  }
  if (kept.empty()) status.erase("alertGroups");
  else status["alertGroups"] = kept;
}

bool IsHexCommit(const std::string& commit) {
  if (commit.size() < 7 || commit.size() > 64) return false;
  return std::all_of(commit.begin(), commit.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

PipelineCandidate ViewCandidate(const json& candidate) {
  PipelineCandidate view;
  const json& metadata = Child(candidate, "metadata");
  view.name = Str(metadata, "name");
  view.model = Str(Child(candidate, "spec"), "model");
  view.version = Str(Child(candidate, "spec"), "version");
  view.numeric_version = NumericVersion(view.version);
  view.phase = Str(Child(candidate, "status"), "phase");
  view.stage = Str(Child(candidate, "status"), "stage");
  view.pipeline = Str(Child(metadata, "labels"), kPipelineLabel);
  view.superseded_by = Str(Child(metadata, "annotations"), kSupersededByAnnotation);
  view.deleting = metadata.contains("deletionTimestamp");
  return view;
}

bool InGates(const std::string& phase) {
  return phase.empty() || phase == "Pending" || phase == "ValidatingData" || phase == "Training" ||
         phase == "ValidatingTraining" || phase == "Evaluating";
}

const char* TriggerResultName(TriggerResult result) {
  switch (result) {
    case TriggerResult::kCreated: return "Created";
    case TriggerResult::kSkipped: return "Skipped";
    case TriggerResult::kDeduplicated: return "Deduplicated";
    case TriggerResult::kMissed: return "Missed";
    case TriggerResult::kInvalid: return "Invalid";
    case TriggerResult::kAlreadyHandled: return "AlreadyHandled";
  }
  return "Unknown";
}

std::vector<std::string> ActiveCandidates(const std::string& pipeline_name, const json& status,
                                          const std::vector<PipelineCandidate>& candidates) {
  std::vector<std::string> active;
  std::set<std::string> existing;
  for (const PipelineCandidate& c : candidates) {
    existing.insert(c.name);
    if (c.pipeline == pipeline_name && !c.deleting && InGates(c.phase) && c.superseded_by.empty()) {
      active.push_back(c.name);
    }
  }
  if (Child(status, "pending").is_array()) {
    for (const json& p : status["pending"]) {
      const std::string name = Str(p, "name");
      if (!name.empty() && !existing.count(name)) active.push_back(name);
    }
  }
  std::sort(active.begin(), active.end());
  return active;
}

void PushHistory(json& status, json entry) {
  if (!Child(status, "history").is_array()) status["history"] = json::array();
  json& history = status["history"];
  if (!history.empty()) {
    json& newest = history[0];
    const std::string result = Str(entry, "result");
    const bool foldable = result == "Skipped" || result == "Deduplicated" || result == "Missed";
    if (foldable && Str(newest, "type") == Str(entry, "type") && Str(newest, "result") == result &&
        Str(newest, "alertGroup") == Str(entry, "alertGroup") && Str(newest, "message") == Str(entry, "message")) {
      const long long count = Child(newest, "count").is_number_integer() ? newest["count"].get<long long>() : 1;
      newest["count"] = count + 1;
      newest["time"] = entry["time"];
      return;
    }
  }
  history.insert(history.begin(), std::move(entry));
  while (history.size() > kHistoryLimit) history.erase(history.end() - 1);
}

TriggerPlan PlanTrigger(const json& pipeline, const PipelineSpec& spec, const std::vector<PipelineCandidate>& candidates,
                        const TriggerRequest& request, TimePoint now) {
  TriggerPlan plan;
  const std::string name = Str(Child(pipeline, "metadata"), "name");
  const std::string ns = Str(Child(pipeline, "metadata"), "namespace");
  json status = Child(pipeline, "status").is_object() ? pipeline["status"] : json::object();

  // Already acted on: the same annotation id, a scheduled instant not after the last one.
  if (!request.request_id.empty() && Str(status, "lastTriggerRequest") == request.request_id) {
    plan.status = status;
    return plan;
  }
  if (request.scheduled_time) {
    auto last = kube::ParseRfc3339(Str(status, "lastScheduleTime"));
    if (last && *request.scheduled_time <= *last) {
      plan.status = status;
      return plan;
    }
  }

  const std::string source = DefaultSource(request, name, spec);
  const std::string reason = DefaultReason(request);
  json entry = {{"time", kube::FormatTime(now)}, {"type", request.type}, {"source", gates::TruncateUtf8(source, 512)}};
  if (!reason.empty()) entry["reason"] = gates::TruncateUtf8(reason, 512);
  if (!request.commit.empty()) entry["commit"] = gates::TruncateUtf8(request.commit, 80);
  if (!request.request_id.empty()) entry["requestId"] = gates::TruncateUtf8(request.request_id, 128);
  if (request.scheduled_time) entry["scheduledTime"] = kube::FormatTime(*request.scheduled_time);
  if (request.alert) entry["alertGroup"] = gates::TruncateUtf8(request.alert->group_key, 512);

  auto finish = [&](TriggerResult result, std::string message, const std::string& candidate) {
    plan.result = result;
    plan.message = std::move(message);
    plan.candidate = candidate;
    entry["result"] = TriggerResultName(result);
    entry["message"] = gates::TruncateUtf8(plan.message, 1024);
    if (!candidate.empty()) entry["candidate"] = candidate;
    if (!request.request_id.empty()) status["lastTriggerRequest"] = request.request_id;
    if (request.scheduled_time) status["lastScheduleTime"] = kube::FormatTime(*request.scheduled_time);
    std::string summary = request.type + " " + TriggerResultName(result);
    if (!candidate.empty()) summary += " " + candidate;
    summary += " at " + kube::FormatTime(now);
    status["lastTrigger"] = {{"type", request.type}, {"time", kube::FormatTime(now)}, {"result", TriggerResultName(result)},
                             {"reason", gates::TruncateUtf8(reason, 512)}, {"source", gates::TruncateUtf8(source, 512)},
                             {"message", gates::TruncateUtf8(plan.message, 1024)}, {"summary", summary}};
    if (!candidate.empty()) status["lastTrigger"]["candidate"] = candidate;
    PushHistory(status, entry);
    plan.status = std::move(status);
  };

  if (!request.invalid.empty()) {
    finish(TriggerResult::kInvalid, request.invalid, "");
    plan.events.push_back({"Warning", "TriggerInvalid", "Trigger", plan.message});
    return plan;
  }
  if (request.type == "CodeChange" && !IsHexCommit(request.commit)) {
    finish(TriggerResult::kInvalid,
           "a CodeChange trigger needs the commit (7 to 64 hexadecimal characters), got '" + gates::TruncateUtf8(request.commit, 80) + "'",
           "");
    plan.events.push_back({"Warning", "TriggerInvalid", "Trigger", plan.message});
    return plan;
  }
  // Any other commit must fit the candidate's trigger.commit too, or the candidate is never created.
  if (!request.commit.empty() && !IsHexCommit(request.commit)) {
    finish(TriggerResult::kInvalid,
           "the trigger's commit must be 7 to 64 hexadecimal characters, got '" + gates::TruncateUtf8(request.commit, 80) + "'", "");
    plan.events.push_back({"Warning", "TriggerInvalid", "Trigger", plan.message});
    return plan;
  }
  if (request.scheduled_time && spec.schedule && spec.schedule->starting_deadline &&
      now - *request.scheduled_time > *spec.schedule->starting_deadline) {
    finish(TriggerResult::kMissed,
           "the run scheduled for " + kube::FormatTime(*request.scheduled_time) + " is more than startingDeadline late; not started",
           "");
    plan.events.push_back({"Warning", "ScheduleMissed", "Trigger", plan.message});
    return plan;
  }
  if (spec.suspend) {
    finish(TriggerResult::kSkipped, "the pipeline is suspended (spec.suspend); " + request.type + " trigger not acted on", "");
    plan.events.push_back({"Normal", "TriggerSkipped", "Trigger", plan.message});
    return plan;
  }
  if (request.alert) {
    PruneAlertGroups(status, now, spec.alerts.cooldown);
    if (const json* recent = RecentAlertGroup(status, gates::TruncateUtf8(request.alert->group_key, kGroupKeyBytes), now,
                                                spec.alerts.cooldown)) {
      const std::string made = Str(*recent, "candidate");
      finish(TriggerResult::kDeduplicated,
             "alert group already triggered " + made + " at " + Str(*recent, "triggeredAt") +
                 " (within alerts.cooldown); notification not acted on again",
             made);
      plan.events.push_back({"Normal", "AlertDeduplicated", "Trigger", plan.message});
      return plan;
    }
  }
  const std::vector<std::string> active = ActiveCandidates(name, status, candidates);
  if (!active.empty() && spec.concurrency == ConcurrencyPolicy::kForbid) {
    std::string list;
    for (const std::string& a : active) list += (list.empty() ? "" : ", ") + a;
    finish(TriggerResult::kSkipped,
           list + " still in gates 1-3; concurrencyPolicy Forbid: " + request.type + " trigger skipped", "");
    plan.events.push_back({"Normal", "TriggerSkipped", "Trigger", plan.message});
    return plan;
  }

  // Allocate the version: above everything this pipeline gave out and every numeric version of
  // the model (hand-made candidates included), on a free name.
  long long version = Child(status, "lastVersion").is_number_integer() ? status["lastVersion"].get<long long>() : 0;
  std::set<std::string> names;
  for (const PipelineCandidate& c : candidates) {
    names.insert(c.name);
    if (c.model == spec.model) version = std::max(version, c.numeric_version);
  }
  if (Child(status, "pending").is_array()) {
    for (const json& p : status["pending"]) names.insert(Str(p, "name"));
  }
  std::string candidate_name;
  do {
    ++version;
    candidate_name = spec.model + "-v" + std::to_string(version);
  } while (names.count(candidate_name));

  const TimePoint window_end = request.scheduled_time.value_or(now);
  std::optional<TimePoint> window_start;
  if (spec.schedule && spec.schedule->window) {
    window_start = window_end - std::chrono::duration_cast<TimePoint::duration>(*spec.schedule->window);
  }
  TemplateValues values = {{"version", std::to_string(version)},
                           {"pipeline", name},
                           {"model", spec.model},
                           {"triggerType", request.type},
                           {"scheduledTime", kube::FormatTime(window_end)},
                           {"windowStart", kube::FormatTime(window_start.value_or(window_end))},
                           {"windowEnd", kube::FormatTime(window_end)}};
  std::string render_error;
  auto rendered = RenderTemplate(spec.candidate_template, values, "spec.candidateTemplate", &render_error);
  if (!rendered) {
    finish(TriggerResult::kInvalid, render_error, "");
    plan.events.push_back({"Warning", "TriggerInvalid", "Trigger", plan.message});
    return plan;
  }
  json candidate_spec = *rendered;
  candidate_spec["model"] = spec.model;
  candidate_spec["version"] = std::to_string(version);
  candidate_spec["trigger"] = TriggerField(request, name, source, reason, now, window_start, window_end);
  json candidate = {{"apiVersion", "modelgate.io/v1alpha1"},
                    {"kind", "ModelCandidate"},
                    {"metadata",
                     {{"name", candidate_name},
                      {"namespace", ns},
                      {"labels",
                       {{kPipelineLabel, name}, {"modelgate.io/model", spec.model}, {"modelgate.io/trigger-type", request.type}}}}},
                    {"spec", candidate_spec}};

  status["lastVersion"] = version;
  if (!Child(status, "pending").is_array()) status["pending"] = json::array();
  status["pending"].push_back({{"name", candidate_name}, {"allocatedAt", kube::FormatTime(now)}, {"object", candidate}});
  if (request.alert) {
    if (!Child(status, "alertGroups").is_array()) status["alertGroups"] = json::array();
    status["alertGroups"].push_back({{"groupKey", gates::TruncateUtf8(request.alert->group_key, kGroupKeyBytes)},
                                     {"candidate", candidate_name},
                                     {"triggeredAt", kube::FormatTime(now)}});
  }
  entry["version"] = std::to_string(version);
  std::string message = request.type + " trigger: created " + candidate_name;
  if (!reason.empty()) message += " (" + gates::TruncateUtf8(reason, 200) + ")";
  if (!active.empty() && spec.concurrency == ConcurrencyPolicy::kReplace) {
    std::string list;
    for (const std::string& a : active) list += (list.empty() ? "" : ", ") + a;
    message += "; replaces " + list + " (concurrencyPolicy Replace)";
  }
  finish(TriggerResult::kCreated, message, candidate_name);
  plan.candidate_object = std::move(candidate);
  plan.events.push_back({"Normal", EventReasonFor(request.type), "Trigger", plan.message});
  return plan;
}

}  // namespace modelgate::controllers::pipeline
