#include "controllers/registry/sync_plan.h"

#include <algorithm>
#include <cstdio>

#include "controllers/json_fields.h"
#include "controllers/model_version.h"
#include "gates/common/text.h"
#include "gates/io/hashing_byte_source.h"

namespace modelgate::controllers::registry {

using json = nlohmann::json;

namespace {

std::string Cut(const std::string& text) { return gates::TruncateUtf8(text, kMaxTagValueBytes); }

std::string Number(const json& v) {
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g", v.get<double>());
    return buffer;
  }
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return "";
}

// Newer first: higher numeric version, then later creation.
bool Newer(const RegistryCandidate& a, const RegistryCandidate& b) {
  const long long va = NumericVersion(a.mlflow.version), vb = NumericVersion(b.mlflow.version);
  if (va != vb) return va > vb;
  return a.created > b.created;
}

std::map<std::string, std::string> TagsOf(const RegistryCandidate& self) {
  std::map<std::string, std::string> tags;
  const json& object = *self.object;
  const json& metadata = Child(object, "metadata");
  const json& spec = Child(object, "spec");
  const json& status = Child(object, "status");
  tags["modelgate.candidate"] = Str(metadata, "namespace") + "/" + Str(metadata, "name");
  tags["modelgate.model"] = Str(spec, "model");
  if (!self.phase.empty()) tags["modelgate.phase"] = self.phase;
  if (!self.stage.empty()) tags["modelgate.stage"] = self.stage;
  if (!Str(status, "message").empty()) tags["modelgate.message"] = Cut(Str(status, "message"));
  if (!self.stage_transition_time.empty()) tags["modelgate.stage_time"] = self.stage_transition_time;
  const json& trigger = Child(spec, "trigger");
  for (const char* key : {"type", "source", "commit", "reason", "time", "pipeline", "scheduledTime", "requestId"}) {
    if (!Str(trigger, key).empty()) tags[std::string("modelgate.trigger.") + key] = Cut(Str(trigger, key));
  }
  if (const json& alert = Child(trigger, "alert"); alert.is_object()) {
    if (!Str(alert, "name").empty()) tags["modelgate.trigger.alert"] = Cut(Str(alert, "name"));
    if (!Str(alert, "groupKey").empty()) tags["modelgate.trigger.alert_group"] = Cut(Str(alert, "groupKey"));
  }
  if (!Str(Child(status, "champion"), "version").empty()) {
    tags["modelgate.champion_version"] = Str(Child(status, "champion"), "version");
  }
  if (Child(metadata, "generation").is_number_integer()) {
    tags["modelgate.spec_generation"] = std::to_string(metadata["generation"].get<long long>());
  }
  if (const json& gates = Child(status, "gates"); gates.is_array()) {
    for (const json& gate : gates) {
      const std::string name = Str(gate, "name");
      if (name.empty()) continue;
      if (!Str(gate, "state").empty()) tags["modelgate.gate." + name + ".state"] = Str(gate, "state");
      if (!Str(gate, "reason").empty()) tags["modelgate.gate." + name + ".reason"] = Cut(Str(gate, "reason"));
      if (const json& metrics = Child(gate, "metrics"); metrics.is_object() && name == "OfflineEvaluation") {
        for (const auto& [metric, m] : metrics.items()) {
          if (!Number(Child(m, "value")).empty()) tags["modelgate.metric." + metric] = Number(Child(m, "value"));
          if (!Number(Child(m, "champion")).empty()) {
            tags["modelgate.metric." + metric + ".champion"] = Number(Child(m, "champion"));
          }
        }
      }
    }
  }
  return tags;
}

}  // namespace

std::optional<RegistryCandidate> ViewRegistryCandidate(const json& candidate) {
  auto mlflow = ParseMlflowSpec(candidate);
  if (!mlflow) return std::nullopt;
  RegistryCandidate view;
  view.name = Str(Child(candidate, "metadata"), "name");
  view.mlflow = std::move(*mlflow);
  view.phase = Str(Child(candidate, "status"), "phase");
  view.stage = Str(Child(candidate, "status"), "stage");
  view.stage_transition_time = Str(Child(candidate, "status"), "stageTransitionTime");
  view.created = Str(Child(candidate, "metadata"), "creationTimestamp");
  view.object = &candidate;
  return view;
}

DesiredRegistryState DesiredFor(const RegistryCandidate& self, const std::vector<RegistryCandidate>& candidates) {
  DesiredRegistryState desired;
  const MlflowSpec& m = self.mlflow;
  desired.managed_aliases = {m.alias_previous_champion, m.alias_champion, m.alias_challenger};
  const RegistryCandidate* champion = nullptr;
  const RegistryCandidate* previous = nullptr;
  const RegistryCandidate* challenger = nullptr;
  for (const RegistryCandidate& c : candidates) {
    if (c.mlflow.RegistryKey() != m.RegistryKey()) continue;
    if (c.stage == "Production") {
      if (!champion || c.stage_transition_time > champion->stage_transition_time) champion = &c;
    } else if (c.phase == "Archived") {
      if (!previous || c.stage_transition_time > previous->stage_transition_time) previous = &c;
    } else if (c.stage == "Staging") {
      if (!challenger || Newer(c, *challenger)) challenger = &c;
    }
  }
  if (champion) desired.aliases[m.alias_champion] = champion->mlflow.version;
  if (previous) desired.aliases[m.alias_previous_champion] = previous->mlflow.version;
  if (challenger) desired.aliases[m.alias_challenger] = challenger->mlflow.version;
  if (m.stages && (self.stage == "Staging" || self.stage == "Production" || self.stage == "Archived")) {
    desired.stage = self.stage;
  }
  desired.tags = TagsOf(self);
  return desired;
}

std::vector<RegistryOp> PlanSync(const DesiredRegistryState& desired, const ObservedRegistry& observed,
                                 const std::string& self_version) {
  (void)self_version;
  std::vector<RegistryOp> ops;
  for (const std::string& alias : desired.managed_aliases) {
    const auto want = desired.aliases.find(alias);
    const auto have = observed.aliases.find(alias);
    if (want != desired.aliases.end()) {
      if (have == observed.aliases.end() || have->second != want->second) {
        ops.push_back({RegistryOp::Kind::kSetAlias, alias, want->second});
      }
    } else if (have != observed.aliases.end()) {
      ops.push_back({RegistryOp::Kind::kDeleteAlias, alias, ""});
    }
  }
  if (!desired.stage.empty() && observed.version_stage != desired.stage) {
    ops.push_back({RegistryOp::Kind::kTransitionStage, desired.stage, ""});
  }
  for (const auto& [key, value] : desired.tags) {
    const auto have = observed.version_tags.find(key);
    if (have == observed.version_tags.end() || have->second != value) {
      ops.push_back({RegistryOp::Kind::kSetTag, key, value});
    }
  }
  return ops;
}

std::string Describe(const RegistryOp& op, const std::string& model, const std::string& version) {
  switch (op.kind) {
    case RegistryOp::Kind::kSetAlias: return "alias " + op.key + " of " + model + " -> version " + op.value;
    case RegistryOp::Kind::kDeleteAlias: return "alias " + op.key + " of " + model + " removed";
    case RegistryOp::Kind::kTransitionStage: return model + " version " + version + " -> stage " + op.key;
    case RegistryOp::Kind::kSetTag: return "tag " + op.key + " on " + model + " version " + version;
  }
  return "";
}

std::string DesiredDigest(const DesiredRegistryState& desired, const MlflowSpec& mlflow) {
  json canonical = {{"uri", mlflow.tracking_uri}, {"model", mlflow.registered_model}, {"version", mlflow.version},
                    {"aliases", desired.aliases}, {"managed", desired.managed_aliases}, {"stage", desired.stage},
                    {"tags", desired.tags}};
  return gates::Sha256Hex(canonical.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace modelgate::controllers::registry
