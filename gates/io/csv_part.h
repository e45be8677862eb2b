// Readers of one part of a CSV file, so that a large local file can be parsed on several cores
// (gates/io/csv_split.h). Same dialect and errors as OpenCsvReader (gates/io/record_reader.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gates/common/status.h"
#include "gates/io/byte_source.h"
#include "gates/io/record_reader.h"

namespace modelgate::gates {

class CsvPartReader : public RecordReader {
 public:
  // Bytes of the source consumed before the next record (blank lines before it not yet skipped).
  virtual uint64_t offset() const = 0;
  // The physical line the reader is on: where the next record (or blank line) starts.
  virtual int64_t line() const = 0;
};

struct CsvPartOptions {
  // Non-zero: Next() reports the end of input at the first record boundary at or after this
  // byte offset of the source (offset() then tells where it stopped).
  uint64_t stop_at = 0;
  // Non-empty: the source starts at a record boundary inside a file, has no header row and holds
  // rows of these columns.
  std::vector<std::string> columns;
  // The line number of the source's first byte, so that errors name the line in the whole file.
  int64_t first_line = 1;
};

Result<std::unique_ptr<CsvPartReader>> OpenCsvPartReader(std::unique_ptr<ByteSource> source,
                                                         char delimiter, CsvPartOptions part);

}  // namespace modelgate::gates
