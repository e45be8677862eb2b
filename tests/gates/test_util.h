// Helpers shared by the gate engine tests.
#pragma once

#include <zlib.h>

#include <cstring>
#include <memory>
#include <string>

#include "gates/io/record_reader.h"

namespace modelgate::gates::testing {

// Returns one byte per Read so that every record and quoted field crosses a chunk boundary.
class OneByteSource : public ByteSource {
 public:
  OneByteSource(std::string data, std::string name) : data_(std::move(data)), name_(std::move(name)) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    if (offset_ >= data_.size() || capacity == 0) return size_t{0};
    buffer[0] = data_[offset_++];
    return size_t{1};
  }
  const std::string& name() const override { return name_; }

 private:
  std::string data_;
  size_t offset_ = 0;
  std::string name_;
};

inline std::string Gzip(const std::string& plain) {
  z_stream z;
  std::memset(&z, 0, sizeof(z));
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, plain.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline std::unique_ptr<RecordReader> Csv(const std::string& text, char delimiter = ',') {
  auto reader = OpenCsvReader(StringByteSource(text, "data.csv"), delimiter);
  if (!reader.ok()) return nullptr;
  return std::move(reader).value();
}

}  // namespace modelgate::gates::testing
