#include "gates/analysis/query_template.h"

#include <optional>

namespace modelgate::gates::analysis {
namespace {

constexpr std::string_view kKnown = "{{variant}}, {{namespace}}, {{model}}, {{interval}}";

std::string Prefix(std::string_view field) {
  return std::string(field) + ": ";
}

std::string InMetric(std::string_view metric_name) {
  return " in metric \"" + std::string(metric_name) + "\"";
}

// Walks the template; calls on_placeholder(name) for each "{{name}}" and on_text for the text
// between them. Returns an error for an unknown or unterminated placeholder.
template <typename OnText, typename OnPlaceholder>
Status Walk(std::string_view text, std::string_view field, std::string_view metric_name,
            OnText on_text, OnPlaceholder on_placeholder) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      on_text(text.substr(pos));
      break;
    }
    on_text(text.substr(pos, open - pos));
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return Status::Invalid(Prefix(field) + "unterminated placeholder \"" +
                             std::string(text.substr(open, 20)) + "\"" + InMetric(metric_name) +
                             " (known: " + std::string(kKnown) + ")");
    }
    const std::string_view name = text.substr(open + 2, close - open - 2);
    if (name != "variant" && name != "namespace" && name != "model" && name != "interval") {
      return Status::Invalid(Prefix(field) + "unknown placeholder {{" + std::string(name) +
                             "}}" + InMetric(metric_name) + " (known: " + std::string(kKnown) + ")");
    }
    on_placeholder(name);
    pos = close + 2;
  }
  return Status::Ok();
}

}  // namespace

const char* VariantName(Variant variant) {
  switch (variant) {
    case Variant::kChampion: return "champion";
    case Variant::kCanary: return "canary";
    case Variant::kShadow: return "shadow";
  }
  return "unknown";
}

Result<std::string> RenderQuery(std::string_view query_template, const TemplateValues& values,
                                std::string_view field, std::string_view metric_name) {
  std::string out;
  out.reserve(query_template.size() + 32);
  Status status = Walk(
      query_template, field, metric_name, [&](std::string_view text) { out.append(text); },
      [&](std::string_view name) {
        if (name == "variant") out.append(VariantName(values.variant));
        else if (name == "namespace") out.append(values.namespace_name);
        else if (name == "model") out.append(values.model);
        else out.append(values.interval);
      });
  if (!status.ok()) return status;
  return out;
}

Status CheckQueryTemplate(std::string_view query_template, bool require_variant,
                          std::string_view field, std::string_view metric_name) {
  bool has_variant = false;
  Status status = Walk(
      query_template, field, metric_name, [](std::string_view) {},
      [&](std::string_view name) { has_variant = has_variant || name == "variant"; });
  if (!status.ok()) return status;
  if (require_variant && !has_variant) {
    return Status::Invalid(Prefix(field) + "must contain {{variant}}" + InMetric(metric_name) +
                           ", otherwise challenger and champion are measured by the same series");
  }
  return Status::Ok();
}

}  // namespace modelgate::gates::analysis
