// ByteSource: a forward-only stream of bytes that the record readers pull from. Sources are
// opened from a path, a file:// URL, an http(s):// URL (gates/io/http_source.h) or a caller-owned
// std::istream. Gzip input is recognised by its magic bytes and inflated transparently.
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

// Opens `location`: a filesystem path, a file:// URL, or an http:// / https:// URL (fetched by
// OpenHttpSource with its default options: 30 s for connect + transfer, no byte cap). A gzip
// body is detected by its first two bytes and inflated. kNotFound when the file (or URL: HTTP
// 404) does not exist; kUnavailable when the server cannot be reached in time.
Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& location);

// The same with the options for an http(s):// location (ignored for files).
struct HttpSourceOptions;
Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& location,
                                                   const HttpSourceOptions& http);

// The filesystem path of a location given as a path or a file:// URL; "" for an http(s):// URL.
std::string LocalPathOf(const std::string& location);

// Opens the file at `path` raw (no gzip detection), positioned at byte `offset`; errors name
// `name`. For reading a part of a large file (gates/io/csv_split.h).
Result<std::unique_ptr<ByteSource>> OpenFileAt(const std::string& path, const std::string& name,
                                               uint64_t offset);

// Reads all of `location` (as OpenByteSource opens it) into a string. Errors are prefixed with
// `what` ("policy", "champion report"): "policy p.yaml: cannot open: No such file or directory".
Result<std::string> ReadAllText(const std::string& location, const std::string& what);

// Sniffs the first two bytes of `raw`; wraps it in a gzip decoder when they are 1f 8b. The bytes
// read are replayed either way. Fails only when the first read fails.
Result<std::unique_ptr<ByteSource>> DetectGzip(std::unique_ptr<ByteSource> raw);

// Wraps a stream the caller keeps alive for the source's lifetime; gzip is detected as above.
std::unique_ptr<ByteSource> StreamByteSource(std::istream& stream, std::string name);

// Wraps an in-memory string (copied); gzip is detected as above. For tests and the operator.
std::unique_ptr<ByteSource> StringByteSource(std::string data, std::string name);

// Caps a source: reading more than `max_bytes` (after decompression) fails with kLimitExceeded.
std::unique_ptr<ByteSource> LimitBytes(std::unique_ptr<ByteSource> inner, uint64_t max_bytes);

}  // namespace modelgate::gates
