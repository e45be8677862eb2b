#include "gates/policy/eval_policy.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "gates/common/text.h"
#include "gates/io/byte_source.h"
#include "gates/policy/malformed_row_policy.h"
#include "gates/policy/yaml_fields.h"

namespace modelgate::gates {
namespace {

const std::vector<std::string> kTopLevel = {"global_metrics", "slices", "behavioral_tests",
                                            "columns", "min_rows", "allow_inconclusive",
                                            "require_champion"};
const std::vector<std::string> kRuleFields = {
    "min", "max", "max_regression_vs_champion", "max_relative_regression_vs_champion",
    "require_improvement", "significance", "k", "threshold", "protected_attribute",
    "privileged_value"};
const std::vector<std::string> kSliceFields = {"name", "filter", "metrics", "min_rows"};
const std::vector<std::string> kColumnFields = {"label", "score", "champion_score", "threshold",
                                                "protected_attribute", "privileged_value"};
const std::vector<std::string> kBehavioralFields = {
    "name", "input_pairs", "max_flip_rate", "threshold", "feature", "direction",
    "expected_correlation", "min_correlation", "score"};

class PolicyParser {
 public:
  explicit PolicyParser(const std::string& source) : y_(source) {}

  Result<EvalPolicy> Parse(const std::string& text) {
    auto doc = y_.Load(text);
    if (!doc.ok()) return doc.status();
    const YAML::Node root = *doc;
    if (!root.IsDefined() || root.IsNull()) return y_.Error(root, "", "the policy is empty");
    std::vector<std::string> top_level = kTopLevel;
    top_level.insert(top_level.end(), kMalformedRowKeys.begin(), kMalformedRowKeys.end());
    if (Status s = y_.CheckMap(root, "", top_level); !s.ok()) return s;
    EvalPolicy policy;
    policy.source_name = y_.source();
    if (Status s = ParseMalformedRowPolicy(y_, root, &policy.malformed_rows); !s.ok()) return s;
    if (Status s = ParseColumns(root["columns"], &policy.columns); !s.ok()) return s;
    int64_t default_min_rows = 1;
    if (root["min_rows"].IsDefined()) {
      auto n = y_.Integer(root["min_rows"], "min_rows");
      if (!n.ok()) return n.status();
      if (*n < 0) return y_.Error(root["min_rows"], "min_rows", "must not be negative");
      default_min_rows = *n;
    }
    for (auto [key, flag] : {std::pair{"allow_inconclusive", &policy.allow_inconclusive},
                             std::pair{"require_champion", &policy.require_champion}}) {
      if (root[key].IsDefined()) {
        auto b = y_.Boolean(root[key], key);
        if (!b.ok()) return b.status();
        *flag = *b;
      }
    }
    policy.global.name = "global";
    policy.global.path = "global_metrics";
    policy.global.min_rows = default_min_rows;
    if (root["global_metrics"].IsDefined() && !root["global_metrics"].IsNull()) {
      if (Status s = ParseMetrics(root["global_metrics"], "global_metrics", &policy.global.metrics);
          !s.ok()) {
        return s;
      }
    }
    const YAML::Node slices = root["slices"];
    if (slices.IsDefined() && !slices.IsNull()) {
      if (!slices.IsSequence()) return y_.Error(slices, "slices", "expected a list of slices");
      for (size_t i = 0; i < slices.size(); ++i) {
        SlicePolicy slice;
        slice.min_rows = default_min_rows;
        if (Status s = ParseSlice(slices[i], Index("slices", i), &slice); !s.ok()) return s;
        for (const auto& other : policy.slices) {
          if (other.name == slice.name) {
            return y_.Error(slices[i]["name"], Index("slices", i) + ".name",
                            "duplicate slice name '" + slice.name + "'");
          }
        }
        policy.slices.push_back(std::move(slice));
      }
    }
    const YAML::Node tests = root["behavioral_tests"];
    if (tests.IsDefined() && !tests.IsNull()) {
      if (!tests.IsSequence()) return y_.Error(tests, "behavioral_tests", "expected a list of tests");
      for (size_t i = 0; i < tests.size(); ++i) {
        BehavioralTest test;
        if (Status s = ParseBehavioral(tests[i], Index("behavioral_tests", i), &test); !s.ok()) return s;
        policy.behavioral_tests.push_back(std::move(test));
      }
    }
    if (policy.global.metrics.empty() && policy.slices.empty() && policy.behavioral_tests.empty()) {
      return y_.Error(root, "", "the policy has no global_metrics, slices or behavioral_tests; "
                                "a gate without thresholds cannot decide");
    }
    return policy;
  }

 private:
  Status ParseColumns(const YAML::Node& node, ColumnRoles* roles) {
    if (!node.IsDefined() || node.IsNull()) return Status::Ok();
    if (Status s = y_.CheckMap(node, "columns", kColumnFields); !s.ok()) return s;
    for (auto [key, field] : {std::pair{"label", &roles->label}, std::pair{"score", &roles->score},
                              std::pair{"champion_score", &roles->champion_score}}) {
      std::optional<std::string> value;
      if (Status s = y_.OptionalText(node, key, "columns", &value); !s.ok()) return s;
      if (value) *field = *value;
    }
    std::optional<double> threshold;
    if (Status s = y_.OptionalNumber(node, "threshold", "columns", &threshold); !s.ok()) return s;
    if (threshold) roles->threshold = *threshold;
    std::optional<std::string> attribute;
    if (Status s = y_.OptionalText(node, "protected_attribute", "columns", &attribute); !s.ok()) {
      return s;
    }
    if (attribute) roles->protected_attribute = *attribute;
    return y_.OptionalText(node, "privileged_value", "columns", &roles->privileged_value);
  }

  Status ParseSlice(const YAML::Node& node, const std::string& path, SlicePolicy* slice) {
    if (Status s = y_.CheckMap(node, path, kSliceFields); !s.ok()) return s;
    slice->path = path;
    if (!node["name"].IsDefined()) return y_.Error(node, path, "missing 'name'");
    auto name = y_.Text(node["name"], path + ".name");
    if (!name.ok()) return name.status();
    if (name->empty() || *name == "global") {
      return y_.Error(node["name"], path + ".name", "a slice needs a name other than 'global'");
    }
    slice->name = *name;
    if (!node["filter"].IsDefined()) return y_.Error(node, path, "missing 'filter'");
    auto filter_text = y_.Text(node["filter"], path + ".filter");
    if (!filter_text.ok()) return filter_text.status();
    std::string context = "policy " + y_.source() + ": " + path + ".filter";
    if (node["filter"].Mark().line >= 0) {
      context += " (line " + std::to_string(node["filter"].Mark().line + 1) + ")";
    }
    auto filter = SliceFilter::Parse(*filter_text, context);
    if (!filter.ok()) return filter.status();
    slice->filter = std::move(filter).value();
    if (node["min_rows"].IsDefined()) {
      auto n = y_.Integer(node["min_rows"], path + ".min_rows");
      if (!n.ok()) return n.status();
      if (*n < 0) return y_.Error(node["min_rows"], path + ".min_rows", "must not be negative");
      slice->min_rows = *n;
    }
    if (!node["metrics"].IsDefined() || node["metrics"].IsNull()) {
      return y_.Error(node, path, "missing 'metrics' (a slice without thresholds cannot fail)");
    }
    return ParseMetrics(node["metrics"], path + ".metrics", &slice->metrics);
  }

  Status ParseMetrics(const YAML::Node& node, const std::string& path, std::vector<MetricRule>* out) {
    if (!node.IsMap()) return y_.Error(node, path, "expected a mapping of metric names to thresholds");
    std::vector<std::string> names = MetricNames();
    if (Status s = y_.CheckMap(node, path, names); !s.ok()) {
      // Re-word the generic "unknown field" for metric names.
      for (auto it = node.begin(); it != node.end(); ++it) {
        std::string key = it->first.Scalar();
        if (!FindMetric(key)) {
          std::string hint = NearestName(key, names);
          return y_.Error(it->first, Join(path, key),
                          "unknown metric '" + key + "'" +
                              (hint.empty() ? "; known metrics: " + JoinNames(names)
                                            : "; did you mean '" + hint + "'?"));
        }
      }
      return s;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      MetricRule rule;
      rule.name = it->first.Scalar();
      rule.metric = FindMetric(rule.name)->id;
      rule.path = Join(path, rule.name);
      if (Status s = ParseRule(it->second, &rule); !s.ok()) return s;
      out->push_back(std::move(rule));
    }
    return Status::Ok();
  }

  Status ParseRule(const YAML::Node& node, MetricRule* rule) {
    const std::string& path = rule->path;
    if (Status s = y_.CheckMap(node, path, kRuleFields); !s.ok()) return s;
    const MetricInfo& info = GetMetric(rule->metric);
    for (auto [key, field] :
         {std::pair{"min", &rule->min}, std::pair{"max", &rule->max},
          std::pair{"max_regression_vs_champion", &rule->max_regression_vs_champion},
          std::pair{"max_relative_regression_vs_champion", &rule->max_relative_regression_vs_champion},
          std::pair{"significance", &rule->significance}, std::pair{"threshold", &rule->threshold}}) {
      if (Status s = y_.OptionalNumber(node, key, path, field); !s.ok()) return s;
    }
    const YAML::Node improvement = node["require_improvement"];
    if (improvement.IsDefined() && !improvement.IsNull()) {
      auto flag = y_.Boolean(improvement, path + ".require_improvement");
      if (flag.ok()) {
        if (*flag) {
          rule->require_improvement = 0.0;
          rule->require_strict_improvement = true;
        }
      } else {
        auto number = y_.Number(improvement, path + ".require_improvement");
        if (!number.ok()) {
          return y_.Error(improvement, path + ".require_improvement",
                          "expected true, false or a minimum improvement (a number), got '" +
                              improvement.Scalar() + "'");
        }
        if (*number < 0) return y_.Error(improvement, path + ".require_improvement", "must not be negative");
        rule->require_improvement = *number;
      }
    }
    if (Status s = y_.OptionalText(node, "protected_attribute", path, &rule->protected_attribute); !s.ok()) return s;
    if (Status s = y_.OptionalText(node, "privileged_value", path, &rule->privileged_value); !s.ok()) return s;
    if (info.needs_k) {
      if (!node["k"].IsDefined()) return y_.Error(node, path, "missing 'k' (the number of top-scored rows)");
      auto k = y_.Integer(node["k"], path + ".k");
      if (!k.ok()) return k.status();
      if (*k < 1) return y_.Error(node["k"], path + ".k", "must be at least 1");
      rule->k = *k;
    } else if (node["k"].IsDefined()) {
      return y_.Error(node["k"], path + ".k", "only precision_at_k and recall_at_k take 'k'");
    }
    bool compares_champion = rule->max_regression_vs_champion || rule->max_relative_regression_vs_champion ||
                             rule->require_improvement;
    if (compares_champion && info.direction == Direction::kNeither) {
      return y_.Error(node, path, rule->name + " has no better direction, so it cannot be compared "
                                               "with the champion");
    }
    if (rule->significance && rule->metric != MetricId::kAucRoc) {
      return y_.Error(node["significance"], path + ".significance",
                      "a significance level is supported for auc_roc only (DeLong's test)");
    }
    if (rule->significance && (*rule->significance <= 0 || *rule->significance >= 1)) {
      return y_.Error(node["significance"], path + ".significance", "must be between 0 and 1");
    }
    for (auto [key, value] : {std::pair{"max_regression_vs_champion", rule->max_regression_vs_champion},
                              std::pair{"max_relative_regression_vs_champion",
                                        rule->max_relative_regression_vs_champion}}) {
      if (value && *value < 0) return y_.Error(node[key], path + "." + key, "must not be negative");
    }
    if (!info.fairness && (rule->protected_attribute || rule->privileged_value)) {
      return y_.Error(node, path, "protected_attribute and privileged_value apply to fairness metrics only");
    }
    if (!rule->min && !rule->max && !compares_champion) {
      return y_.Error(node, path, "no threshold: set min, max, max_regression_vs_champion, "
                                  "max_relative_regression_vs_champion or require_improvement");
    }
    return Status::Ok();
  }

  Status ParseBehavioral(const YAML::Node& node, const std::string& path, BehavioralTest* test) {
    if (Status s = y_.CheckMap(node, path, kBehavioralFields); !s.ok()) return s;
    test->path = path;
    if (!node["name"].IsDefined()) return y_.Error(node, path, "missing 'name'");
    auto name = y_.Text(node["name"], path + ".name");
    if (!name.ok()) return name.status();
    test->name = *name;
    bool invariance = node["input_pairs"].IsDefined();
    bool directional = node["feature"].IsDefined();
    if (invariance == directional) {
      return y_.Error(node, path, "a behavioral test needs either 'input_pairs' (invariance) or "
                                  "'feature' (directional)");
    }
    if (Status s = y_.OptionalNumber(node, "threshold", path, &test->threshold); !s.ok()) return s;
    if (invariance) {
      test->kind = BehavioralTest::Kind::kInvariance;
      const YAML::Node pairs = node["input_pairs"];
      if (!pairs.IsSequence() || pairs.size() == 0) {
        return y_.Error(pairs, path + ".input_pairs", "expected a list of [canonical, perturbed] column pairs");
      }
      for (size_t i = 0; i < pairs.size(); ++i) {
        const YAML::Node pair = pairs[i];
        std::string pair_path = Index(path + ".input_pairs", i);
        if (!pair.IsSequence() || pair.size() != 2 || !pair[0].IsScalar() || !pair[1].IsScalar()) {
          return y_.Error(pair, pair_path, "expected [canonical_score_column, perturbed_score_column]");
        }
        test->input_pairs.emplace_back(pair[0].Scalar(), pair[1].Scalar());
      }
      if (!node["max_flip_rate"].IsDefined()) return y_.Error(node, path, "missing 'max_flip_rate'");
      auto rate = y_.Number(node["max_flip_rate"], path + ".max_flip_rate");
      if (!rate.ok()) return rate.status();
      test->max_flip_rate = *rate;
      for (const char* key : {"direction", "expected_correlation", "min_correlation", "score"}) {
        if (node[key].IsDefined()) {
          return y_.Error(node[key], path + "." + key, "applies to directional tests only");
        }
      }
      return Status::Ok();
    }
    test->kind = BehavioralTest::Kind::kDirectional;
    auto feature = y_.Text(node["feature"], path + ".feature");
    if (!feature.ok()) return feature.status();
    test->feature = *feature;
    std::optional<std::string> score;
    if (Status s = y_.OptionalText(node, "score", path, &score); !s.ok()) return s;
    if (score) test->score_column = *score;
    int sign = 0;
    for (const char* key : {"direction", "expected_correlation"}) {
      if (!node[key].IsDefined()) continue;
      auto text = y_.Text(node[key], path + "." + key);
      if (!text.ok()) return text.status();
      int this_sign = *text == "positive" ? 1 : *text == "negative" ? -1 : 0;
      if (this_sign == 0) {
        return y_.Error(node[key], path + "." + key, "expected 'positive' or 'negative', got '" + *text + "'");
      }
      if (sign != 0 && sign != this_sign) {
        return y_.Error(node[key], path + "." + key, "contradicts 'direction'");
      }
      sign = this_sign;
    }
    if (sign == 0) return y_.Error(node, path, "missing 'direction' or 'expected_correlation'");
    test->expected_sign = sign;
    if (Status s = y_.OptionalNumber(node, "min_correlation", path, &test->min_correlation); !s.ok()) return s;
    if (node["max_flip_rate"].IsDefined()) {
      return y_.Error(node["max_flip_rate"], path + ".max_flip_rate", "applies to invariance tests only");
    }
    return Status::Ok();
  }

  static std::string JoinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
  }

  YamlFields y_;
};

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<EvalPolicy> ParseEvalPolicy(const std::string& yaml_text, const std::string& source_name) {
  return PolicyParser(source_name).Parse(yaml_text);
}

Result<std::string> ReadTextFile(const std::string& path, const std::string& what) {
  return ReadAllText(path, what);
}

Result<EvalPolicy> LoadEvalPolicy(const std::string& path) {
  auto text = ReadTextFile(path, "policy");
  if (!text.ok()) return text.status();
  return ParseEvalPolicy(*text, BaseName(path));
}

}  // namespace modelgate::gates
