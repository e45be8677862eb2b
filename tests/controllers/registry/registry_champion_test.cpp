// Tests of controllers/registry/registry_champion.h: championSource: Registry finds the candidate
// the registry's champion alias names, and every way that cannot be decided is an error.
#include "controllers/registry/registry_champion.h"

#include <gtest/gtest.h>

#include "tests/controllers/registry/fake_registry.h"

namespace modelgate::controllers::registry {
namespace {

using fakes::FakeRegistry;
using json = nlohmann::json;

std::shared_ptr<const json> Candidate(const std::string& name, const std::string& version, const std::string& ns = "ml",
                                      const std::string& model = "fraud") {
  return std::make_shared<const json>(json{
      {"metadata", {{"name", name}, {"namespace", ns}}},
      {"spec",
       {{"model", "fraud"},
        {"version", version},
        {"registry", {{"mlflow", {{"trackingUri", "http://mlflow:5000"}, {"registeredModel", model},
                                  {"championSource", "Registry"}}}}}}},
      {"status", {{"phase", "Ready"}}}});
}

class RegistryChampionTest : public ::testing::Test {
 protected:
  kube::Result<RegistryChampion> Find(const std::string& self = "fraud-v3") {
    std::shared_ptr<const json> candidate;
    for (const auto& c : all_) {
      if ((*c)["metadata"]["name"] == self) candidate = c;
    }
    return FindRegistryChampion(registry_, *ParseMlflowSpec(*candidate), *candidate, all_);
  }
  FakeRegistry registry_;
  std::vector<std::shared_ptr<const json>> all_ = {Candidate("fraud-v1", "1"), Candidate("fraud-v2", "2"),
                                                    Candidate("fraud-v3", "3")};
};

TEST_F(RegistryChampionTest, TheSpecReadsChampionSource) {
  EXPECT_TRUE(ParseMlflowSpec(*Candidate("a", "1"))->ChampionFromRegistry());
  json cluster = *Candidate("a", "1");
  cluster["spec"]["registry"]["mlflow"].erase("championSource");
  EXPECT_FALSE(ParseMlflowSpec(cluster)->ChampionFromRegistry()) << "Cluster is the default";
}

TEST_F(RegistryChampionTest, TheAliasNamesTheChampionEvenWhenTheClusterThinksOtherwise) {
  // A team moved the alias back to version 1 in MLflow (a hotfix); the cluster's Production
  // candidate does not matter with championSource: Registry.
  registry_.aliases = {{"champion", "1"}, {"challenger", "3"}};
  auto found = Find();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->champion);
  EXPECT_EQ((*found->champion)["metadata"]["name"], "fraud-v1");
  EXPECT_EQ(found->version, "1");
}

TEST_F(RegistryChampionTest, NoAliasIsNoChampionAndTheCandidateIsNeverItsOwnChampion) {
  auto none = Find();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->champion);
  EXPECT_EQ(none->version, "");
  registry_.aliases = {{"champion", "3"}};
  auto self = Find();
  ASSERT_TRUE(self.ok());
  EXPECT_FALSE(self->champion);
  EXPECT_EQ(self->version, "3");
}

TEST_F(RegistryChampionTest, AnAliasOnAVersionWithoutACandidateIsAnErrorNotNoChampion) {
  registry_.aliases = {{"champion", "7"}};
  // Version 7 exists only in another namespace and in another registered model.
  all_.push_back(Candidate("fraud-v7", "7", "other-ns"));
  all_.push_back(Candidate("other-v7", "7", "ml", "another-model"));
  auto found = Find();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), kube::StatusCode::kNotFound);
  EXPECT_EQ(found.status().message(),
            "MLflow http://mlflow:5000, registered model 'fraud': alias 'champion' is version 7 but no ModelCandidate "
            "in namespace ml has that spec.registry.mlflow.version (championSource: Registry needs the champion's "
            "candidate for its recorded gate results)");
}

TEST_F(RegistryChampionTest, AnUnreachableRegistryIsAnErrorNamingIt) {
  registry_.outage = kube::Status(kube::StatusCode::kUnavailable, "connection refused");
  auto found = Find();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), kube::StatusCode::kUnavailable);
  EXPECT_EQ(found.status().message(),
            "MLflow http://mlflow:5000, registered model 'fraud' (championSource: Registry): connection refused");
}

TEST_F(RegistryChampionTest, ACustomChampionAliasIsRead) {
  json custom = *Candidate("fraud-v3", "3");
  custom["spec"]["registry"]["mlflow"]["aliases"] = {{"champion", "prod"}};
  all_[2] = std::make_shared<const json>(custom);
  registry_.aliases = {{"champion", "1"}, {"prod", "2"}};
  auto found = Find();
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found->champion)["metadata"]["name"], "fraud-v2");
}

}  // namespace
}  // namespace modelgate::controllers::registry
