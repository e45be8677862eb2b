#include "controllers/candidate/champion.h"

#include <gtest/gtest.h>

namespace modelgate::controllers::candidate {
namespace {

using json = nlohmann::json;

std::shared_ptr<const json> Mc(const std::string& name, const std::string& model, const std::string& stage,
                               const std::string& ns = "ns", double auc = 0.9) {
  json gates = json::array({{{"name", "OfflineEvaluation"}, {"state", "Passed"},
                             {"metrics", {{"auc_roc", {{"value", auc}, {"passed", true}}}}},
                             {"slices", {{{"name", "mobile"}, {"metrics", {{"auc_roc", {{"value", auc - 0.1}}}}}}}}}});
  return std::make_shared<const json>(json{{"metadata", {{"name", name}, {"namespace", ns}}},
                                           {"spec", {{"model", model}, {"version", name.substr(name.size() - 1)}}},
                                           {"status", {{"stage", stage}, {"gates", gates}}}});
}

TEST(ChampionTest, TheChampionIsTheProductionCandidateOfTheSameModelInTheNamespace) {
  auto self = Mc("fraud-v3", "fraud", "Candidate");
  std::vector<std::shared_ptr<const json>> all = {self, Mc("fraud-v1", "fraud", "Archived"),
                                                  Mc("fraud-v2", "fraud", "Production", "ns", 0.88),
                                                  Mc("churn-v9", "churn", "Production"),
                                                  Mc("fraud-v7", "fraud", "Production", "other")};
  auto champion = FindChampion(*self, all);
  ASSERT_TRUE(champion);
  EXPECT_EQ(champion->name, "fraud-v2");
  EXPECT_EQ(champion->version, "2");
  EXPECT_DOUBLE_EQ(champion->evaluation.by_scope.at("global").at("auc_roc"), 0.88);
  EXPECT_DOUBLE_EQ(champion->evaluation.by_scope.at("mobile").at("auc_roc"), 0.78);
  EXPECT_DOUBLE_EQ(champion->training.at("auc_roc"), 0.88);  // falls back to gate-3 metrics
}

TEST(ChampionTest, NoProductionCandidateMeansNoChampion) {
  auto self = Mc("fraud-v3", "fraud", "Candidate");
  EXPECT_FALSE(FindChampion(*self, {self, Mc("fraud-v1", "fraud", "Staging")}));
}

TEST(ChampionTest, ACandidateIsNeverItsOwnChampion) {
  auto self = Mc("fraud-v3", "fraud", "Production");
  EXPECT_FALSE(FindChampion(*self, {self}));
}

}  // namespace
}  // namespace modelgate::controllers::candidate
