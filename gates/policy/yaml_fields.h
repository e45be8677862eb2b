// Typed access to policy YAML with error messages that name the file, the field path and the
// line, e.g. "policy eval_slices.yaml: slices[2].metrics.auc_roc.min: expected a number, got
// 'high' (line 14)". Internal to gates/policy.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "gates/common/status.h"

namespace modelgate::gates {

class YamlFields {
 public:
  explicit YamlFields(std::string source_name) : source_(std::move(source_name)) {}

  // "policy <source>: <path>: <what> (line N)"; the line is omitted when unknown.
  Status Error(const YAML::Node& node, const std::string& path, const std::string& what) const;

  // Parses text into a document; malformed YAML names line and column.
  Result<YAML::Node> Load(const std::string& text) const;

  // Requires a mapping whose keys are all in `allowed` (an unknown key suggests the nearest one)
  // and appear once.
  Status CheckMap(const YAML::Node& node, const std::string& path,
                  const std::vector<std::string>& allowed) const;

  Result<double> Number(const YAML::Node& node, const std::string& path) const;
  Result<int64_t> Integer(const YAML::Node& node, const std::string& path) const;
  Result<std::string> Text(const YAML::Node& node, const std::string& path) const;
  Result<bool> Boolean(const YAML::Node& node, const std::string& path) const;

  // Optional variants: nullopt when the key is absent or null.
  Status OptionalNumber(const YAML::Node& map, const std::string& key, const std::string& path,
                        std::optional<double>* out) const;
  Status OptionalText(const YAML::Node& map, const std::string& key, const std::string& path,
                      std::optional<std::string>* out) const;

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

std::string Join(const std::string& path, const std::string& key);
std::string Index(const std::string& path, size_t i);

}  // namespace modelgate::gates
