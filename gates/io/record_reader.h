// RecordReader: a streaming reader of tabular rows (CSV or JSON Lines) as text fields. Typing is
// left to the consumer, which materialises only the columns it needs (see gates/io/column_set.h).
//
// Contract of every reader:
//  - columns() is known after opening (the CSV header, or the keys of the first JSON object).
//  - Next() fills `record` with one field per column; fields are views into reader-owned memory
//    valid until the next call. It returns true for a row, false at end of input, or an error
//    naming the source and line ("data.csv line 12: expected 9 fields as in the header, got 8").
//  - A malformed record (a ragged row, a stray quote, a line that is not a JSON object) is an
//    ErrorCode::kMalformedRow error with record.line set; Next() may then be called again and
//    continues with the following record (gates/io/malformed_rows.h counts such rows when the
//    policy says so). Any other error is final.
//  - record.line is the 1-based physical line on which the row starts (the CSV header is line 1).
// Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gates/common/status.h"
#include "gates/io/byte_source.h"

namespace modelgate::gates {

struct Record {
  std::vector<std::string_view> fields;
  // 1 where the value is null: an unquoted empty CSV field, a JSON null or an absent JSON key.
  // A quoted empty CSV field ("") is the empty string, not null.
  std::vector<uint8_t> null;
  int64_t line = 0;
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  virtual const std::vector<std::string>& columns() const = 0;
  virtual Result<bool> Next(Record& record) = 0;
  virtual const std::string& source_name() const = 0;
};

enum class DataFormat { kAuto, kCsv, kJsonLines };

struct ReadOptions {
  DataFormat format = DataFormat::kAuto;  // kAuto: JSON Lines for *.jsonl / *.ndjson (optionally
                                          // .gz), otherwise CSV
  char delimiter = ',';                   // CSV only
  uint64_t max_bytes = 0;                 // 0 = unlimited; counted after decompression
  std::chrono::milliseconds http_timeout{30000};  // http(s):// sources: connect + whole transfer
};

// The format `requested` resolves to for a source named `name`: kAuto is JSON Lines for *.jsonl /
// *.ndjson (optionally .gz), otherwise CSV. Every reader of a location decides by this.
DataFormat ResolveFormat(DataFormat requested, const std::string& name);

// CSV per RFC 4180: a header row; fields separated by `delimiter`; fields may be quoted with '"',
// a quote inside a quoted field is written twice; quoted fields may contain delimiters and line
// breaks; records end with CRLF or LF; a UTF-8 byte-order mark is skipped; completely empty lines
// are skipped. A quote inside an unquoted field, text after a closing quote, an unterminated quote
// or a row with a different number of fields than the header is an error with the line number.
Result<std::unique_ptr<RecordReader>> OpenCsvReader(std::unique_ptr<ByteSource> source,
                                                    char delimiter = ',');

// JSON Lines: one JSON object per line (blank lines skipped). Columns are the keys of the first
// object in order; later keys not among them are ignored, missing ones are null. Strings are
// returned as their text, numbers and booleans as their JSON text, nested values as JSON.
Result<std::unique_ptr<RecordReader>> OpenJsonLinesReader(std::unique_ptr<ByteSource> source);

// Opens a path, file:// or http(s):// URL with the format chosen by `options` (see ReadOptions).
Result<std::unique_ptr<RecordReader>> OpenRecordReader(const std::string& location,
                                                       const ReadOptions& options = {});

// Same over an already opened source; `kAuto` picks by the source's name as above.
Result<std::unique_ptr<RecordReader>> OpenRecordReader(std::unique_ptr<ByteSource> source,
                                                       const ReadOptions& options = {});

}  // namespace modelgate::gates
