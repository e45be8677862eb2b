#include <gtest/gtest.h>

#include "controllers/traffic/router.h"
#include "tests/controllers/traffic/fake_object_server.h"

namespace modelgate::traffic {
namespace {

TEST(MakeTrafficRouterTest, KnowsTheThreeProvidersAndNothingElse) {
  testing::FakeObjectServer server;
  for (const std::string kind : {"gatewayAPI", "istio", "replicas"}) {
    auto router = MakeTrafficRouter(kind, server.client());
    ASSERT_NE(router, nullptr) << kind;
    EXPECT_EQ(router->kind(), kind);
    EXPECT_EQ(router->SupportsMirroring(), kind != "replicas");
  }
  EXPECT_EQ(MakeTrafficRouter("linkerd", server.client()), nullptr);
  EXPECT_EQ(MakeTrafficRouter("", server.client()), nullptr);
}

}  // namespace
}  // namespace modelgate::traffic
