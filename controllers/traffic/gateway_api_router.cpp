#include "controllers/traffic/gateway_api_router.h"

#include "controllers/traffic/httproute_split.h"
#include "controllers/traffic/verified_write.h"

namespace modelgate::traffic {
namespace {

ObjectRef RouteRef(const RouteTarget& target) {
  return ObjectRef{&kube::resources::HTTPRoutes(), "HTTPRoute", target.ns, target.route_name};
}

kube::Status CheckTarget(const RouteTarget& target) {
  if (target.route_name.empty()) {
    return kube::Status(kube::StatusCode::kInvalid,
                        "spec.traffic.gatewayAPI.httpRoute: the HTTPRoute name is empty");
  }
  return kube::Status::Ok();
}

}  // namespace

kube::Status GatewayApiRouter::Apply(const RouteTarget& target, const TrafficSplit& split) const {
  if (kube::Status s = CheckTarget(target); !s.ok()) return s;
  return VerifiedWrite(client_, RouteRef(target),
                       [&](json& route, std::vector<std::string>& changes) {
                         return EditHttpRouteSplit(route, target, split, changes);
                       });
}

kube::Result<TrafficSplit> GatewayApiRouter::Observe(const RouteTarget& target) const {
  if (kube::Status s = CheckTarget(target); !s.ok()) return s;
  const ObjectRef ref = RouteRef(target);
  auto route = client_.Get(*ref.resource, ref.ns, ref.name);
  if (!route.ok()) return WithObject(ref, route.status());
  auto split = ReadHttpRouteSplit(*route, target);
  if (!split.ok()) return WithObject(ref, split.status());
  return split;
}

}  // namespace modelgate::traffic
