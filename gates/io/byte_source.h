// ByteSource: a forward-only stream of bytes that the record readers pull from. Sources are
// opened from a path, a file:// URL or a caller-owned std::istream (the operator hands in data it
// fetched itself). Gzip input is recognised by its magic bytes and inflated transparently.
//
// Not thread-safe; one reader owns one source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <string>

#include "gates/common/status.h"

namespace modelgate::gates {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Copies up to `capacity` bytes into `buffer`. Returns the number copied; 0 means end of input.
  // An error (unreadable file, corrupt gzip) is a non-OK Result naming the source.
  virtual Result<size_t> Read(char* buffer, size_t capacity) = 0;
  // The name used in error messages ("data.csv", "<stdin>").
  virtual const std::string& name() const = 0;
};

// Opens `location`: a filesystem path or a file:// URL. http(s):// URLs are reported as
// kUnsupported (the operator fetches remote data itself and passes a stream). A gzip file is
// detected by its first two bytes and inflated. kNotFound when the file does not exist.
Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& location);

// Wraps a stream the caller keeps alive for the source's lifetime; gzip is detected as above.
std::unique_ptr<ByteSource> StreamByteSource(std::istream& stream, std::string name);

// Wraps an in-memory string (copied); gzip is detected as above. For tests and the operator.
std::unique_ptr<ByteSource> StringByteSource(std::string data, std::string name);

// Caps a source: reading more than `max_bytes` (after decompression) fails with kLimitExceeded.
std::unique_ptr<ByteSource> LimitBytes(std::unique_ptr<ByteSource> inner, uint64_t max_bytes);

}  // namespace modelgate::gates
