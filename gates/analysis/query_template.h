// Query templating: the placeholders of spec.analysis.metrics[].query and sampleCountQuery.
//   {{variant}}    champion | canary | shadow
//   {{namespace}}  the ModelRollout's namespace
//   {{model}}      the candidate's spec.model
//   {{interval}}   spec.analysis.interval as Prometheus duration text ("1m", "90s")
// Placeholders are matched exactly (no spaces inside the braces). Anything else between "{{" and
// "}}", or a "{{" without "}}", is an error: a typo must not silently become a query for a label
// value such as "{{varaint}}" that matches nothing (and so looks like "no data").
#pragma once

#include <string>
#include <string_view>

#include "gates/common/status.h"

namespace modelgate::gates::analysis {

enum class Variant { kChampion, kCanary, kShadow };
const char* VariantName(Variant variant);  // "champion", "canary", "shadow"

struct TemplateValues {
  Variant variant = Variant::kCanary;
  std::string namespace_name;
  std::string model;
  std::string interval;  // Prometheus duration text, see PrometheusDuration()
};

// Returns the query with every placeholder replaced. On an unknown or unterminated placeholder
// returns kInvalidInput naming `field` (e.g. "spec.analysis.metrics[0].query") and the metric:
//   "spec.analysis.metrics[0].query: unknown placeholder {{varaint}} in metric \"error-rate\"
//    (known: {{variant}}, {{namespace}}, {{model}}, {{interval}})".
// Thread-safe (pure).
Result<std::string> RenderQuery(std::string_view query_template, const TemplateValues& values,
                                std::string_view field, std::string_view metric_name);

// Checks a template without rendering it: the same errors as RenderQuery, plus a missing
// {{variant}} when `require_variant`. OK otherwise.
Status CheckQueryTemplate(std::string_view query_template, bool require_variant,
                          std::string_view field, std::string_view metric_name);

}  // namespace modelgate::gates::analysis
