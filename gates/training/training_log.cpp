#include "gates/training/training_log.h"

#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "gates/common/text.h"

namespace modelgate::gates {
namespace {

void Append(TrainingLog* log, const std::string& field, double value) {
  LogSeries& series = log->fields[field];
  series.values.resize(static_cast<size_t>(log->steps), std::nan(""));
  series.present.resize(static_cast<size_t>(log->steps), 0);
  series.values.back() = value;
  series.present.back() = 1;
}

// Number from a JSON value: numbers, and strings that are numbers or NaN/Infinity.
std::optional<double> JsonNumber(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return ParseNumber(v.get_ref<const std::string&>());
  return std::nullopt;
}

Status ReadJsonLines(ByteSource& source, const std::string& step_field, TrainingLog* log) {
  std::string pending, chunk(1 << 16, '\0');
  int64_t line_number = 0;
  auto handle_line = [&](std::string line) -> Status {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) return Status::Ok();
    auto object = nlohmann::json::parse(line, nullptr, false);
    if (object.is_discarded()) object = nlohmann::json::parse(QuoteNonFiniteTokens(line), nullptr, false);
    if (object.is_discarded() || !object.is_object()) {
      return Status::Invalid(log->source_name + " line " + std::to_string(line_number) +
                             ": expected a JSON object, got " + Shorten(line));
    }
    if (object.contains("metrics") && object["metrics"].is_object()) {
      for (auto it = object["metrics"].begin(); it != object["metrics"].end(); ++it) {
        if (auto n = JsonNumber(it.value())) log->final_metrics[it.key()] = *n;
      }
      return Status::Ok();
    }
    ++log->steps;
    log->lines.push_back(line_number);
    double step = static_cast<double>(log->steps - 1);
    for (auto it = object.begin(); it != object.end(); ++it) {
      auto n = JsonNumber(it.value());
      if (!n) continue;
      if (it.key() == step_field) step = *n;
      Append(log, it.key(), *n);
    }
    log->step_numbers.push_back(step);
    return Status::Ok();
  };
  for (;;) {
    auto got = source.Read(chunk.data(), chunk.size());
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    pending.append(chunk.data(), *got);
    size_t start = 0, nl;
    while ((nl = pending.find('\n', start)) != std::string::npos) {
      if (Status s = handle_line(pending.substr(start, nl - start)); !s.ok()) return s;
      start = nl + 1;
    }
    pending.erase(0, start);
  }
  if (!pending.empty()) return handle_line(pending);
  return Status::Ok();
}

Status ReadCsv(std::unique_ptr<ByteSource> source, const std::string& step_field, TrainingLog* log) {
  auto reader = OpenCsvReader(std::move(source));
  if (!reader.ok()) return reader.status();
  const auto& columns = (*reader)->columns();
  Record record;
  for (;;) {
    auto more = (*reader)->Next(record);
    if (!more.ok()) return more.status();
    if (!*more) break;
    ++log->steps;
    log->lines.push_back(record.line);
    double step = static_cast<double>(log->steps - 1);
    for (size_t i = 0; i < columns.size(); ++i) {
      if (record.null[i]) continue;
      auto n = ParseNumber(record.fields[i]);
      if (!n) continue;  // text columns (run ids, timestamps) are not fields
      if (columns[i] == step_field) step = *n;
      Append(log, columns[i], *n);
    }
    log->step_numbers.push_back(step);
  }
  return Status::Ok();
}

}  // namespace

std::optional<double> TrainingLog::FinalValue(const std::string& name) const {
  if (auto it = final_metrics.find(name); it != final_metrics.end()) return it->second;
  auto it = fields.find(name);
  if (it == fields.end()) return std::nullopt;
  for (size_t i = it->second.present.size(); i-- > 0;) {
    if (it->second.present[i]) return it->second.values[i];
  }
  return std::nullopt;
}

std::string QuoteNonFiniteTokens(const std::string& line) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < line.size()) {
        out.push_back(line[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out.push_back(c);
      continue;
    }
    bool matched = false;
    for (const char* token : {"-Infinity", "Infinity", "NaN"}) {
      size_t len = std::strlen(token);
      if (line.compare(i, len, token) == 0) {
        out += std::string("\"") + token + "\"";
        i += len - 1;
        matched = true;
        break;
      }
    }
    if (!matched) out.push_back(c);
  }
  return out;
}

Result<TrainingLog> ReadTrainingLog(std::unique_ptr<ByteSource> source, DataFormat format,
                                    const std::string& step_field) {
  TrainingLog log;
  log.source_name = source->name();
  if (format == DataFormat::kAuto) {
    std::string name = log.source_name;
    if (EndsWith(name, ".gz")) name.resize(name.size() - 3);
    format = EndsWith(name, ".csv") || EndsWith(name, ".tsv") ? DataFormat::kCsv : DataFormat::kJsonLines;
  }
  Status s = format == DataFormat::kCsv ? ReadCsv(std::move(source), step_field, &log)
                                        : ReadJsonLines(*source, step_field, &log);
  if (!s.ok()) return s;
  for (auto& [name, series] : log.fields) {
    series.values.resize(static_cast<size_t>(log.steps), std::nan(""));
    series.present.resize(static_cast<size_t>(log.steps), 0);
  }
  if (log.steps == 0 && log.final_metrics.empty()) {
    return Status::Invalid(log.source_name + ": the training log has no steps and no metrics");
  }
  return log;
}

}  // namespace modelgate::gates
