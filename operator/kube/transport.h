// Transport: the one seam between modelgate and the network for the API server (and other HTTPS
// peers such as Prometheus). Production code uses the cpprestsdk implementation
// (cpprest_transport.h); unit tests use fakes that script responses and stream events.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "operator/kube/status.h"

namespace modelgate::kube {

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, PATCH, DELETE
  std::string path;            // absolute path plus query, e.g. "/api/v1/namespaces/x/pods?limit=5"
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Content-Type for PATCH
  std::string body;
  // Total time allowed for a non-streaming request; for Stream(), the longest silence allowed
  // between two received chunks before the stream is abandoned with kTimeout.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // keys lower-cased
  std::string body;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Sends one request and reads the whole answer. Returns the response for ANY HTTP status (the
  // caller maps non-2xx with FromKubernetesResponse); returns a non-OK Status only when no answer
  // arrived: kUnavailable (connect refused/reset, TLS handshake failure), kTimeout.
  // Thread-safe: may be called concurrently from many threads.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;

  // Sends a request whose answer is a stream of newline-delimited JSON documents (a watch) and
  // calls on_line for each complete line (without the newline), in order, on the calling thread.
  // Returns:
  //   - OK when the server ended the stream cleanly, on_line returned false, or *cancel became true;
  //   - the mapped Status (FromKubernetesResponse) when the answer was not 2xx;
  //   - kUnavailable / kTimeout when the connection broke or stayed silent past request.timeout.
  // `cancel` (may be null) is polled at least every 200 ms. Thread-safe like Send.
  virtual Status Stream(const HttpRequest& request,
                        const std::function<bool(std::string_view line)>& on_line,
                        const std::atomic<bool>* cancel) = 0;
};

}  // namespace modelgate::kube
