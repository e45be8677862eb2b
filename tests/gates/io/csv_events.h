// Test helper: everything a CSV reader reports, as comparable strings — one per record (line,
// fields, null flags), malformed row (its message) and final error — so that two ways of reading
// the same text can be compared exactly. Shared by csv_split_test.cpp and the csv_split fuzzer.
#pragma once

#include <string>
#include <vector>

#include "gates/io/record_reader.h"

namespace modelgate::gates::testing {

inline std::vector<std::string> CsvEvents(RecordReader& reader, size_t max_events = 100000) {
  std::vector<std::string> events;
  Record record;
  while (events.size() < max_events) {
    auto more = reader.Next(record);
    if (!more.ok()) {
      const bool malformed = more.status().code() == ErrorCode::kMalformedRow;
      events.push_back((malformed ? "malformed " : "error ") + more.status().message());
      if (!malformed) break;
      continue;
    }
    if (!*more) break;
    std::string e = "line " + std::to_string(record.line) + ":";
    for (size_t i = 0; i < record.fields.size(); ++i) {
      e += record.null[i] ? " <null>" : " [" + std::string(record.fields[i]) + "]";
    }
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace modelgate::gates::testing
