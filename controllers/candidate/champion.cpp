#include "controllers/candidate/champion.h"
#include "controllers/json_fields.h"

namespace modelgate::controllers::candidate {
namespace {

using json = nlohmann::json;

const json& GateEntry(const json& status, const std::string& name) {
  static const json kNull;
  const json& gates = Child(status, "gates");
  if (!gates.is_array()) return kNull;
  for (const json& g : gates) {
    if (Str(g, "name") == name) return g;
  }
  return kNull;
}

std::map<std::string, double> MetricValues(const json& metrics) {
  std::map<std::string, double> values;
  if (!metrics.is_object()) return values;
  for (const auto& [name, m] : metrics.items()) {
    const json& v = Child(m, "value");
    if (v.is_number()) values[name] = v.get<double>();
  }
  return values;
}

}  // namespace

ChampionInfo ChampionFromStatus(const json& champion) {
  ChampionInfo info;
  info.name = Str(Child(champion, "metadata"), "name");
  info.version = Str(Child(champion, "spec"), "version");
  info.evaluation.source_name = "ModelCandidate " + info.name + " (version " + info.version + ")";
  const json& status = Child(champion, "status");
  const json& eval = GateEntry(status, "OfflineEvaluation");
  if (auto global = MetricValues(Child(eval, "metrics")); !global.empty()) {
    info.evaluation.by_scope["global"] = global;
  }
  if (const json& slices = Child(eval, "slices"); slices.is_array()) {
    for (const json& s : slices) {
      auto values = MetricValues(Child(s, "metrics"));
      if (!values.empty() && !Str(s, "name").empty()) info.evaluation.by_scope[Str(s, "name")] = values;
    }
  }
  info.training = MetricValues(Child(GateEntry(status, "TrainingValidation"), "metrics"));
  if (info.training.empty() && info.evaluation.by_scope.count("global")) {
    info.training = info.evaluation.by_scope["global"];
  }
  return info;
}

std::optional<ChampionInfo> FindChampion(const json& candidate, const std::vector<std::shared_ptr<const json>>& all) {
  const std::string ns = Str(Child(candidate, "metadata"), "namespace");
  const std::string name = Str(Child(candidate, "metadata"), "name");
  const std::string model = Str(Child(candidate, "spec"), "model");
  const json* best = nullptr;
  for (const auto& other : all) {
    if (!other) continue;
    const json& meta = Child(*other, "metadata");
    if (Str(meta, "namespace") != ns || Str(meta, "name") == name) continue;
    if (Str(Child(*other, "spec"), "model") != model) continue;
    if (Str(Child(*other, "status"), "stage") != "Production") continue;
    // RFC 3339 UTC timestamps compare as strings.
    if (!best || Str(Child(*other, "status"), "stageTransitionTime") >
                     Str(Child(*best, "status"), "stageTransitionTime")) {
      best = other.get();
    }
  }
  if (!best) return std::nullopt;
  return ChampionFromStatus(*best);
}

}  // namespace modelgate::controllers::candidate
