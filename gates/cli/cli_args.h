// Flag parsing for the gate CLI: "--name value" or "--name=value"; every flag takes a value.
// Internal to gates/cli.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gates/common/status.h"

namespace modelgate::gates {

class CliArgs {
 public:
  // `command` names the command in messages ("modelgate gate evaluate"); `allowed` lists the flag
  // names without dashes. An unknown flag suggests the nearest allowed one.
  static Result<CliArgs> Parse(const std::string& command, const std::vector<std::string>& args,
                               const std::vector<std::string>& allowed);

  std::optional<std::string> Get(const std::string& name) const;
  Result<std::string> Require(const std::string& name) const;
  Result<int64_t> NonNegative(const std::string& name, int64_t fallback) const;
  const std::string& command() const { return command_; }

 private:
  std::string command_;
  std::map<std::string, std::string> values_;
};

}  // namespace modelgate::gates
