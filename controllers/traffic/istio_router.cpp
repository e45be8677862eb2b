#include "controllers/traffic/istio_router.h"

#include "controllers/traffic/verified_write.h"
#include "controllers/traffic/virtualservice_split.h"

namespace modelgate::traffic {
namespace {

ObjectRef VirtualServiceRef(const RouteTarget& target) {
  return ObjectRef{&kube::resources::VirtualServices(), "VirtualService", target.ns, target.route_name};
}

kube::Status CheckTarget(const RouteTarget& target) {
  if (target.route_name.empty()) {
    return kube::Status(kube::StatusCode::kInvalid,
                        "spec.traffic.istio.virtualService: the VirtualService name is empty");
  }
  return kube::Status::Ok();
}

}  // namespace

kube::Status IstioRouter::Apply(const RouteTarget& target, const TrafficSplit& split) const {
  if (kube::Status s = CheckTarget(target); !s.ok()) return s;
  return VerifiedWrite(client_, VirtualServiceRef(target),
                       [&](json& virtual_service, std::vector<std::string>& changes) {
                         return EditVirtualServiceSplit(virtual_service, target, split, changes);
                       });
}

kube::Result<TrafficSplit> IstioRouter::Observe(const RouteTarget& target) const {
  if (kube::Status s = CheckTarget(target); !s.ok()) return s;
  const ObjectRef ref = VirtualServiceRef(target);
  auto virtual_service = client_.Get(*ref.resource, ref.ns, ref.name);
  if (!virtual_service.ok()) return WithObject(ref, virtual_service.status());
  auto split = ReadVirtualServiceSplit(*virtual_service, target);
  if (!split.ok()) return WithObject(ref, split.status());
  return split;
}

}  // namespace modelgate::traffic
