// Reading a large local CSV file on two cores: two parts parsed at once, with exactly the rows,
// values, errors and line numbers of one sequential reader.
//
// The file is cut near its middle. The first part is read from the start (header included) and
// ends at the first record boundary at or after the cut. The second is read from the byte after
// the first line feed at or after the cut, its line numbers counted from the start of the file.
// Whether that line feed really ends a record (it may sit inside a quoted field; a lone-CR line
// end would shift the line numbers) is known only once the first part has been parsed up to it:
// the split stands only when the first part stopped exactly there, on the same line. Otherwise the
// second part's result is dropped and the whole file is read again in one part.
//
// Eligible: a path or file:// URL of a regular file of at least `min_bytes`, not gzip, read as
// CSV (ReadOptions::format kCsv, or kAuto and a name that is not JSON Lines), within
// ReadOptions::max_bytes. Anything else is read sequentially by OpenRecordReader.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gates/common/status.h"
#include "gates/io/csv_part.h"
#include "gates/io/record_reader.h"

namespace modelgate::gates {

// Where the second part starts: the byte after the first line feed at or after `cut` - 1 (the
// end of input when there is none), and that byte's line number (line feeds before it plus one).
struct SecondPart {
  uint64_t start = 0;
  int64_t first_line = 1;
};
// Scans `whole` (the input from its first byte) for the second part's start.
Result<SecondPart> FindSecondPart(ByteSource& whole, uint64_t cut);
// After the first part (read with stop_at = cut) reported its end: true when it stopped exactly
// where `second` starts, on the same line — the split is then a record boundary.
bool PartsAgree(const CsvPartReader& first, const SecondPart& second);

// The plan for one file; the building blocks of LoadInParts.
class CsvSplit {
 public:
  // nullopt when `location` is not eligible (see above). Reads only the file's first 64 KB.
  static std::optional<CsvSplit> Plan(const std::string& location, const ReadOptions& options,
                                      uint64_t min_bytes);

  // Rough row counts from the line length of the first 64 KB (0 when unknown): of the whole file
  // and of the second part. A loader may reserve memory by them; they are never exact.
  int64_t estimated_rows() const { return estimated_rows_; }
  int64_t estimated_second_rows() const { return estimated_second_rows_; }

  // The first part: header and records up to the first record boundary at or after the cut.
  Result<std::unique_ptr<CsvPartReader>> OpenFirst() const;
  // The second part, of `columns`: scans the first half for the line feed after the cut and
  // counts the lines before it. Thread-safe with respect to the first part.
  Result<std::unique_ptr<CsvPartReader>> OpenSecond(const std::vector<std::string>& columns);
  // After the first part reported its end: true when it stopped where the second part started.
  bool Agrees(const CsvPartReader& first) const;

 private:
  std::string path_, name_;
  char delimiter_ = ',';
  uint64_t size_ = 0, cut_ = 0;
  int64_t estimated_rows_ = 0, estimated_second_rows_ = 0;
  SecondPart second_;
};

// Calls `load` on each part of `location` (two threads) and returns the results in file order;
// its second argument is a rough estimate of the rows it will read up to the end of the file (0:
// unknown), for reserving memory once;
// one result when the file is not eligible or the split did not stand (then `load` ran on a
// sequential reader of the whole file). `load` must be safe to run twice at once on different
// readers. An error of the first part wins; the second part's error counts only when the split
// stood (its line numbers are then the whole file's).
template <typename T>
Result<std::vector<T>> LoadInParts(const std::string& location, const ReadOptions& options,
                                   uint64_t min_bytes,
                                   const std::function<Result<T>(RecordReader&, int64_t)>& load) {
  auto sequential = [&]() -> Result<std::vector<T>> {
    auto reader = OpenRecordReader(location, options);
    if (!reader.ok()) return reader.status();
    auto one = load(**reader, 0);
    if (!one.ok()) return one.status();
    std::vector<T> out;
    out.push_back(std::move(one).value());
    return out;
  };
  std::optional<CsvSplit> split = CsvSplit::Plan(location, options, min_bytes);
  if (!split) return sequential();
  auto first = split->OpenFirst();
  if (!first.ok()) return first.status();
  std::optional<Result<T>> second_result;
  std::thread second_thread([&] {
    auto second = split->OpenSecond((*first)->columns());
    if (!second.ok()) {
      second_result.emplace(second.status());
      return;
    }
    second_result.emplace(load(**second, split->estimated_second_rows()));
  });
  Result<T> first_result = load(**first, split->estimated_rows());
  second_thread.join();
  if (!first_result.ok()) return first_result.status();
  if (!split->Agrees(**first)) return sequential();
  if (!second_result->ok()) return second_result->status();
  std::vector<T> out;
  out.push_back(std::move(first_result).value());
  out.push_back(std::move(*second_result).value());
  return out;
}

}  // namespace modelgate::gates
