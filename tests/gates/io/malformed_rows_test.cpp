#include "gates/io/malformed_rows.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/gates/test_util.h"

namespace modelgate::gates {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Reads every record, counting malformed ones; returns the first column of each good record.
std::vector<std::string> ReadCounting(RecordReader& reader, MalformedRows* counter, Status* error) {
  std::vector<std::string> firsts;
  Record record;
  for (;;) {
    auto more = NextRecord(reader, record, counter);
    if (!more.ok()) {
      *error = more.status();
      break;
    }
    if (!*more) break;
    firsts.emplace_back(record.fields[0]);
  }
  return firsts;
}

TEST(MalformedRows, CsvRaggedRowIsAMalformedRowErrorAndReadingCanContinue) {
  auto reader = testing::Csv("a,b\n1,2\n3\n4,5\n");
  Record record;
  ASSERT_TRUE(*reader->Next(record));
  auto bad = reader->Next(record);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kMalformedRow);
  EXPECT_EQ(record.line, 3);
  EXPECT_THAT(bad.status().message(), HasSubstr("data.csv line 3: expected 2 fields"));
  auto next = reader->Next(record);
  ASSERT_TRUE(next.ok() && *next);
  EXPECT_EQ(record.fields[0], "4");
}

TEST(MalformedRows, CountsCsvRowsWithBadQuotingAndResumesOnTheNextLine) {
  auto reader = testing::Csv("a,b\n1,2\nx\"y,3\n\"q\"z,4\n5,6\n7\n8,9\n");
  MalformedRows counter;
  Status error;
  auto firsts = ReadCounting(*reader, &counter, &error);
  EXPECT_TRUE(error.ok()) << error.message();
  EXPECT_THAT(firsts, ElementsAre("1", "5", "8"));
  EXPECT_EQ(counter.count, 3);
  EXPECT_THAT(counter.lines, ElementsAre(3, 4, 6));
  EXPECT_THAT(counter.reasons[0], HasSubstr("inside unquoted field 1"));
  EXPECT_THAT(counter.reasons[1], HasSubstr("after the closing quote"));
}

TEST(MalformedRows, BadQuotingInsideAMultiLineRecordSkipsToTheEndOfTheOffendingLine) {
  auto reader = testing::Csv("a,b\n\"multi\nline\"x,1\n2,3\n");
  MalformedRows counter;
  Status error;
  auto firsts = ReadCounting(*reader, &counter, &error);
  EXPECT_TRUE(error.ok()) << error.message();
  EXPECT_THAT(firsts, ElementsAre("2"));
  EXPECT_THAT(counter.lines, ElementsAre(2));  // where the record starts
  EXPECT_THAT(counter.reasons[0], HasSubstr("line 3"));  // where the bad byte is
}

TEST(MalformedRows, AnUnterminatedQuoteIsStillAnInputError) {
  auto reader = testing::Csv("a,b\n1,2\n\"open,3\n4,5\n");
  MalformedRows counter;
  Status error;
  ReadCounting(*reader, &counter, &error);
  EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
  EXPECT_THAT(error.message(), HasSubstr("unterminated quoted field"));
  EXPECT_EQ(counter.count, 0);
}

TEST(MalformedRows, WithoutACounterTheFirstMalformedRowIsReturned) {
  auto reader = testing::Csv("a,b\n1,2\n3\n");
  Status error;
  ReadCounting(*reader, nullptr, &error);
  EXPECT_EQ(error.code(), ErrorCode::kMalformedRow);
  EXPECT_THAT(error.message(), HasSubstr("line 3"));
}

TEST(MalformedRows, CountsJsonLinesThatAreNotObjects) {
  auto reader = OpenJsonLinesReader(StringByteSource("{\"a\": 1}\nnot json\n[1]\n{\"a\": 2}\n", "d.jsonl"));
  ASSERT_TRUE(reader.ok());
  MalformedRows counter;
  Status error;
  auto firsts = ReadCounting(**reader, &counter, &error);
  EXPECT_TRUE(error.ok()) << error.message();
  EXPECT_THAT(firsts, ElementsAre("1", "2"));
  EXPECT_THAT(counter.lines, ElementsAre(2, 3));
}

TEST(MalformedRows, ABadFirstJsonLineIsAnInputError) {
  auto reader = OpenJsonLinesReader(StringByteSource("nope\n{\"a\": 1}\n", "d.jsonl"));
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), ErrorCode::kInvalidInput);
}

TEST(MalformedRows, KeepsTheFirstExamplesAndTheFullCount) {
  MalformedRows m;
  for (int i = 1; i <= 25; ++i) m.Add(i * 10, "bad " + std::to_string(i));
  EXPECT_EQ(m.count, 25);
  EXPECT_EQ(m.lines.size(), MalformedRows::kExamples);
  MalformedRows later;
  later.Add(1000, "later");
  m.Merge(later);
  EXPECT_EQ(m.count, 26);
  EXPECT_EQ(m.lines.back(), 100);
}

TEST(MalformedRows, FailsOnlyAboveTheCountLimit) {
  MalformedRowPolicy policy{.count = true, .max_rows = 2};
  MalformedRows m;
  m.source = "d.csv";
  m.Add(3, "d.csv line 3: expected 2 fields as in the header, got 1");
  m.Add(7, "d.csv line 7: bad");
  EXPECT_FALSE(MalformedRowsFailure(policy, m, 100).has_value());
  m.Add(9, "d.csv line 9: bad");
  auto failure = MalformedRowsFailure(policy, m, 100);
  ASSERT_TRUE(failure.has_value());
  EXPECT_THAT(*failure, HasSubstr("3 malformed rows in d.csv"));
  EXPECT_THAT(*failure, HasSubstr("lines 3, 7, 9"));
  EXPECT_THAT(*failure, HasSubstr("exceed max_malformed_rows 2"));
}

TEST(MalformedRows, FailsAboveTheRateLimitCountingMalformedRowsInTheTotal) {
  MalformedRowPolicy policy{.count = true, .max_rate = 0.01};
  MalformedRows m;
  m.source = "d.csv";
  m.Add(2, "bad");
  EXPECT_FALSE(MalformedRowsFailure(policy, m, 99).has_value());  // 1 of 100 = 1%
  EXPECT_TRUE(MalformedRowsFailure(policy, m, 98).has_value());   // 1 of 99 > 1%
  auto json = MalformedRowsJson(policy, m, 98);
  EXPECT_EQ(json["count"], 1);
  EXPECT_EQ(json["passed"], false);
  EXPECT_EQ(json["examples"][0]["line"], 2);
}

}  // namespace
}  // namespace modelgate::gates
