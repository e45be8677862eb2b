#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gates/io/record_reader.h"
#include "tests/gates/test_util.h"

namespace modelgate::gates {
namespace {

using ::testing::ElementsAre;
using testing::Csv;

// Reads all rows as vectors of strings, with "<null>" for null fields.
std::vector<std::vector<std::string>> ReadAll(RecordReader& reader, std::vector<int64_t>* lines = nullptr) {
  std::vector<std::vector<std::string>> rows;
  Record record;
  for (;;) {
    auto more = reader.Next(record);
    EXPECT_TRUE(more.ok()) << more.status().message();
    if (!more.ok() || !*more) break;
    std::vector<std::string> row;
    for (size_t i = 0; i < record.fields.size(); ++i) {
      row.push_back(record.null[i] ? "<null>" : std::string(record.fields[i]));
    }
    rows.push_back(row);
    if (lines) lines->push_back(record.line);
  }
  return rows;
}

std::string ErrorOf(const std::string& text) {
  auto reader = OpenCsvReader(StringByteSource(text, "data.csv"));
  if (!reader.ok()) return reader.status().message();
  Record record;
  for (;;) {
    auto more = (*reader)->Next(record);
    if (!more.ok()) return more.status().message();
    if (!*more) return "no error";
  }
}

TEST(CsvReader, ReadsTheHeaderAsColumnsAndEachLineAsARow) {
  auto reader = Csv("a,b\n1,2\n3,4\n");
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(reader->columns(), ElementsAre("a", "b"));
  EXPECT_THAT(ReadAll(*reader), ElementsAre(ElementsAre("1", "2"), ElementsAre("3", "4")));
}

TEST(CsvReader, QuotedFieldsKeepDelimitersAndDoubledQuotes) {
  auto reader = Csv("name,note\n\"Smith, Jones\",\"say \"\"hi\"\"\"\n");
  EXPECT_THAT(ReadAll(*reader), ElementsAre(ElementsAre("Smith, Jones", "say \"hi\"")));
}

TEST(CsvReader, QuotedFieldsMayContainLineBreaksAndLaterLinesAreCountedPhysically) {
  auto reader = Csv("a,b\n\"line1\nline2\",x\n3,4\n");
  std::vector<int64_t> lines;
  EXPECT_THAT(ReadAll(*reader, &lines),
              ElementsAre(ElementsAre("line1\nline2", "x"), ElementsAre("3", "4")));
  EXPECT_THAT(lines, ElementsAre(2, 4));
}

TEST(CsvReader, AcceptsCrlfLineEndings) {
  auto reader = Csv("a,b\r\n1,2\r\n\"x\r\ny\",3\r\n");
  EXPECT_THAT(reader->columns(), ElementsAre("a", "b"));
  EXPECT_THAT(ReadAll(*reader), ElementsAre(ElementsAre("1", "2"), ElementsAre("x\r\ny", "3")));
}

TEST(CsvReader, AnEmptyUnquotedFieldIsNullButAQuotedEmptyFieldIsTheEmptyString) {
  auto reader = Csv("a,b,c\n,\"\",\n");
  EXPECT_THAT(ReadAll(*reader), ElementsAre(ElementsAre("<null>", "", "<null>")));
}

TEST(CsvReader, UsesTheConfiguredDelimiter) {
  auto reader = Csv("a;b\n1,5;\"x;y\"\n", ';');
  EXPECT_THAT(ReadAll(*reader), ElementsAre(ElementsAre("1,5", "x;y")));
}

TEST(CsvReader, ReadsTheLastRowWithoutATrailingNewline) {
  auto reader = Csv("a,b\n1,2");
  EXPECT_THAT(ReadAll(*reader), ElementsAre(ElementsAre("1", "2")));
}

TEST(CsvReader, SkipsAByteOrderMarkAndBlankLines) {
  auto reader = Csv("\xEF\xBB\xBF" "a,b\n\n1,2\n\n");
  EXPECT_THAT(reader->columns(), ElementsAre("a", "b"));
  std::vector<int64_t> lines;
  EXPECT_THAT(ReadAll(*reader, &lines), ElementsAre(ElementsAre("1", "2")));
  EXPECT_THAT(lines, ElementsAre(3));
}

TEST(CsvReader, InflatesGzipInput) {
  auto reader = OpenCsvReader(StringByteSource(testing::Gzip("a,b\n1,\"x,y\"\n"), "data.csv.gz"));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_THAT(ReadAll(**reader), ElementsAre(ElementsAre("1", "x,y")));
}

TEST(CsvReader, ReportsTruncatedGzipInput) {
  std::string gz = testing::Gzip("a,b\n1,2\n3,4\n");
  auto reader = OpenCsvReader(StringByteSource(gz.substr(0, gz.size() - 6), "data.csv.gz"));
  std::string message = reader.ok() ? "" : reader.status().message();
  if (reader.ok()) {
    Record record;
    for (;;) {
      auto more = (*reader)->Next(record);
      if (!more.ok()) {
        message = more.status().message();
        break;
      }
      if (!*more) break;
    }
  }
  EXPECT_EQ(message, "data.csv.gz: truncated gzip stream (unexpected end of file)");
}

TEST(CsvReader, RecordsAndQuotesMaySpanReadBoundaries) {
  std::string text = "a,b\n\"q,\"\"x\"\"\ny\",2\r\n3,\n";
  auto reader = OpenCsvReader(std::make_unique<testing::OneByteSource>(text, "data.csv"));
  ASSERT_TRUE(reader.ok());
  EXPECT_THAT(ReadAll(**reader), ElementsAre(ElementsAre("q,\"x\"\ny", "2"), ElementsAre("3", "<null>")));
}

TEST(CsvReader, ARowWithTheWrongNumberOfFieldsNamesItsLine) {
  EXPECT_EQ(ErrorOf("a,b,c\n1,2,3\n4,5\n"), "data.csv line 3: expected 3 fields as in the header, got 2");
}

TEST(CsvReader, AnUnterminatedQuoteNamesTheLineWhereItOpened) {
  EXPECT_EQ(ErrorOf("a,b\n1,\"open\n\n"),
            "data.csv line 2: unterminated quoted field 2 (the closing '\"' is missing)");
}

TEST(CsvReader, TextAfterAClosingQuoteIsAnError) {
  EXPECT_EQ(ErrorOf("a,b\n\"x\"y,2\n"),
            "data.csv line 2: unexpected character 'y' after the closing quote of field 1");
}

TEST(CsvReader, AQuoteInsideAnUnquotedFieldIsAnError) {
  EXPECT_EQ(ErrorOf("a,b\n1,ab\"c\n"),
            "data.csv line 2: a '\"' inside unquoted field 2 (quote the whole field and double the quote)");
}

TEST(CsvReader, DuplicateColumnNamesAreAnError) {
  EXPECT_EQ(ErrorOf("a,b,a\n"), "data.csv line 1: duplicate column name 'a' (columns 1 and 3)");
}

TEST(CsvReader, EmptyInputIsAnError) { EXPECT_EQ(ErrorOf(""), "data.csv: empty input (no header row)"); }

TEST(CsvReader, ReadsManyRowsAcrossChunkBoundaries) {
  std::string text = "id,name\n";
  for (int i = 0; i < 100000; ++i) text += std::to_string(i) + ",\"n, " + std::to_string(i) + "\"\n";
  auto reader = Csv(text);
  auto rows = ReadAll(*reader);
  ASSERT_EQ(rows.size(), 100000u);
  EXPECT_THAT(rows[99999], ElementsAre("99999", "n, 99999"));
}

}  // namespace
}  // namespace modelgate::gates
