#include "gates/policy/yaml_fields.h"

#include <cmath>
#include <set>

#include "gates/common/text.h"

namespace modelgate::gates {

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}
std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

Status YamlFields::Error(const YAML::Node& node, const std::string& path,
                         const std::string& what) const {
  std::string message = "policy " + source_ + ": " + (path.empty() ? "" : path + ": ") + what;
  if (node.IsDefined() && node.Mark().line >= 0) {
    message += " (line " + std::to_string(node.Mark().line + 1) + ")";
  }
  return Status::Invalid(message);
}

Result<YAML::Node> YamlFields::Load(const std::string& text) const {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return Status::Invalid("policy " + source_ + " line " + std::to_string(e.mark.line + 1) +
                           ", column " + std::to_string(e.mark.column + 1) +
                           ": malformed YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    return Status::Invalid("policy " + source_ + ": malformed YAML: " + e.what());
  }
}

namespace {
std::string Describe(const YAML::Node& node) {
  if (node.IsScalar()) return "'" + Shorten(node.Scalar()) + "'";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "nothing";
}
}  // namespace

Status YamlFields::CheckMap(const YAML::Node& node, const std::string& path,
                            const std::vector<std::string>& allowed) const {
  if (!node.IsMap()) return Error(node, path, "expected a mapping, got " + Describe(node));
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
    if (!seen.insert(key).second) return Error(it->first, Join(path, key), "duplicate key");
    bool known = false;
    for (const auto& a : allowed) known = known || a == key;
    if (!known) {
      std::string hint = NearestName(key, allowed);
      return Error(it->first, Join(path, key),
                   "unknown field" + (hint.empty() ? std::string() : "; did you mean '" + hint + "'?"));
    }
  }
  return Status::Ok();
}

Result<double> YamlFields::Number(const YAML::Node& node, const std::string& path) const {
  if (node.IsScalar()) {
    auto number = ParseNumber(node.Scalar());
    if (number && std::isfinite(*number)) return *number;
  }
  return Error(node, path, "expected a number, got " + Describe(node));
}

Result<int64_t> YamlFields::Integer(const YAML::Node& node, const std::string& path) const {
  auto number = Number(node, path);
  if (!number.ok()) return number.status();
  if (std::floor(*number) != *number || std::fabs(*number) > 9e15) {
    return Error(node, path, "expected a whole number, got " + Describe(node));
  }
  return static_cast<int64_t>(*number);
}

Result<std::string> YamlFields::Text(const YAML::Node& node, const std::string& path) const {
  if (node.IsScalar()) return node.Scalar();
  return Error(node, path, "expected a text value, got " + Describe(node));
}

Result<bool> YamlFields::Boolean(const YAML::Node& node, const std::string& path) const {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "True" || s == "yes") return true;
    if (s == "false" || s == "False" || s == "no") return false;
  }
  return Error(node, path, "expected true or false, got " + Describe(node));
}

Status YamlFields::OptionalNumber(const YAML::Node& map, const std::string& key,
                                  const std::string& path, std::optional<double>* out) const {
  YAML::Node node = map[key];
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  auto number = Number(node, Join(path, key));
  if (!number.ok()) return number.status();
  *out = *number;
  return Status::Ok();
}

Status YamlFields::OptionalText(const YAML::Node& map, const std::string& key,
                                const std::string& path, std::optional<std::string>* out) const {
  YAML::Node node = map[key];
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  auto text = Text(node, Join(path, key));
  if (!text.ok()) return text.status();
  *out = *text;
  return Status::Ok();
}

}  // namespace modelgate::gates
