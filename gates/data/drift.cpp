#include "gates/data/drift.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace modelgate::gates {
namespace {

constexpr double kPsiFloor = 1e-4;

std::vector<double> Shares(const std::vector<int64_t>& counts) {
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  std::vector<double> shares(counts.size(), 0);
  for (size_t i = 0; i < counts.size(); ++i) {
    shares[i] = total ? static_cast<double>(counts[i]) / static_cast<double>(total) : 0;
  }
  return shares;
}

}  // namespace

const char* DriftStatisticName(DriftStatistic s) {
  switch (s) {
    case DriftStatistic::kPsi: return "psi";
    case DriftStatistic::kKs: return "ks";
    case DriftStatistic::kJs: return "js";
    case DriftStatistic::kLinf: return "linf";
  }
  return "?";
}

const char* DriftUnit(DriftStatistic s) {
  switch (s) {
    case DriftStatistic::kPsi: return "nats (population stability index)";
    case DriftStatistic::kKs: return "probability (KS statistic D, max CDF gap)";
    case DriftStatistic::kJs: return "bits (Jensen-Shannon divergence, base 2)";
    case DriftStatistic::kLinf: return "probability (L-infinity, max share difference)";
  }
  return "?";
}

double PopulationStabilityIndex(const std::vector<double>& baseline, const std::vector<double>& current) {
  double psi = 0;
  for (size_t i = 0; i < baseline.size(); ++i) {
    double b = std::max(baseline[i], kPsiFloor), c = std::max(current[i], kPsiFloor);
    psi += (c - b) * std::log(c / b);
  }
  return psi;
}

double JensenShannonDivergence(const std::vector<double>& p, const std::vector<double>& q) {
  double js = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    double m = 0.5 * (p[i] + q[i]);
    if (p[i] > 0) js += 0.5 * p[i] * std::log2(p[i] / m);
    if (q[i] > 0) js += 0.5 * q[i] * std::log2(q[i] / m);
  }
  return std::min(1.0, std::max(0.0, js));
}

// Walk both sorted samples in value order; after each distinct value the two empirical CDFs are
// compared (ties advance both sides together, as scipy's ks_2samp does).
double KolmogorovSmirnov(const std::vector<double>& a, const std::vector<double>& b) {
  size_t i = 0, j = 0;
  double d = 0;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  while (i < a.size() || j < b.size()) {
    double v = j >= b.size() ? a[i] : i >= a.size() ? b[j] : std::min(a[i], b[j]);
    while (i < a.size() && a[i] == v) ++i;
    while (j < b.size() && b[j] == v) ++j;
    d = std::max(d, std::fabs(static_cast<double>(i) / na - static_cast<double>(j) / nb));
  }
  return d;
}

DriftValue ComputeDrift(DriftStatistic statistic, const ColumnProfile& baseline,
                        const ColumnProfile& current) {
  DriftValue out;
  if (baseline.kind != current.kind) {
    out.value = MetricValue::Undefined(std::string("the baseline column is ") +
                                       (baseline.kind == ColumnKind::kNumeric ? "numeric" : "categorical") +
                                       " but the current one is " +
                                       (current.kind == ColumnKind::kNumeric ? "numeric" : "categorical"));
    return out;
  }
  if (baseline.count - baseline.nulls == 0 || current.count - current.nulls == 0) {
    out.value = MetricValue::Undefined("no non-null values on one side");
    return out;
  }
  if (current.kind == ColumnKind::kNumeric) {
    if (statistic == DriftStatistic::kLinf) {
      out.value = MetricValue::Undefined("L-infinity applies to categorical columns");
      return out;
    }
    if (statistic == DriftStatistic::kKs) {
      if (!baseline.sorted_values.empty()) {
        out.value = MetricValue::Of(KolmogorovSmirnov(baseline.sorted_values, current.sorted_values));
        return out;
      }
      // Saved profile: compare the CDFs at the baseline's edges only.
      std::vector<int64_t> cur = BinCounts(current.sorted_values, baseline.edges);
      std::vector<double> b = Shares(baseline.bin_counts), c = Shares(cur);
      double fb = 0, fc = 0, d = 0;
      for (size_t i = 0; i + 1 < b.size(); ++i) {
        fb += b[i];
        fc += c[i];
        d = std::max(d, std::fabs(fb - fc));
      }
      out.value = MetricValue::Of(d);
      out.approximate = true;
      return out;
    }
    std::vector<double> b = Shares(baseline.bin_counts);
    std::vector<double> c = Shares(BinCounts(current.sorted_values, baseline.edges));
    out.value = MetricValue::Of(statistic == DriftStatistic::kPsi ? PopulationStabilityIndex(b, c)
                                                                  : JensenShannonDivergence(b, c));
    return out;
  }
  if (statistic == DriftStatistic::kKs) {
    out.value = MetricValue::Undefined("KS applies to numeric columns");
    return out;
  }
  if (baseline.distinct_is_lower_bound || current.distinct_is_lower_bound) {
    out.value = MetricValue::Undefined("more than " + std::to_string(kMaxTrackedCategories) +
                                       " distinct values; categorical drift is not computed");
    return out;
  }
  std::set<std::string> keys;
  for (const auto& [k, n] : baseline.category_counts) keys.insert(k);
  for (const auto& [k, n] : current.category_counts) keys.insert(k);
  std::vector<int64_t> bc, cc;
  std::vector<std::string> names(keys.begin(), keys.end());
  for (const auto& k : names) {
    auto b = baseline.category_counts.find(k);
    auto c = current.category_counts.find(k);
    bc.push_back(b == baseline.category_counts.end() ? 0 : b->second);
    cc.push_back(c == current.category_counts.end() ? 0 : c->second);
  }
  std::vector<double> b = Shares(bc), c = Shares(cc);
  size_t worst = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    if (std::fabs(b[i] - c[i]) > std::fabs(b[worst] - c[worst])) worst = i;
  }
  out.worst_value = names.empty() ? "" : names[worst];
  switch (statistic) {
    case DriftStatistic::kPsi: out.value = MetricValue::Of(PopulationStabilityIndex(b, c)); break;
    case DriftStatistic::kJs: out.value = MetricValue::Of(JensenShannonDivergence(b, c)); break;
    default: out.value = MetricValue::Of(names.empty() ? 0 : std::fabs(b[worst] - c[worst])); break;
  }
  return out;
}

}  // namespace modelgate::gates
