#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "gates/cli/command.h"
#include "gates/cli/read_flags.h"
#include "gates/common/text.h"
#include "gates/data/data_gate.h"
#include "gates/data/row_skew.h"
#include "gates/policy/eval_policy.h"

namespace modelgate::gates {
namespace {

// Profiles a dataset, or reads a saved profile when the file is JSON with "kind":
// "modelgate-profile" (detected by the .json name).
Result<DatasetProfile> ProfileSource(const std::string& path, const ReadOptions& read,
                                     const ProfileOptions& options) {
  if (EndsWith(path, ".json")) {
    if (options.observer) return SavedProfileCannotJoin(path);
    auto text = ReadTextFile(path, "profile");
    if (!text.ok()) return text.status();
    return ProfileFromJson(*text, path);
  }
  auto reader = OpenRecordReader(path, read);
  if (!reader.ok()) return reader.status();
  return ProfileDataset(**reader, options);
}

}  // namespace

Result<CommandOutput> DataCommand(const CliArgs& args) {
  auto policy_path = args.Require("policy");
  if (!policy_path.ok()) return policy_path.status();
  auto data_path = args.Require("data");
  if (!data_path.ok()) return data_path.status();
  auto read = ReadOptionsFromFlags(args);
  if (!read.ok()) return read.status();
  auto max_rows = args.NonNegative("max-rows", 0);
  if (!max_rows.ok()) return max_rows.status();
  auto policy = LoadDataPolicy(*policy_path);
  if (!policy.ok()) return policy.status();
  ProfileOptions options = DataProfileOptions(*policy, *max_rows);
  const std::optional<std::string> serving_path = args.Get("serving");
  // Row-level skew: the serving sample is indexed in its profiling pass, then the data is joined
  // against it in its own (gates/data/row_skew.h), so each source is read once.
  std::unique_ptr<RowSkewJoin> join;
  if (policy->row_skew.configured && serving_path) join = std::make_unique<RowSkewJoin>(*policy);
  // The baseline is profiled on a second thread while the data is read (one pass each).
  std::optional<Result<DatasetProfile>> baseline_result;
  std::thread baseline_thread;
  if (auto path = args.Get("baseline")) {
    baseline_thread = std::thread([&, path = *path] { baseline_result = ProfileSource(path, *read, options); });
  }
  std::optional<Result<DatasetProfile>> serving_result;
  if (join) {
    ProfileOptions serving_options = options;
    serving_options.observer = &join->serving();
    serving_result = ProfileSource(*serving_path, *read, serving_options);
  }
  Result<DatasetProfile> current = Status::Invalid("not read");
  if (!serving_result || serving_result->ok()) {
    ProfileOptions data_options = options;
    if (join) data_options.observer = &join->training();
    auto reader = OpenRecordReader(*data_path, *read);
    current = reader.ok() ? ProfileDataset(**reader, data_options)
                          : Result<DatasetProfile>(reader.status());
  }
  if (baseline_thread.joinable()) baseline_thread.join();
  if (serving_result && !serving_result->ok()) return serving_result->status();
  if (!current.ok()) return current.status();
  std::optional<DatasetProfile> baseline, serving;
  if (baseline_result) {
    if (!baseline_result->ok()) return baseline_result->status();
    baseline = std::move(*baseline_result).value();
  }
  if (serving_result) {
    serving = std::move(*serving_result).value();
  } else if (serving_path) {
    auto p = ProfileSource(*serving_path, *read, options);
    if (!p.ok()) return p.status();
    serving = std::move(p).value();
  }
  std::optional<RowSkewResult> row_skew;
  if (join) row_skew = join->Finish();
  DataResult result = RunDataGate(*policy, *current, baseline ? &*baseline : nullptr,
                                  serving ? &*serving : nullptr, row_skew ? &*row_skew : nullptr);
  CommandOutput output;
  output.passed = result.passed;
  output.report = RenderDataReport(result, *policy_path, *data_path);
  output.text = RenderDataText(result, *policy_path, *data_path);
  return output;
}

Result<CommandOutput> ProfileCommand(const CliArgs& args) {
  auto data_path = args.Require("data");
  if (!data_path.ok()) return data_path.status();
  auto read = ReadOptionsFromFlags(args);
  if (!read.ok()) return read.status();
  auto max_rows = args.NonNegative("max-rows", 0);
  if (!max_rows.ok()) return max_rows.status();
  auto bins = args.NonNegative("bins", 10);
  if (!bins.ok()) return bins.status();
  if (*bins < 2 || *bins > 1000) {
    return Status(ErrorCode::kUsage, args.command() + ": --bins: expected 2..1000, got " + std::to_string(*bins));
  }
  ProfileOptions options;
  options.max_rows = *max_rows;
  options.bins = static_cast<int>(*bins);
  auto reader = OpenRecordReader(*data_path, *read);
  if (!reader.ok()) return reader.status();
  auto profile = ProfileDataset(**reader, options);
  if (!profile.ok()) return profile.status();
  CommandOutput output;
  output.passed = true;
  output.report = ProfileToJson(*profile);
  std::ostringstream text;
  text << "profile of " << *data_path << ": " << profile->rows << " rows, " << profile->column_order.size()
       << " columns\n";
  for (const auto& name : profile->column_order) {
    const auto& c = profile->columns.at(name);
    text << "  " << name << ": " << (c.kind == ColumnKind::kNumeric ? "numeric" : "categorical") << ", "
         << c.nulls << " nulls, " << c.distinct << (c.distinct_is_lower_bound ? "+" : "") << " distinct";
    if (c.kind == ColumnKind::kNumeric && !c.sorted_values.empty()) {
      text << ", min " << c.min << ", max " << c.max << ", mean " << c.mean;
    }
    text << "\n";
  }
  text << "(save it with --report FILE.json and pass it as --baseline to `modelgate gate data`)\n";
  output.text = text.str();
  return output;
}

}  // namespace modelgate::gates
