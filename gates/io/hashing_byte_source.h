// HashingByteSource: a ByteSource decorator that computes the SHA-256 of the bytes passing through
// it, for the audit trail of gate decisions (which exact bytes a model was judged on).
//
// What is hashed: exactly the bytes the wrapped source returns, in order. Put it directly over
// the source as stored or fetched — BELOW any gzip inflation (DetectGzip goes on top of it) — so
// that the digest of a file is the one `sha256sum` of that object in the data lake gives, and an
// auditor can check it months later without knowing how modelgate decoded it. (An http(s) body
// is hashed as transferred: a server applying Content-Encoding: gzip on the fly, unasked, would
// be hashed compressed. modelgate never sends Accept-Encoding.)
//
// Complete or nothing: the digest is final only once the wrapped source reported the end of input
// (a Read returning 0) with no error before it. Until then — a reader that stopped early, a byte
// limit, a timeout, a read error — StreamDigest::complete() is false and sha256() is empty: the
// digest of a prefix is never handed out as if it were the whole input's.
//
// Not thread-safe, like every ByteSource: one reader owns the source; read the StreamDigest once
// that reader is done (the digest is shared so that it outlives the source).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gates/common/status.h"
#include "gates/io/byte_source.h"

namespace modelgate::gates {

// The SHA-256 of one stream, filled in by the source HashBytes returns.
class StreamDigest {
 public:
  // True once the whole stream was read: its end was reached with no error on the way.
  bool complete() const { return complete_; }
  // 64 lowercase hex digits when complete(); "" otherwise.
  const std::string& sha256() const { return sha256_; }
  // The bytes that passed through so far; all of the stream's when complete().
  uint64_t bytes() const { return bytes_; }

 private:
  friend class HashingByteSource;
  bool complete_ = false;
  std::string sha256_;
  uint64_t bytes_ = 0;
};

// Wraps `inner` so that every byte it returns is hashed into `*digest` (which must not be null).
// Reads, names and errors are those of `inner`. After an error, or bytes arriving after the end
// was reported, the digest stays incomplete for good. If OpenSSL cannot hash (out of memory), Read
// fails with kIo naming the source.
std::unique_ptr<ByteSource> HashBytes(std::unique_ptr<ByteSource> inner,
                                      std::shared_ptr<StreamDigest> digest);

// The SHA-256 of `bytes` as 64 lowercase hex digits (for inputs held whole in memory).
std::string Sha256Hex(std::string_view bytes);

}  // namespace modelgate::gates
