// Routes the JSON API of docs/API.md. answer_inline() handles what needs no
// storage (health, metrics, unknown paths, wrong methods) on the calling
// thread; everything else goes through handle(), which authenticates and
// may block on the Db, so net/ runs it on the BlockingPool.
#pragma once

#include <optional>

#include "auth/authenticator.hpp"
#include "directory/directory_service.hpp"
#include "http/http_types.hpp"
#include "metrics/metrics.hpp"

namespace hush::server {

inline constexpr std::string_view kWebSocketPath = "/v1/websocket";

// The path of a request target without its query ("/v1/keys/count?x" → "/v1/keys/count").
std::string_view path_of(std::string_view target);

class HttpApi {
 public:
  HttpApi(DirectoryService& directory, Authenticator& auth, Metrics& metrics)
      : directory_(directory), auth_(auth), metrics_(metrics) {}

  std::optional<HttpAnswer> answer_inline(const HttpRequest& request) const;
  HttpAnswer handle(const HttpRequest& request);

 private:
  HttpAnswer handle_authenticated(const HttpRequest& request, const AuthenticatedDevice& caller,
                                  std::string_view path);

  DirectoryService& directory_;
  Authenticator& auth_;
  Metrics& metrics_;
};

}  // namespace hush::server
