#include "gates/training/training_policy.h"

#include <set>

#include "gates/metrics/metric_catalog.h"
#include "gates/policy/eval_policy.h"
#include "gates/policy/yaml_fields.h"

namespace modelgate::gates {
namespace {

Status ParseLoss(const YamlFields& y, const YAML::Node& node, TrainingPolicy* p) {
  if (Status s = y.CheckMap(node, "loss", {"field", "window", "max_relative_change", "min_relative_decrease"});
      !s.ok()) {
    return s;
  }
  p->loss_configured = true;
  std::optional<std::string> field;
  if (Status s = y.OptionalText(node, "field", "loss", &field); !s.ok()) return s;
  if (field) p->loss_field = *field;
  if (node["window"].IsDefined()) {
    auto window = y.Integer(node["window"], "loss.window");
    if (!window.ok()) return window.status();
    if (*window < 2) return y.Error(node["window"], "loss.window", "must be at least 2 steps");
    p->window = *window;
  }
  if (Status s = y.OptionalNumber(node, "max_relative_change", "loss", &p->max_relative_change); !s.ok()) return s;
  return y.OptionalNumber(node, "min_relative_decrease", "loss", &p->min_relative_decrease);
}

Status ParseGradient(const YamlFields& y, const YAML::Node& node, TrainingPolicy* p) {
  if (Status s = y.CheckMap(node, "gradient_norm", {"field", "min", "max"}); !s.ok()) return s;
  p->gradient_configured = true;
  std::optional<std::string> field;
  if (Status s = y.OptionalText(node, "field", "gradient_norm", &field); !s.ok()) return s;
  if (field) p->gradient_field = *field;
  if (Status s = y.OptionalNumber(node, "max", "gradient_norm", &p->gradient_max); !s.ok()) return s;
  if (Status s = y.OptionalNumber(node, "min", "gradient_norm", &p->gradient_min); !s.ok()) return s;
  if (!p->gradient_max && !p->gradient_min) {
    return y.Error(node, "gradient_norm", "set max and/or min");
  }
  return Status::Ok();
}

Status ParseMetric(const YamlFields& y, const std::string& name, const YAML::Node& node,
                   TrainingMetricRule* rule) {
  rule->name = name;
  rule->path = "metrics." + name;
  if (Status s = y.CheckMap(node, rule->path, {"min", "max", "max_regression_vs_champion",
                                               "max_relative_regression_vs_champion", "direction"});
      !s.ok()) {
    return s;
  }
  if (const MetricInfo* info = FindMetric(name); info && info->direction != Direction::kNeither) {
    rule->higher_is_better = info->direction == Direction::kHigherIsBetter;
    rule->direction_known = true;
  }
  if (node["direction"].IsDefined()) {
    auto d = y.Text(node["direction"], rule->path + ".direction");
    if (!d.ok()) return d.status();
    if (*d != "higher" && *d != "lower") {
      return y.Error(node["direction"], rule->path + ".direction",
                     "expected 'higher' or 'lower' (which way is better), got '" + *d + "'");
    }
    rule->higher_is_better = *d == "higher";
    rule->direction_known = true;
  }
  for (auto [key, field] : {std::pair{"min", &rule->min}, std::pair{"max", &rule->max},
                            std::pair{"max_regression_vs_champion", &rule->max_regression_vs_champion},
                            std::pair{"max_relative_regression_vs_champion",
                                      &rule->max_relative_regression_vs_champion}}) {
    if (Status s = y.OptionalNumber(node, key, rule->path, field); !s.ok()) return s;
  }
  bool compares = rule->max_regression_vs_champion || rule->max_relative_regression_vs_champion;
  if (compares && !rule->direction_known) {
    return y.Error(node, rule->path, "'" + name + "' is not a known metric: set direction: higher or "
                                                  "lower so a regression can be measured");
  }
  if (!rule->min && !rule->max && !compares) {
    return y.Error(node, rule->path, "no threshold: set min, max, max_regression_vs_champion or "
                                     "max_relative_regression_vs_champion");
  }
  return Status::Ok();
}

}  // namespace

Result<TrainingPolicy> ParseTrainingPolicy(const std::string& yaml_text, const std::string& source_name) {
  YamlFields y(source_name);
  auto doc = y.Load(yaml_text);
  if (!doc.ok()) return doc.status();
  const YAML::Node root = *doc;
  if (!root.IsDefined() || root.IsNull()) return y.Error(root, "", "the policy is empty");
  if (Status s = y.CheckMap(root, "", {"step_field", "loss", "gradient_norm", "metrics"}); !s.ok()) return s;
  TrainingPolicy p;
  p.source_name = source_name;
  std::optional<std::string> step_field;
  if (Status s = y.OptionalText(root, "step_field", "", &step_field); !s.ok()) return s;
  if (step_field) p.step_field = *step_field;
  if (root["loss"].IsDefined() && !root["loss"].IsNull()) {
    if (Status s = ParseLoss(y, root["loss"], &p); !s.ok()) return s;
  }
  if (root["gradient_norm"].IsDefined() && !root["gradient_norm"].IsNull()) {
    if (Status s = ParseGradient(y, root["gradient_norm"], &p); !s.ok()) return s;
  }
  const YAML::Node metrics = root["metrics"];
  if (metrics.IsDefined() && !metrics.IsNull()) {
    if (!metrics.IsMap()) return y.Error(metrics, "metrics", "expected a mapping of metric names to thresholds");
    std::set<std::string> seen;
    for (auto it = metrics.begin(); it != metrics.end(); ++it) {
      TrainingMetricRule rule;
      if (!seen.insert(it->first.Scalar()).second) {
        return y.Error(it->first, "metrics." + it->first.Scalar(), "duplicate key");
      }
      if (Status s = ParseMetric(y, it->first.Scalar(), it->second, &rule); !s.ok()) return s;
      p.metrics.push_back(std::move(rule));
    }
  }
  return p;
}

Result<TrainingPolicy> LoadTrainingPolicy(const std::string& path) {
  auto text = ReadTextFile(path, "policy");
  if (!text.ok()) return text.status();
  size_t slash = path.find_last_of('/');
  return ParseTrainingPolicy(*text, slash == std::string::npos ? path : path.substr(slash + 1));
}

}  // namespace modelgate::gates
