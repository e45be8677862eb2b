// ModelPipeline.spec as the controller uses it (crds/modelgate.io_modelpipelines.yaml,
// docs/pipeline.md). The API server has checked the schema; ParsePipelineSpec checks what the
// schema cannot (the cron expression, the time zone, durations, template placeholders) and
// reports the first problem as a sentence naming the field. Pure; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "controllers/pipeline/cron_schedule.h"

namespace modelgate::controllers::pipeline {

enum class ConcurrencyPolicy { kForbid, kReplace, kAllow };

struct ScheduleSpec {
  CronSchedule cron;
  std::string cron_text;   // as written, for messages and status
  std::string time_zone;   // "" = UTC
  std::optional<std::chrono::milliseconds> window;
  std::optional<std::chrono::milliseconds> starting_deadline;
};

struct AlertsSpec {
  bool enabled = false;
  std::map<std::string, std::string> match_labels;
  std::chrono::milliseconds cooldown{std::chrono::hours(1)};
  std::string token_secret_name;
  std::string token_secret_key;
};

struct PipelineSpec {
  std::string model;
  nlohmann::json candidate_template = nlohmann::json::object();
  std::optional<ScheduleSpec> schedule;
  AlertsSpec alerts;
  ConcurrencyPolicy concurrency = ConcurrencyPolicy::kForbid;
  bool automatic_promotion = false;
  std::string rollout_name;  // promotion.rolloutRef.name
  int keep_succeeded = 10;
  int keep_failed = 10;
  bool suspend = false;
};

// Parses and checks spec. On a problem returns nullopt and sets `error`, e.g.
// "spec.schedule.timeZone 'Europe/Berln': unknown IANA time zone ..." or
// "spec.candidateTemplate.gates.data.dataset.uri: unknown placeholder {{windowstart}}; did you mean {{windowStart}}? ...".
std::optional<PipelineSpec> ParsePipelineSpec(const nlohmann::json& spec, std::string* error);

const char* ConcurrencyPolicyName(ConcurrencyPolicy policy);

}  // namespace modelgate::controllers::pipeline
