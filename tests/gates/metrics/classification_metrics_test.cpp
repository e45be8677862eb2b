#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "gates/metrics/classification_metrics.h"

namespace modelgate::gates {
namespace {

TEST(AveragePrecision, MatchesScikitLearnOnItsDocumentationExample) {
  // sklearn: average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
  std::vector<double> s = {0.1, 0.4, 0.35, 0.8};
  std::vector<uint8_t> y = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(AveragePrecision(s, y).value, 5.0 / 6.0);
}

TEST(AveragePrecision, TiedScoresFormOneThreshold) {
  // Threshold 0.5: TP 1 of 2 seen, recall 0.5 -> 0.5 * 0.5; threshold 0.2: TP 2 of 3 -> 0.5 * 2/3.
  std::vector<double> s = {0.5, 0.5, 0.2, 0.1};
  std::vector<uint8_t> y = {1, 0, 1, 0};
  EXPECT_DOUBLE_EQ(AveragePrecision(s, y).value, 0.25 + 1.0 / 3.0);
}

TEST(AveragePrecision, IsUndefinedWithoutPositives) {
  std::vector<double> s = {0.5, 0.2};
  EXPECT_EQ(AveragePrecision(s, std::vector<uint8_t>{0, 0}).undefined_reason, "no positive labels");
}

TEST(LogLoss, IsTheMeanNegativeLogLikelihood) {
  std::vector<double> s = {0.8, 0.3};
  std::vector<uint8_t> y = {1, 0};
  EXPECT_DOUBLE_EQ(LogLoss(s, y).value, -(std::log(0.8) + std::log(0.7)) / 2);
}

TEST(LogLoss, ClipsCertainWrongAnswersToMachineEpsilon) {
  std::vector<double> s = {0.0};
  std::vector<uint8_t> y = {1};
  EXPECT_DOUBLE_EQ(LogLoss(s, y).value, -std::log(std::numeric_limits<double>::epsilon()));
}

TEST(LogLoss, IsUndefinedForScoresOutsideZeroOne) {
  std::vector<double> s = {1.5};
  std::vector<uint8_t> y = {1};
  EXPECT_EQ(LogLoss(s, y).undefined_reason, "log_loss needs scores in [0, 1]; found 1.500000");
}

TEST(ThresholdMetrics, ScoreAtTheThresholdIsPredictedPositive) {
  std::vector<double> s = {0.5, 0.49, 0.9, 0.1, 0.7};
  std::vector<uint8_t> y = {1, 1, 0, 0, 1};
  Confusion c = ConfusionAt(s, y, 0.5);
  EXPECT_EQ(c.true_positive, 2);   // 0.5, 0.7
  EXPECT_EQ(c.false_negative, 1);  // 0.49
  EXPECT_EQ(c.false_positive, 1);  // 0.9
  EXPECT_EQ(c.true_negative, 1);   // 0.1
  EXPECT_DOUBLE_EQ(Accuracy(c).value, 0.6);
  EXPECT_DOUBLE_EQ(Precision(c).value, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(Recall(c).value, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(F1(c).value, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(PositiveRate(c).value, 0.6);
}

TEST(ThresholdMetrics, ZeroDivisionGivesZeroAsScikitLearnDoes) {
  Confusion nothing_predicted{0, 0, 3, 2};
  EXPECT_DOUBLE_EQ(Precision(nothing_predicted).value, 0.0);
  EXPECT_DOUBLE_EQ(F1(nothing_predicted).value, 0.0);
  Confusion no_positives{0, 1, 2, 0};
  EXPECT_DOUBLE_EQ(Recall(no_positives).value, 0.0);
}

TEST(ThresholdMetrics, AccuracyOfNoRowsIsUndefined) {
  EXPECT_EQ(Accuracy(Confusion{}).undefined_reason, "no rows");
  EXPECT_EQ(PositiveRate(Confusion{}).undefined_reason, "no rows");
}

TEST(PrecisionAtK, CountsPositivesAmongTheKHighestScores) {
  std::vector<double> s = {0.9, 0.1, 0.8, 0.7, 0.2};
  std::vector<uint8_t> y = {1, 1, 0, 1, 0};
  EXPECT_DOUBLE_EQ(PrecisionAtK(s, y, 3).value, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(RecallAtK(s, y, 3).value, 2.0 / 3.0);
}

TEST(PrecisionAtK, ATieAtTheCutCountsItsExpectedPositives) {
  // One row above the cut (positive); three rows tied at 0.8 with one positive fill one place:
  // expected positives = 1 + 1 * 1/3.
  std::vector<double> s = {0.9, 0.8, 0.8, 0.8, 0.1};
  std::vector<uint8_t> y = {1, 1, 0, 0, 1};
  EXPECT_DOUBLE_EQ(PrecisionAtK(s, y, 2).value, (4.0 / 3.0) / 2.0);
  EXPECT_DOUBLE_EQ(RecallAtK(s, y, 2).value, (4.0 / 3.0) / 3.0);
}

TEST(PrecisionAtK, IsUndefinedWithFewerRowsThanK) {
  std::vector<double> s = {0.9, 0.8};
  std::vector<uint8_t> y = {1, 0};
  EXPECT_EQ(PrecisionAtK(s, y, 10).undefined_reason, "2 rows, fewer than k = 10");
}

TEST(RecallAtK, UsesAllRowsWhenThereAreFewerThanKAndIsUndefinedWithoutPositives) {
  std::vector<double> s = {0.9, 0.8};
  EXPECT_DOUBLE_EQ(RecallAtK(s, std::vector<uint8_t>{1, 0}, 10).value, 1.0);
  EXPECT_EQ(RecallAtK(s, std::vector<uint8_t>{0, 0}, 10).undefined_reason, "no positive labels");
}

}  // namespace
}  // namespace modelgate::gates
