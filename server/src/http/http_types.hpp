// HTTP requests and answers as plain values, so the API logic is testable
// without sockets; net/ converts them to and from Beast messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace hush::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent
  std::string authorization;
  std::string body;
  std::string client_address;
};

struct HttpAnswer {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::uint32_t retry_after = 0;  // seconds; sent when non-zero
};

HttpAnswer json_answer(unsigned status, const nlohmann::json& body);
// {"error": code, "message": message} (docs/API.md "Errors").
HttpAnswer error_answer(unsigned status, std::string_view code, std::string_view message);
// The code for a status (400 → "bad_request", ...).
std::string_view error_code_for(unsigned status);
HttpAnswer error_answer(unsigned status, std::string_view message);
HttpAnswer no_content();

}  // namespace hush::server
