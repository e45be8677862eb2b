// Tests of operator/mlflow_registry_factory.h: credentials and CA come from the Secrets the spec
// names; a missing Secret, key or value is an error naming the Secret and the field.
#include "operator/mlflow_registry_factory.h"

#include <gtest/gtest.h>

#include "operator/kube/rest_config.h"
#include "tests/operator/kube/fake_transport.h"
#include "tests/operator/kube/test_files.h"

namespace modelgate {
namespace {

using kube::testing::ErrorResponse;
using kube::testing::FakeTransport;
using kube::testing::JsonResponse;
using nlohmann::json;

constexpr const char* kSecretPath = "/api/v1/namespaces/ml/secrets/mlflow-creds";

std::string B64(const std::string& text) { return kube::testing::EncodeBase64(text); }

class MlflowRegistryFactoryTest : public ::testing::Test {
 protected:
  kube::Result<std::shared_ptr<controllers::registry::ModelRegistry>> Make(const std::string& credentials,
                                                                           const std::string& ca = "") {
    controllers::registry::MlflowSpec spec;
    spec.tracking_uri = "http://127.0.0.1:16500";
    spec.registered_model = "fraud-detector";
    spec.version = "3";
    spec.credentials_secret = credentials;
    spec.ca_secret = ca;
    spec.ca_key = "ca.crt";
    auto factory = MakeMlflowRegistryFactory(client_, [this](const MlflowConfig& config) {
      made_ = config;
      return MakeMlflowRegistry(config, transport_);
    });
    return factory("ml", spec);
  }
  void Secret(const std::string& path, json data) {
    transport_->Respond("GET", path, {JsonResponse(200, {{"kind", "Secret"}, {"data", std::move(data)}})});
  }

  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  kube::Client client_{transport_};
  std::optional<MlflowConfig> made_;
};

TEST_F(MlflowRegistryFactoryTest, BasicAuthFromTheSecretWithoutTheTrailingLineFeed) {
  Secret(kSecretPath, {{"username", B64("modelgate\n")}, {"password", B64("s3cret\r\n")}});
  auto made = Make("mlflow-creds");
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  ASSERT_TRUE(made_);
  EXPECT_EQ(made_->username, "modelgate");
  EXPECT_EQ(made_->password, "s3cret");
  EXPECT_EQ(made_->token, "");
}

TEST_F(MlflowRegistryFactoryTest, ATokenAloneIsEnough) {
  Secret(kSecretPath, {{"token", B64("tok-1")}});
  ASSERT_TRUE(Make("mlflow-creds").ok());
  EXPECT_EQ(made_->token, "tok-1");
}

TEST_F(MlflowRegistryFactoryTest, NoCredentialsSecretMeansNoCredentials) {
  ASSERT_TRUE(Make("").ok());
  EXPECT_EQ(made_->username, "");
  EXPECT_TRUE(transport_->SentMatching("GET", "/api/v1/").empty()) << "no Secret is read";
}

TEST_F(MlflowRegistryFactoryTest, ASecretMissingItsKeysNamesTheSecretTheFieldAndTheKeysExpected) {
  for (const json& data : {json::object(), json{{"username", B64("modelgate")}}, json{{"password", B64("x")}},
                           json{{"username", B64("modelgate")}, {"password", B64("\n")}}}) {
    transport_ = std::make_shared<FakeTransport>();
    client_ = kube::Client(transport_);
    Secret(kSecretPath, data);
    auto made = Make("mlflow-creds");
    ASSERT_FALSE(made.ok()) << data.dump();
    EXPECT_EQ(made.status().code(), kube::StatusCode::kInvalid);
    EXPECT_EQ(made.status().message(),
              "Secret mlflow-creds (spec.registry.mlflow.credentialsSecretRef) needs non-empty keys username and "
              "password, or token")
        << data.dump();
  }
}

TEST_F(MlflowRegistryFactoryTest, AValueThatIsNotBase64IsNamedWithoutShowingIt) {
  Secret(kSecretPath, {{"username", B64("modelgate")}, {"password", "%%%not-base64"}});
  auto made = Make("mlflow-creds");
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().message(),
            "Secret mlflow-creds key password: not base64 (spec.registry.mlflow.credentialsSecretRef)");
}

TEST_F(MlflowRegistryFactoryTest, AMissingSecretNamesItAndTheField) {
  transport_->Respond("GET", kSecretPath, {ErrorResponse(404, "NotFound")});
  auto made = Make("mlflow-creds");
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), kube::StatusCode::kNotFound);
  EXPECT_EQ(made.status().message().rfind("Secret mlflow-creds (spec.registry.mlflow.credentialsSecretRef): ", 0), 0u)
      << made.status().message();
}

TEST_F(MlflowRegistryFactoryTest, ACaSecretWithoutTheKeyNamesTheKeyAndTheField) {
  Secret("/api/v1/namespaces/ml/secrets/mlflow-ca", {{"other", B64("x")}});
  auto made = Make("", "mlflow-ca");
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().message(), "Secret mlflow-ca has no key ca.crt (spec.registry.mlflow.caSecretRef)");
  EXPECT_FALSE(made_) << "no client is made";
}

}  // namespace
}  // namespace modelgate
