// HttpClient over Boost.Beast. Every operation is asynchronous on a private
// io_context that runs only inside request(), with the tcp_stream's expiry
// as the timeout, so a silent server cannot block the caller.
#include "hush/client/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include "transport.hpp"

namespace hush::client {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using detail::io_error;

namespace {
constexpr std::uint64_t kMaxAnswerBytes = 16 * 1024 * 1024;
}

std::string HttpResponse::error_code() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    auto it = j.find("error");
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

struct HttpClient::Impl {
  asio::io_context ioc;
  std::unique_ptr<asio::ssl::context> tls_ctx;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  bool connected() const { return plain || tls; }
  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*tls); }

  void drop() {
    if (connected()) {
      boost::system::error_code ignored;
      lowest().socket().close(ignored);
    }
    plain.reset();
    tls.reset();
    buffer.clear();
  }

  // Runs the io_context until the started operation has completed.
  void run() {
    ioc.restart();
    ioc.run();
  }

  Result<void> connect(const Endpoint& ep) {
    drop();
    HUSH_ASSIGN(auto remote, detail::resolve(ioc, ep));
    if (ep.tls) {
      if (!tls_ctx) {
        HUSH_ASSIGN(tls_ctx, detail::make_tls_context(ep));
      }
      tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc, *tls_ctx);
    } else {
      plain = std::make_unique<beast::tcp_stream>(ioc);
    }
    HUSH_TRY(detail::open_and_bind(lowest().socket(), remote, ep));
    boost::system::error_code ec;
    lowest().expires_after(ep.timeout);
    lowest().async_connect(remote, [&](boost::system::error_code e) { ec = e; });
    run();
    if (ec) {
      drop();
      return io_error("connect", ec);
    }
    lowest().socket().set_option(asio::ip::tcp::no_delay(true), ec);
    if (tls) {
      if (!SSL_set_tlsext_host_name(tls->native_handle(), ep.server_name.c_str())) {
        drop();
        return make_error(Errc::storage, "TLS: cannot set SNI");
      }
      tls->set_verify_callback(asio::ssl::host_name_verification(ep.server_name));
      tls->async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code e) { ec = e; });
      run();
      if (ec) {
        drop();
        return io_error("TLS handshake", ec);
      }
    }
    return Ok{};
  }

  // One exchange on the open connection. `stale` is set when the failure
  // shows the server had closed the connection before reading the request
  // (write failed, or the read ended without a byte of answer).
  Result<HttpResponse> exchange(const Endpoint& ep, http::request<http::string_body>& req, bool& stale) {
    boost::system::error_code ec;
    stale = false;
    lowest().expires_after(ep.timeout);
    auto on_write = [&](boost::system::error_code e, std::size_t) { ec = e; };
    if (tls)
      http::async_write(*tls, req, on_write);
    else
      http::async_write(*plain, req, on_write);
    run();
    if (ec) {
      stale = ec != beast::error::timeout;
      return io_error("write", ec);
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxAnswerBytes);
    std::size_t got = 0;
    auto on_read = [&](boost::system::error_code e, std::size_t n) {
      ec = e;
      got = n;
    };
    if (tls)
      http::async_read(*tls, buffer, parser, on_read);
    else
      http::async_read(*plain, buffer, parser, on_read);
    run();
    if (ec) {
      const bool closed = ec == http::error::end_of_stream || ec == asio::error::eof ||
                          ec == asio::error::connection_reset || ec == asio::ssl::error::stream_truncated;
      stale = closed && got == 0 && buffer.size() == 0;
      if (closed || ec == beast::error::timeout || ec.category() != http::make_error_code(http::error::body_limit).category())
        return io_error("read", ec);
      return make_error(Errc::invalid_message, "answer is not HTTP: " + ec.message());
    }
    auto& res = parser.get();
    HttpResponse out;
    out.status = res.result_int();
    out.content_type = std::string(res[http::field::content_type]);
    out.retry_after = std::string(res[http::field::retry_after]);
    out.body = std::move(res.body());
    if (!res.keep_alive()) drop();
    return out;
  }
};

HttpClient::HttpClient(Endpoint endpoint) : endpoint_(std::move(endpoint)), impl_(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() = default;

void HttpClient::close() { impl_->drop(); }

Result<HttpResponse> HttpClient::request(std::string_view method, std::string_view target,
                                         const std::optional<std::string>& json_body, const Credentials* auth) {
  const http::verb verb = http::string_to_verb(beast::string_view(method.data(), method.size()));
  if (verb == http::verb::unknown) return make_error(Errc::bad_request, "unknown HTTP method");
  http::request<http::string_body> req{verb, beast::string_view(target.data(), target.size()), 11};
  req.set(http::field::host, endpoint_.host + ":" + std::to_string(endpoint_.port));
  req.set(http::field::user_agent, "hush-client");
  if (auth) req.set(http::field::authorization, auth->basic_auth());
  if (json_body) {
    req.set(http::field::content_type, "application/json");
    req.body() = *json_body;
  }
  req.prepare_payload();

  // A kept-alive connection may have been closed by the server meanwhile:
  // then the request was not processed, and one retry on a new connection
  // is safe even for POST.
  const bool reused = impl_->connected();
  if (!reused) HUSH_TRY(impl_->connect(endpoint_));
  bool stale = false;
  auto r = impl_->exchange(endpoint_, req, stale);
  if (!r) {
    impl_->drop();
    if (!(reused && stale)) return r;
    HUSH_TRY(impl_->connect(endpoint_));
    r = impl_->exchange(endpoint_, req, stale);
    if (!r) impl_->drop();
  }
  return r;
}

}  // namespace hush::client
