#include "gates/analysis/query_template.h"

#include <gtest/gtest.h>

namespace modelgate::gates::analysis {
namespace {

const TemplateValues kValues{.variant = Variant::kCanary, .namespace_name = "ml", .model = "fraud", .interval = "1m"};

TEST(QueryTemplate, ReplacesEveryPlaceholder) {
  Result<std::string> q = RenderQuery(
      R"(sum(rate(errors{variant="{{variant}}",namespace="{{namespace}}",model="{{model}}"}[{{interval}}])))",
      kValues, "spec.analysis.metrics[0].query", "error-rate");
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(*q, R"(sum(rate(errors{variant="canary",namespace="ml",model="fraud"}[1m])))");
}

TEST(QueryTemplate, RendersEachVariantName) {
  for (auto [variant, name] : {std::pair{Variant::kChampion, "champion"}, std::pair{Variant::kCanary, "canary"},
                               std::pair{Variant::kShadow, "shadow"}}) {
    TemplateValues values = kValues;
    values.variant = variant;
    EXPECT_EQ(*RenderQuery("x{v=\"{{variant}}\"}", values, "f", "m"), std::string("x{v=\"") + name + "\"}");
  }
}

TEST(QueryTemplate, ReplacesRepeatedPlaceholders) {
  EXPECT_EQ(*RenderQuery("a{v=\"{{variant}}\"} / b{v=\"{{variant}}\"}", kValues, "f", "m"),
            "a{v=\"canary\"} / b{v=\"canary\"}");
}

TEST(QueryTemplate, UnknownPlaceholderIsAnErrorNamingFieldAndMetric) {
  Result<std::string> q = RenderQuery("x{v=\"{{varaint}}\"}", kValues, "spec.analysis.metrics[1].query", "latency");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(q.status().message().find("spec.analysis.metrics[1].query: unknown placeholder {{varaint}}"),
            std::string::npos)
      << q.status().message();
  EXPECT_NE(q.status().message().find("metric \"latency\""), std::string::npos);
}

TEST(QueryTemplate, PlaceholderWithSpacesIsUnknown) {
  EXPECT_FALSE(RenderQuery("x{v=\"{{ variant }}\"}", kValues, "f", "m").ok());
}

TEST(QueryTemplate, UnterminatedPlaceholderIsAnError) {
  Result<std::string> q = RenderQuery("x{v=\"{{variant\"}", kValues, "f", "m");
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("unterminated placeholder"), std::string::npos);
}

TEST(QueryTemplate, SingleBracesOfPromQLAreLeftAlone) {
  EXPECT_EQ(*RenderQuery("up{job=\"x\"}", kValues, "f", "m"), "up{job=\"x\"}");
}

TEST(QueryTemplate, CheckRequiresVariantWhenAsked) {
  EXPECT_TRUE(CheckQueryTemplate("x{v=\"{{variant}}\"}", true, "f", "m").ok());
  Status missing = CheckQueryTemplate("x{ns=\"{{namespace}}\"}", true, "spec.analysis.metrics[0].query", "m");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("must contain {{variant}}"), std::string::npos);
  EXPECT_TRUE(CheckQueryTemplate("x{ns=\"{{namespace}}\"}", false, "f", "m").ok());
}

}  // namespace
}  // namespace modelgate::gates::analysis
