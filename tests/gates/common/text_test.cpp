#include "gates/common/text.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <random>

namespace modelgate::gates {
namespace {

// What the general parser gives, for comparison with ParseNumber's fast path.
std::optional<double> Reference(std::string_view text) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof(a)) == 0; }

TEST(ParseNumberTest, PlainDecimalsParseToTheSameDoubleAsFromChars) {
  std::mt19937_64 random(7);
  for (int i = 0; i < 200000; ++i) {
    // 1-15 digits with the point anywhere (or nowhere), sometimes negative or with leading zeros.
    int digits = 1 + static_cast<int>(random() % 15);
    std::string text = random() % 4 == 0 ? "-" : "";
    int point = static_cast<int>(random() % (digits + 2)) - 1;
    for (int d = 0; d < digits; ++d) {
      if (d == point) text += '.';
      text += static_cast<char>('0' + random() % 10);
    }
    auto got = ParseNumber(text);
    auto want = Reference(text);
    ASSERT_TRUE(got.has_value()) << text;
    ASSERT_TRUE(want.has_value()) << text;
    ASSERT_TRUE(SameBits(*got, *want)) << text << ": " << *got << " vs " << *want;
  }
}

TEST(ParseNumberTest, EdgeCasesMatchTheGeneralParser) {
  for (const char* text : {"0", "-0", "0.", ".5", "-.5", "1.", "007", "0.121153", "36.00",
                           "123456789012345", "1234567890123456", "0.1234567890123456789", "1e5",
                           "-1.5E-3", "inf", "-inf", "nan", "+1.5", "9007199254740993"}) {
    auto got = ParseNumber(text);
    auto want = Reference(text);
    ASSERT_EQ(got.has_value(), want.has_value()) << text;
    if (got && !std::isnan(*got)) {
      EXPECT_TRUE(SameBits(*got, *want)) << text;
    }
  }
  EXPECT_TRUE(SameBits(*ParseNumber("-0"), -0.0));
  for (const char* bad : {"", "-", ".", "-.", "1.2.3", "1,5", "12a", " 1", "1 ", "--1", "0x10"}) {
    EXPECT_FALSE(ParseNumber(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace modelgate::gates
