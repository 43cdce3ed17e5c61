// RelayClient over Boost.Beast. The handshake runs on the caller's thread;
// afterwards one I/O thread owns the stream: it keeps a read pending at all
// times and writes queued frames one at a time (Beast allows one read and
// one write in flight). Callers hand it frames with asio::post and wait on a
// condition variable for the matching Response or a Push.
#include "hush/client/relay_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "transport.hpp"

namespace hush::client {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using detail::io_error;
using Clock = std::chrono::steady_clock;

struct RelayClient::Impl {
  using PlainWs = websocket::stream<beast::tcp_stream>;
  using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

  asio::io_context ioc;
  std::unique_ptr<asio::ssl::context> tls_ctx;
  std::unique_ptr<PlainWs> plain;
  std::unique_ptr<TlsWs> tls;
  std::thread thread;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;

  // I/O thread only (after the handshake).
  beast::flat_buffer read_buffer;
  struct Outgoing {
    std::string data;
    bool binary = true;
  };
  std::deque<Outgoing> write_queue;
  bool writing = false;
  bool close_started = false;

  // Shared with callers, under mu.
  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, std::optional<api::Response>> waiting;
  std::deque<api::Push> pushes;
  std::deque<api::Response> unmatched;
  std::optional<CloseInfo> closed;

  template <typename F>
  decltype(auto) with_ws(F&& f) {
    if (tls) return f(*tls);
    return f(*plain);
  }
  beast::tcp_stream& lowest() { return plain ? beast::get_lowest_layer(*plain) : beast::get_lowest_layer(*tls); }

  void run_until_done() {
    ioc.restart();
    ioc.run();
  }

  Result<void> handshake(const Endpoint& ep, const Credentials* auth, const ConnectOptions& options,
                         unsigned* refused_status) {
    HUSH_ASSIGN(auto remote, detail::resolve(ioc, ep));
    if (ep.tls) {
      HUSH_ASSIGN(tls_ctx, detail::make_tls_context(ep));
      tls = std::make_unique<TlsWs>(ioc, *tls_ctx);
    } else {
      plain = std::make_unique<PlainWs>(ioc);
    }
    HUSH_TRY(detail::open_and_bind(lowest().socket(), remote, ep));
    boost::system::error_code ec;
    lowest().expires_after(ep.timeout);
    lowest().async_connect(remote, [&](boost::system::error_code e) { ec = e; });
    run_until_done();
    if (ec) return io_error("connect", ec);
    lowest().socket().set_option(asio::ip::tcp::no_delay(true), ec);
    if (tls) {
      if (!SSL_set_tlsext_host_name(tls->next_layer().native_handle(), ep.server_name.c_str()))
        return make_error(Errc::storage, "TLS: cannot set SNI");
      tls->next_layer().set_verify_callback(asio::ssl::host_name_verification(ep.server_name));
      tls->next_layer().async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code e) { ec = e; });
      run_until_done();
      if (ec) return io_error("TLS handshake", ec);
    }
    websocket::response_type res;
    const std::string host = ep.host + ":" + std::to_string(ep.port);
    const std::string authorization = auth ? auth->basic_auth() : std::string();
    with_ws([&](auto& ws) {
      ws.set_option(websocket::stream_base::decorator([&authorization](websocket::request_type& req) {
        req.set(beast::http::field::user_agent, "hush-client");
        if (!authorization.empty()) req.set(beast::http::field::authorization, authorization);
      }));
      ws.read_message_max(options.max_message_bytes);
      ws.async_handshake(res, host, options.target, [&](boost::system::error_code e) { ec = e; });
    });
    run_until_done();
    if (ec) {
      if (ec == websocket::error::upgrade_declined) {
        if (refused_status) *refused_status = res.result_int();
        return make_error(Errc::storage, "HTTP " + std::to_string(res.result_int()) + ": upgrade refused");
      }
      return io_error("WebSocket handshake", ec);
    }
    // From here on the WebSocket's own timeouts apply: the tcp_stream's
    // expiry would cut long idle connections. The handshake timeout also
    // bounds the wait for the server's close frame.
    lowest().expires_never();
    with_ws([&](auto& ws) {
      websocket::stream_base::timeout t{};
      t.handshake_timeout = ep.timeout;
      t.idle_timeout = websocket::stream_base::none();
      t.keep_alive_pings = false;
      ws.set_option(t);
      ws.binary(true);
    });
    return Ok{};
  }

  void start() {
    work.emplace(ioc.get_executor());
    ioc.restart();
    do_read();
    thread = std::thread([this] { ioc.run(); });
  }

  void do_read() {
    with_ws([&](auto& ws) {
      ws.async_read(read_buffer, [this](boost::system::error_code ec, std::size_t) { on_read(ec); });
    });
  }

  void on_read(boost::system::error_code ec) {
    if (ec) {
      CloseInfo info;
      if (ec == websocket::error::closed) {
        info.by_server = !close_started;
        with_ws([&](auto& ws) {
          info.code = static_cast<std::uint16_t>(ws.reason().code);
          info.reason = std::string(ws.reason().reason.c_str());
        });
      } else {
        info.reason = ec.message();
      }
      finish(std::move(info));
      return;
    }
    api::Frame frame;
    const bool parsed = frame.ParseFromArray(read_buffer.data().data(), static_cast<int>(read_buffer.size()));
    read_buffer.consume(read_buffer.size());
    if (!parsed || frame.kind_case() == api::Frame::KIND_NOT_SET || frame.has_request()) {
      finish(CloseInfo{false, 0, "server sent a message that is not a Response or Push Frame"});
      boost::system::error_code ignored;
      lowest().socket().close(ignored);
      return;
    }
    {
      std::lock_guard lock(mu);
      if (frame.has_response()) {
        auto it = waiting.find(frame.response().id());
        if (it != waiting.end() && !it->second)
          it->second = std::move(*frame.mutable_response());
        else
          unmatched.push_back(std::move(*frame.mutable_response()));
      } else {
        pushes.push_back(std::move(*frame.mutable_push()));
      }
    }
    cv.notify_all();
    do_read();
  }

  void finish(CloseInfo info) {
    {
      std::lock_guard lock(mu);
      if (!closed) closed = std::move(info);
    }
    cv.notify_all();
  }

  // I/O thread: queue one message and start writing if idle.
  void queue_write(Outgoing message) {
    write_queue.push_back(std::move(message));
    if (!writing) do_write();
  }

  void do_write() {
    if (close_started) {
      writing = false;
      do_close();
      return;
    }
    if (write_queue.empty()) {
      writing = false;
      return;
    }
    writing = true;
    with_ws([&](auto& ws) {
      ws.binary(write_queue.front().binary);
      ws.async_write(asio::buffer(write_queue.front().data), [this](boost::system::error_code ec, std::size_t) {
        write_queue.pop_front();
        if (ec) {
          // The read side reports how the connection ended; fail fast
          // anyway in case it is still waiting.
          finish(CloseInfo{false, 0, "write: " + ec.message()});
          writing = false;
          return;
        }
        do_write();
      });
    });
  }

  // A close is a write to Beast: it waits for the write in flight.
  void start_close() {
    if (close_started) return;
    close_started = true;
    if (!writing) do_close();
  }

  void do_close() {
    with_ws([&](auto& ws) {
      ws.async_close(websocket::close_code::normal, [this](boost::system::error_code ec) {
        if (ec) finish(CloseInfo{false, 0, "close: " + ec.message()});
        // Otherwise the pending read completes with error::closed.
      });
    });
  }

  void stop() {
    if (!thread.joinable()) return;
    work.reset();
    asio::post(ioc, [this] {
      if (!closed_locked()) start_close();
    });
    {
      std::unique_lock lock(mu);
      cv.wait_for(lock, std::chrono::seconds(2), [&] { return closed.has_value(); });
    }
    ioc.stop();
    thread.join();
  }

  bool closed_locked() {
    std::lock_guard lock(mu);
    return closed.has_value();
  }
};

RelayClient::RelayClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RelayClient::~RelayClient() { impl_->stop(); }

Result<std::unique_ptr<RelayClient>> RelayClient::connect(const Endpoint& endpoint, const Credentials* auth,
                                                          const ConnectOptions& options, unsigned* refused_status) {
  auto impl = std::make_unique<Impl>();
  HUSH_TRY(impl->handshake(endpoint, auth, options, refused_status));
  impl->start();
  return std::unique_ptr<RelayClient>(new RelayClient(std::move(impl)));
}

Result<api::Response> RelayClient::call(api::Request request, std::chrono::milliseconds timeout) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->closed) return make_error(Errc::storage, "connection closed: " + impl_->closed->reason);
    id = impl_->next_id++;
    impl_->waiting.emplace(id, std::nullopt);
  }
  request.set_id(id);
  api::Frame frame;
  *frame.mutable_request() = std::move(request);
  std::string data = frame.SerializeAsString();
  Impl* impl = impl_.get();
  asio::post(impl->ioc, [impl, data = std::move(data)]() mutable { impl->queue_write({std::move(data), true}); });

  std::unique_lock lock(impl_->mu);
  auto it = impl_->waiting.find(id);
  impl_->cv.wait_until(lock, Clock::now() + timeout,
                       [&] { return it->second.has_value() || impl_->closed.has_value(); });
  std::optional<api::Response> response = std::move(it->second);
  impl_->waiting.erase(it);
  if (response) return std::move(*response);
  if (impl_->closed) return make_error(Errc::storage, "connection closed: " + impl_->closed->reason);
  return make_error(Errc::storage, "no response within the timeout");
}

Result<api::Response> RelayClient::send(const api::SendRequest& send, std::chrono::milliseconds timeout) {
  api::Request request;
  *request.mutable_send() = send;
  return call(std::move(request), timeout);
}

Result<api::Response> RelayClient::ack(const std::vector<Bytes>& envelope_ids, std::chrono::milliseconds timeout) {
  api::Request request;
  for (const auto& id : envelope_ids) request.mutable_ack()->add_envelope_ids(id.data(), id.size());
  return call(std::move(request), timeout);
}

Result<std::optional<api::Push>> RelayClient::next_push(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait_until(lock, Clock::now() + timeout,
                       [&] { return !impl_->pushes.empty() || impl_->closed.has_value(); });
  if (!impl_->pushes.empty()) {
    api::Push push = std::move(impl_->pushes.front());
    impl_->pushes.pop_front();
    return std::optional<api::Push>(std::move(push));
  }
  if (impl_->closed) return make_error(Errc::storage, "connection closed: " + impl_->closed->reason);
  return std::optional<api::Push>();
}

Result<std::optional<api::Response>> RelayClient::next_unmatched_response(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait_until(lock, Clock::now() + timeout,
                       [&] { return !impl_->unmatched.empty() || impl_->closed.has_value(); });
  if (!impl_->unmatched.empty()) {
    api::Response response = std::move(impl_->unmatched.front());
    impl_->unmatched.pop_front();
    return std::optional<api::Response>(std::move(response));
  }
  if (impl_->closed) return make_error(Errc::storage, "connection closed: " + impl_->closed->reason);
  return std::optional<api::Response>();
}

Result<void> RelayClient::send_raw(ByteView message, bool binary) {
  if (!is_open()) return make_error(Errc::storage, "connection closed");
  Impl* impl = impl_.get();
  asio::post(impl->ioc, [impl, data = std::string(message.begin(), message.end()), binary]() mutable {
    impl->queue_write({std::move(data), binary});
  });
  return Ok{};
}

std::optional<CloseInfo> RelayClient::wait_closed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait_until(lock, Clock::now() + timeout, [&] { return impl_->closed.has_value(); });
  return impl_->closed;
}

bool RelayClient::is_open() const { return !impl_->closed_locked(); }

std::optional<CloseInfo> RelayClient::close_info() const {
  std::lock_guard lock(impl_->mu);
  return impl_->closed;
}

void RelayClient::close(std::chrono::milliseconds timeout) {
  Impl* impl = impl_.get();
  asio::post(impl->ioc, [impl] { impl->start_close(); });
  wait_closed(timeout);
}

}  // namespace hush::client
