#include <gtest/gtest.h>

#include "gates/policy/slice_filter.h"

namespace modelgate::gates {
namespace {

const std::vector<std::string> kColumns = {"platform", "region", "account_age_days", "tier"};

// Evaluates `filter` on one row given as texts; "<null>" marks a null field.
Truth Eval(const std::string& filter, std::vector<std::string> row, Status* error = nullptr) {
  auto parsed = SliceFilter::Parse(filter, "f");
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_TRUE(parsed->Bind(kColumns, "data.csv").ok());
  Record record;
  record.line = 7;
  for (auto& field : row) {
    record.null.push_back(field == "<null>");
    record.fields.push_back(field);
  }
  Status local;
  Truth t = parsed->Evaluate(record, "data.csv", error ? error : &local);
  return t;
}

std::string ParseError(const std::string& filter) {
  auto parsed = SliceFilter::Parse(filter, "policy p.yaml: slices[0].filter");
  return parsed.ok() ? "no error" : parsed.status().message();
}

TEST(SliceFilter, ComparesTextWithAQuotedLiteral) {
  EXPECT_EQ(Eval("platform == 'mobile'", {"mobile", "EU", "3", "gold"}), Truth::kTrue);
  EXPECT_EQ(Eval("platform == \"mobile\"", {"web", "EU", "3", "gold"}), Truth::kFalse);
  EXPECT_EQ(Eval("platform != 'mobile'", {"web", "EU", "3", "gold"}), Truth::kTrue);
}

TEST(SliceFilter, ComparesNumbersNumerically) {
  EXPECT_EQ(Eval("account_age_days < 30", {"m", "EU", "29.5", "g"}), Truth::kTrue);
  EXPECT_EQ(Eval("account_age_days < 30", {"m", "EU", "100", "g"}), Truth::kFalse);
  EXPECT_EQ(Eval("account_age_days >= 1e2", {"m", "EU", "100", "g"}), Truth::kTrue);
  EXPECT_EQ(Eval("account_age_days == -0.5", {"m", "EU", "-0.5", "g"}), Truth::kTrue);
}

TEST(SliceFilter, InMatchesAnyListedValue) {
  EXPECT_EQ(Eval("region in ['EU', 'UK']", {"m", "UK", "1", "g"}), Truth::kTrue);
  EXPECT_EQ(Eval("region not in ['EU', 'UK']", {"m", "UK", "1", "g"}), Truth::kFalse);
  EXPECT_EQ(Eval("account_age_days in [1, 2]", {"m", "UK", "2", "g"}), Truth::kTrue);
}

TEST(SliceFilter, AndBindsTighterThanOrAndParenthesesOverride) {
  std::vector<std::string> row = {"mobile", "US", "10", "gold"};
  EXPECT_EQ(Eval("region == 'EU' and platform == 'web' or tier == 'gold'", row), Truth::kTrue);
  EXPECT_EQ(Eval("region == 'EU' and (platform == 'web' or tier == 'gold')", row), Truth::kFalse);
  EXPECT_EQ(Eval("not region == 'EU' AND NOT (tier == 'silver')", row), Truth::kTrue);
}

TEST(SliceFilter, ComparisonsWithNullAreUnknownAndRowsWithUnknownAreNotInTheSlice) {
  std::vector<std::string> row = {"<null>", "EU", "<null>", "g"};
  EXPECT_EQ(Eval("platform == 'mobile'", row), Truth::kUnknown);
  EXPECT_EQ(Eval("not platform == 'mobile'", row), Truth::kUnknown);
  EXPECT_EQ(Eval("platform == 'mobile' or region == 'EU'", row), Truth::kTrue);
  EXPECT_EQ(Eval("platform == 'mobile' and region == 'US'", row), Truth::kFalse);
  EXPECT_EQ(Eval("account_age_days < 30", row), Truth::kUnknown);
}

TEST(SliceFilter, IsNullTestsNullness) {
  EXPECT_EQ(Eval("platform is null", {"<null>", "EU", "1", "g"}), Truth::kTrue);
  EXPECT_EQ(Eval("platform is not null", {"<null>", "EU", "1", "g"}), Truth::kFalse);
}

TEST(SliceFilter, ANonNumericFieldComparedWithANumberIsAnInputErrorNamingTheLine) {
  Status error;
  Eval("account_age_days < 30", {"m", "EU", "young", "g"}, &error);
  EXPECT_EQ(error.message(),
            "data.csv line 7: column account_age_days: expected a number for the filter "
            "'account_age_days < 30', got 'young'");
}

TEST(SliceFilter, ReportsTheColumnsItReads) {
  auto parsed = SliceFilter::Parse("region == 'EU' or (tier == 'g' and region != 'x')", "f");
  EXPECT_EQ(parsed->columns(), (std::vector<std::string>{"region", "tier"}));
}

TEST(SliceFilter, AnUnknownColumnSuggestsTheNearestOne) {
  auto parsed = SliceFilter::Parse("platfrom == 'mobile'", "policy p.yaml: slices[0].filter");
  Status s = parsed->Bind(kColumns, "data.csv");
  EXPECT_EQ(s.message(),
            "policy p.yaml: slices[0].filter: column 'platfrom' is not in data.csv (did you mean 'platform'?)");
}

TEST(SliceFilter, AParseErrorPointsAtTheCharacter) {
  EXPECT_EQ(ParseError("account_age_days 30"),
            "policy p.yaml: slices[0].filter: expected a comparison (==, !=, <, <=, >, >=), 'in' or "
            "'is' after 'account_age_days' at character 18\n"
            "  account_age_days 30\n"
            "                   ^");
}

TEST(SliceFilter, ASingleEqualsSignIsExplained) {
  EXPECT_EQ(ParseError("platform = 'mobile'"),
            "policy p.yaml: slices[0].filter: '=' is not an operator (use '==') at character 10\n"
            "  platform = 'mobile'\n"
            "           ^");
}

TEST(SliceFilter, AnUnquotedTextLiteralIsExplained) {
  EXPECT_EQ(ParseError("platform == mobile"),
            "policy p.yaml: slices[0].filter: expected a number or a quoted string, got 'mobile' "
            "(quote text values: 'mobile') at character 13\n"
            "  platform == mobile\n"
            "              ^");
}

TEST(SliceFilter, UnbalancedParenthesesAndStringsAreErrors) {
  EXPECT_EQ(ParseError("(region == 'EU'"),
            "policy p.yaml: slices[0].filter: expected ')' (to close the '(' opened at character 1) "
            "at character 16\n"
            "  (region == 'EU'\n"
            "                 ^");
  EXPECT_EQ(ParseError("region == 'EU"),
            "policy p.yaml: slices[0].filter: unterminated string (missing closing ') at character 11\n"
            "  region == 'EU\n"
            "            ^");
}

// Found by libFuzzer: 200 000 '(' overflowed the stack of the recursive parser. Nesting is now
// bounded and reported like any other parse error.
TEST(SliceFilter, NestingBeyondTheLimitIsAnErrorNotACrash) {
  std::string deep(200000, '(');
  std::string error = ParseError(deep);
  EXPECT_NE(error.find("the filter nests more than 256 levels"), std::string::npos)
      << error.substr(0, 200);
  EXPECT_NE(error.find("at character 257"), std::string::npos) << error.substr(0, 200);
  std::string nots;
  for (int i = 0; i < 20000; ++i) nots += "not ";
  EXPECT_NE(ParseError(nots + "region == 'EU'").find("nests more than 256 levels"),
            std::string::npos);
  std::string chain = "region == 'EU'";
  for (int i = 0; i < 300; ++i) chain += " or region == 'EU'";
  EXPECT_NE(ParseError(chain).find("use 'in [...]' for long lists of values"), std::string::npos);
}

TEST(SliceFilter, NestingWithinTheLimitStillWorks) {
  std::string filter = std::string(200, '(') + "region == 'EU'" + std::string(200, ')');
  EXPECT_EQ(Eval(filter, {"mobile", "EU", "3", "g"}), Truth::kTrue);
  std::string chain = "region == 'x'";
  for (int i = 0; i < 100; ++i) chain += " or region == 'EU'";
  EXPECT_EQ(Eval(chain, {"mobile", "EU", "3", "g"}), Truth::kTrue);
}

TEST(SliceFilter, TrailingTokensAreAnError) {
  EXPECT_EQ(ParseError("region == 'EU' 'x'"),
            "policy p.yaml: slices[0].filter: expected 'and', 'or' or the end of the filter at "
            "character 16\n"
            "  region == 'EU' 'x'\n"
            "                 ^");
}

TEST(SliceFilter, AnEmptyFilterIsAnError) {
  EXPECT_EQ(ParseError(""),
            "policy p.yaml: slices[0].filter: expected a column name but the filter ended at "
            "character 1\n  \n  ^");
}

TEST(SliceFilter, BackquotedColumnNamesMayContainAnything) {
  auto parsed = SliceFilter::Parse("`account age` > 1", "f");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->columns(), (std::vector<std::string>{"account age"}));
}

}  // namespace
}  // namespace modelgate::gates
