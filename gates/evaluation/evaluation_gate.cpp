#include "gates/evaluation/evaluation_gate.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "gates/evaluation/internal.h"
#include "gates/report/evaluation_report.h"

namespace modelgate::gates {
namespace {

std::optional<double> FromReport(const EvaluationOptions& options, const std::string& scope,
                                 const std::string& metric) {
  if (!options.champion_report) return std::nullopt;
  auto s = options.champion_report->by_scope.find(scope);
  if (s == options.champion_report->by_scope.end()) return std::nullopt;
  auto m = s->second.find(metric);
  if (m == s->second.end()) return std::nullopt;
  return m->second;
}

SliceOutcome EvaluateScope(const EvalPolicy& policy, const SlicePolicy& slice, const EvalData& data,
                           const std::vector<uint32_t>* rows, const EvaluationOptions& options) {
  SliceOutcome out;
  out.name = slice.name;
  out.filter = slice.filter ? slice.filter->text() : "";
  out.min_rows = slice.min_rows;
  internal::ScopeRows gathered;
  internal::Gather(data, rows, &gathered);
  out.rows = static_cast<int64_t>(gathered.size());
  const bool judge = out.rows >= slice.min_rows;
  for (const auto& rule : slice.metrics) {
    out.metrics.push_back(internal::EvaluateRule(policy, rule, data, gathered,
                                                 FromReport(options, slice.name, rule.name),
                                                 options.champion_report.has_value(), judge));
  }
  out.status = judge ? CheckStatus::kPassed : CheckStatus::kInconclusive;
  for (const auto& m : out.metrics) {
    if (m.status == CheckStatus::kFailed) {
      out.status = CheckStatus::kFailed;
    } else if (m.status == CheckStatus::kInconclusive && out.status != CheckStatus::kFailed) {
      out.status = CheckStatus::kInconclusive;
    } else if (m.status == CheckStatus::kNotImproved && out.status == CheckStatus::kPassed) {
      out.status = CheckStatus::kNotImproved;
    }
  }
  return out;
}

// Metrics whose cost is a sort of the scope's scores.
bool SortsScores(MetricId metric) {
  return metric == MetricId::kAucRoc || metric == MetricId::kAveragePrecision ||
         metric == MetricId::kPrecisionAtK || metric == MetricId::kRecallAtK;
}

EvalResult Judge(const EvalPolicy& policy, const EvalData& data, const EvaluationOptions& options) {
  EvalResult result;
  result.rows = data.rows;
  if (data.has_champion) {
    result.champion_source = "column " + policy.columns.champion_score;
    if (options.champion_report) {
      result.notes.push_back("the data has a " + policy.columns.champion_score +
                             " column, so the champion report " +
                             options.champion_report->source_name + " was not used");
    }
  } else if (options.champion_report) {
    result.champion_source = "report " + options.champion_report->source_name;
  }
  // Scopes are independent and read the data only: evaluate them on all cores (each exact AUC is
  // a sort of the scope's scores, the dominant cost on millions of rows).
  std::vector<SliceOutcome> evaluated(policy.slices.size() + 1);
  std::vector<BehavioralOutcome> behavioral(policy.behavioral_tests.size());
  const size_t tasks = evaluated.size() + behavioral.size();
  // Longest first, so that no core idles at the end while another runs the biggest task: a cost
  // is rows times the sorts a task does (exact AUC/AP/top-k sort the scope once per score column,
  // a directional test ranks two whole columns).
  std::vector<std::pair<double, size_t>> by_cost;
  for (size_t i = 0; i < tasks; ++i) {
    double cost = 1;
    if (i >= evaluated.size()) {
      const auto& test = policy.behavioral_tests[i - evaluated.size()];
      cost += static_cast<double>(data.rows) *
              (test.kind == BehavioralTest::Kind::kDirectional ? 6.0 : 0.2);
    } else {
      const SlicePolicy& slice = i == 0 ? policy.global : policy.slices[i - 1];
      const double rows = i == 0 ? static_cast<double>(data.rows)
                                 : static_cast<double>(data.slice_rows[i - 1].size());
      double sorts = 0.5;  // gathering the scope's rows
      for (const auto& rule : slice.metrics) {
        if (SortsScores(rule.metric)) sorts += data.has_champion ? 2 : 1;
      }
      cost += rows * sorts;
    }
    by_cost.emplace_back(-cost, i);
  }
  std::sort(by_cost.begin(), by_cost.end());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t n; (n = next.fetch_add(1)) < tasks;) {
      const size_t i = by_cost[n].second;
      if (i >= evaluated.size()) {
        size_t t = i - evaluated.size();
        behavioral[t] = internal::RunBehavioralTest(policy, policy.behavioral_tests[t], data);
      } else {
        evaluated[i] = i == 0 ? EvaluateScope(policy, policy.global, data, nullptr, options)
                              : EvaluateScope(policy, policy.slices[i - 1], data, &data.slice_rows[i - 1], options);
      }
    }
  };
  size_t threads = std::min<size_t>(tasks, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  result.global = std::move(evaluated[0]);
  for (size_t i = 1; i < evaluated.size(); ++i) result.slices.push_back(std::move(evaluated[i]));
  result.behavioral_tests = std::move(behavioral);

  bool failed = false, inconclusive = false, not_improved = false, skipped_champion = false;
  auto account = [&](CheckStatus s) {
    failed |= s == CheckStatus::kFailed;
    inconclusive |= s == CheckStatus::kInconclusive;
    not_improved |= s == CheckStatus::kNotImproved;
  };
  std::vector<const SliceOutcome*> scopes = {&result.global};
  for (const auto& s : result.slices) scopes.push_back(&s);
  for (const SliceOutcome* scope : scopes) {
    account(scope->status);
    internal::DescribeFailures(*scope, policy, &result.failures);
    for (const auto& m : scope->metrics) {
      for (const auto& c : m.checks) skipped_champion |= c.status == CheckStatus::kSkipped;
    }
  }
  for (const auto& t : result.behavioral_tests) {
    account(t.status);
    if (t.status != CheckStatus::kPassed) result.failures.push_back(internal::DescribeBehavioral(t));
  }
  if (policy.malformed_rows.count) {
    result.malformed_rows = data.malformed;
    result.malformed_row_policy = policy.malformed_rows;
    result.notes.push_back(MalformedRowsText(policy.malformed_rows, data.malformed, data.rows));
    if (auto failure = MalformedRowsFailure(policy.malformed_rows, data.malformed, data.rows)) {
      failed = true;
      result.failures.push_back(*failure);
    }
  }
  if (skipped_champion) {
    result.notes.push_back("champion comparisons were skipped: no " + policy.columns.champion_score +
                           " column and no champion report (set require_champion: true to block "
                           "instead)");
  }
  if (failed) {
    result.outcome = GateOutcome::kFailed;
  } else if (inconclusive && !policy.allow_inconclusive) {
    result.outcome = GateOutcome::kInconclusive;
  } else if (not_improved) {
    result.outcome = GateOutcome::kChampionRetained;
  } else {
    result.outcome = GateOutcome::kPassed;
    if (inconclusive) result.notes.push_back("inconclusive checks were allowed by allow_inconclusive");
  }
  result.passed = result.outcome == GateOutcome::kPassed;
  return result;
}

}  // namespace

Result<EvalResult> RunEvaluationGate(const EvalPolicy& policy, RecordReader& reader,
                                     const EvaluationOptions& options) {
  auto loaded = LoadEvalData(policy, reader, options.limits);
  if (!loaded.ok()) return loaded.status();
  return Judge(policy, *loaded, options);
}

Result<EvalResult> RunEvaluationGate(const EvalPolicy& policy, const std::string& location,
                                     const ReadOptions& read, const EvaluationOptions& options) {
  auto loaded = LoadEvalData(policy, location, read, options.limits);
  if (!loaded.ok()) return loaded.status();
  return Judge(policy, *loaded, options);
}

Result<EvaluationRun> EvaluateStream(const std::string& policy_yaml, std::istream& data,
                                     const EvaluationStreamOptions& options) {
  auto policy = ParseEvalPolicy(policy_yaml, options.policy_name);
  if (!policy.ok()) return policy.status();
  ReadOptions read;
  read.max_bytes = options.max_bytes;
  auto reader = OpenRecordReader(StreamByteSource(data, options.data_name), read);
  if (!reader.ok()) return reader.status();
  EvaluationOptions evaluation;
  evaluation.champion_report = options.champion_report;
  evaluation.limits.max_rows = options.max_rows;
  auto result = RunEvaluationGate(*policy, **reader, evaluation);
  if (!result.ok()) return result.status();
  EvaluationRun run;
  run.report = RenderEvaluationReport(*result, ReportContext{options.policy_name, options.data_name});
  run.result = std::move(result).value();
  return run;
}

}  // namespace modelgate::gates
