// MakeTrafficRouter (declared in router.h): the provider name of spec.traffic -> its router.
#include <memory>
#include <string>

#include "controllers/traffic/gateway_api_router.h"
#include "controllers/traffic/istio_router.h"
#include "controllers/traffic/replicas_router.h"
#include "controllers/traffic/router.h"

namespace modelgate::traffic {

std::unique_ptr<TrafficRouter> MakeTrafficRouter(const std::string& kind, const kube::Client& client) {
  if (kind == "gatewayAPI") return std::make_unique<GatewayApiRouter>(client);
  if (kind == "istio") return std::make_unique<IstioRouter>(client);
  if (kind == "replicas") return std::make_unique<ReplicasRouter>(client);
  return nullptr;
}

}  // namespace modelgate::traffic
