#include "controllers/pipeline/candidate_template.h"

#include <algorithm>
#include <vector>

#include "gates/common/text.h"

namespace modelgate::controllers::pipeline {

using json = nlohmann::json;

namespace {

std::string Trim(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::string KnownList() {
  std::string out;
  for (const std::string& name : KnownPlaceholders()) out += (out.empty() ? "{{" : ", {{") + name + "}}";
  return out;
}

std::optional<std::string> RenderString(const std::string& text, const TemplateValues& values, const std::string& path,
                                        std::string* error) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    if (open == std::string::npos) {
      out += text.substr(pos);
      return out;
    }
    out += text.substr(pos, open - pos);
    const size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) {
      *error = path + ": '{{' at character " + std::to_string(open + 1) + " is not closed by '}}' (known placeholders: " +
               KnownList() + ")";
      return std::nullopt;
    }
    const std::string name = Trim(text.substr(open + 2, close - open - 2));
    const auto& known = KnownPlaceholders();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      const std::string nearest = gates::NearestName(name, known);
      *error = path + ": unknown placeholder {{" + name + "}}" +
               (nearest.empty() ? "" : "; did you mean {{" + nearest + "}}?") + " (known: " + KnownList() + ")";
      return std::nullopt;
    }
    if (const auto it = values.find(name); it != values.end()) out += it->second;
    pos = close + 2;
  }
}

bool Render(json& node, const TemplateValues& values, const std::string& path, std::string* error) {
  if (node.is_string()) {
    auto rendered = RenderString(node.get<std::string>(), values, path, error);
    if (!rendered) return false;
    node = std::move(*rendered);
    return true;
  }
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!Render(it.value(), values, path + "." + it.key(), error)) return false;
    }
    return true;
  }
  if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      if (!Render(node[i], values, path + "[" + std::to_string(i) + "]", error)) return false;
    }
  }
  return true;
}

}  // namespace

const std::vector<std::string>& KnownPlaceholders() {
  static const std::vector<std::string> kNames = {"version",       "pipeline",    "model",    "triggerType",
                                                  "scheduledTime", "windowStart", "windowEnd"};
  return kNames;
}

std::optional<json> RenderTemplate(const json& tmpl, const TemplateValues& values, const std::string& path,
                                   std::string* error) {
  json out = tmpl;
  if (!Render(out, values, path, error)) return std::nullopt;
  return out;
}

}  // namespace modelgate::controllers::pipeline
