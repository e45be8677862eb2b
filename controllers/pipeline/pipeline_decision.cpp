#include "controllers/pipeline/pipeline_decision.h"

#include <algorithm>
#include <map>
#include <set>

#include "controllers/conditions.h"
#include "controllers/json_fields.h"
#include "operator/kube/time_format.h"

namespace modelgate::controllers::pipeline {

using json = nlohmann::json;
using std::chrono::milliseconds;

namespace {

SysTime ToSys(TimePoint t) { return std::chrono::time_point_cast<SysTime::duration>(t); }
TimePoint FromSys(SysTime t) { return std::chrono::time_point_cast<TimePoint::duration>(t); }

long long Generation(const json& pipeline) {
  const json& g = Child(Child(pipeline, "metadata"), "generation");
  return g.is_number_integer() ? g.get<long long>() : 0;
}

void MinRequeue(PipelineDecision& d, milliseconds after) {
  after = std::max(after, milliseconds(0));
  if (!d.requeue_after || after < *d.requeue_after) d.requeue_after = after;
}

// When the schedule counts from: the last instant acted on, else the pipeline's creation.
std::optional<TimePoint> ScheduleBase(const json& pipeline) {
  if (auto last = kube::ParseRfc3339(Str(Child(pipeline, "status"), "lastScheduleTime"))) return last;
  return kube::ParseRfc3339(Str(Child(pipeline, "metadata"), "creationTimestamp"));
}

bool Succeeded(const std::string& phase) { return phase == "Ready" || phase == "ChampionRetained"; }
bool Failed(const std::string& phase) {
  return phase == "Rejected" || phase == "Superseded" || phase == "RolledBack";
}

}  // namespace

std::optional<TriggerRequest> AnnotationRequest(const json& pipeline) {
  const std::string raw = Str(Child(Child(pipeline, "metadata"), "annotations"), kTriggerAnnotation);
  if (raw.empty()) return std::nullopt;
  TriggerRequest request;
  json body = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    // Without an id the request cannot be recorded as handled by id: use the text itself.
    request.request_id = "unreadable:" + std::to_string(std::hash<std::string>{}(raw));
    request.type = "Manual";
    request.invalid = std::string("annotation ") + kTriggerAnnotation + ": expected a JSON object such as "
                      "{\"id\":\"...\",\"type\":\"CodeChange\",\"commit\":\"<sha>\",\"reason\":\"...\"} "
                      "(kubectl modelgate trigger writes it)";
  } else {
    request.request_id = Str(body, "id");
    if (request.request_id.empty()) {
      request.request_id = "noid:" + std::to_string(std::hash<std::string>{}(raw));
      request.invalid = std::string("annotation ") + kTriggerAnnotation + ": id is required (a unique string per request)";
    }
    request.type = Str(body, "type");
    request.commit = Str(body, "commit");
    request.reason = Str(body, "reason");
    request.source = Str(body, "source");
    if (request.type.empty()) request.type = request.commit.empty() ? "Manual" : "CodeChange";
    if (request.invalid.empty() && request.type != "CodeChange" && request.type != "Manual") {
      request.invalid = std::string("annotation ") + kTriggerAnnotation + ": type '" + request.type +
                        "' is not one a person can request; expected CodeChange or Manual";
      request.type = "Manual";
    }
  }
  if (request.request_id == Str(Child(pipeline, "status"), "lastTriggerRequest")) return std::nullopt;
  return request;
}

bool RolloutIdle(const RolloutObservation& rollout, const std::vector<PipelineCandidate>& candidates) {
  if (!rollout.found) return false;
  if (rollout.generation != rollout.observed_generation && !rollout.phase.empty()) return false;  // a change not yet acted on
  const std::string& phase = rollout.phase;
  if (phase == "RolledBack" || phase == "Aborted" || phase == "Failed") return true;
  if (phase == "Promoted") return rollout.finished;
  if (phase.empty() || phase == "Pending") {
    for (const PipelineCandidate& c : candidates) {
      if (c.name != rollout.candidate) continue;
      // A candidate that is neither Ready nor still in gates 1-3 (Rejected, ChampionRetained,
      // Superseded, or already Production/Archived/RolledBack) never starts this rollout.
      // RollingOut counts as Ready: the rollout's Pending step starts on it (its own mark).
      return c.deleting || (c.phase != "Ready" && c.phase != "RollingOut" && !InGates(c.phase));
    }
    return true;  // its candidate does not exist: it waits for nothing
  }
  return false;
}

PipelineDecision DecidePipeline(const PipelineContext& ctx) {
  PipelineDecision d;
  const json& pipeline = ctx.pipeline;
  const json observed = Child(pipeline, "status").is_object() ? pipeline["status"] : json::object();
  d.status = observed;
  json& status = d.status;
  const long long generation = Generation(pipeline);
  const std::string name = Str(Child(pipeline, "metadata"), "name");
  status["observedGeneration"] = generation;

  // 1. An invalid spec: one Invalid condition naming the field; nothing is triggered.
  const std::string invalid = ctx.spec ? ctx.template_error : ctx.spec_error;
  if (!ctx.spec || !invalid.empty()) {
    SetCondition(status["conditions"], {"Invalid", "True", "InvalidSpec", invalid, generation}, ctx.now);
    SetCondition(status["conditions"],
                 {"Ready", "False", "InvalidSpec", "no trigger is accepted until the spec is fixed: " + invalid, generation},
                 ctx.now);
    const auto previous = FindCondition(Child(observed, "conditions"), "Invalid");
    if (!previous || previous->value("message", "") != invalid || previous->value("status", "") != "True") {
      d.events.push_back({"Warning", "InvalidSpec", "Validate", invalid});
    }
    d.status_changed = status != observed;
    return d;
  }
  const PipelineSpec& spec = *ctx.spec;
  RemoveCondition(status["conditions"], "Invalid");

  // 2. A due trigger runs first, through PlanTrigger and its preconditioned status write.
  if (auto request = AnnotationRequest(pipeline)) {
    d.due = std::move(request);
    return d;
  }
  std::optional<TimePoint> next_schedule;
  if (spec.schedule) {
    if (auto base = ScheduleBase(pipeline)) {
      if (auto due = DueBetween(spec.schedule->cron, ToSys(*base), ToSys(ctx.now))) {
        TriggerRequest request;
        request.type = "Scheduled";
        request.scheduled_time = FromSys(due->latest);
        request.missed_runs = due->count - 1;
        d.due = std::move(request);
        return d;
      }
      next_schedule = FromSys(NextAfter(spec.schedule->cron, ToSys(*base)));
    }
  }

  // 3. Upkeep. Allocated candidates that exist are no longer pending; the others are created.
  std::set<std::string> existing;
  for (const PipelineCandidate& c : ctx.candidates) existing.insert(c.name);
  if (Child(status, "pending").is_array()) {
    json still = json::array();
    for (const json& p : status["pending"]) {
      if (existing.count(Str(p, "name"))) continue;
      if (Child(p, "object").is_object()) d.create.push_back(p["object"]);
      still.push_back(p);
    }
    if (still.empty()) status.erase("pending");
    else status["pending"] = still;
  }
  if (!d.create.empty()) MinRequeue(d, kWaitPoll);

  std::vector<std::string> active = ActiveCandidates(name, status, ctx.candidates);
  status["active"] = active;
  status["activeCount"] = static_cast<int>(active.size());

  // The model's champion.
  status.erase("champion");
  for (const PipelineCandidate& c : ctx.candidates) {
    if (c.model == spec.model && c.stage == "Production" && !c.deleting) {
      status["champion"] = {{"name", c.name}, {"version", c.version}};
      break;
    }
  }

  // Mine, newest first.
  std::vector<const PipelineCandidate*> mine;
  for (const PipelineCandidate& c : ctx.candidates) {
    if (c.pipeline == name && c.model == spec.model && !c.deleting) mine.push_back(&c);
  }
  std::sort(mine.begin(), mine.end(), [](const PipelineCandidate* a, const PipelineCandidate* b) {
    return a->numeric_version > b->numeric_version;
  });

  // concurrencyPolicy Replace: every candidate of this pipeline still in gates 1-3 that is older
  // than the newest one (created or allocated) is superseded by it.
  if (spec.concurrency == ConcurrencyPolicy::kReplace) {
    long long newest = -1;
    std::string newest_name;
    for (const PipelineCandidate* c : mine) {
      if (c->numeric_version > newest) newest = c->numeric_version, newest_name = c->name;
    }
    const long long last_version = Child(status, "lastVersion").is_number_integer() ? status["lastVersion"].get<long long>() : -1;
    if (last_version > newest) newest = last_version, newest_name = spec.model + "-v" + std::to_string(last_version);
    for (const PipelineCandidate* c : mine) {
      if (c->numeric_version < newest && InGates(c->phase) && c->superseded_by.empty()) {
        d.supersede.push_back(c->name);
      }
    }
    d.superseded_by = newest_name;
  }

  // promotion.mode Automatic: the newest Ready candidate of this pipeline not yet handed over.
  const PipelineCandidate* ready = nullptr;
  if (spec.automatic_promotion) {
    const long long handed_version = Child(Child(status, "promotion"), "version").is_number_integer()
                                         ? status["promotion"]["version"].get<long long>()
                                         : -1;
    for (const PipelineCandidate* c : mine) {
      if (c->phase == "Ready" && c->numeric_version > handed_version) {
        ready = c;
        break;
      }
    }
  }

  // historyLimit: delete the oldest finished candidates beyond the limits. Never the champion or an
  // archived former champion (rollback target, audit record), never one a rollout names, never the
  // one waiting to be handed to the rollout.
  {
    std::set<std::string> protect(ctx.rollout_candidates.begin(), ctx.rollout_candidates.end());
    if (ctx.rollout) protect.insert(ctx.rollout->candidate);
    const std::string handed = Str(Child(status, "promotion"), "candidate");
    if (!handed.empty()) protect.insert(handed);
    if (ready) protect.insert(ready->name);
    int kept_succeeded = 0;
    int kept_failed = 0;
    for (const PipelineCandidate* c : mine) {
      if (c->stage == "Production" || c->stage == "Archived" || protect.count(c->name)) continue;
      if (Succeeded(c->phase)) {
        if (++kept_succeeded > spec.keep_succeeded) d.delete_candidates.push_back(c->name);
      } else if (Failed(c->phase)) {
        if (++kept_failed > spec.keep_failed) d.delete_candidates.push_back(c->name);
      }
    }
  }

  // promotion.mode Automatic: that candidate goes to the rollout, only when it is idle.
  if (spec.automatic_promotion) {
    if (!ready) {
      // Nothing waits: a stale waiting condition goes; the hand-over (True) stays on record.
      const auto promotion = FindCondition(Child(status, "conditions"), "Promotion");
      if (promotion && promotion->value("status", "") != "True") RemoveCondition(status["conditions"], "Promotion");
    } else if (!ctx.rollout || !ctx.rollout->found) {
      SetCondition(status["conditions"],
                   {"Promotion", "False", "RolloutNotFound",
                    ready->name + " is Ready; modelrollout/" + spec.rollout_name + " does not exist", generation},
                   ctx.now);
      MinRequeue(d, kWaitPoll * 5);
    } else if (ctx.rollout->candidate == ready->name) {
      status["promotion"] = {{"candidate", ready->name}, {"version", ready->numeric_version},
                             {"handedAt", kube::FormatTime(ctx.now)}, {"rollout", spec.rollout_name}};
    } else if (!RolloutIdle(*ctx.rollout, ctx.candidates)) {
      std::string where = "phase " + (ctx.rollout->phase.empty() ? std::string("Pending") : ctx.rollout->phase);
      if (ctx.rollout->current_step > 0) where += ", step " + std::to_string(ctx.rollout->current_step);
      SetCondition(status["conditions"],
                   {"Promotion", "False", "RolloutBusy",
                    ready->name + " is Ready; waiting for modelrollout/" + spec.rollout_name + " (" + where + ", candidate " +
                        ctx.rollout->candidate + ") to finish: a rollout is never changed mid-way",
                    generation},
                   ctx.now);
      MinRequeue(d, kWaitPoll);
    } else {
      d.hand_to_rollout = ready->name;
    }
  } else {
    RemoveCondition(status["conditions"], "Promotion");  // promotion.mode Manual: nothing to report
  }

  // Conditions.
  std::string accepting;
  if (spec.schedule) accepting += "schedule '" + spec.schedule->cron_text + "'" +
                                  (spec.schedule->time_zone.empty() ? "" : " in " + spec.schedule->time_zone);
  if (spec.alerts.enabled) accepting += std::string(accepting.empty() ? "" : ", ") + "Alertmanager webhook";
  accepting += std::string(accepting.empty() ? "" : ", ") + "kubectl modelgate trigger";
  if (spec.suspend) {
    SetCondition(status["conditions"],
                 {"Ready", "False", "Suspended", "spec.suspend: new triggers are recorded as Skipped", generation}, ctx.now);
  } else {
    SetCondition(status["conditions"], {"Ready", "True", "Accepting", "accepting triggers: " + accepting, generation}, ctx.now);
  }
  if (spec.alerts.enabled) {
    if (ctx.alerts_problem && !ctx.alerts_problem->empty()) {
      SetCondition(status["conditions"], {"AlertsReady", "False", "TokenUnavailable", *ctx.alerts_problem, generation},
                   ctx.now);
    } else {
      SetCondition(status["conditions"],
                   {"AlertsReady", "True", "TokenReadable",
                    "POST /webhooks/alertmanager/" + Str(Child(pipeline, "metadata"), "namespace") + "/" + name +
                        " accepts firing alerts with a bearer token from Secret " + spec.alerts.token_secret_name,
                    generation},
                   ctx.now);
    }
  } else {
    RemoveCondition(status["conditions"], "AlertsReady");
  }

  if (next_schedule) {
    status["nextScheduleTime"] = kube::FormatTime(*next_schedule);
    MinRequeue(d, std::chrono::duration_cast<milliseconds>(*next_schedule - ctx.now) + milliseconds(5));
  } else {
    status.erase("nextScheduleTime");
  }
  if (!d.supersede.empty()) MinRequeue(d, kWaitPoll);
  d.status_changed = status != observed;
  return d;
}

}  // namespace modelgate::controllers::pipeline
