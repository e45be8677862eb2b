#include <nlohmann/json.hpp>

#include "gates/evaluation/evaluation_gate.h"

namespace modelgate::gates {

Result<ChampionValues> ParseChampionReport(const std::string& json_text,
                                           const std::string& source_name) {
  auto doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  const std::string prefix = "champion report " + source_name + ": ";
  if (doc.is_discarded()) return Status::Invalid(prefix + "not valid JSON");
  if (!doc.is_object() || !doc.contains("global") || !doc["global"].is_object()) {
    return Status::Invalid(prefix + "expected a modelgate evaluation report (an object with "
                                    "'global' and 'slices')");
  }
  ChampionValues values;
  values.source_name = source_name;
  auto read_metrics = [&](const nlohmann::json& scope, const std::string& name,
                          const std::string& path) -> Status {
    if (!scope.contains("metrics")) return Status::Ok();
    const auto& metrics = scope["metrics"];
    if (!metrics.is_object()) return Status::Invalid(prefix + path + ".metrics: expected an object");
    auto& out = values.by_scope[name];
    for (auto it = metrics.begin(); it != metrics.end(); ++it) {
      if (!it.value().is_object()) {
        return Status::Invalid(prefix + path + ".metrics." + it.key() + ": expected an object");
      }
      const auto& v = it.value().value("value", nlohmann::json());
      if (v.is_number()) out[it.key()] = v.get<double>();
    }
    return Status::Ok();
  };
  if (Status s = read_metrics(doc["global"], "global", "global"); !s.ok()) return s;
  if (doc.contains("slices")) {
    if (!doc["slices"].is_array()) return Status::Invalid(prefix + "slices: expected a list");
    for (size_t i = 0; i < doc["slices"].size(); ++i) {
      const auto& slice = doc["slices"][i];
      std::string path = "slices[" + std::to_string(i) + "]";
      if (!slice.is_object() || !slice.contains("name") || !slice["name"].is_string()) {
        return Status::Invalid(prefix + path + ": expected an object with a 'name'");
      }
      if (Status s = read_metrics(slice, slice["name"].get<std::string>(), path); !s.ok()) return s;
    }
  }
  return values;
}

}  // namespace modelgate::gates
