// Reading a CSV file in two parts (gates/io/csv_split.h) reports exactly what one reader reports:
// compared event by event (records with their lines, malformed rows, errors) on files built so
// that the cut falls on the cases that matter.
#include "gates/io/csv_split.h"

#include <gtest/gtest.h>

#include <functional>

#include "tests/gates/io/csv_events.h"
#include "tests/gates/test_util.h"
#include "tests/operator/kube/test_files.h"

namespace modelgate::gates {
namespace {

using Events = std::vector<std::string>;

// Events until a final error, which becomes the load's error (as a gate loader treats it).
Result<Events> Load(RecordReader& reader, int64_t /*expected_rows*/ = 0) {
  Events events = testing::CsvEvents(reader);
  if (!events.empty() && events.back().rfind("error ", 0) == 0) {
    return Status::Invalid(events.back().substr(6));
  }
  return events;
}

struct Outcome {
  size_t parts = 0;
  Events events;
  std::string error;
};

class CsvSplitTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& bytes) {
    return dir_.Write(name, bytes);
  }

  static Outcome InParts(const std::string& path, const ReadOptions& options = {},
                         uint64_t min_bytes = 0) {
    std::function<Result<Events>(RecordReader&, int64_t)> load = Load;
    auto parts = LoadInParts<Events>(path, options, min_bytes, load);
    Outcome out;
    if (!parts.ok()) {
      out.error = parts.status().message();
      return out;
    }
    out.parts = parts->size();
    for (auto& part : *parts) out.events.insert(out.events.end(), part.begin(), part.end());
    return out;
  }

  static Outcome OneReader(const std::string& path, const ReadOptions& options = {}) {
    Outcome out;
    auto reader = OpenRecordReader(path, options);
    if (!reader.ok()) {
      out.error = reader.status().message();
      return out;
    }
    auto events = Load(**reader);
    if (!events.ok()) {
      out.error = events.status().message();
      return out;
    }
    out.parts = 1;
    out.events = std::move(events).value();
    return out;
  }

  // Asserts the two-part read equals the sequential one and returns how many parts it used.
  static size_t ExpectSameAsOneReader(const std::string& path, const ReadOptions& options = {}) {
    Outcome split = InParts(path, options);
    Outcome one = OneReader(path, options);
    EXPECT_EQ(split.error, one.error);
    EXPECT_EQ(split.events, one.events);
    return split.parts;
  }

  kube::testing::TempDir dir_;
};

std::string Rows(int from, int to, const char* line_end = "\n") {
  std::string text;
  for (int i = from; i < to; ++i) {
    text +=
        std::to_string(i) + ",name " + std::to_string(i) + "," + std::to_string(i % 7) + line_end;
  }
  return text;
}

TEST_F(CsvSplitTest, APlainFileIsReadInTwoPartsWithTheSameRecordsAndLines) {
  std::string path = Write("plain.csv", "id,name,group\n" + Rows(0, 500));
  EXPECT_EQ(ExpectSameAsOneReader(path), 2u);
  Outcome split = InParts(path);
  ASSERT_EQ(split.events.size(), 500u);
  EXPECT_EQ(split.events[499], "line 501: [499] [name 499] [2]");
}

TEST_F(CsvSplitTest, CrlfLineEndsAndABomSplitToo) {
  std::string path = Write("crlf.csv", "\xEF\xBB\xBFid,name,group\r\n" + Rows(0, 300, "\r\n"));
  EXPECT_EQ(ExpectSameAsOneReader(path), 2u);
}

TEST_F(CsvSplitTest, BlankLinesAroundTheCutAreSkippedAsByOneReader) {
  std::string blank(400, '\n');
  std::string path = Write("blank.csv", "id,name,group\n" + Rows(0, 100) + blank + Rows(100, 200));
  EXPECT_EQ(ExpectSameAsOneReader(path), 2u);
}

TEST_F(CsvSplitTest, AQuotedFieldWithLineFeedsAcrossTheCutMakesItReadInOnePart) {
  std::string quoted = "\"";
  for (int i = 0; i < 400; ++i) quoted += "a line of a long note\n";
  quoted += "\"";
  std::string path =
      Write("quoted.csv", "id,name,group\n" + Rows(0, 20) + "20," + quoted + ",1\n" + Rows(21, 40));
  EXPECT_EQ(ExpectSameAsOneReader(path), 1u);
  EXPECT_EQ(InParts(path).events.size(), 40u);
}

TEST_F(CsvSplitTest, LoneCrLineEndsShiftLineNumbersSoTheFileIsReadInOnePart) {
  std::string path = Write("cr.csv", "id,name,group\r" + Rows(0, 300, "\r") + Rows(300, 600));
  EXPECT_EQ(ExpectSameAsOneReader(path), 1u);
}

TEST_F(CsvSplitTest, MalformedRowsInTheSecondPartKeepTheirLineNumbersInTheWholeFile) {
  std::string path = Write("ragged.csv", "id,name,group\n" + Rows(0, 300) + "oops,only two\n" +
                                             Rows(301, 350) + "a,b\"c,d\n" + Rows(351, 400));
  EXPECT_EQ(ExpectSameAsOneReader(path), 2u);
  Outcome split = InParts(path);
  EXPECT_NE(std::find(split.events.begin(), split.events.end(),
                      "malformed " + path + " line 302: expected 3 fields as in the header, got 2"),
            split.events.end());
}

TEST_F(CsvSplitTest, AFinalErrorInTheSecondPartNamesItsLineInTheWholeFile) {
  std::string path = Write("unterminated.csv", "id,name,group\n" + Rows(0, 300) +
                                                   "300,\"never closed\n" + Rows(301, 310));
  EXPECT_EQ(ExpectSameAsOneReader(path), 0u);  // an error, the same one
  EXPECT_EQ(InParts(path).error,
            path + " line 302: unterminated quoted field 2 (the closing '\"' is missing)");
}

TEST_F(CsvSplitTest, AnErrorInTheFirstPartWins) {
  // The quote opened on line 12 never closes: the first part fails there, whatever the second
  // part (which starts inside that quote) made of the rest.
  std::string path =
      Write("first.csv", "id,name,group\n" + Rows(0, 10) + "10,\"open,1\n" + Rows(11, 300));
  Outcome split = InParts(path);
  EXPECT_EQ(split.error, OneReader(path).error);
  EXPECT_EQ(split.error,
            path + " line 12: unterminated quoted field 2 (the closing '\"' is missing)");
}

TEST_F(CsvSplitTest, GzipJsonLinesSmallAndCappedInputsAreNotSplit) {
  std::string plain = "id,name,group\n" + Rows(0, 300);
  EXPECT_EQ(ExpectSameAsOneReader(Write("packed.csv", testing::Gzip(plain))), 1u);
  EXPECT_EQ(ExpectSameAsOneReader(Write("packed.csv.gz", testing::Gzip(plain))), 1u);
  std::string small = Write("small.csv", plain);
  EXPECT_EQ(InParts(small, {}, plain.size() + 1).parts, 1u);
  ReadOptions capped;
  capped.max_bytes = 100;
  Outcome over = InParts(small, capped);
  EXPECT_EQ(over.error, OneReader(small, capped).error);
  EXPECT_FALSE(over.error.empty());
  ReadOptions jsonl;
  jsonl.format = DataFormat::kJsonLines;
  EXPECT_FALSE(CsvSplit::Plan(small, jsonl, 0).has_value());
  EXPECT_FALSE(CsvSplit::Plan(Write("rows.jsonl", "{\"a\": 1}\n"), {}, 0).has_value());
  EXPECT_FALSE(CsvSplit::Plan("http://127.0.0.1:1/data.csv", {}, 0).has_value());
  EXPECT_TRUE(CsvSplit::Plan("file://" + small, {}, 0).has_value());
}

TEST(FindSecondPartTest, StartsAfterTheFirstLineFeedAtOrAfterTheByteBeforeTheCut) {
  auto at = [](const std::string& text, uint64_t cut) {
    auto source = StringByteSource(text, "t.csv");
    auto part = FindSecondPart(*source, cut);
    EXPECT_TRUE(part.ok());
    return std::make_pair(part->start, part->first_line);
  };
  EXPECT_EQ(at("a\nbb\ncc\n", 2),
            std::make_pair(uint64_t{2}, int64_t{2}));  // "bb" starts at the cut
  EXPECT_EQ(at("a\nbb\ncc\n", 3), std::make_pair(uint64_t{5}, int64_t{3}));
  EXPECT_EQ(at("a\nbb\ncc", 6), std::make_pair(uint64_t{7}, int64_t{3}));  // no line feed: the end
}

}  // namespace
}  // namespace modelgate::gates
