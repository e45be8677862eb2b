#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gates/io/record_reader.h"
#include "tests/gates/test_util.h"

namespace modelgate::gates {
namespace {

using ::testing::ElementsAre;

std::unique_ptr<RecordReader> Jsonl(const std::string& text) {
  auto reader = OpenRecordReader(StringByteSource(text, "data.jsonl"));
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  return reader.ok() ? std::move(reader).value() : nullptr;
}

TEST(JsonLinesReader, ColumnsAreTheKeysOfTheFirstObjectInOrder) {
  auto reader = Jsonl("{\"score\": 0.5, \"label\": 1, \"region\": \"EU\"}\n");
  EXPECT_THAT(reader->columns(), ElementsAre("score", "label", "region"));
}

TEST(JsonLinesReader, ValuesAreTextAndMissingOrNullKeysAreNull) {
  auto reader = Jsonl("{\"a\": \"x\", \"b\": 2.5, \"c\": true}\n\n{\"a\": null, \"c\": [1,2]}\r\n");
  Record record;
  ASSERT_TRUE(*reader->Next(record));
  EXPECT_THAT(record.fields, ElementsAre("x", "2.5", "true"));
  ASSERT_TRUE(*reader->Next(record));
  EXPECT_THAT(record.null, ElementsAre(1, 1, 0));
  EXPECT_EQ(record.fields[2], "[1,2]");
  EXPECT_EQ(record.line, 3);
  EXPECT_FALSE(*reader->Next(record));
}

TEST(JsonLinesReader, AMalformedLineNamesItsLineNumber) {
  auto reader = Jsonl("{\"a\": 1}\n{\"a\": 2,}\n");
  Record record;
  ASSERT_TRUE(*reader->Next(record));
  auto bad = reader->Next(record);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "data.jsonl line 2: not valid JSON: {\"a\": 2,}");
}

TEST(JsonLinesReader, ALineThatIsNotAnObjectIsAnError) {
  auto reader = OpenRecordReader(StringByteSource("[1, 2]\n", "data.jsonl"));
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().message(), "data.jsonl line 1: expected a JSON object, got [1, 2]");
}

TEST(JsonLinesReader, GzipCompressedJsonLinesArePickedByName) {
  auto reader = OpenRecordReader(StringByteSource(testing::Gzip("{\"a\": 1}\n"), "data.jsonl.gz"));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_THAT((*reader)->columns(), ElementsAre("a"));
}

}  // namespace
}  // namespace modelgate::gates
