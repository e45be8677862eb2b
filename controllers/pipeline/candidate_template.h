// The ModelPipeline's candidateTemplate: placeholders in its strings and their rendering.
//
// A template string may contain {{version}}, {{pipeline}}, {{model}}, {{triggerType}},
// {{scheduledTime}}, {{windowStart}} and {{windowEnd}} (spaces inside the braces are allowed:
// "{{ version }}"). Anything else between "{{" and "}}" is an error that names the field of the
// template ("spec.candidateTemplate.gates.data.dataset.uri") and suggests the nearest known name.
// Keys are never rendered, only string values. Pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace modelgate::controllers::pipeline {

// Placeholder name -> value, e.g. {"version", "45"}.
using TemplateValues = std::map<std::string, std::string>;

// The known placeholder names, in the order the docs list them.
const std::vector<std::string>& KnownPlaceholders();

// Renders every string of `tmpl` (a JSON value) with `values`. On an unknown or unterminated
// placeholder returns nullopt and sets `error` to a sentence naming the field (paths start at
// `path`, e.g. "spec.candidateTemplate"). A placeholder that is known but has no value in
// `values` renders as the empty string.
std::optional<nlohmann::json> RenderTemplate(const nlohmann::json& tmpl, const TemplateValues& values,
                                             const std::string& path, std::string* error);

}  // namespace modelgate::controllers::pipeline
