// Tests of controllers/pipeline/candidate_template.h: every placeholder, spaces inside the braces,
// the errors (unknown placeholder with the field path and the nearest name, unterminated "{{"),
// keys left alone, arrays and non-string values.
#include "controllers/pipeline/candidate_template.h"

#include <gtest/gtest.h>

namespace modelgate::controllers::pipeline {
namespace {

using nlohmann::json;

const TemplateValues kValues = {{"version", "45"},
                                {"pipeline", "fraud-nightly"},
                                {"model", "fraud-detector"},
                                {"triggerType", "Scheduled"},
                                {"scheduledTime", "2026-12-05T08:00:00Z"},
                                {"windowStart", "2026-11-28T08:00:00Z"},
                                {"windowEnd", "2026-12-05T08:00:00Z"}};

// Renders `tmpl` and expects success.
json Render(const json& tmpl, const TemplateValues& values = kValues) {
  std::string error;
  auto rendered = RenderTemplate(tmpl, values, "spec.candidateTemplate", &error);
  EXPECT_TRUE(rendered.has_value()) << error;
  return rendered.value_or(json());
}

// Renders `tmpl` and expects an error; returns it.
std::string RenderError(const json& tmpl) {
  std::string error;
  auto rendered = RenderTemplate(tmpl, kValues, "spec.candidateTemplate", &error);
  EXPECT_FALSE(rendered.has_value()) << rendered.value_or(json()).dump();
  return error;
}

TEST(CandidateTemplate, ListsTheKnownPlaceholdersInTheDocumentedOrder) {
  EXPECT_EQ(KnownPlaceholders(), (std::vector<std::string>{"version", "pipeline", "model", "triggerType",
                                                           "scheduledTime", "windowStart", "windowEnd"}));
}

TEST(CandidateTemplate, RendersVersion) {
  EXPECT_EQ(Render({{"uri", "s3://models/fraud/{{version}}/"}})["uri"], "s3://models/fraud/45/");
}

TEST(CandidateTemplate, RendersPipeline) { EXPECT_EQ(Render({{"a", "{{pipeline}}"}})["a"], "fraud-nightly"); }

TEST(CandidateTemplate, RendersModel) { EXPECT_EQ(Render({{"a", "{{model}}"}})["a"], "fraud-detector"); }

TEST(CandidateTemplate, RendersTriggerType) { EXPECT_EQ(Render({{"a", "{{triggerType}}"}})["a"], "Scheduled"); }

TEST(CandidateTemplate, RendersScheduledTime) {
  EXPECT_EQ(Render({{"a", "{{scheduledTime}}"}})["a"], "2026-12-05T08:00:00Z");
}

TEST(CandidateTemplate, RendersWindowStartAndWindowEnd) {
  EXPECT_EQ(Render({{"a", "from={{windowStart}}&to={{windowEnd}}"}})["a"],
            "from=2026-11-28T08:00:00Z&to=2026-12-05T08:00:00Z");
}

TEST(CandidateTemplate, RendersEveryPlaceholderInOneString) {
  const json out = Render({{"a", "{{version}}|{{pipeline}}|{{model}}|{{triggerType}}|{{scheduledTime}}|"
                                 "{{windowStart}}|{{windowEnd}}"}});
  EXPECT_EQ(out["a"], "45|fraud-nightly|fraud-detector|Scheduled|2026-12-05T08:00:00Z|2026-11-28T08:00:00Z|"
                      "2026-12-05T08:00:00Z");
}

TEST(CandidateTemplate, AllowsSpacesAndTabsInsideTheBraces) {
  const json out = Render({{"a", "{{ version }}-{{\tmodel\t}}-{{  pipeline}}"}});
  EXPECT_EQ(out["a"], "45-fraud-detector-fraud-nightly");
}

TEST(CandidateTemplate, RendersAKnownPlaceholderWithoutAValueAsEmpty) {
  EXPECT_EQ(Render({{"a", "v{{version}}-{{windowStart}}."}}, {{"version", "3"}})["a"], "v3-.");
}

TEST(CandidateTemplate, LeavesStringsWithoutPlaceholdersAlone) {
  const json tmpl = {{"a", "plain"}, {"b", "single { braces } and }} alone"}, {"c", ""}};
  EXPECT_EQ(Render(tmpl), tmpl);
}

TEST(CandidateTemplate, DoesNotRescanRenderedValues) {
  const json out = Render({{"a", "{{pipeline}}"}}, {{"pipeline", "{{bogus}}"}});
  EXPECT_EQ(out["a"], "{{bogus}}");
}

TEST(CandidateTemplate, RendersNestedObjects) {
  const json out = Render({{"gates", {{"data", {{"dataset", {{"uri", "s3://d/{{model}}/{{version}}.csv"}}}}}}}});
  EXPECT_EQ(out["gates"]["data"]["dataset"]["uri"], "s3://d/fraud-detector/45.csv");
}

TEST(CandidateTemplate, RendersStringsInArrays) {
  const json out = Render({{"args", {"--version={{version}}", "--model", "{{model}}", {{"x", "{{triggerType}}"}}}}});
  EXPECT_EQ(out["args"], json({"--version=45", "--model", "fraud-detector", {{"x", "Scheduled"}}}));
}

TEST(CandidateTemplate, NeverRendersKeys) {
  const json out = Render({{"labels", {{"{{version}}", "{{version}}"}, {"{{unknown}}", "ok"}}}});
  EXPECT_EQ(out["labels"], json({{"{{version}}", "45"}, {"{{unknown}}", "ok"}}));
}

TEST(CandidateTemplate, LeavesNumbersBooleansAndNullAlone) {
  const json tmpl = {{"replicas", 3}, {"ratio", 0.5}, {"on", true}, {"none", nullptr}};
  EXPECT_EQ(Render(tmpl), tmpl);
}

TEST(CandidateTemplate, RendersATopLevelString) {
  std::string error;
  auto out = RenderTemplate(json("v{{version}}"), kValues, "x", &error);
  ASSERT_TRUE(out.has_value()) << error;
  EXPECT_EQ(*out, "v45");
}

TEST(CandidateTemplate, DoesNotChangeTheInput) {
  const json tmpl = {{"a", "{{version}}"}};
  const json copy = tmpl;
  Render(tmpl);
  EXPECT_EQ(tmpl, copy);
}

TEST(CandidateTemplate, UnknownPlaceholderNamesTheFieldPath) {
  const std::string error =
      RenderError({{"gates", {{"data", {{"dataset", {{"uri", "s3://d/{{windowstart}}.csv"}}}}}}}});
  EXPECT_EQ(error.rfind("spec.candidateTemplate.gates.data.dataset.uri: unknown placeholder {{windowstart}}", 0), 0u)
      << error;
}

TEST(CandidateTemplate, UnknownPlaceholderSuggestsTheNearestKnownName) {
  const std::string error = RenderError({{"uri", "{{windowstart}}"}});
  EXPECT_NE(error.find("did you mean {{windowStart}}?"), std::string::npos) << error;
}

TEST(CandidateTemplate, UnknownPlaceholderWithATypoSuggestsTheNearestKnownName) {
  const std::string error = RenderError({{"uri", "{{ verison }}"}});
  EXPECT_NE(error.find("unknown placeholder {{verison}}; did you mean {{version}}?"), std::string::npos) << error;
}

TEST(CandidateTemplate, PlaceholderNamesAreCaseSensitive) {
  const std::string error = RenderError({{"uri", "{{Version}}"}});
  EXPECT_NE(error.find("unknown placeholder {{Version}}; did you mean {{version}}?"), std::string::npos) << error;
}

TEST(CandidateTemplate, UnknownPlaceholderFarFromEveryNameSuggestsNothing) {
  const std::string error = RenderError({{"uri", "{{commitSha}}"}});
  EXPECT_NE(error.find("unknown placeholder {{commitSha}}"), std::string::npos) << error;
  EXPECT_EQ(error.find("did you mean"), std::string::npos) << error;
}

TEST(CandidateTemplate, UnknownPlaceholderListsTheKnownNames) {
  const std::string error = RenderError({{"uri", "{{nope}}"}});
  EXPECT_NE(error.find("(known: {{version}}, {{pipeline}}, {{model}}, {{triggerType}}, {{scheduledTime}}, "
                       "{{windowStart}}, {{windowEnd}})"),
            std::string::npos)
      << error;
}

TEST(CandidateTemplate, EmptyBracesAreAnUnknownPlaceholder) {
  const std::string error = RenderError({{"uri", "a{{ }}b"}});
  EXPECT_NE(error.find("spec.candidateTemplate.uri: unknown placeholder {{}}"), std::string::npos) << error;
}

TEST(CandidateTemplate, UnknownPlaceholderInAnArrayNamesTheIndex) {
  const std::string error =
      RenderError({{"training", {{"args", {"ok", "{{version}}", "{{bogus}}"}}}}});
  EXPECT_EQ(error.rfind("spec.candidateTemplate.training.args[2]: unknown placeholder {{bogus}}", 0), 0u) << error;
}

TEST(CandidateTemplate, UnknownPlaceholderInAnObjectInAnArrayNamesBoth) {
  const std::string error = RenderError({{"env", {{{"name", "A"}, {"value", "{{modle}}"}}}}});
  EXPECT_EQ(error.rfind("spec.candidateTemplate.env[0].value: unknown placeholder {{modle}}; did you mean {{model}}?", 0),
            0u)
      << error;
}

TEST(CandidateTemplate, UnterminatedPlaceholderNamesTheFieldAndTheCharacter) {
  const std::string error = RenderError({{"artifact", {{"uri", "s3://m/{{version"}}}});
  EXPECT_EQ(error.rfind("spec.candidateTemplate.artifact.uri: '{{' at character 8 is not closed by '}}'", 0), 0u)
      << error;
}

TEST(CandidateTemplate, SingleClosingBraceDoesNotCloseAPlaceholder) {
  const std::string error = RenderError({{"uri", "{{version}"}});
  EXPECT_NE(error.find("is not closed by '}}'"), std::string::npos) << error;
}

TEST(CandidateTemplate, UnterminatedPlaceholderAfterAGoodOneIsAnError) {
  const std::string error = RenderError({{"uri", "{{version}}/{{model"}});
  EXPECT_NE(error.find("'{{' at character 13 is not closed"), std::string::npos) << error;
}

}  // namespace
}  // namespace modelgate::controllers::pipeline
