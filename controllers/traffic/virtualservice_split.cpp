#include "controllers/traffic/virtualservice_split.h"

#include <cmath>
#include <optional>

#include "controllers/traffic/verified_write.h"

namespace modelgate::traffic {
namespace {

using kube::Status;
using kube::StatusCode;

// "fraud" for "fraud", "fraud.ns.svc.cluster.local" and "fraud.ns".
std::string ServiceOfHost(const std::string& host) { return host.substr(0, host.find('.')); }

// The same host shape for another service: "fraud.ns.svc" -> "fraud-canary.ns.svc".
std::string HostLike(const std::string& champion_host, const std::string& service) {
  const auto dot = champion_host.find('.');
  return dot == std::string::npos ? service : service + champion_host.substr(dot);
}

std::string HostOf(const json& destination_holder, const char* key) {
  auto d = destination_holder.find(key);
  if (d == destination_holder.end() || !d->is_object()) return "";
  auto h = d->find("host");
  return h != d->end() && h->is_string() ? h->get<std::string>() : "";
}

std::optional<size_t> FindDestination(const json& route, const std::string& service) {
  if (!route.is_array()) return std::nullopt;
  for (size_t i = 0; i < route.size(); ++i) {
    if (!route[i].is_object()) continue;
    const std::string host = HostOf(route[i], "destination");
    if (!host.empty() && ServiceOfHost(host) == service) return i;
  }
  return std::nullopt;
}

const json* RouteList(const json& http_route) {
  auto it = http_route.find("route");
  return it != http_route.end() ? &*it : nullptr;
}

bool SendsToChampion(const json& http_route, const RouteTarget& target) {
  const json* route = RouteList(http_route);
  return route != nullptr && FindDestination(*route, target.champion_service).has_value();
}

std::string RouteLabel(const json& http_route, size_t index) {
  std::string label = "spec.http[" + std::to_string(index) + "]";
  if (http_route.is_object() && http_route.contains("name") && http_route["name"].is_string()) {
    label += " (" + http_route["name"].get<std::string>() + ")";
  }
  return label;
}

// Indices of the managed http routes, in order.
kube::Result<std::vector<size_t>> ManagedRoutes(const json& virtual_service, const RouteTarget& target) {
  auto spec = virtual_service.find("spec");
  if (spec == virtual_service.end() || !spec->is_object()) {
    return Status(StatusCode::kInvalid, "spec: expected an object");
  }
  auto http_it = spec->find("http");
  if (http_it == spec->end() || !http_it->is_array()) {
    return Status(StatusCode::kInvalid, "spec.http: expected a list of HTTP routes");
  }
  const json& http = *http_it;
  for (size_t i = 0; i < http.size(); ++i) {
    const json* route = http[i].is_object() ? RouteList(http[i]) : nullptr;
    if (route != nullptr && !route->is_array()) {
      return Status(StatusCode::kInvalid, "spec.http[" + std::to_string(i) + "].route: expected a list");
    }
  }
  std::vector<size_t> managed;
  if (target.istio_routes.empty()) {
    for (size_t i = 0; i < http.size(); ++i) {
      if (http[i].is_object() && SendsToChampion(http[i], target)) managed.push_back(i);
    }
    if (managed.empty()) {
      return Status(StatusCode::kInvalid,
                    "spec.http: no HTTP route has a destination host " + target.champion_service +
                        " (the rollout's target.service); add it, or name the routes in "
                        "spec.traffic.istio.routes");
    }
    return managed;
  }
  for (const std::string& name : target.istio_routes) {
    std::optional<size_t> found;
    for (size_t i = 0; i < http.size(); ++i) {
      if (http[i].is_object() && http[i].value("name", "") == name) {
        found = i;
        break;
      }
    }
    if (!found) {
      return Status(StatusCode::kInvalid,
                    "spec.http: no HTTP route is named \"" + name +
                        "\" (listed in the rollout's spec.traffic.istio.routes)");
    }
    if (!SendsToChampion(http[*found], target)) {
      return Status(StatusCode::kInvalid,
                    RouteLabel(http[*found], *found) + ".route: no destination host " +
                        target.champion_service + " (the rollout's target.service)");
    }
    managed.push_back(*found);
  }
  return managed;
}

void SetWeight(json& destination, int weight, const std::string& path, std::vector<std::string>& changes) {
  auto it = destination.find("weight");
  if (it != destination.end() && it->is_number_integer() && it->get<long long>() == weight) return;
  changes.push_back(path + ".weight: " + WantGot(weight, it == destination.end() ? nullptr : &*it));
  destination["weight"] = weight;
}

Status EditMirror(json& http_route, const std::string& path, const RouteTarget& target,
                  int percent, const json& champion_destination, std::vector<std::string>& changes) {
  const std::string mirror_host = HostOf(http_route, "mirror");
  const bool has_mirror = http_route.contains("mirror");
  const bool ours = has_mirror && ServiceOfHost(mirror_host) == target.shadow_service;
  if (percent == 0) {
    if (!ours) return Status::Ok();
    for (const char* key : {"mirror", "mirrorPercentage", "mirrorPercent", "mirror_percent"}) {
      if (http_route.contains(key)) {
        changes.push_back(path + "." + key + ": want absent, got " + http_route[key].dump());
        http_route.erase(key);
      }
    }
    return Status::Ok();
  }
  if (has_mirror && !ours) {
    return Status(StatusCode::kInvalid,
                  path + ".mirror: already mirrors to " + http_route["mirror"].dump() +
                      "; modelgate does not overwrite it: remove it to run a shadow through " +
                      target.shadow_service);
  }
  if (!has_mirror) {
    json mirror = {{"host", HostLike(champion_destination.value("host", ""), target.shadow_service)}};
    if (champion_destination.contains("port")) mirror["port"] = champion_destination["port"];
    changes.push_back(path + ".mirror: " + WantGot(mirror, nullptr));
    http_route["mirror"] = mirror;
  }
  const json want = {{"value", percent}};
  auto it = http_route.find("mirrorPercentage");
  const bool same = it != http_route.end() && it->is_object() && it->contains("value") &&
                    (*it)["value"].is_number() && (*it)["value"].get<double>() == percent;
  if (!same) {
    changes.push_back(path + ".mirrorPercentage: " +
                      WantGot(want, it == http_route.end() ? nullptr : &*it));
    http_route["mirrorPercentage"] = want;
  }
  for (const char* key : {"mirrorPercent", "mirror_percent"}) {  // deprecated; would disagree
    if (http_route.contains(key)) {
      changes.push_back(path + "." + key + ": want absent (mirrorPercentage is used), got " +
                        http_route[key].dump());
      http_route.erase(key);
    }
  }
  return Status::Ok();
}

}  // namespace

Status EditVirtualServiceSplit(json& virtual_service, const RouteTarget& target,
                               const TrafficSplit& split, std::vector<std::string>& changes) {
  if (Status s = ValidateSplit(split.canary_weight, split.mirror_percent); !s.ok()) return s;
  auto managed = ManagedRoutes(virtual_service, target);
  if (!managed.ok()) return managed.status();
  json& http = virtual_service["spec"]["http"];
  for (size_t index : *managed) {
    json& http_route = http[index];
    const std::string path = RouteLabel(http_route, index);
    json& route = http_route["route"];
    const size_t champion = *FindDestination(route, target.champion_service);
    auto canary = FindDestination(route, target.canary_service);
    if (!canary) {
      const json& champion_destination = route[champion]["destination"];
      json destination = {{"host", HostLike(champion_destination.value("host", ""), target.canary_service)}};
      for (const char* key : {"subset", "port"}) {
        if (champion_destination.contains(key)) destination[key] = champion_destination[key];
      }
      route.push_back(json{{"destination", destination}});
      canary = route.size() - 1;
      changes.push_back(path + ".route: want a destination " + destination["host"].get<std::string>() +
                        ", got none");
    }
    SetWeight(route[champion], 100 - split.canary_weight,
              path + ".route[" + std::to_string(champion) + "]", changes);
    SetWeight(route[*canary], split.canary_weight, path + ".route[" + std::to_string(*canary) + "]",
              changes);
    const json champion_destination = route[champion]["destination"];
    if (Status s = EditMirror(http_route, path, target, split.mirror_percent, champion_destination, changes);
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

kube::Result<TrafficSplit> ReadVirtualServiceSplit(const json& virtual_service, const RouteTarget& target) {
  auto managed = ManagedRoutes(virtual_service, target);
  if (!managed.ok()) return managed.status();
  const size_t index = managed->front();
  const json& http_route = virtual_service["spec"]["http"][index];
  const json& route = http_route["route"];
  auto weight_of = [&](std::optional<size_t> i) -> double {
    if (!i) return 0;
    auto w = route[*i].find("weight");
    if (w != route[*i].end() && w->is_number()) return w->get<double>();
    return route.size() == 1 ? 100 : 0;  // Istio: a single destination takes all traffic
  };
  auto canary_percent = CanaryPercent(weight_of(FindDestination(route, target.champion_service)),
                                      weight_of(FindDestination(route, target.canary_service)),
                                      RouteLabel(http_route, index) + ".route");
  if (!canary_percent.ok()) return canary_percent.status();
  TrafficSplit split{.canary_weight = *canary_percent, .mirror_percent = 0};
  if (http_route.contains("mirror") && ServiceOfHost(HostOf(http_route, "mirror")) == target.shadow_service) {
    double percent = 100;
    if (auto p = http_route.find("mirrorPercentage"); p != http_route.end() && p->is_object() &&
                                                      p->contains("value") && (*p)["value"].is_number()) {
      percent = (*p)["value"].get<double>();
    } else if (auto d = http_route.find("mirrorPercent"); d != http_route.end() && d->is_number()) {
      percent = d->get<double>();
    }
    split.mirror_percent = static_cast<int>(std::lround(percent));
  }
  return split;
}

}  // namespace modelgate::traffic
