#include "operator/plugin/text_table.h"

#include <gtest/gtest.h>

namespace modelgate::plugin {
namespace {

TEST(TextTable, AlignsColumnsWithTwoSpacesAndTrimsTrailingSpace) {
  TextTable table({"METRIC", "VERDICT"});
  table.AddRow({"error-rate", "Success"});
  table.AddRow({"p99", "Failure"});
  EXPECT_EQ(table.Render("  "),
            "  METRIC      VERDICT\n"
            "  error-rate  Success\n"
            "  p99         Failure\n");
}

TEST(TextTable, AnEmptyCellPrintsAsADash) {
  TextTable table({"A", "B", "C"});
  table.AddRow({"", "x", ""});
  EXPECT_EQ(table.Render(), "A  B  C\n-  x  -\n");
}

}  // namespace
}  // namespace modelgate::plugin
