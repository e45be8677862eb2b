// libFuzzer target: the CSV reader must never crash, hang or read out of bounds, whatever the
// bytes; it returns rows or an error naming a line. The first input byte picks the delimiter.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gates/io/record_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelgate::gates;
  if (size == 0) return 0;
  const char delimiters[] = {',', ';', '\t', '|'};
  char delimiter = delimiters[data[0] % 4];
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto reader = OpenCsvReader(StringByteSource(text, "fuzz.csv"), delimiter);
  if (!reader.ok()) return 0;
  Record record;
  for (int rows = 0; rows < 100000; ++rows) {
    auto more = (*reader)->Next(record);
    if (!more.ok() || !*more) break;
    for (auto field : record.fields) {
      volatile char sink = field.empty() ? 0 : field.back();  // touch every view
      (void)sink;
    }
  }
  return 0;
}
