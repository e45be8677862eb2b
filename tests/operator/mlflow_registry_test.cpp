// MlflowRegistry: request shapes and answer mapping on a FakeTransport, with bodies recorded from
// MLflow 3.17.2 (research/mlflow-registry.md); then the same client against a REAL MLflow server
// (e2e/mlflow/up) when MODELGATE_MLFLOW_URL is set (and the basic-auth instance when
// MODELGATE_MLFLOW_AUTH_URL and MODELGATE_MLFLOW_AUTH_DIR are set); those tests are skipped,
// saying so, without a server.
#include "operator/mlflow_registry.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "operator/kube/cpprest_transport.h"
#include "tests/operator/kube/fake_transport.h"

namespace modelgate {
namespace {

using controllers::registry::ModelRegistry;
using controllers::registry::ModelVersion;
using controllers::registry::RegisteredModel;
using controllers::registry::RunInfo;
using kube::HttpRequest;
using kube::HttpResponse;
using kube::StatusCode;
using kube::testing::FakeTransport;
using kube::testing::JsonResponse;
using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kApi[] = "/api/2.0/mlflow/";

HttpResponse MlflowError(int status, const std::string& error_code, const std::string& message) {
  return JsonResponse(status, {{"error_code", error_code}, {"message", message}, {"sqlstate", "KAM00"},
                               {"error_class", error_code}});
}

HttpResponse TextResponse(int status, const std::string& body) { return HttpResponse{.status = status, .body = body}; }

std::string Api(const std::string& endpoint) { return kApi + endpoint; }

std::optional<std::string> Header(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

json Body(const HttpRequest& request) { return json::parse(request.body); }

class MlflowRegistryTest : public ::testing::Test {
 protected:
  std::unique_ptr<ModelRegistry> Make(MlflowConfig config = {.tracking_uri = "http://mlflow.mlops:5000"}) {
    auto made = MakeMlflowRegistry(config, fake_);
    EXPECT_TRUE(made.ok()) << made.status().message();
    return std::move(made).value();
  }
  HttpRequest OnlyRequest() const {
    auto sent = fake_->sent();
    EXPECT_EQ(sent.size(), 1u);
    return sent.empty() ? HttpRequest{} : sent.front();
  }

  std::shared_ptr<FakeTransport> fake_ = std::make_shared<FakeTransport>();
};

// --- configuration -------------------------------------------------------------------------------

TEST(MlflowRegistryConfig, RejectsATrackingUriThatIsNotHttpOrHttps) {
  auto made = MakeMlflowRegistry(MlflowConfig{.tracking_uri = "mlflow.mlops:5000"}, std::make_shared<FakeTransport>());
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(made.status().message(), HasSubstr("expected http(s)://host[:port][/prefix]"));
  EXPECT_FALSE(MakeMlflowRegistry(MlflowConfig{.tracking_uri = "ftp://x"}, std::make_shared<FakeTransport>()).ok());
  EXPECT_FALSE(MakeMlflowRegistry(MlflowConfig{.tracking_uri = "http://"}, std::make_shared<FakeTransport>()).ok());
  EXPECT_FALSE(MakeMlflowRegistry(MlflowConfig{.tracking_uri = "http://x/?a=b"}, std::make_shared<FakeTransport>()).ok());
}

TEST(MlflowRegistryConfig, RejectsCredentialsInTheTrackingUriWithoutEchoingThem) {
  auto made = MakeMlflowRegistry(MlflowConfig{.tracking_uri = "https://admin:hunter2-secret@mlflow:5000"},
                                 std::make_shared<FakeTransport>());
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(made.status().message(), AllOf(HasSubstr("credentials in the URI"), Not(HasSubstr("hunter2"))));
}

TEST(MlflowRegistryConfig, RejectsBasicAuthTogetherWithAToken) {
  auto made = MakeMlflowRegistry(
      MlflowConfig{.tracking_uri = "http://m", .username = "u", .password = "p", .token = "t"},
      std::make_shared<FakeTransport>());
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(made.status().message(), HasSubstr("use one"));
}

TEST(MlflowRegistryConfig, RejectsAUsernameWithoutAPasswordAndTheReverse) {
  auto no_password = MakeMlflowRegistry(MlflowConfig{.tracking_uri = "http://m", .username = "u"},
                                        std::make_shared<FakeTransport>());
  ASSERT_FALSE(no_password.ok());
  EXPECT_THAT(no_password.status().message(), HasSubstr("username without a password"));
  auto no_username = MakeMlflowRegistry(MlflowConfig{.tracking_uri = "http://m", .password = "secret-pw"},
                                        std::make_shared<FakeTransport>());
  ASSERT_FALSE(no_username.ok());
  EXPECT_THAT(no_username.status().message(), AllOf(HasSubstr("password without a username"), Not(HasSubstr("secret-pw"))));
}

TEST(MlflowRegistryConfig, ProductionFactoryRejectsACaThatIsNotPem) {
  auto made = MakeMlflowRegistry(MlflowConfig{.tracking_uri = "https://mlflow:5000", .ca_pem = "not a certificate"});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(made.status().message(), StartsWith("MLflow https://mlflow:5000"));
}

TEST_F(MlflowRegistryTest, KeepsTheTrackingUriPathAsAPrefixOfEveryRequest) {
  fake_->Respond("GET", "/mlflow/api/2.0/mlflow/registered-models/get", {JsonResponse(200, json::object())});
  auto registry = Make({.tracking_uri = "https://gateway/mlflow/"});
  ASSERT_TRUE(registry->GetRegisteredModel("m").ok());
  EXPECT_EQ(OnlyRequest().path, "/mlflow/api/2.0/mlflow/registered-models/get?name=m");
}

TEST_F(MlflowRegistryTest, SendsBasicAuthorizationWhenUsernameAndPasswordAreSet) {
  fake_->Respond("GET", Api("registered-models/get"), {JsonResponse(200, json::object())});
  auto registry = Make({.tracking_uri = "http://m", .username = "modelgate", .password = "s3cret!"});
  ASSERT_TRUE(registry->GetRegisteredModel("m").ok());
  EXPECT_EQ(Header(OnlyRequest(), "Authorization"), "Basic bW9kZWxnYXRlOnMzY3JldCE=");  // base64("modelgate:s3cret!")
}

TEST_F(MlflowRegistryTest, SendsBearerAuthorizationWhenATokenIsSet) {
  fake_->Respond("GET", Api("registered-models/get"), {JsonResponse(200, json::object())});
  auto registry = Make({.tracking_uri = "http://m", .token = "tok-123"});
  ASSERT_TRUE(registry->GetRegisteredModel("m").ok());
  EXPECT_EQ(Header(OnlyRequest(), "Authorization"), "Bearer tok-123");
}

TEST_F(MlflowRegistryTest, SendsNoAuthorizationWithoutCredentialsAndUsesTheConfiguredTimeout) {
  fake_->Respond("GET", Api("registered-models/get"), {JsonResponse(200, json::object())});
  auto registry = Make({.tracking_uri = "http://m", .timeout = std::chrono::milliseconds(1234)});
  ASSERT_TRUE(registry->GetRegisteredModel("m").ok());
  EXPECT_EQ(Header(OnlyRequest(), "Authorization"), std::nullopt);
  EXPECT_EQ(OnlyRequest().timeout, std::chrono::milliseconds(1234));
}

// --- registry requests and answers ---------------------------------------------------------------

TEST_F(MlflowRegistryTest, GetRegisteredModelUrlEncodesTheNameAndReadsAliasesAndTags) {
  fake_->Respond("GET", Api("registered-models/get"),
                 {JsonResponse(200, json::parse(R"({"registered_model":{"name":"it's a%b","creation_timestamp":1,
                   "latest_versions":[{"name":"it's a%b","version":"2","current_stage":"None"}],
                   "tags":[{"key":"team","value":"ops"}],
                   "aliases":[{"alias":"champion","version":"1"},{"alias":"challenger","version":"2"}]}})"))});
  auto registry = Make();
  auto model = registry->GetRegisteredModel("it's a%b/ü");
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(OnlyRequest().method, "GET");
  EXPECT_EQ(OnlyRequest().path, Api("registered-models/get") + "?name=it%27s%20a%25b%2F%C3%BC");
  EXPECT_EQ(OnlyRequest().body, "");
  EXPECT_EQ(model->name, "it's a%b");
  EXPECT_EQ(model->aliases, (std::map<std::string, std::string>{{"challenger", "2"}, {"champion", "1"}}));
  EXPECT_EQ(model->tags, (std::map<std::string, std::string>{{"team", "ops"}}));
}

TEST_F(MlflowRegistryTest, OmittedListsInAnAnswerAreEmpty) {
  fake_->Respond("GET", Api("registered-models/get"),
                 {JsonResponse(200, json::parse(R"({"registered_model":{"name":"m"}})"))});
  fake_->Respond("GET", Api("model-versions/get"),
                 {JsonResponse(200, json::parse(R"({"model_version":{"name":"m","version":"1"}})"))});
  auto registry = Make();
  auto model = registry->GetRegisteredModel("m");
  ASSERT_TRUE(model.ok());
  EXPECT_TRUE(model->aliases.empty());
  EXPECT_TRUE(model->tags.empty());
  auto version = registry->GetModelVersion("m", "1");
  ASSERT_TRUE(version.ok());
  EXPECT_TRUE(version->aliases.empty());
  EXPECT_TRUE(version->tags.empty());
}

TEST_F(MlflowRegistryTest, GetModelVersionSendsNameAndVersionAndReadsEveryField) {
  fake_->Respond("GET", Api("model-versions/get"),
                 {JsonResponse(200, json::parse(R"({"model_version":{"name":"fraud-detector","version":"3",
                   "creation_timestamp":1,"current_stage":"Staging","description":"","source":"s3://b/m3",
                   "run_id":"abc","status":"READY","run_link":"","tags":[{"key":"k8s.io/owner","value":"ns/c"}],
                   "aliases":["challenger"]}})"))});
  auto registry = Make();
  auto version = registry->GetModelVersion("fraud-detector", "3");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(OnlyRequest().path, Api("model-versions/get") + "?name=fraud-detector&version=3");
  EXPECT_EQ(version->name, "fraud-detector");
  EXPECT_EQ(version->version, "3");
  EXPECT_EQ(version->current_stage, "Staging");
  EXPECT_EQ(version->source, "s3://b/m3");
  EXPECT_EQ(version->run_id, "abc");
  EXPECT_EQ(version->status, "READY");
  EXPECT_THAT(version->aliases, ElementsAre("challenger"));
  EXPECT_EQ(version->tags.at("k8s.io/owner"), "ns/c");
}

TEST_F(MlflowRegistryTest, SetAliasPostsAJsonBodyWithTheVersionAsAString) {
  fake_->Respond("POST", Api("registered-models/alias"), {JsonResponse(200, json::object())});
  auto registry = Make();
  ASSERT_TRUE(registry->SetAlias("fraud-detector", "champion", "3").ok());
  const HttpRequest request = OnlyRequest();
  EXPECT_EQ(request.path, Api("registered-models/alias"));
  EXPECT_EQ(Header(request, "Content-Type"), "application/json");
  EXPECT_EQ(Body(request), json::parse(R"({"name":"fraud-detector","alias":"champion","version":"3"})"));
  EXPECT_TRUE(Body(request)["version"].is_string());
}

TEST_F(MlflowRegistryTest, DeleteAliasSendsAJsonBodyNotQueryParameters) {
  fake_->Respond("DELETE", Api("registered-models/alias"), {JsonResponse(200, json::object())});
  auto registry = Make();
  ASSERT_TRUE(registry->DeleteAlias("fraud-detector", "champion").ok());
  const HttpRequest request = OnlyRequest();
  EXPECT_EQ(request.method, "DELETE");
  EXPECT_EQ(request.path, Api("registered-models/alias"));
  EXPECT_EQ(Body(request), json::parse(R"({"name":"fraud-detector","alias":"champion"})"));
}

TEST_F(MlflowRegistryTest, DeleteAliasOfAnAbsentAliasIsOk) {
  fake_->Respond("DELETE", Api("registered-models/alias"),
                 {MlflowError(400, "INVALID_PARAMETER_VALUE", "Registered model alias champion not found.")});
  EXPECT_TRUE(Make()->DeleteAlias("fraud-detector", "champion").ok());
}

TEST_F(MlflowRegistryTest, DeleteAliasOfAnUnknownModelIsNotFound) {
  fake_->Respond("DELETE", Api("registered-models/alias"),
                 {MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Registered Model with name=nope not found")});
  kube::Status status = Make()->DeleteAlias("nope", "champion");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_THAT(status.message(), StartsWith("MLflow 404 RESOURCE_DOES_NOT_EXIST: Registered Model with name=nope"));
}

TEST_F(MlflowRegistryTest, SetModelVersionTagPostsNameVersionKeyAndValue) {
  fake_->Respond("POST", Api("model-versions/set-tag"), {JsonResponse(200, json::object())});
  ASSERT_TRUE(Make()->SetModelVersionTag("m", "2", "modelgate.io/decision", "promoted").ok());
  EXPECT_EQ(Body(OnlyRequest()),
            json::parse(R"({"name":"m","version":"2","key":"modelgate.io/decision","value":"promoted"})"));
}

TEST_F(MlflowRegistryTest, TransitionStageNeverArchivesOtherVersionsAndSendsARealBoolean) {
  fake_->Respond("POST", Api("model-versions/transition-stage"),
                 {JsonResponse(200, json::parse(R"({"model_version":{"name":"m","version":"2","current_stage":"Production"}})"))});
  ASSERT_TRUE(Make()->TransitionStage("m", "2", "Production").ok());
  const json body = Body(OnlyRequest());
  EXPECT_EQ(body, json::parse(R"({"name":"m","version":"2","stage":"Production","archive_existing_versions":false})"));
  EXPECT_TRUE(body["archive_existing_versions"].is_boolean());
}

// --- error mapping --------------------------------------------------------------------------------

TEST_F(MlflowRegistryTest, UnknownVersionIsNotFoundWithMlflowsCodeAndMessage) {
  fake_->Respond("GET", Api("model-versions/get"),
                 {MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Model Version (name=fraud-detector, version=99) not found")});
  auto version = Make()->GetModelVersion("fraud-detector", "99");
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(version.status().http_status(), 404);
  EXPECT_EQ(version.status().message(),
            "MLflow 404 RESOURCE_DOES_NOT_EXIST: Model Version (name=fraud-detector, version=99) not found "
            "[GET /api/2.0/mlflow/model-versions/get]");
}

TEST(MlflowStatusFromResponse, UnknownAliasIsNotFoundAlthoughMlflowAnswers400) {
  kube::Status status = MlflowStatusFromResponse(
      400, R"({"error_code":"INVALID_PARAMETER_VALUE","message":"Registered model alias champion not found."})");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "MLflow 400 INVALID_PARAMETER_VALUE: Registered model alias champion not found.");
}

TEST(MlflowStatusFromResponse, OtherInvalidParameterValuesAreInvalid) {
  kube::Status status = MlflowStatusFromResponse(
      400, R"({"error_code":"INVALID_PARAMETER_VALUE","message":"Invalid Model Version stage: Prod. Value must be one of None, Staging, Production, Archived."})");
  EXPECT_EQ(status.code(), StatusCode::kInvalid);
  EXPECT_THAT(status.message(), StartsWith("MLflow 400 INVALID_PARAMETER_VALUE: Invalid Model Version stage: Prod."));
}

TEST(MlflowStatusFromResponse, AlreadyExistsIsAlreadyExists) {
  EXPECT_EQ(MlflowStatusFromResponse(400, R"({"error_code":"RESOURCE_ALREADY_EXISTS","message":"Experiment(name=x) already exists."})")
                .code(),
            StatusCode::kAlreadyExists);
}

TEST(MlflowStatusFromResponse, BasicAuthsHtml401IsUnauthorizedWithTheStartOfTheBody) {
  kube::Status status = MlflowStatusFromResponse(
      401, "You are not authenticated. Please see\nhttps://www.mlflow.org/docs/latest/auth/index.html on how to authenticate.");
  EXPECT_EQ(status.code(), StatusCode::kUnauthorized);
  EXPECT_EQ(status.message(),
            "MLflow 401: You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html on how "
            "to authenticate.");
}

TEST(MlflowStatusFromResponse, PermissionDenied403IsForbidden) {
  kube::Status status = MlflowStatusFromResponse(403, "Permission denied");
  EXPECT_EQ(status.code(), StatusCode::kForbidden);
  EXPECT_EQ(status.message(), "MLflow 403: Permission denied");
}

TEST(MlflowStatusFromResponse, A429IsTooManyRequestsAndKeepsRetryAfter) {
  kube::Status status = MlflowStatusFromResponse(429, "slow down", "7");
  EXPECT_EQ(status.code(), StatusCode::kTooManyRequests);
  EXPECT_EQ(status.retry_after(), std::chrono::seconds(7));
  EXPECT_TRUE(status.retryable());
}

TEST(MlflowStatusFromResponse, ServerErrorsAreUnavailableAndCutTheHtmlPageTo200Bytes) {
  const std::string page = "<!doctype html><title>500 Internal Server Error</title>" + std::string(1000, 'x');
  kube::Status status = MlflowStatusFromResponse(500, page);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), StartsWith("MLflow 500: <!doctype html><title>500 Internal Server Error</title>xxx"));
  EXPECT_LE(status.message().size(), std::string("MLflow 500: ").size() + 200 + 3);
  EXPECT_EQ(MlflowStatusFromResponse(503, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(MlflowStatusFromResponse(502, "Bad Gateway").code(), StatusCode::kUnavailable);
}

TEST(MlflowStatusFromResponse, MethodNotAllowedIsInvalid) {
  kube::Status status = MlflowStatusFromResponse(405, "<!doctype html><title>405 Method Not Allowed</title>");
  EXPECT_EQ(status.code(), StatusCode::kInvalid);
  EXPECT_THAT(status.message(), StartsWith("MLflow 405: <!doctype html>"));
}

TEST(MlflowStatusFromResponse, AnHtml404IsAWrongRouteNotAMissingResource) {
  kube::Status status = MlflowStatusFromResponse(404, "<!doctype html><title>404 Not Found</title>");
  EXPECT_EQ(status.code(), StatusCode::kInvalid);
  EXPECT_THAT(status.message(), HasSubstr("is the tracking URI, including its path prefix, right?"));
}

TEST_F(MlflowRegistryTest, ConnectionRefusedIsUnavailableAndTimeoutIsTimeout) {
  fake_->Respond("GET", Api("registered-models/get"),
                 {kube::Status(StatusCode::kUnavailable, "GET /api/2.0/mlflow/registered-models/get?name=m: Connection refused"),
                  kube::Status(StatusCode::kTimeout, "GET /api/2.0/mlflow/registered-models/get?name=m: no answer within 10000 ms")});
  auto registry = Make();
  auto refused = registry->GetRegisteredModel("m");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), AllOf(StartsWith("MLflow GET "), HasSubstr("Connection refused")));
  auto timed_out = registry->GetRegisteredModel("m");
  EXPECT_EQ(timed_out.status().code(), StatusCode::kTimeout);
  EXPECT_THAT(timed_out.status().message(), StartsWith("MLflow "));
}

TEST_F(MlflowRegistryTest, A401NeverCarriesTheCredentials) {
  fake_->Respond("POST", Api("registered-models/alias"), {TextResponse(401, "You are not authenticated.")});
  auto registry = Make({.tracking_uri = "http://m", .username = "modelgate", .password = "very-secret-pw"});
  kube::Status status = registry->SetAlias("m", "champion", "1");
  EXPECT_EQ(status.code(), StatusCode::kUnauthorized);
  EXPECT_EQ(status.message(), "MLflow 401: You are not authenticated. [POST /api/2.0/mlflow/registered-models/alias]");
  EXPECT_THAT(status.message(), AllOf(Not(HasSubstr("very-secret-pw")), Not(HasSubstr("bW9kZWxnYXRl"))));
}

TEST_F(MlflowRegistryTest, ASuccessfulAnswerThatIsNotJsonIsInternal) {
  fake_->Respond("GET", Api("registered-models/get"), {TextResponse(200, "<html>MLflow UI</html>")});
  auto model = Make()->GetRegisteredModel("m");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kInternal);
  EXPECT_THAT(model.status().message(), HasSubstr("not a JSON object: <html>MLflow UI</html>"));
}

// --- experiments and runs -------------------------------------------------------------------------

const char kRunJson[] = R"({"info":{"run_uuid":"r1","experiment_id":"2","run_name":"audit","user_id":"",
  "status":"RUNNING","start_time":1700000000000,"artifact_uri":"mlflow-artifacts:/2/r1/artifacts",
  "lifecycle_stage":"active","run_id":"r1"},
  "data":{"metrics":[{"key":"auc","value":0.91,"timestamp":1,"step":0},{"key":"gap","value":"NaN","timestamp":1,"step":0}],
          "params":[{"key":"threshold","value":"0.5"}],
          "tags":[{"key":"mlflow.runName","value":"audit"},{"key":"modelgate.io/decision-id","value":"d-1"}]},
  "inputs":{}})";

json RunWithId(const std::string& id, int64_t start) {
  json run = json::parse(kRunJson);
  run["info"]["run_id"] = id;
  run["info"]["run_uuid"] = id;
  run["info"]["start_time"] = start;
  return run;
}

TEST_F(MlflowRegistryTest, GetOrCreateExperimentReturnsAnExistingExperimentWithoutCreating) {
  fake_->Respond("GET", Api("experiments/get-by-name"),
                 {JsonResponse(200, json::parse(R"({"experiment":{"experiment_id":"4","name":"modelgate/fraud",
                   "artifact_location":"mlflow-artifacts:/4","lifecycle_stage":"active"}})"))});
  auto id = Make()->GetOrCreateExperiment("modelgate/fraud");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "4");
  EXPECT_EQ(OnlyRequest().path, Api("experiments/get-by-name") + "?experiment_name=modelgate%2Ffraud");
}

TEST_F(MlflowRegistryTest, GetOrCreateExperimentCreatesAnAbsentOneWithTheServersArtifactLocation) {
  fake_->Respond("GET", Api("experiments/get-by-name"),
                 {MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name 'x'")});
  fake_->Respond("POST", Api("experiments/create"), {JsonResponse(200, {{"experiment_id", "7"}})});
  auto id = Make()->GetOrCreateExperiment("x");
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, "7");
  auto creates = fake_->SentMatching("POST", Api("experiments/create"));
  ASSERT_EQ(creates.size(), 1u);
  EXPECT_EQ(Body(creates[0]), json::parse(R"({"name":"x"})"));
}

TEST_F(MlflowRegistryTest, GetOrCreateExperimentReadsAgainWhenACreateRacedIt) {
  fake_->Respond("GET", Api("experiments/get-by-name"),
                 {MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name 'x'"),
                  JsonResponse(200, json::parse(R"({"experiment":{"experiment_id":"8","lifecycle_stage":"active"}})"))});
  fake_->Respond("POST", Api("experiments/create"),
                 {MlflowError(400, "RESOURCE_ALREADY_EXISTS", "Experiment(name=x) already exists. Error: (sqlite3.IntegrityError)")});
  auto id = Make()->GetOrCreateExperiment("x");
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, "8");
  EXPECT_EQ(fake_->SentMatching("GET", Api("experiments/get-by-name")).size(), 2u);
}

TEST_F(MlflowRegistryTest, GetOrCreateExperimentRefusesADeletedExperimentAndSaysHowToRestoreIt) {
  fake_->Respond("GET", Api("experiments/get-by-name"),
                 {JsonResponse(200, json::parse(R"({"experiment":{"experiment_id":"3","lifecycle_stage":"deleted"}})"))});
  auto id = Make()->GetOrCreateExperiment("x");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(id.status().message(), HasSubstr("is deleted"));
  EXPECT_THAT(id.status().message(), HasSubstr("restore --experiment-id 3"));
  EXPECT_TRUE(fake_->SentMatching("POST", Api("experiments/create")).empty());
}

TEST_F(MlflowRegistryTest, CreateRunSendsNameStartTimeAndTagsAndReadsTheRun) {
  fake_->Respond("POST", Api("runs/create"), {JsonResponse(200, {{"run", json::parse(kRunJson)}})});
  auto run = Make()->CreateRun("2", "audit", {{"modelgate.io/decision-id", "d-1"}}, 1700000000000);
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(Body(OnlyRequest()), json::parse(R"({"experiment_id":"2","run_name":"audit","start_time":1700000000000,
                                       "tags":[{"key":"modelgate.io/decision-id","value":"d-1"}]})"));
  EXPECT_EQ(run->run_id, "r1");
  EXPECT_EQ(run->run_name, "audit");
  EXPECT_EQ(run->status, "RUNNING");
  EXPECT_EQ(run->experiment_id, "2");
  EXPECT_EQ(run->artifact_uri, "mlflow-artifacts:/2/r1/artifacts");
  EXPECT_EQ(run->start_time_ms, 1700000000000);
  EXPECT_EQ(run->tags.at("modelgate.io/decision-id"), "d-1");
  EXPECT_EQ(run->params.at("threshold"), "0.5");
  EXPECT_DOUBLE_EQ(run->metrics.at("auc"), 0.91);
  EXPECT_TRUE(std::isnan(run->metrics.at("gap")));
}

TEST_F(MlflowRegistryTest, LogBatchSendsParamsMetricsAtTheTimestampAndTags) {
  fake_->Respond("POST", Api("runs/log-batch"), {JsonResponse(200, json::object())});
  ASSERT_TRUE(Make()->LogBatch("r1", {{"threshold", "0.5"}},
                               {{"auc", 0.91}, {"gap", std::nan("")}, {"inf", INFINITY}},
                               {{"decision", "promote"}}, 1700000000123)
                  .ok());
  EXPECT_EQ(Body(OnlyRequest()), json::parse(R"({"run_id":"r1",
    "params":[{"key":"threshold","value":"0.5"}],
    "metrics":[{"key":"auc","value":0.91,"timestamp":1700000000123,"step":0},
               {"key":"gap","value":"NaN","timestamp":1700000000123,"step":0},
               {"key":"inf","value":"Infinity","timestamp":1700000000123,"step":0}],
    "tags":[{"key":"decision","value":"promote"}]})"));
}

TEST_F(MlflowRegistryTest, LogBatchWithAChangedParamValueIsInvalidAndNamesTheParam) {
  fake_->Respond("POST", Api("runs/log-batch"),
                 {MlflowError(400, "INVALID_PARAMETER_VALUE",
                              "Changing param values is not allowed. Params were already logged='[{'key': 'threshold', "
                              "'old_value': '0.5', 'new_value': '0.7'}]' for run ID='r1'.")});
  kube::Status status = Make()->LogBatch("r1", {{"threshold", "0.7"}}, {}, {}, 1);
  EXPECT_EQ(status.code(), StatusCode::kInvalid);
  EXPECT_THAT(status.message(), AllOf(StartsWith("MLflow 400 INVALID_PARAMETER_VALUE: Changing param values is not allowed"),
                                      HasSubstr("'old_value': '0.5', 'new_value': '0.7'")));
}

TEST_F(MlflowRegistryTest, LogBatchSplitsAtMlflowsBatchLimits) {
  fake_->Respond("POST", Api("runs/log-batch"), {JsonResponse(200, json::object())});
  std::map<std::string, std::string> params, tags;
  std::map<std::string, double> metrics;
  for (int i = 0; i < 250; ++i) params["p" + std::to_string(1000 + i)] = "v";
  for (int i = 0; i < 120; ++i) tags["t" + std::to_string(1000 + i)] = "v";
  for (int i = 0; i < 1500; ++i) metrics["m" + std::to_string(10000 + i)] = i;
  ASSERT_TRUE(Make()->LogBatch("r1", params, metrics, tags, 1).ok());
  size_t sent_params = 0, sent_tags = 0, sent_metrics = 0;
  for (const HttpRequest& request : fake_->sent()) {
    const json body = Body(request);
    const size_t p = body.value("params", json::array()).size(), t = body.value("tags", json::array()).size(),
                 m = body.value("metrics", json::array()).size();
    EXPECT_LE(p, 100u);
    EXPECT_LE(t, 100u);
    EXPECT_LE(p + t + m, 1000u);
    sent_params += p;
    sent_tags += t;
    sent_metrics += m;
  }
  EXPECT_EQ(sent_params, 250u);
  EXPECT_EQ(sent_tags, 120u);
  EXPECT_EQ(sent_metrics, 1500u);
  EXPECT_EQ(fake_->sent().size(), 3u);
}

TEST_F(MlflowRegistryTest, LogBatchWithNothingToLogSendsNothing) {
  EXPECT_TRUE(Make()->LogBatch("r1", {}, {}, {}, 1).ok());
  EXPECT_TRUE(fake_->sent().empty());
}

TEST_F(MlflowRegistryTest, SearchRunsFollowsNextPageTokenOldestFirst) {
  fake_->Respond("POST", Api("runs/search"),
                 {JsonResponse(200, {{"runs", {RunWithId("a", 1), RunWithId("b", 2)}}, {"next_page_token", "eyJvZmZzZXQiOiAyfQ=="}}),
                  JsonResponse(200, {{"runs", {RunWithId("b", 2), RunWithId("c", 3)}}})});
  auto runs = Make()->SearchRuns("2", "tags.`x` = 'y'", 10);
  ASSERT_TRUE(runs.ok()) << runs.status().message();
  ASSERT_EQ(runs->size(), 3u);  // "b" repeated by offset paging is kept once
  EXPECT_EQ((*runs)[0].run_id, "a");
  EXPECT_EQ((*runs)[1].run_id, "b");
  EXPECT_EQ((*runs)[2].run_id, "c");
  auto sent = fake_->sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(Body(sent[0]), json::parse(R"({"experiment_ids":["2"],"filter":"tags.`x` = 'y'","run_view_type":"ACTIVE_ONLY",
                                  "max_results":10,"order_by":["attributes.start_time ASC"]})"));
  EXPECT_EQ(Body(sent[1])["page_token"], "eyJvZmZzZXQiOiAyfQ==");
  EXPECT_EQ(Body(sent[1])["max_results"], 8);
}

TEST_F(MlflowRegistryTest, SearchRunsStopsAtMaxResults) {
  fake_->Respond("POST", Api("runs/search"),
                 {JsonResponse(200, {{"runs", {RunWithId("a", 1), RunWithId("b", 2)}}, {"next_page_token", "t"}})});
  auto runs = Make()->SearchRuns("2", "", 2);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 2u);
  EXPECT_EQ(fake_->sent().size(), 1u);
  EXPECT_FALSE(Body(fake_->sent()[0]).contains("filter"));
}

TEST_F(MlflowRegistryTest, SearchRunsWithNoHitsIsEmpty) {
  fake_->Respond("POST", Api("runs/search"), {JsonResponse(200, json::object())});
  auto runs = Make()->SearchRuns("2", "", 5);
  ASSERT_TRUE(runs.ok());
  EXPECT_TRUE(runs->empty());
}

TEST_F(MlflowRegistryTest, SearchRunsRejectsMaxResultsBelowOne) {
  auto runs = Make()->SearchRuns("2", "", 0);
  EXPECT_EQ(runs.status().code(), StatusCode::kInvalid);
  EXPECT_TRUE(fake_->sent().empty());
}

TEST_F(MlflowRegistryTest, FindRunByTagSearchesWithABacktickedKeyAndReturnsTheOldestRun) {
  fake_->Respond("POST", Api("runs/search"), {JsonResponse(200, {{"runs", {RunWithId("a", 1)}}, {"next_page_token", "t"}})});
  auto run = Make()->FindRunByTag("2", "modelgate.io/decision-id", "d-1");
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(run->has_value());
  EXPECT_EQ((*run)->run_id, "a");
  const json body = Body(OnlyRequest());
  EXPECT_EQ(body["filter"], "tags.`modelgate.io/decision-id` = 'd-1'");
  EXPECT_EQ(body["max_results"], 1);
}

TEST_F(MlflowRegistryTest, FindRunByTagWithNoMatchIsNullopt) {
  fake_->Respond("POST", Api("runs/search"), {JsonResponse(200, json::object())});
  auto run = Make()->FindRunByTag("2", "k", "v");
  ASSERT_TRUE(run.ok());
  EXPECT_FALSE(run->has_value());
}

TEST(MlflowTagFilter, QuotesAValueWithAnApostropheInDoubleQuotes) {
  EXPECT_EQ(MlflowTagFilter("owner", "it's").value(), "tags.`owner` = \"it's\"");
  EXPECT_EQ(MlflowTagFilter("owner", "say \"hi\"").value(), "tags.`owner` = 'say \"hi\"'");
}

TEST(MlflowTagFilter, RefusesWhatMlflowsFilterSyntaxCannotQuote) {
  EXPECT_EQ(MlflowTagFilter("owner", "it's \"x\"").status().code(), StatusCode::kInvalid);
  EXPECT_EQ(MlflowTagFilter("a`b", "v").status().code(), StatusCode::kInvalid);
  EXPECT_EQ(MlflowTagFilter("", "v").status().code(), StatusCode::kInvalid);
}

TEST_F(MlflowRegistryTest, FindRunByTagWithAnUnquotableValueSendsNothing) {
  auto run = Make()->FindRunByTag("2", "k", "it's \"x\"");
  EXPECT_EQ(run.status().code(), StatusCode::kInvalid);
  EXPECT_TRUE(fake_->sent().empty());
}

// --- artifacts ------------------------------------------------------------------------------------

TEST(MlflowArtifactUploadPath, PutsThePathUnderTheRunsProxiedArtifactRoot) {
  EXPECT_EQ(MlflowArtifactUploadPath("", "mlflow-artifacts:/2/r1/artifacts", "audit/event 1.json").value(),
            "/api/2.0/mlflow-artifacts/artifacts/2/r1/artifacts/audit/event%201.json");
  EXPECT_EQ(MlflowArtifactUploadPath("/mlflow", "mlflow-artifacts://mlflow.mlops:5000/2/r1/artifacts/", "a.json").value(),
            "/mlflow/api/2.0/mlflow-artifacts/artifacts/2/r1/artifacts/a.json");
}

TEST(MlflowArtifactUploadPath, RefusesARunWhoseArtifactsAreNotProxied) {
  auto path = MlflowArtifactUploadPath("", "s3://bucket/2/r1/artifacts", "a.json");
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(path.status().message(), AllOf(HasSubstr("s3://bucket/2/r1/artifacts"), HasSubstr("--artifacts-destination"),
                                             HasSubstr("--serve-artifacts")));
  EXPECT_FALSE(MlflowArtifactUploadPath("", "file:///mlruns/2/r1/artifacts", "a.json").ok());
}

TEST(MlflowArtifactUploadPath, RefusesPathsThatLeaveTheRun) {
  for (const char* bad : {"", "/etc/passwd", "../other/a.json", "audit/../../a.json", "audit//a.json", "./a.json"}) {
    auto path = MlflowArtifactUploadPath("", "mlflow-artifacts:/2/r1/artifacts", bad);
    EXPECT_EQ(path.status().code(), StatusCode::kInvalid) << bad;
  }
}

TEST_F(MlflowRegistryTest, UploadArtifactPutsTheBytesThroughTheProxy) {
  fake_->Respond("PUT", "/api/2.0/mlflow-artifacts/artifacts/", {TextResponse(200, "")});
  RunInfo run{.run_id = "r1", .artifact_uri = "mlflow-artifacts:/2/r1/artifacts"};
  ASSERT_TRUE(Make()->UploadArtifact(run, "audit/event-0001.json", R"({"decision":"promote"})").ok());
  const HttpRequest request = OnlyRequest();
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.path, "/api/2.0/mlflow-artifacts/artifacts/2/r1/artifacts/audit/event-0001.json");
  EXPECT_EQ(request.body, R"({"decision":"promote"})");
  EXPECT_EQ(Header(request, "Content-Type"), "application/octet-stream");
}

TEST_F(MlflowRegistryTest, UploadArtifactOfARunOutsideTheProxyIsInvalidAndSendsNothing) {
  RunInfo run{.run_id = "r1", .artifact_uri = "file:///mlruns/2/r1/artifacts"};
  kube::Status status = Make()->UploadArtifact(run, "a.json", "x");
  EXPECT_EQ(status.code(), StatusCode::kInvalid);
  EXPECT_THAT(status.message(), StartsWith("MLflow run r1: artifact_uri 'file:///mlruns/2/r1/artifacts'"));
  EXPECT_TRUE(fake_->sent().empty());
}

TEST_F(MlflowRegistryTest, ListArtifactsListsFilesOfThePathAndItsDirectSubdirectories) {
  fake_->Handle("GET", Api("artifacts/list"), [](const HttpRequest& request) -> kube::Result<HttpResponse> {
    if (request.path == Api("artifacts/list") + "?run_id=r1&path=audit") {
      return JsonResponse(200, json::parse(R"({"root_uri":"mlflow-artifacts:/2/r1/artifacts","files":[
        {"path":"audit/event-0002.json","is_dir":false,"file_size":9},{"path":"audit/old day","is_dir":true},
        {"path":"audit/event-0001.json","is_dir":false,"file_size":9}]})"));
    }
    if (request.path == Api("artifacts/list") + "?run_id=r1&path=audit%2Fold%20day") {
      return JsonResponse(200, json::parse(R"({"files":[{"path":"audit/old day/e.json","is_dir":false,"file_size":1}]})"));
    }
    return JsonResponse(200, json::object());
  });
  auto files = Make()->ListArtifacts("r1", "audit");
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_THAT(*files, ElementsAre("audit/event-0001.json", "audit/event-0002.json", "audit/old day/e.json"));
}

TEST_F(MlflowRegistryTest, ListArtifactsOfAnEmptyRunIsEmpty) {
  fake_->Respond("GET", Api("artifacts/list"), {JsonResponse(200, {{"root_uri", "mlflow-artifacts:/2/r1/artifacts"}})});
  auto files = Make()->ListArtifacts("r1", "");
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());
  EXPECT_EQ(OnlyRequest().path, Api("artifacts/list") + "?run_id=r1");
}

TEST_F(MlflowRegistryTest, DownloadArtifactReturnsTheRawBytesOfGetArtifact) {
  fake_->Respond("GET", "/get-artifact", {TextResponse(200, "raw bytes\n")});
  auto content = Make()->DownloadArtifact("r1", "audit/event 1.json");
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "raw bytes\n");
  EXPECT_EQ(OnlyRequest().path, "/get-artifact?run_uuid=r1&path=audit%2Fevent%201.json");
}

TEST_F(MlflowRegistryTest, DownloadingAMissingArtifactIsNotFound) {
  fake_->Respond("GET", "/get-artifact",
                 {MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "No such artifact: '2/r1/artifacts/nope'")});
  auto content = Make()->DownloadArtifact("r1", "nope");
  EXPECT_EQ(content.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(content.status().message(), HasSubstr("No such artifact"));
}

// --- against a real MLflow (e2e/mlflow/up) ---------------------------------------------------------

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string ReadTrimmed(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string UniqueSuffix() {
  return std::to_string(getpid()) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

// Setup the interface does not offer (creating models and versions), straight over a transport.
struct RawMlflow {
  explicit RawMlflow(const std::string& url, std::string authorization = "")
      : transport(kube::MakeTransport(kube::RestConfig{.server = url, .origin = "test"})),
        authorization(std::move(authorization)) {}
  HttpResponse Send(const std::string& method, const std::string& path, const json& body = nullptr) {
    HttpRequest request{.method = method, .path = path, .body = body.is_null() ? "" : body.dump()};
    request.timeout = std::chrono::seconds(20);
    if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
    auto answer = transport->Send(request);
    EXPECT_TRUE(answer.ok()) << answer.status().message();
    return answer.ok() ? *answer : HttpResponse{};
  }
  std::shared_ptr<kube::Transport> transport;
  std::string authorization;
};

TEST(MlflowRealServer, RegistryAliasesTagsStagesAndErrors) {
  const std::string url = Env("MODELGATE_MLFLOW_URL");
  if (url.empty()) GTEST_SKIP() << "MODELGATE_MLFLOW_URL not set (e.g. http://127.0.0.1:16500 after e2e/mlflow/up)";
  const std::string model = "modelgate-adapter-" + UniqueSuffix();
  RawMlflow raw(url);
  ASSERT_EQ(raw.Send("POST", Api("registered-models/create"), {{"name", model}}).status, 200);
  ASSERT_EQ(raw.Send("POST", Api("model-versions/create"), {{"name", model}, {"source", "s3://b/m1"}}).status, 200);
  ASSERT_EQ(raw.Send("POST", Api("model-versions/create"), {{"name", model}, {"source", "s3://b/m2"}}).status, 200);

  auto made = MakeMlflowRegistry(MlflowConfig{.tracking_uri = url});
  ASSERT_TRUE(made.ok()) << made.status().message();
  ModelRegistry& registry = **made;

  auto fresh = registry.GetRegisteredModel(model);
  ASSERT_TRUE(fresh.ok()) << fresh.status().message();
  EXPECT_EQ(fresh->name, model);
  EXPECT_TRUE(fresh->aliases.empty());

  ASSERT_TRUE(registry.SetAlias(model, "champion", "1").ok());
  ASSERT_TRUE(registry.SetAlias(model, "challenger", "2").ok());
  EXPECT_EQ(registry.GetRegisteredModel(model)->aliases,
            (std::map<std::string, std::string>{{"challenger", "2"}, {"champion", "1"}}));
  ASSERT_TRUE(registry.SetAlias(model, "champion", "2").ok());  // moves silently
  auto v2 = registry.GetModelVersion(model, "2");
  ASSERT_TRUE(v2.ok()) << v2.status().message();
  EXPECT_THAT(v2->aliases, ::testing::UnorderedElementsAre("champion", "challenger"));
  EXPECT_EQ(v2->source, "s3://b/m2");
  EXPECT_EQ(v2->status, "READY");
  EXPECT_TRUE(registry.GetModelVersion(model, "1")->aliases.empty());

  ASSERT_TRUE(registry.DeleteAlias(model, "challenger").ok());
  EXPECT_TRUE(registry.DeleteAlias(model, "challenger").ok()) << "deleting an absent alias is idempotent";
  EXPECT_EQ(registry.GetRegisteredModel(model)->aliases, (std::map<std::string, std::string>{{"champion", "2"}}));

  ASSERT_TRUE(registry.SetModelVersionTag(model, "2", "modelgate.io/candidate", "ns/fraud-v2").ok());
  EXPECT_EQ(registry.GetModelVersion(model, "2")->tags.at("modelgate.io/candidate"), "ns/fraud-v2");
  ASSERT_TRUE(registry.TransitionStage(model, "2", "Staging").ok());
  ASSERT_TRUE(registry.TransitionStage(model, "1", "Staging").ok());
  EXPECT_EQ(registry.GetModelVersion(model, "2")->current_stage, "Staging") << "archive_existing_versions is false";

  // The error classes as this server answers them.
  auto missing = registry.GetModelVersion(model, "99");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(),
              StartsWith("MLflow 404 RESOURCE_DOES_NOT_EXIST: Model Version (name=" + model + ", version=99) not found"));
  EXPECT_EQ(registry.GetRegisteredModel(model + "-nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(registry.SetAlias(model, "champion", "99").code(), StatusCode::kNotFound);
  EXPECT_EQ(registry.DeleteAlias(model + "-nope", "champion").code(), StatusCode::kNotFound);
  kube::Status bad_stage = registry.TransitionStage(model, "1", "Prod");
  EXPECT_EQ(bad_stage.code(), StatusCode::kInvalid);
  EXPECT_THAT(bad_stage.message(), HasSubstr("Invalid Model Version stage: Prod"));
  EXPECT_EQ(registry.SetAlias(model, "latest", "1").code(), StatusCode::kInvalid);
  HttpResponse unknown_alias = raw.Send("GET", Api("registered-models/alias") + "?name=" + model + "&alias=nope");
  kube::Status mapped = MlflowStatusFromResponse(unknown_alias.status, unknown_alias.body);
  EXPECT_EQ(mapped.code(), StatusCode::kNotFound) << mapped.message();
  EXPECT_EQ(mapped.message(), "MLflow 400 INVALID_PARAMETER_VALUE: Registered model alias nope not found.");

  // A name with characters that need encoding in a query string.
  const std::string odd = "it's a%b ü " + UniqueSuffix();
  ASSERT_EQ(raw.Send("POST", Api("registered-models/create"), {{"name", odd}}).status, 200);
  auto odd_model = registry.GetRegisteredModel(odd);
  ASSERT_TRUE(odd_model.ok()) << odd_model.status().message();
  EXPECT_EQ(odd_model->name, odd);

  // A wrong route (bad prefix) is not mistaken for a missing model.
  auto prefixed = MakeMlflowRegistry(MlflowConfig{.tracking_uri = url + "/not-mlflow"});
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ((*prefixed)->GetRegisteredModel(model).status().code(), StatusCode::kInvalid);
}

TEST(MlflowRealServer, ExperimentsRunsBatchesAndArtifacts) {
  const std::string url = Env("MODELGATE_MLFLOW_URL");
  if (url.empty()) GTEST_SKIP() << "MODELGATE_MLFLOW_URL not set (e.g. http://127.0.0.1:16500 after e2e/mlflow/up)";
  auto made = MakeMlflowRegistry(MlflowConfig{.tracking_uri = url});
  ASSERT_TRUE(made.ok()) << made.status().message();
  ModelRegistry& registry = **made;
  const std::string suffix = UniqueSuffix();

  auto experiment = registry.GetOrCreateExperiment("modelgate/adapter-" + suffix);
  ASSERT_TRUE(experiment.ok()) << experiment.status().message();
  auto again = registry.GetOrCreateExperiment("modelgate/adapter-" + suffix);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *experiment);

  const std::string decision = "it's-" + suffix;  // needs double quotes in the filter
  auto none = registry.FindRunByTag(*experiment, "modelgate.io/decision-id", decision);
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(none->has_value());
  auto run = registry.CreateRun(*experiment, "audit", {{"modelgate.io/decision-id", decision}}, 1700000000000);
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(run->experiment_id, *experiment);
  EXPECT_EQ(run->artifact_uri, "mlflow-artifacts:/" + *experiment + "/" + run->run_id + "/artifacts");
  auto found = registry.FindRunByTag(*experiment, "modelgate.io/decision-id", decision);
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->run_id, run->run_id);

  ASSERT_TRUE(registry.LogBatch(run->run_id, {{"threshold", "0.5"}}, {{"auc", 0.91}, {"gap", std::nan("")}},
                                {{"decision", "promote"}}, 1700000000500)
                  .ok());
  EXPECT_TRUE(registry.LogBatch(run->run_id, {{"threshold", "0.5"}}, {}, {}, 1700000000600).ok())
      << "re-logging a param with the same value is OK";
  kube::Status changed = registry.LogBatch(run->run_id, {{"threshold", "0.7"}}, {}, {}, 1700000000700);
  EXPECT_EQ(changed.code(), StatusCode::kInvalid);
  EXPECT_THAT(changed.message(), AllOf(HasSubstr("Changing param values is not allowed"), HasSubstr("threshold")));

  // Two more runs; SearchRuns returns them oldest first.
  ASSERT_TRUE(registry.CreateRun(*experiment, "later", {}, 1700000002000).ok());
  ASSERT_TRUE(registry.CreateRun(*experiment, "middle", {}, 1700000001000).ok());
  auto runs = registry.SearchRuns(*experiment, "", 10);
  ASSERT_TRUE(runs.ok()) << runs.status().message();
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[0].run_id, run->run_id);
  EXPECT_EQ((*runs)[1].run_name, "middle");
  EXPECT_EQ((*runs)[2].run_name, "later");
  EXPECT_EQ((*runs)[0].params.at("threshold"), "0.5");
  EXPECT_DOUBLE_EQ((*runs)[0].metrics.at("auc"), 0.91);
  EXPECT_TRUE(std::isnan((*runs)[0].metrics.at("gap")));
  EXPECT_EQ((*runs)[0].tags.at("decision"), "promote");
  EXPECT_EQ(registry.SearchRuns(*experiment, "attributes.run_name = 'later'", 10)->size(), 1u);
  EXPECT_EQ(registry.SearchRuns(*experiment, "", 2)->size(), 2u);

  const std::string content = R"({"decision":"promote","by":"modelgate"})";
  ASSERT_TRUE(registry.UploadArtifact(*run, "audit/event 0001.json", content).ok());
  ASSERT_TRUE(registry.UploadArtifact(*run, "audit/2026/e.json", "x").ok());
  auto files = registry.ListArtifacts(run->run_id, "audit");
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_THAT(*files, ElementsAre("audit/2026/e.json", "audit/event 0001.json"));
  auto downloaded = registry.DownloadArtifact(run->run_id, "audit/event 0001.json");
  ASSERT_TRUE(downloaded.ok()) << downloaded.status().message();
  EXPECT_EQ(*downloaded, content);
  auto missing = registry.DownloadArtifact(run->run_id, "audit/nope.json");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().message();
}

TEST(MlflowRegistryConnection, AClosedPortIsUnavailable) {
  // A loopback port bound but not listening: connect() is refused, and nobody else can take it.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  auto made = MakeMlflowRegistry(MlflowConfig{.tracking_uri = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)),
                                              .timeout = std::chrono::seconds(5)});
  ASSERT_TRUE(made.ok());
  auto model = (*made)->GetRegisteredModel("m");
  close(fd);
  EXPECT_EQ(model.status().code(), StatusCode::kUnavailable) << model.status().message();
  EXPECT_THAT(model.status().message(), StartsWith("MLflow GET /api/2.0/mlflow/registered-models/get?name=m: "));
}

std::string BasicHeader(const std::string& user, const std::string& password) {
  // The adapter's header, read back from a fake: the test needs no base64 of its own.
  auto fake = std::make_shared<FakeTransport>();
  fake->Respond("GET", "/", {JsonResponse(200, json::object())});
  auto made = MakeMlflowRegistry(MlflowConfig{.tracking_uri = "http://x", .username = user, .password = password}, fake);
  (void)(*made)->GetRegisteredModel("m");
  return Header(fake->sent().at(0), "Authorization").value_or("");
}

TEST(MlflowRealServer, BasicAuthUnauthorizedAndForbidden) {
  const std::string url = Env("MODELGATE_MLFLOW_AUTH_URL"), dir = Env("MODELGATE_MLFLOW_AUTH_DIR");
  if (url.empty() || dir.empty()) {
    GTEST_SKIP() << "MODELGATE_MLFLOW_AUTH_URL / MODELGATE_MLFLOW_AUTH_DIR not set (e.g. http://127.0.0.1:16501 and "
                    "the auth state dir with admin-password, modelgate-password after e2e/mlflow/up --auth)";
  }
  const std::string admin_password = ReadTrimmed(dir + "/admin-password");
  const std::string password = ReadTrimmed(dir + "/modelgate-password");
  ASSERT_FALSE(admin_password.empty());
  ASSERT_FALSE(password.empty());

  auto anonymous = MakeMlflowRegistry(MlflowConfig{.tracking_uri = url});
  ASSERT_TRUE(anonymous.ok());
  auto no_credentials = (*anonymous)->GetRegisteredModel("m");
  EXPECT_EQ(no_credentials.status().code(), StatusCode::kUnauthorized);
  EXPECT_THAT(no_credentials.status().message(), StartsWith("MLflow 401: You are not authenticated."));

  auto wrong = MakeMlflowRegistry(MlflowConfig{.tracking_uri = url, .username = "modelgate", .password = "wrong-password-123"});
  ASSERT_TRUE(wrong.ok());
  auto wrong_password = (*wrong)->GetRegisteredModel("m");
  EXPECT_EQ(wrong_password.status().code(), StatusCode::kUnauthorized);
  EXPECT_THAT(wrong_password.status().message(), Not(HasSubstr("wrong-password-123")));

  // A model admin created and DENYs to the operator's user (e2e/mlflow/up --auth gives it EDIT on
  // every model; a DENY on one model wins): writing it is 403, not JSON.
  const std::string model = "modelgate-adapter-auth-" + UniqueSuffix();
  RawMlflow admin(url, BasicHeader("admin", admin_password));
  ASSERT_EQ(admin.Send("POST", Api("registered-models/create"), {{"name", model}}).status, 200);
  ASSERT_EQ(admin.Send("POST", Api("model-versions/create"), {{"name", model}, {"source", "s3://b/m1"}}).status, 200);
  ASSERT_EQ(admin.Send("POST", "/api/3.0/mlflow/users/permissions/grant",
                       {{"username", "modelgate"}, {"resource_type", "registered_model"}, {"resource_id", model},
                        {"permission", "DENY"}})
                .status,
            200);
  auto operator_user = MakeMlflowRegistry(MlflowConfig{.tracking_uri = url, .username = "modelgate", .password = password});
  ASSERT_TRUE(operator_user.ok());
  auto read = (*operator_user)->GetModelVersion(model, "1");
  EXPECT_EQ(read.status().code(), StatusCode::kForbidden) << read.status().message();
  kube::Status forbidden = (*operator_user)->SetAlias(model, "champion", "1");
  EXPECT_EQ(forbidden.code(), StatusCode::kForbidden);
  EXPECT_THAT(forbidden.message(), StartsWith("MLflow 403: Permission denied"));
  // Checked without a matcher, so a failure does not print the password.
  EXPECT_EQ(forbidden.message().find(password), std::string::npos) << "the message carries the password";

  // Its own experiment and run: created, written and read with basic auth, artifacts included.
  auto experiment = (*operator_user)->GetOrCreateExperiment("modelgate/adapter-auth-" + UniqueSuffix());
  ASSERT_TRUE(experiment.ok()) << experiment.status().message();
  auto run = (*operator_user)->CreateRun(*experiment, "audit", {}, 1700000000000);
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_TRUE((*operator_user)->UploadArtifact(*run, "audit/a.json", "{}").ok());
  EXPECT_EQ((*operator_user)->DownloadArtifact(run->run_id, "audit/a.json").value(), "{}");
}

}  // namespace
}  // namespace modelgate
