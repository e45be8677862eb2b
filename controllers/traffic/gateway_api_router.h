// GatewayApiRouter: the TrafficRouter for spec.traffic.gatewayAPI — writes the split into the
// HTTPRoute target.route_name in target.ns (gateway.networking.k8s.io/v1). What is written is
// described in httproute_split.h; how (read-modify-write, no write when unchanged, 409 retried,
// read back and compared) in verified_write.h. Supports mirroring (RequestMirror `percent`).
// Errors name "HTTPRoute <ns>/<name>". Thread-safe; the client must outlive the router.
#pragma once

#include <string>

#include "controllers/traffic/router.h"

namespace modelgate::traffic {

class GatewayApiRouter : public TrafficRouter {
 public:
  explicit GatewayApiRouter(const kube::Client& client) : client_(client) {}

  std::string kind() const override { return "gatewayAPI"; }
  bool SupportsMirroring() const override { return true; }
  kube::Status Apply(const RouteTarget& target, const TrafficSplit& split) const override;
  kube::Result<TrafficSplit> Observe(const RouteTarget& target) const override;

 private:
  const kube::Client& client_;
};

}  // namespace modelgate::traffic
