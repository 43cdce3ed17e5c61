// One HTTP connection: reads requests with a header limit, a body limit and
// a deadline (slowloris), answers them (storage work on the BlockingPool,
// never on this thread), and hands a WebSocket upgrade of an authenticated
// device to the relay session. Templated over plain TCP and TLS.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <memory>
#include <optional>

#include "common/log.hpp"
#include "net/websocket_start.hpp"

namespace hush::server::net {
namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

void set_timeout(PlainStream& s, std::chrono::seconds t) { s.expires_after(t); }
void set_timeout(TlsStream& s, std::chrono::seconds t) { beast::get_lowest_layer(s).expires_after(t); }

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  template <class... Args>
  HttpSession(NetContext& ctx, std::string client_address, ConnectionTicket ticket, Args&&... stream_args)
      : ctx_(ctx),
        stream_(std::forward<Args>(stream_args)...),
        client_address_(std::move(client_address)),
        ticket_(std::move(ticket)) {
    ctx_.services.metrics.http_connections.fetch_add(1, std::memory_order_relaxed);
  }
  ~HttpSession() { ctx_.services.metrics.http_connections.fetch_sub(1, std::memory_order_relaxed); }

  void run() {
    // Start on the connection's strand.
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->start(); });
  }

 private:
  void start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      set_timeout(stream_, ctx_.limits().header_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
    } else {
      do_read();
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return log_failure(ec, "tls_handshake");
    do_read();
  }

  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_.limits().max_header_bytes));
    parser_->body_limit(ctx_.limits().max_json_body);
    // The whole head, including the wait on a kept-alive connection, must
    // arrive within the header timeout.
    set_timeout(stream_, ctx_.limits().header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_read_header(ec);
                            });
  }

  void on_read_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    if (parser_->is_done()) return on_request();
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = this->shared_from_this()](beast::error_code wec, std::size_t) {
                          if (wec) return log_failure(wec, "http_write");
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    set_timeout(stream_, ctx_.limits().http_idle_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->on_read_error(ec);
      self->on_request();
    });
  }

  void on_read_error(beast::error_code ec) {
    // Answer what we can name; the connection closes after the answer.
    if (ec == http::error::header_limit) return send(error_answer(431, "request header too large"), false);
    if (ec == http::error::body_limit) return send(error_answer(413, "request body too large"), false);
    if (ec.category() == http::make_error_code(http::error::bad_target).category() && ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      return send(error_answer(400, "malformed HTTP request"), false);
    }
    if (ec == http::error::end_of_stream) return do_shutdown();
    log_failure(ec, "http_read");
  }

  void on_request() {
    ctx_.services.metrics.http_requests.fetch_add(1, std::memory_order_relaxed);
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive() && !ctx_.stopping.load();
    if (!ticket_.admitted()) {
      ctx_.services.metrics.rate_limited.fetch_add(1, std::memory_order_relaxed);
      auto a = error_answer(429, "too many connections from this address");
      a.retry_after = 1;
      return send(std::move(a), false);
    }
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.authorization = std::string(req[http::field::authorization]);
    request.client_address = client_address_;
    if (beast::websocket::is_upgrade(req)) return on_upgrade(std::move(request));
    request.body = std::move(req.body());
    if (auto answer = ctx_.services.api.answer_inline(request)) return send(std::move(*answer), keep_alive_);
    ctx_.services.pool.post([self = this->shared_from_this(), request = std::move(request)] {
      HttpAnswer answer = self->ctx_.services.api.handle(request);
      asio::post(self->stream_.get_executor(), [self, answer = std::move(answer)]() mutable {
        self->send(std::move(answer), self->keep_alive_);
      });
    });
  }

  void on_upgrade(HttpRequest request) {
    if (path_of(request.target) != kWebSocketPath) return send(error_answer(404, "no such endpoint"), false);
    if (ctx_.stopping.load()) return send(error_answer(503, "server shutting down"), false);
    ctx_.services.pool.post([self = this->shared_from_this(), request = std::move(request)] {
      AuthOutcome outcome = self->ctx_.services.auth.authenticate(request.authorization, request.client_address);
      asio::post(self->stream_.get_executor(),
                 [self, outcome = std::move(outcome)]() mutable { self->on_upgrade_auth(std::move(outcome)); });
    });
  }

  void on_upgrade_auth(AuthOutcome outcome) {
    if (!outcome.device) {
      HttpAnswer a = outcome.status == 429 ? error_answer(429, "too many failed authentications")
                     : outcome.status == 500 ? error_answer(500, "storage failure")
                                             : error_answer(401, "unauthorized");
      a.retry_after = static_cast<std::uint32_t>(outcome.retry_after.count());
      return send(std::move(a), false);
    }
    beast::get_lowest_layer(stream_).expires_never();
    start_websocket_session(std::move(stream_), parser_->release(), std::move(ticket_), std::move(*outcome.device),
                            ctx_);
  }

  void send(HttpAnswer answer, bool keep_alive) {
    if (answer.status >= 400 && answer.status < 500) {
      ctx_.services.metrics.bad_requests.fetch_add(1, std::memory_order_relaxed);
    }
    const unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
    log::debug("http_request", {{"status", answer.status},
                                {"method", parser_ && parser_->is_header_done()
                                               ? std::string(parser_->get().method_string())
                                               : std::string()}});
    response_.emplace(static_cast<http::status>(answer.status), version);
    if (!answer.content_type.empty()) response_->set(http::field::content_type, answer.content_type);
    if (answer.retry_after) response_->set(http::field::retry_after, std::to_string(answer.retry_after));
    response_->keep_alive(keep_alive);
    response_->body() = std::move(answer.body);
    response_->prepare_payload();
    set_timeout(stream_, ctx_.limits().http_idle_timeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                        self->on_write(ec, keep_alive);
                      });
  }

  void on_write(beast::error_code ec, bool keep_alive) {
    if (ec) return log_failure(ec, "http_write");
    response_.reset();
    if (!keep_alive || ctx_.stopping.load()) return do_shutdown();
    // Keep the read buffer only while it holds a pipelined request.
    if (buffer_.size() == 0) buffer_.shrink_to_fit();
    do_read();
  }

  void do_shutdown() {
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      set_timeout(stream_, std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  NetContext& ctx_;
  Stream stream_;
  std::string client_address_;
  ConnectionTicket ticket_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  bool keep_alive_ = false;
};

}  // namespace

void start_http_session(tcp::socket socket, std::string client_address, ConnectionTicket ticket, NetContext& ctx) {
  if (ctx.tls) {
    std::make_shared<HttpSession<TlsStream>>(ctx, std::move(client_address), std::move(ticket), std::move(socket),
                                             *ctx.tls)
        ->run();
  } else {
    std::make_shared<HttpSession<PlainStream>>(ctx, std::move(client_address), std::move(ticket), std::move(socket))
        ->run();
  }
}

void log_failure(const boost::system::error_code& ec, const char* what) {
  namespace ws = beast::websocket;
  // Ordinary ends of a connection: a peer that left, our own timeouts and
  // cancellations, a peer that closed without TLS close_notify.
  if (ec == asio::error::operation_aborted || ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe || ec == ws::error::closed || ec == asio::ssl::error::stream_truncated ||
      ec == http::error::end_of_stream) {
    return;
  }
  if (ec == beast::error::timeout) {
    log::debug("connection_timeout", {{"op", what}});
    return;
  }
  log::info("connection_error", {{"op", what}, {"error", ec.message()}});
}

}  // namespace hush::server::net
