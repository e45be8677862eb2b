// libFuzzer target: the slice filter parser must reject or accept any text without crashing,
// and evaluating an accepted filter on a row must not crash either.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gates/policy/slice_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelgate::gates;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto filter = SliceFilter::Parse(text, "fuzz");
  if (!filter.ok()) return 0;
  std::vector<std::string> columns = filter->columns();
  if (!filter->Bind(columns, "fuzz.csv").ok()) return 0;
  Record record;
  record.line = 2;
  const char* values[] = {"mobile", "12", "", "-3.5e2", "EU"};
  for (size_t i = 0; i < columns.size(); ++i) {
    record.fields.push_back(values[i % 5]);
    record.null.push_back(i % 5 == 2);
  }
  Status error;
  filter->Evaluate(record, "fuzz.csv", &error);
  return 0;
}
