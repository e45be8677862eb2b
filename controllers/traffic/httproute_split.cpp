#include "controllers/traffic/httproute_split.h"

#include <cmath>
#include <optional>

#include "controllers/traffic/verified_write.h"

namespace modelgate::traffic {
namespace {

using kube::Status;
using kube::StatusCode;

constexpr int kDefaultGatewayWeight = 1;  // HTTPBackendRef.weight default

// A backendRef (or a RequestMirror's backendRef) that points at Service `service` in `ns`.
bool RefersToService(const json& ref, const std::string& service, const std::string& ns) {
  if (!ref.is_object()) return false;
  auto text = [&](const char* key, const std::string& fallback) {
    auto it = ref.find(key);
    return it != ref.end() && it->is_string() ? it->get<std::string>() : fallback;
  };
  return text("name", "") == service && text("group", "").empty() &&
         text("kind", "Service") == "Service" && text("namespace", ns) == ns;
}

std::optional<size_t> FindRef(const json& refs, const std::string& service, const std::string& ns) {
  for (size_t i = 0; i < refs.size(); ++i) {
    if (RefersToService(refs[i], service, ns)) return i;
  }
  return std::nullopt;
}

bool IsOurMirror(const json& filter, const RouteTarget& target) {
  if (!filter.is_object() || filter.value("type", "") != "RequestMirror") return false;
  auto rm = filter.find("requestMirror");
  if (rm == filter.end() || !rm->is_object()) return false;
  auto ref = rm->find("backendRef");
  return ref != rm->end() && RefersToService(*ref, target.shadow_service, target.ns);
}

// The backendRef for `service`, shaped like the champion's (group/kind/namespace/port).
json RefLike(const json& champion, const std::string& service) {
  json ref = json::object();
  for (const char* key : {"group", "kind"}) {
    if (champion.contains(key)) ref[key] = champion[key];
  }
  ref["name"] = service;
  for (const char* key : {"namespace", "port"}) {
    if (champion.contains(key)) ref[key] = champion[key];
  }
  return ref;
}

void SetWeight(json& ref, int weight, const std::string& path, std::vector<std::string>& changes) {
  auto it = ref.find("weight");
  if (it != ref.end() && it->is_number_integer() && it->get<long long>() == weight) return;
  changes.push_back(path + ".weight: " + WantGot(weight, it == ref.end() ? nullptr : &*it));
  ref["weight"] = weight;
}

Status EditMirror(json& rule, const std::string& path, const RouteTarget& target, int percent,
                  const json& champion_ref, std::vector<std::string>& changes) {
  if (rule.contains("filters") && !rule["filters"].is_array()) {
    return Status(StatusCode::kInvalid, path + ".filters: expected a list");
  }
  if (percent == 0) {
    if (!rule.contains("filters")) return Status::Ok();
    json& filters = rule["filters"];
    for (size_t i = filters.size(); i-- > 0;) {
      if (IsOurMirror(filters[i], target)) {
        changes.push_back(path + ".filters[" + std::to_string(i) + "]: want no RequestMirror to " +
                          target.shadow_service + ", got " + filters[i].dump());
        filters.erase(i);
      }
    }
    if (filters.empty()) rule.erase("filters");
    return Status::Ok();
  }
  json& filters = rule["filters"];
  if (filters.is_null()) filters = json::array();
  std::optional<size_t> ours;
  for (size_t i = filters.size(); i-- > 0;) {
    if (!IsOurMirror(filters[i], target)) continue;
    if (ours) {  // a duplicate of ours: keep only the first one
      changes.push_back(path + ".filters[" + std::to_string(*ours) +
                        "]: want a single RequestMirror to " + target.shadow_service);
      filters.erase(*ours);
    }
    ours = i;
  }
  if (!ours) {
    json mirror_ref = RefLike(champion_ref, target.shadow_service);
    filters.push_back(json{{"type", "RequestMirror"},
                           {"requestMirror", {{"backendRef", mirror_ref}, {"percent", percent}}}});
    changes.push_back(path + ".filters: want a RequestMirror to " + target.shadow_service +
                      " with percent " + std::to_string(percent) + ", got none");
    return Status::Ok();
  }
  const std::string fpath = path + ".filters[" + std::to_string(*ours) + "].requestMirror";
  json& rm = filters[*ours]["requestMirror"];
  if (rm.contains("fraction")) {
    changes.push_back(fpath + ".fraction: want absent (percent is used), got " + rm["fraction"].dump());
    rm.erase("fraction");
  }
  auto it = rm.find("percent");
  if (it == rm.end() || !it->is_number_integer() || it->get<long long>() != percent) {
    changes.push_back(fpath + ".percent: " + WantGot(percent, it == rm.end() ? nullptr : &*it));
    rm["percent"] = percent;
  }
  return Status::Ok();
}

int MirrorPercentOf(const json& rm) {
  if (auto p = rm.find("percent"); p != rm.end() && p->is_number()) {
    return static_cast<int>(std::lround(p->get<double>()));
  }
  if (auto f = rm.find("fraction"); f != rm.end() && f->is_object()) {
    const double numerator = f->value("numerator", 0.0);
    const double denominator = f->value("denominator", 100.0);
    if (denominator > 0) return static_cast<int>(std::lround(numerator * 100.0 / denominator));
  }
  return 100;  // neither: the whole traffic is mirrored
}

Status CheckRules(const json& route, const json*& rules) {
  auto spec = route.find("spec");
  if (spec == route.end() || !spec->is_object()) {
    return Status(StatusCode::kInvalid, "spec: expected an object");
  }
  auto it = spec->find("rules");
  if (it == spec->end() || !it->is_array()) {
    return Status(StatusCode::kInvalid, "spec.rules: expected a list of rules");
  }
  rules = &*it;
  return Status::Ok();
}

Status NoManagedRule(const RouteTarget& target) {
  return Status(StatusCode::kInvalid,
                "spec.rules: no rule has a backendRef to Service " + target.champion_service +
                    " (the rollout's target.service); add it to the rule that serves the model");
}

}  // namespace

Status EditHttpRouteSplit(json& route, const RouteTarget& target, const TrafficSplit& split,
                          std::vector<std::string>& changes) {
  if (Status s = ValidateSplit(split.canary_weight, split.mirror_percent); !s.ok()) return s;
  const json* checked = nullptr;
  if (Status s = CheckRules(route, checked); !s.ok()) return s;
  json& rules = route["spec"]["rules"];
  bool managed_any = false;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string path = "spec.rules[" + std::to_string(i) + "]";
    json& rule = rules[i];
    if (!rule.is_object() || !rule.contains("backendRefs")) continue;
    json& refs = rule["backendRefs"];
    if (!refs.is_array()) return Status(StatusCode::kInvalid, path + ".backendRefs: expected a list");
    auto champion = FindRef(refs, target.champion_service, target.ns);
    if (!champion) continue;
    managed_any = true;
    auto canary = FindRef(refs, target.canary_service, target.ns);
    if (!canary) {
      refs.push_back(RefLike(refs[*champion], target.canary_service));
      canary = refs.size() - 1;
      changes.push_back(path + ".backendRefs: want a backendRef to " + target.canary_service +
                        ", got none");
    }
    SetWeight(refs[*champion], 100 - split.canary_weight,
              path + ".backendRefs[" + std::to_string(*champion) + "]", changes);
    SetWeight(refs[*canary], split.canary_weight,
              path + ".backendRefs[" + std::to_string(*canary) + "]", changes);
    const json champion_ref = refs[*champion];
    if (Status s = EditMirror(rule, path, target, split.mirror_percent, champion_ref, changes); !s.ok()) {
      return s;
    }
  }
  if (!managed_any) return NoManagedRule(target);
  return Status::Ok();
}

kube::Result<TrafficSplit> ReadHttpRouteSplit(const json& route, const RouteTarget& target) {
  const json* rules = nullptr;
  if (Status s = CheckRules(route, rules); !s.ok()) return s;
  for (size_t i = 0; i < rules->size(); ++i) {
    const json& rule = (*rules)[i];
    if (!rule.is_object()) continue;
    auto refs = rule.find("backendRefs");
    if (refs == rule.end() || !refs->is_array()) continue;
    auto champion = FindRef(*refs, target.champion_service, target.ns);
    if (!champion) continue;
    auto weight_of = [&](std::optional<size_t> index) -> double {
      if (!index) return 0;
      const json& ref = (*refs)[*index];
      auto w = ref.find("weight");
      return w != ref.end() && w->is_number() ? w->get<double>() : kDefaultGatewayWeight;
    };
    auto canary_percent = CanaryPercent(weight_of(champion),
                                        weight_of(FindRef(*refs, target.canary_service, target.ns)),
                                        "spec.rules[" + std::to_string(i) + "].backendRefs");
    if (!canary_percent.ok()) return canary_percent.status();
    TrafficSplit split{.canary_weight = *canary_percent, .mirror_percent = 0};
    if (auto filters = rule.find("filters"); filters != rule.end() && filters->is_array()) {
      for (const json& filter : *filters) {
        if (IsOurMirror(filter, target)) {
          split.mirror_percent = MirrorPercentOf(filter["requestMirror"]);
          break;
        }
      }
    }
    return split;
  }
  return NoManagedRule(target);
}

}  // namespace modelgate::traffic
