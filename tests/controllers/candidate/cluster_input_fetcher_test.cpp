#include "controllers/candidate/cluster_input_fetcher.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tests/operator/kube/fake_transport.h"

namespace modelgate::controllers::candidate {
namespace {

using kube::testing::FakeTransport;
using kube::testing::JsonResponse;
using kube::testing::ErrorResponse;
using json = nlohmann::json;

std::string ReadAll(gates::ByteSource& source) {
  std::string text;
  char buffer[256];
  while (true) {
    auto n = source.Read(buffer, sizeof buffer);
    if (!n.ok() || *n == 0) break;
    text.append(buffer, *n);
  }
  return text;
}

class ClusterInputFetcherTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  kube::Client client_{transport_};
  ClusterInputFetcher fetcher_{client_};
};

TEST_F(ClusterInputFetcherTest, ReadsDataAndBase64BinaryDataKeys) {
  transport_->Respond("GET", "/api/v1/namespaces/ns/configmaps/inputs",
                      {JsonResponse(200, {{"data", {{"policy.yaml", "min_rows: 1\n"}}},
                                          {"binaryData", {{"train.csv", "YSxiCjEsMgo="}}}})});
  auto policy = fetcher_.ReadConfigMapKey("ns", "inputs", "policy.yaml");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(*policy, "min_rows: 1\n");
  auto binary = fetcher_.ReadConfigMapKey("ns", "inputs", "train.csv");
  ASSERT_TRUE(binary.ok());
  EXPECT_EQ(*binary, "a,b\n1,2\n");
}

TEST_F(ClusterInputFetcherTest, AMissingConfigMapOrKeyIsNotFoundNamingIt) {
  transport_->Respond("GET", "/api/v1/namespaces/ns/configmaps/inputs", {JsonResponse(200, {{"data", json::object()}})});
  transport_->Respond("GET", "/api/v1/namespaces/ns/configmaps/gone", {ErrorResponse(404, "NotFound")});
  auto key = fetcher_.ReadConfigMapKey("ns", "inputs", "eval.csv");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), gates::ErrorCode::kNotFound);
  EXPECT_NE(key.status().message().find("eval.csv"), std::string::npos);
  auto cm = fetcher_.ReadConfigMapKey("ns", "gone", "eval.csv");
  ASSERT_FALSE(cm.ok());
  EXPECT_EQ(cm.status().code(), gates::ErrorCode::kNotFound);
  EXPECT_NE(cm.status().message().find("ns/gone"), std::string::npos);
}

TEST_F(ClusterInputFetcherTest, OpensFileUris) {
  const std::string path = ::testing::TempDir() + "/candidate_fetcher_test.csv";
  std::ofstream(path) << "x\n1\n";
  auto source = fetcher_.OpenUri("file://" + path, std::chrono::seconds(5), 0);
  ASSERT_TRUE(source.ok()) << source.status().message();
  EXPECT_EQ(ReadAll(**source), "x\n1\n");
  std::remove(path.c_str());
}

TEST_F(ClusterInputFetcherTest, FileUrisAreHandedOutAsStoredNotInflated) {
  // The audit trail hashes what is stored (what sha256sum of the file gives); RunGate inflates.
  const std::string path = ::testing::TempDir() + "/candidate_fetcher_test.csv.gz";
  const std::string gzip_bytes("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\xe0\x32\xe4\x02\x00\x15\x3c\xd0\xa4\x04\x00\x00\x00", 24);
  std::ofstream(path, std::ios::binary) << gzip_bytes;
  auto source = fetcher_.OpenUri("file://" + path, std::chrono::seconds(5), 0);
  ASSERT_TRUE(source.ok()) << source.status().message();
  EXPECT_EQ(ReadAll(**source), gzip_bytes);
  std::remove(path.c_str());
}

TEST(DecodeBase64Test, DecodesAndRejectsGarbage) {
  EXPECT_EQ(DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(DecodeBase64("aGVs\nbG8="), "hello");
  EXPECT_FALSE(DecodeBase64("a*b"));
}

}  // namespace
}  // namespace modelgate::controllers::candidate
