#include "gates/cli/cli_args.h"

#include "gates/common/text.h"

namespace modelgate::gates {

Result<CliArgs> CliArgs::Parse(const std::string& command, const std::vector<std::string>& args,
                               const std::vector<std::string>& allowed) {
  CliArgs parsed;
  parsed.command_ = command;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      return Status(ErrorCode::kUsage, command + ": unexpected argument '" + arg + "'");
    }
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    bool known = false;
    for (const auto& a : allowed) known = known || a == name;
    if (!known) {
      std::string hint = NearestName(name, allowed);
      return Status(ErrorCode::kUsage, command + ": unknown flag --" + name +
                                           (hint.empty() ? "" : " (did you mean --" + hint + "?)"));
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        return Status(ErrorCode::kUsage, command + ": --" + name + " needs a value");
      }
      value = args[++i];
    }
    if (parsed.values_.count(name)) {
      return Status(ErrorCode::kUsage, command + ": --" + name + " given twice");
    }
    parsed.values_[name] = value;
  }
  return parsed;
}

std::optional<std::string> CliArgs::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Result<std::string> CliArgs::Require(const std::string& name) const {
  auto value = Get(name);
  if (!value || value->empty()) {
    return Status(ErrorCode::kUsage, command_ + ": missing --" + name);
  }
  return *value;
}

Result<int64_t> CliArgs::NonNegative(const std::string& name, int64_t fallback) const {
  auto value = Get(name);
  if (!value) return fallback;
  auto number = ParseNumber(*value);
  if (!number || *number < 0 || *number != static_cast<double>(static_cast<int64_t>(*number))) {
    return Status(ErrorCode::kUsage, command_ + ": --" + name + ": expected a whole number >= 0, got '" +
                                         *value + "'");
  }
  return static_cast<int64_t>(*number);
}

}  // namespace modelgate::gates
