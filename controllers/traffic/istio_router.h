// IstioRouter: the TrafficRouter for spec.traffic.istio — writes the split into the
// VirtualService target.route_name in target.ns (networking.istio.io/v1), on the HTTP routes
// named in target.istio_routes or every HTTP route to the champion. What is written is described
// in virtualservice_split.h; how (read-modify-write, no write when unchanged, 409 retried, read
// back and compared) in verified_write.h. Supports mirroring (mirror + mirrorPercentage).
// Errors name "VirtualService <ns>/<name>". Thread-safe; the client must outlive the router.
#pragma once

#include <string>

#include "controllers/traffic/router.h"

namespace modelgate::traffic {

class IstioRouter : public TrafficRouter {
 public:
  explicit IstioRouter(const kube::Client& client) : client_(client) {}

  std::string kind() const override { return "istio"; }
  bool SupportsMirroring() const override { return true; }
  kube::Status Apply(const RouteTarget& target, const TrafficSplit& split) const override;
  kube::Result<TrafficSplit> Observe(const RouteTarget& target) const override;

 private:
  const kube::Client& client_;
};

}  // namespace modelgate::traffic
