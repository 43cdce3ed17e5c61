#include "http/http_api.hpp"

#include <nlohmann/json.hpp>

#include <array>

#include "auth/basic_auth.hpp"

namespace hush::server {
namespace {

struct Route {
  std::string_view method;
  std::string_view path;  // exact, or a prefix ending in '/'
};

// Every path we serve and its method, so a wrong method answers 405 and an
// unknown path 404 without touching storage.
constexpr std::array<Route, 9> kRoutes = {{
    {"GET", "/healthz"},
    {"GET", "/metrics"},
    {"POST", "/v1/accounts"},
    {"POST", "/v1/devices"},
    {"PUT", "/v1/keys/signed"},
    {"POST", "/v1/keys/prekeys"},
    {"GET", "/v1/keys/count"},
    {"GET", "/v1/keys/"},
    {"GET", kWebSocketPath},
}};

bool path_matches(std::string_view route, std::string_view path) {
  if (route.ends_with('/')) return path.starts_with(route) && path.size() > route.size();
  return route == path;
}

// /v1/keys/USER/DEVICE or /v1/keys/USER/* ; the fixed /v1/keys/{signed,prekeys,count} win first.
struct BundlePath {
  std::string username;
  std::optional<std::uint32_t> device;  // nullopt for '*'
};

std::optional<BundlePath> parse_bundle_path(std::string_view path) {
  constexpr std::string_view prefix = "/v1/keys/";
  if (!path.starts_with(prefix)) return std::nullopt;
  path.remove_prefix(prefix.size());
  const auto slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  BundlePath out{std::string(path.substr(0, slash)), std::nullopt};
  const auto device = path.substr(slash + 1);
  if (device == "*" || device == "%2A" || device == "%2a") return out;
  out.device = parse_device_id(device);
  if (!out.device) return std::nullopt;
  return out;
}

}  // namespace

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

std::optional<HttpAnswer> HttpApi::answer_inline(const HttpRequest& request) const {
  const auto path = path_of(request.target);
  bool path_known = false;
  bool method_ok = false;
  for (const auto& r : kRoutes) {
    if (path_matches(r.path, path)) {
      path_known = true;
      if (r.method == request.method) {
        method_ok = true;
        break;
      }
    }
  }
  if (!path_known) return error_answer(404, "no such endpoint");
  if (!method_ok) return error_answer(405, "method not allowed");
  if (path == "/healthz") return json_answer(200, {{"status", "ok"}});
  if (path == "/metrics") {
    HttpAnswer a;
    a.body = metrics_.render();
    a.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return a;
  }
  if (path == kWebSocketPath) return error_answer(426, "WebSocket upgrade required");
  return std::nullopt;
}

HttpAnswer HttpApi::handle(const HttpRequest& request) {
  if (auto inline_answer = answer_inline(request)) return std::move(*inline_answer);
  const auto path = path_of(request.target);
  if (path == "/v1/accounts") return directory_.register_account(request.body, request.client_address);

  auto auth = auth_.authenticate(request.authorization, request.client_address);
  if (auth.status == 429) {
    auto a = error_answer(429, "too many failed authentications");
    a.retry_after = static_cast<std::uint32_t>(auth.retry_after.count());
    return a;
  }
  if (auth.status == 500) return error_answer(500, "storage failure");
  if (!auth.device) return error_answer(401, "unauthorized");
  return handle_authenticated(request, *auth.device, path);
}

HttpAnswer HttpApi::handle_authenticated(const HttpRequest& request, const AuthenticatedDevice& caller,
                                         std::string_view path) {
  if (path == "/v1/devices") return directory_.add_device(caller, request.body);
  if (path == "/v1/keys/signed") return directory_.set_signed_prekey(caller, request.body);
  if (path == "/v1/keys/prekeys") return directory_.add_prekeys(caller, request.body);
  if (path == "/v1/keys/count") return directory_.prekey_count(caller);
  if (auto bundle = parse_bundle_path(path)) {
    return directory_.fetch_bundles(caller, bundle->username, bundle->device);
  }
  return error_answer(404, "no such endpoint");
}

}  // namespace hush::server
