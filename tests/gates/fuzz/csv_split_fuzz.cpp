// libFuzzer target: reading a CSV text in two parts (gates/io/csv_split.h) must report exactly
// what one sequential reader reports — the same records, line numbers, malformed rows and errors
// — whenever the split stands (the first part stopped where the second starts); when it does not,
// the first part must still be an exact prefix of the sequential read. Byte 0 picks the delimiter,
// byte 1 where the text is cut.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gates/io/csv_part.h"
#include "gates/io/csv_split.h"
#include "tests/gates/io/csv_events.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelgate::gates;
  if (size < 2) return 0;
  const char delimiters[] = {',', ';', '\t', '|'};
  const char delimiter = delimiters[data[0] % 4];
  const std::string text(reinterpret_cast<const char*>(data + 2), size - 2);
  if (text.size() >= 2 && static_cast<unsigned char>(text[0]) == 0x1f &&
      static_cast<unsigned char>(text[1]) == 0x8b) {
    return 0;  // gzip input is never split
  }
  const uint64_t cut = 1 + (text.size() * data[1]) / 256;

  auto sequential = OpenCsvPartReader(StringByteSource(text, "fuzz.csv"), delimiter, {});
  CsvPartOptions first_options;
  first_options.stop_at = cut;
  auto first = OpenCsvPartReader(StringByteSource(text, "fuzz.csv"), delimiter, first_options);
  if (sequential.ok() != first.ok()) std::abort();
  if (!sequential.ok()) return 0;
  auto expected = testing::CsvEvents(**sequential);
  auto got = testing::CsvEvents(**first);
  if (got.size() > expected.size()) std::abort();
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != expected[i]) std::abort();
  }
  if (!got.empty() && got.back().rfind("error ", 0) == 0) return 0;  // same final error

  auto whole = StringByteSource(text, "fuzz.csv");
  auto second_at = FindSecondPart(*whole, cut);
  if (!second_at.ok()) std::abort();
  if (!PartsAgree(**first, *second_at)) return 0;  // the loader reads sequentially instead
  if (text.compare(second_at->start, 2, "\x1f\x8b") == 0)
    return 0;  // files are read raw, strings not
  CsvPartOptions second_options;
  second_options.columns = (*first)->columns();
  second_options.first_line = second_at->first_line;
  auto second = OpenCsvPartReader(StringByteSource(text.substr(second_at->start), "fuzz.csv"),
                                  delimiter, second_options);
  if (!second.ok()) std::abort();
  for (auto& e : testing::CsvEvents(**second)) got.push_back(std::move(e));
  if (got != expected) std::abort();
  return 0;
}
