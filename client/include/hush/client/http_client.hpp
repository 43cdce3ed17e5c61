// A synchronous HTTP/1.1 client for hushd's JSON endpoints, over TCP or TLS.
// It keeps one connection alive between requests and reconnects when the
// server closed it. Boost.Beast stays inside http_client.cpp.
//
// Thread safety: none; one HttpClient per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hush/client/endpoint.hpp"
#include "hush/result.hpp"

namespace hush::client {

struct HttpResponse {
  unsigned status = 0;
  std::string body;
  std::string content_type;
  std::string retry_after;  // the Retry-After header, if any
  // The server's "error" code from a JSON error body ("unauthorized", ...),
  // empty when the body is not one.
  std::string error_code() const;
};

class HttpClient {
 public:
  explicit HttpClient(Endpoint endpoint);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const Endpoint& endpoint() const noexcept { return endpoint_; }

  // Sends one request and reads the answer, within endpoint.timeout. A JSON
  // body gets Content-Type application/json. Any HTTP status is a successful
  // result; the error cases are transport failures: Errc::storage (I/O:
  // connect, TLS, timeout, connection closed; the message says which) and
  // Errc::invalid_message (an answer that is not HTTP). After an error the
  // connection is dropped and the next request opens a new one.
  Result<HttpResponse> request(std::string_view method, std::string_view target,
                               const std::optional<std::string>& json_body = std::nullopt,
                               const Credentials* auth = nullptr);
  Result<HttpResponse> get(std::string_view target, const Credentials* auth = nullptr) {
    return request("GET", target, std::nullopt, auth);
  }

  // Closes the kept-alive connection, if any.
  void close();

 private:
  struct Impl;
  Endpoint endpoint_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hush::client
