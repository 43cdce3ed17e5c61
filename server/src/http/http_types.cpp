#include "http/http_types.hpp"

#include <nlohmann/json.hpp>

namespace hush::server {

HttpAnswer json_answer(unsigned status, const nlohmann::json& body) {
  HttpAnswer a;
  a.status = status;
  a.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return a;
}

HttpAnswer error_answer(unsigned status, std::string_view code, std::string_view message) {
  return json_answer(status, {{"error", code}, {"message", message}});
}

std::string_view error_code_for(unsigned status) {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "too_large";
    case 422: return "invalid_signature";
    case 426: return "upgrade_required";
    case 429: return "rate_limited";
    case 431: return "too_large";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal" : "bad_request";
  }
}

HttpAnswer error_answer(unsigned status, std::string_view message) {
  return error_answer(status, error_code_for(status), message);
}

HttpAnswer no_content() {
  HttpAnswer a;
  a.status = 204;
  a.content_type.clear();
  return a;
}

}  // namespace hush::server
