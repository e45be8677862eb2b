#include "controllers/candidate/training_job.h"

#include <cstdio>
#include <functional>

namespace modelgate::controllers::candidate {

using json = nlohmann::json;

std::string TrainingJobName(const std::string& candidate, long long generation, int attempt) {
  const std::string suffix = "-train-g" + std::to_string(generation) + "-" + std::to_string(attempt);
  if (candidate.size() + suffix.size() <= 63) return candidate + suffix;
  char hash[16];
  std::snprintf(hash, sizeof hash, "%08x", static_cast<unsigned>(std::hash<std::string>{}(candidate) & 0xffffffffu));
  std::string prefix = candidate.substr(0, 63 - suffix.size() - 9);
  while (!prefix.empty() && (prefix.back() == '-' || prefix.back() == '.')) prefix.pop_back();
  return prefix + "-" + hash + suffix;
}

json OwnerReference(const json& candidate) {
  const json& meta = candidate["metadata"];
  return {{"apiVersion", candidate.value("apiVersion", "modelgate.io/v1alpha1")},
          {"kind", "ModelCandidate"},
          {"name", meta.value("name", "")},
          {"uid", meta.value("uid", "")},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

json BuildTrainingJob(const json& candidate, const json& job_template, const std::string& name) {
  const json& meta = candidate["metadata"];
  const json& spec = candidate["spec"];
  json labels = json::object();
  json annotations = json::object();
  if (job_template.contains("metadata")) {
    const json& tm = job_template["metadata"];
    if (tm.contains("labels") && tm["labels"].is_object()) labels = tm["labels"];
    if (tm.contains("annotations") && tm["annotations"].is_object()) annotations = tm["annotations"];
  }
  labels["modelgate.io/candidate"] = meta.value("name", "");
  labels["modelgate.io/model"] = spec.value("model", "");
  labels["modelgate.io/version"] = spec.value("version", "");
  labels["modelgate.io/generation"] = std::to_string(meta.value("generation", 0LL));
  json job = {{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata", {{"name", name},
                            {"namespace", meta.value("namespace", "")},
                            {"labels", labels},
                            {"ownerReferences", json::array({OwnerReference(candidate)})}}},
              {"spec", job_template.value("spec", json::object())}};
  if (!annotations.empty()) job["metadata"]["annotations"] = annotations;
  return job;
}

JobObservation ObserveJob(const json& job) {
  JobObservation obs;
  obs.state = JobObservation::State::kActive;
  if (!job.contains("status") || !job["status"].contains("conditions")) return obs;
  for (const json& c : job["status"]["conditions"]) {
    if (c.value("status", "") != "True") continue;
    const std::string type = c.value("type", "");
    if (type == "Complete") {
      obs.state = JobObservation::State::kSucceeded;
      return obs;
    }
    if (type == "Failed") {
      obs.state = JobObservation::State::kFailed;
      obs.reason = c.value("reason", "JobFailed");
      obs.message = c.value("message", "");
      return obs;
    }
  }
  return obs;
}

}  // namespace modelgate::controllers::candidate
