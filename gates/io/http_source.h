// OpenHttpSource: the body of an http:// or https:// GET as a ByteSource, so every gate input
// (data, baseline, serving sample, training log, policy, champion report) may be a URL.
//
// Contract:
//  - The body is streamed: Read() hands out bytes as they arrive; nothing waits for the whole body.
//  - A gzip body (a .gz file served as is, or Content-Encoding: gzip) is detected by its magic
//    bytes and inflated, exactly as for files.
//  - `timeout` bounds connecting plus the whole transfer (one deadline from the call, not an
//    idle timeout). Past it, the pending Read fails with kUnavailable.
//  - `max_bytes` (0 = unlimited) caps the body as transferred, before gzip inflation: a
//    Content-Length above it fails at once, a longer body fails on the Read that passes it; both
//    with kLimitExceeded. (ReadOptions::max_bytes still caps the inflated bytes on top of this.)
//  - Errors name the URL and say why: connection refused, DNS failure, TLS failure and timeout
//    are kUnavailable (retryable); HTTP 404 and 410 are kNotFound; any other status outside 2xx
//    is kIo with the status code and the start of the body; a malformed URL is kUsage.
//  - Redirects are followed, at most kMaxHttpRedirects of them, never from https to http; past
//    that the 3xx answer is an error naming its Location.
//  - TLS certificates are verified against the system trust store (OpenSSL's default paths, so
//    SSL_CERT_FILE / SSL_CERT_DIR apply).
// The returned source is not thread-safe (one reader owns it); destroying it cancels the transfer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gates/common/status.h"
#include "gates/io/byte_source.h"

namespace modelgate::gates {

inline constexpr size_t kMaxHttpRedirects = 5;

struct HttpSourceOptions {
  std::chrono::milliseconds timeout{30000};  // connect + whole transfer
  uint64_t max_bytes = 0;                    // 0 = unlimited; else kLimitExceeded past it
  // false: the body as transferred, gzip or not (the operator hashes what was served, then
  // inflates it itself); true: a gzip body is inflated here.
  bool inflate_gzip = true;
};

// True for "http://..." and "https://..." (the scheme compared case-insensitively).
bool IsHttpUrl(const std::string& location);

Result<std::unique_ptr<ByteSource>> OpenHttpSource(const std::string& url,
                                                   const HttpSourceOptions& options = {});

}  // namespace modelgate::gates
