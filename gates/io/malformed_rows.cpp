#include "gates/io/malformed_rows.h"

#include <algorithm>
#include <cstdio>

namespace modelgate::gates {
namespace {

double Rate(const MalformedRows& malformed, int64_t good_rows) {
  const int64_t total = good_rows + malformed.count;
  return total == 0 ? 0.0 : static_cast<double>(malformed.count) / static_cast<double>(total);
}

std::string Percent(double rate) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.4g%%", rate * 100);
  return text;
}

std::string LineList(const MalformedRows& malformed) {
  std::string text;
  for (size_t i = 0; i < malformed.lines.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(malformed.lines[i]);
  }
  if (malformed.count > static_cast<int64_t>(malformed.lines.size())) text += ", ...";
  return text;
}

}  // namespace

void MalformedRows::Add(int64_t line, const std::string& reason) {
  ++count;
  if (lines.size() < kExamples) {
    lines.push_back(line);
    reasons.push_back(reason);
  }
}

void MalformedRows::Merge(const MalformedRows& other) {
  count += other.count;
  for (size_t i = 0; i < other.lines.size() && lines.size() < kExamples; ++i) {
    lines.push_back(other.lines[i]);
    reasons.push_back(other.reasons[i]);
  }
}

Result<bool> NextRecord(RecordReader& reader, Record& record, MalformedRows* counter) {
  for (;;) {
    auto more = reader.Next(record);
    if (more.ok() || counter == nullptr || more.status().code() != ErrorCode::kMalformedRow) {
      return more;
    }
    counter->Add(record.line, more.status().message());
  }
}

std::optional<std::string> MalformedRowsFailure(const MalformedRowPolicy& policy,
                                                const MalformedRows& malformed, int64_t good_rows) {
  if (malformed.count == 0) return std::nullopt;
  const double rate = Rate(malformed, good_rows);
  std::string what = std::to_string(malformed.count) + " malformed rows in " + malformed.source +
                     " (" + Percent(rate) + " of " + std::to_string(good_rows + malformed.count) +
                     " rows; first at lines " + LineList(malformed) + ": " + malformed.reasons[0] + ")";
  if (policy.max_rows && malformed.count > *policy.max_rows) {
    return what + " exceed max_malformed_rows " + std::to_string(*policy.max_rows) +
           "; fix the data or its producer";
  }
  if (policy.max_rate && rate > *policy.max_rate) {
    return what + " exceed max_malformed_rate " + Percent(*policy.max_rate) +
           "; fix the data or its producer";
  }
  return std::nullopt;
}

nlohmann::ordered_json MalformedRowsJson(const MalformedRowPolicy& policy,
                                         const MalformedRows& malformed, int64_t good_rows) {
  nlohmann::ordered_json out;
  out["source"] = malformed.source;
  out["count"] = malformed.count;
  out["rate"] = Rate(malformed, good_rows);
  out["max_rows"] = policy.max_rows ? nlohmann::ordered_json(*policy.max_rows) : nullptr;
  out["max_rate"] = policy.max_rate ? nlohmann::ordered_json(*policy.max_rate) : nullptr;
  out["passed"] = !MalformedRowsFailure(policy, malformed, good_rows).has_value();
  out["examples"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < malformed.lines.size(); ++i) {
    out["examples"].push_back({{"line", malformed.lines[i]}, {"reason", malformed.reasons[i]}});
  }
  return out;
}

std::string MalformedRowsText(const MalformedRowPolicy& policy, const MalformedRows& malformed,
                              int64_t good_rows) {
  std::string text = "malformed rows in " + malformed.source + ": " + std::to_string(malformed.count) +
                     " of " + std::to_string(good_rows + malformed.count) + " (" +
                     Percent(Rate(malformed, good_rows)) + ")";
  if (malformed.count > 0) text += ", lines " + LineList(malformed);
  std::vector<std::string> limits;
  if (policy.max_rows) limits.push_back("max " + std::to_string(*policy.max_rows) + " rows");
  if (policy.max_rate) limits.push_back("max rate " + Percent(*policy.max_rate));
  if (!limits.empty()) {
    text += " (";
    for (size_t i = 0; i < limits.size(); ++i) text += (i ? ", " : "") + limits[i];
    text += ")";
  }
  text += MalformedRowsFailure(policy, malformed, good_rows) ? ": FAILED" : ": passed";
  return text;
}

}  // namespace modelgate::gates
