#include "gates/cli/read_flags.h"

namespace modelgate::gates {

Result<ReadOptions> ReadOptionsFromFlags(const CliArgs& args) {
  ReadOptions options;
  if (auto format = args.Get("format")) {
    if (*format == "csv") {
      options.format = DataFormat::kCsv;
    } else if (*format == "jsonl") {
      options.format = DataFormat::kJsonLines;
    } else {
      return Status(ErrorCode::kUsage, args.command() + ": --format: expected 'csv' or 'jsonl', got '" +
                                           *format + "'");
    }
  }
  if (auto delimiter = args.Get("delimiter")) {
    std::string d = *delimiter == "\\t" || *delimiter == "tab" ? "\t" : *delimiter;
    if (d.size() != 1) {
      return Status(ErrorCode::kUsage, args.command() +
                                           ": --delimiter: expected one character (or 'tab'), got '" +
                                           *delimiter + "'");
    }
    options.delimiter = d[0];
  }
  auto max_bytes = args.NonNegative("max-bytes", 0);
  if (!max_bytes.ok()) return max_bytes.status();
  options.max_bytes = static_cast<uint64_t>(*max_bytes);
  if (args.Get("http-timeout")) {
    auto seconds = args.NonNegative("http-timeout", 0);
    if (!seconds.ok()) return seconds.status();
    if (*seconds == 0) {
      return Status(ErrorCode::kUsage, args.command() + ": --http-timeout: expected a whole number of "
                                                        "seconds greater than 0");
    }
    options.http_timeout = std::chrono::seconds(*seconds);
  }
  return options;
}

}  // namespace modelgate::gates
