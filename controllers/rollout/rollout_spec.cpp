#include "controllers/rollout/rollout_spec.h"
#include "controllers/json_fields.h"

namespace modelgate::controllers::rollout {
namespace {

using gates::Status;
using nlohmann::json;

Status Expected(const std::string& field, const std::string& what, const json& got) {
  return Status::Invalid(field + ": expected " + what + ", got " + (got.is_null() ? "nothing" : got.dump()));
}

// A required (or defaulted when `fallback` is set) string field.
Status ReadString(const json& parent, const char* key, const std::string& field, std::string& out,
                  const char* fallback = nullptr) {
  const json& value = Child(parent, key);
  if (value.is_null() && fallback != nullptr) {
    out = fallback;
    return Status::Ok();
  }
  if (!value.is_string() || value.get<std::string>().empty()) return Expected(field, "a non-empty string", value);
  out = value.get<std::string>();
  return Status::Ok();
}

Status ReadDuration(const json& value, const std::string& field, Duration& out) {
  if (!value.is_string()) return Expected(field, "a duration such as 30s or 5m", value);
  const auto parsed = gates::analysis::ParseDuration(value.get<std::string>());
  if (!parsed || parsed->count() <= 0) return Expected(field, "a duration such as 30s or 5m", value);
  out = *parsed;
  return Status::Ok();
}

Status ReadPercent(const json& value, const std::string& field, int& out) {
  if (!value.is_number_integer() || value.get<long long>() < 1 || value.get<long long>() > 100) {
    return Expected(field, "an integer from 1 to 100", value);
  }
  out = value.get<int>();
  return Status::Ok();
}

Status ReadBool(const json& parent, const char* key, const std::string& field, bool& out) {
  const json& value = Child(parent, key);
  if (value.is_null()) return Status::Ok();
  if (!value.is_boolean()) return Expected(field, "true or false", value);
  out = value.get<bool>();
  return Status::Ok();
}

}  // namespace

gates::Result<RolloutSpec> ParseRolloutSpec(const json& spec) {
  RolloutSpec out;
  if (!spec.is_object()) return Expected("spec", "an object", spec);
  Status s = ReadString(Child(spec, "candidateRef"), "name", "spec.candidateRef.name", out.candidate);
  if (!s.ok()) return s;

  const json& target = Child(spec, "target");
  if (!(s = ReadString(target, "deployment", "spec.target.deployment", out.deployment)).ok()) return s;
  if (!(s = ReadString(target, "service", "spec.target.service", out.service)).ok()) return s;
  if (Child(target, "container").is_string()) out.container = Child(target, "container").get<std::string>();
  if (!(s = ReadString(target, "modelUriEnv", "spec.target.modelUriEnv", out.model_uri_env, "MODEL_URI")).ok()) {
    return s;
  }

  const json& traffic = Child(spec, "traffic");
  int providers = 0;
  if (!Child(traffic, "gatewayAPI").is_null()) {
    ++providers;
    out.traffic_kind = "gatewayAPI";
    if (!(s = ReadString(Child(traffic, "gatewayAPI"), "httpRoute", "spec.traffic.gatewayAPI.httpRoute",
                         out.route_name)).ok()) {
      return s;
    }
  }
  if (!Child(traffic, "istio").is_null()) {
    ++providers;
    out.traffic_kind = "istio";
    const json& istio = Child(traffic, "istio");
    if (!(s = ReadString(istio, "virtualService", "spec.traffic.istio.virtualService", out.route_name)).ok()) {
      return s;
    }
    const json& routes = Child(istio, "routes");
    if (routes.is_array()) {
      for (std::size_t i = 0; i < routes.size(); ++i) {
        if (!routes[i].is_string()) {
          return Expected("spec.traffic.istio.routes[" + std::to_string(i) + "]", "a route name", routes[i]);
        }
        out.istio_routes.push_back(routes[i].get<std::string>());
      }
    }
  }
  if (!Child(traffic, "replicas").is_null()) {
    ++providers;
    out.traffic_kind = "replicas";
  }
  if (providers != 1) {
    return Status::Invalid("spec.traffic: expected exactly one provider (gatewayAPI, istio or replicas), got " +
                           std::to_string(providers));
  }

  const json& shadow = Child(spec, "shadow");
  if (!shadow.is_null()) {
    ShadowSpec parsed;
    if (!(s = ReadPercent(Child(shadow, "percent"), "spec.shadow.percent", parsed.percent)).ok()) return s;
    if (!(s = ReadDuration(Child(shadow, "duration"), "spec.shadow.duration", parsed.duration)).ok()) return s;
    out.shadow = parsed;
  }

  const json& steps = Child(Child(spec, "canary"), "steps");
  if (!steps.is_array() || steps.empty() || steps.size() > 20) {
    return Expected("spec.canary.steps", "a list of 1 to 20 steps", steps);
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string field = "spec.canary.steps[" + std::to_string(i) + "]";
    CanaryStep step;
    if (!(s = ReadPercent(Child(steps[i], "weight"), field + ".weight", step.weight)).ok()) return s;
    if (!(s = ReadDuration(Child(steps[i], "soak"), field + ".soak", step.soak)).ok()) return s;
    if (!out.steps.empty() && step.weight <= out.steps.back().weight) {
      return Status::Invalid(field + ".weight: canary step weights must be strictly increasing, got " +
                             std::to_string(step.weight) + " after " + std::to_string(out.steps.back().weight));
    }
    out.steps.push_back(step);
  }

  if (!Child(spec, "progressDeadline").is_null()) {
    if (!(s = ReadDuration(Child(spec, "progressDeadline"), "spec.progressDeadline", out.progress_deadline)).ok()) {
      return s;
    }
  }
  const json& post = Child(spec, "postPromotion");
  if (!Child(post, "window").is_null()) {
    Duration window{0};
    if (!(s = ReadDuration(Child(post, "window"), "spec.postPromotion.window", window)).ok()) return s;
    out.post_promotion_window = window;
  }
  if (!Child(post, "scaleDownDelay").is_null()) {
    Duration delay{0};
    if (!(s = ReadDuration(Child(post, "scaleDownDelay"), "spec.postPromotion.scaleDownDelay", delay)).ok()) {
      return s;
    }
    out.scale_down_delay = delay;
  }
  if (!(s = ReadBool(spec, "paused", "spec.paused", out.paused)).ok()) return s;
  if (!(s = ReadBool(spec, "abort", "spec.abort", out.abort)).ok()) return s;

  if (!Child(spec, "analysis").is_object()) return Expected("spec.analysis", "an object", Child(spec, "analysis"));
  auto analysis = gates::analysis::ParseAnalysisSpec(Child(spec, "analysis"));
  if (!analysis.ok()) return analysis.status();
  out.analysis = std::move(analysis).value();
  for (std::size_t i = 0; i < out.steps.size(); ++i) {
    if (out.steps[i].soak < out.analysis.interval) {
      return Status::Invalid("spec.canary.steps[" + std::to_string(i) +
                             "].soak: must be at least analysis.interval, otherwise the step ends without a measurement");
    }
  }
  return out;
}

}  // namespace modelgate::controllers::rollout
