#include "controllers/pipeline/pipeline_spec.h"

#include "controllers/candidate/candidate_spec.h"
#include "controllers/json_fields.h"
#include "controllers/pipeline/candidate_template.h"

namespace modelgate::controllers::pipeline {

using json = nlohmann::json;

namespace {

bool ParseOptionalDuration(const json& parent, const char* key, const std::string& path,
                           std::optional<std::chrono::milliseconds>* out, std::string* error) {
  const json& v = Child(parent, key);
  if (v.is_null()) return true;
  if (!v.is_string()) {
    *error = path + ": expected a duration such as 30s, 10m or 168h";
    return false;
  }
  auto d = candidate::ParseDuration(v.get<std::string>());
  if (!d) {
    *error = path + " '" + v.get<std::string>() + "': expected a duration such as 30s, 10m or 168h";
    return false;
  }
  *out = *d;
  return true;
}

}  // namespace

const char* ConcurrencyPolicyName(ConcurrencyPolicy policy) {
  switch (policy) {
    case ConcurrencyPolicy::kForbid: return "Forbid";
    case ConcurrencyPolicy::kReplace: return "Replace";
    case ConcurrencyPolicy::kAllow: return "Allow";
  }
  return "Forbid";
}

std::optional<PipelineSpec> ParsePipelineSpec(const json& spec, std::string* error) {
  PipelineSpec out;
  out.model = Str(spec, "model");
  if (out.model.empty()) {
    *error = "spec.model: required";
    return std::nullopt;
  }
  const json& tmpl = Child(spec, "candidateTemplate");
  if (!tmpl.is_object()) {
    *error = "spec.candidateTemplate: required (a ModelCandidate spec without model, version and trigger)";
    return std::nullopt;
  }
  for (const char* owned : {"model", "version", "trigger"}) {
    if (tmpl.contains(owned)) {
      *error = std::string("spec.candidateTemplate.") + owned + ": set by the pipeline; remove it from the template";
      return std::nullopt;
    }
  }
  // Placeholders are checked once here with every value present, so a typo is an Invalid
  // condition before any trigger, not a failure when one fires.
  TemplateValues sample;
  for (const std::string& name : KnownPlaceholders()) sample[name] = "x";
  if (!RenderTemplate(tmpl, sample, "spec.candidateTemplate", error)) return std::nullopt;
  out.candidate_template = tmpl;

  if (const json& schedule = Child(spec, "schedule"); schedule.is_object()) {
    ScheduleSpec s;
    s.cron_text = Str(schedule, "cron");
    s.time_zone = Str(schedule, "timeZone");
    std::string cron_error;
    auto cron = ParseCronSchedule(s.cron_text, s.time_zone, &cron_error);
    if (!cron) {
      *error = "spec." + cron_error;
      return std::nullopt;
    }
    s.cron = *cron;
    if (!ParseOptionalDuration(schedule, "window", "spec.schedule.window", &s.window, error)) return std::nullopt;
    if (!ParseOptionalDuration(schedule, "startingDeadline", "spec.schedule.startingDeadline", &s.starting_deadline,
                               error)) {
      return std::nullopt;
    }
    out.schedule = std::move(s);
  }

  if (const json& alerts = Child(spec, "alerts"); alerts.is_object()) {
    out.alerts.enabled = Child(alerts, "enabled").is_boolean() && alerts["enabled"].get<bool>();
    if (const json& labels = Child(alerts, "matchLabels"); labels.is_object()) {
      for (auto it = labels.begin(); it != labels.end(); ++it) {
        if (!it.value().is_string()) {
          *error = "spec.alerts.matchLabels." + it.key() + ": expected a string";
          return std::nullopt;
        }
        out.alerts.match_labels[it.key()] = it.value().get<std::string>();
      }
    }
    std::optional<std::chrono::milliseconds> cooldown;
    if (!ParseOptionalDuration(alerts, "cooldown", "spec.alerts.cooldown", &cooldown, error)) return std::nullopt;
    if (cooldown) out.alerts.cooldown = *cooldown;
    const json& ref = Child(alerts, "tokenSecretRef");
    out.alerts.token_secret_name = Str(ref, "name");
    out.alerts.token_secret_key = Str(ref, "key");
    if (out.alerts.enabled && (out.alerts.token_secret_name.empty() || out.alerts.token_secret_key.empty())) {
      *error = "spec.alerts.tokenSecretRef: required when alerts.enabled (the bearer token Alertmanager sends)";
      return std::nullopt;
    }
  }

  const std::string policy = Str(spec, "concurrencyPolicy");
  if (policy == "Replace") out.concurrency = ConcurrencyPolicy::kReplace;
  else if (policy == "Allow") out.concurrency = ConcurrencyPolicy::kAllow;
  else if (policy.empty() || policy == "Forbid") out.concurrency = ConcurrencyPolicy::kForbid;
  else {
    *error = "spec.concurrencyPolicy '" + policy + "': expected Forbid, Replace or Allow";
    return std::nullopt;
  }

  const json& promotion = Child(spec, "promotion");
  const std::string mode = Str(promotion, "mode");
  if (mode == "Automatic") out.automatic_promotion = true;
  else if (!mode.empty() && mode != "Manual") {
    *error = "spec.promotion.mode '" + mode + "': expected Manual or Automatic";
    return std::nullopt;
  }
  out.rollout_name = Str(Child(promotion, "rolloutRef"), "name");
  if (out.automatic_promotion && out.rollout_name.empty()) {
    *error = "spec.promotion.rolloutRef.name: required with promotion.mode Automatic";
    return std::nullopt;
  }

  const json& limits = Child(spec, "historyLimit");
  for (auto [key, target] : {std::pair{"succeeded", &out.keep_succeeded}, std::pair{"failed", &out.keep_failed}}) {
    const json& v = Child(limits, key);
    if (v.is_number_integer()) *target = std::max(0, v.get<int>());
  }
  out.suspend = Child(spec, "suspend").is_boolean() && spec["suspend"].get<bool>();
  return out;
}

}  // namespace modelgate::controllers::pipeline
