// The listener (accept loop with a per-address connection limit), the I/O
// threads, TLS set-up and the graceful shutdown on SIGTERM/SIGINT.
#include "net/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <openssl/ssl.h>

#include <thread>
#include <vector>

#include "common/log.hpp"
#include "net/net_context.hpp"

namespace hush::server {
namespace net {
namespace {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // one_thread: the io_context runs on one thread only (--threads 1).
  Listener(asio::io_context& ioc, NetContext& ctx, bool one_thread)
      : ioc_(ioc), ctx_(ctx), one_thread_(one_thread), acceptor_(ioc), retry_(ioc) {}

  bool open(const tcp::endpoint& endpoint) {
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      log::error("listen_failed",
                 {{"address", endpoint.address().to_string()}, {"port", endpoint.port()}, {"error", ec.message()}});
      return false;
    }
    return true;
  }

  std::uint16_t port() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec).port();
  }

  void run() { do_accept(); }

  void stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ec;
      self->acceptor_.close(ec);
      self->retry_.cancel();
    });
  }

 private:
  void do_accept() {
    // Handlers of one connection must never run concurrently. With several
    // I/O threads each connection gets its own strand; with one thread they
    // cannot, and a strand would only cost two more mutex round trips per
    // posted handler (mutexes were 5.3% of hushd's samples with strands and
    // SQLite's memory statistics, 0.7% without either; perf).
    auto on_accept = [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    };
    if (one_thread_) {
      acceptor_.async_accept(ioc_.get_executor(), std::move(on_accept));
    } else {
      acceptor_.async_accept(asio::make_strand(ioc_), std::move(on_accept));
    }
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: say so, pause, go on.
      log::warn("accept_failed", {{"error", ec.message()}});
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([self = shared_from_this()](boost::system::error_code wec) {
        if (!wec) self->do_accept();
      });
      return;
    }
    boost::system::error_code aec;
    std::string address = socket.remote_endpoint(aec).address().to_string();
    socket.set_option(tcp::no_delay(true), aec);
    ConnectionTicket ticket = ctx_.per_address->acquire(address);
    start_http_session(std::move(socket), std::move(address), std::move(ticket), ctx_);
    do_accept();
  }

  asio::io_context& ioc_;
  NetContext& ctx_;
  const bool one_thread_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
};

bool configure_tls(asio::ssl::context& tls, const ServerConfig& config) {
  boost::system::error_code ec;
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                      asio::ssl::context::single_dh_use,
                  ec);
  if (!ec) tls.use_certificate_chain_file(config.tls_cert, ec);
  if (!ec) tls.use_private_key_file(config.tls_key, asio::ssl::context::pem, ec);
  if (ec) {
    log::error("tls_setup_failed", {{"error", ec.message()}});
    return false;
  }
  // Idle TLS connections give their read/write buffers back (~34 KiB each).
  SSL_CTX_set_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  return true;
}

// Handlers catch what they expect; anything else is logged here and the
// thread goes back to serving everyone else.
void run_io(asio::io_context& ioc) {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      log::error("handler_exception", {{"what", e.what()}});
    } catch (...) {
      log::error("handler_exception", {{"what", "unknown"}});
    }
  }
}

}  // namespace
}  // namespace net

int run_server(Services& services, const std::function<void()>& close_storage) {
  namespace asio = boost::asio;
  using net::tcp;
  const ServerConfig& config = services.config;

  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config.address, ec);
  if (ec) {
    log::error("bad_listen_address", {{"address", config.address}});
    close_storage();
    return 2;
  }

  const unsigned threads = config.threads == 0 ? 1 : config.threads;
  // Declared before the io_context: handlers still queued when it is
  // destroyed hold sessions whose destructors use ctx.
  asio::ssl::context tls(asio::ssl::context::tls_server);
  net::NetContext ctx{services, nullptr,
                      std::make_shared<ConnectionLimiter>(config.limits.max_connections_per_address)};
  if (config.tls()) {
    if (!net::configure_tls(tls, config)) {
      close_storage();
      return 2;
    }
    ctx.tls = &tls;
  }

  asio::io_context ioc(static_cast<int>(threads));
  auto listener = std::make_shared<net::Listener>(ioc, ctx, threads == 1);
  if (!listener->open(tcp::endpoint(address, config.port))) {
    close_storage();
    return 2;
  }
  // A group commit's completions reach the I/O threads as one handler: one
  // wake-up per commit, not one cross-thread post per envelope.
  services.store.set_completion_executor(
      [&ioc](std::function<void()> completions) { asio::post(ioc, std::move(completions)); });
  listener->run();
  log::info("listening", {{"address", config.address},
                          {"port", listener->port()},
                          {"tls", config.tls()},
                          {"threads", threads},
                          {"open_registration", config.open_registration}});

  // Graceful shutdown: stop accepting, close every WebSocket with 1001,
  // then wait for commits still in flight before stopping the threads.
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::steady_timer drain(ioc);
  SteadyTime deadline{};
  std::function<void()> poll_drained = [&] {
    // WebSocket sessions count until their close handshake is done, so
    // the 1001 close frames are flushed before the threads stop.
    const bool drained =
        services.store.in_flight() == 0 && services.metrics.websocket_connections.load(std::memory_order_relaxed) == 0;
    if (drained || SteadyClock::now() >= deadline) {
      if (!drained) log::warn("shutdown_grace_expired", {{"in_flight", services.store.in_flight()}});
      ioc.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(20));
    drain.async_wait([&](boost::system::error_code wec) {
      if (!wec) poll_drained();
    });
  };
  signals.async_wait([&](boost::system::error_code sec, int signo) {
    if (sec) return;
    log::info("shutting_down", {{"signal", signo}});
    ctx.stopping = true;
    listener->stop();
    services.fanout.shutdown_local();
    deadline = SteadyClock::now() + config.shutdown_grace;
    poll_drained();
  });

  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { net::run_io(ioc); });
  net::run_io(ioc);
  for (auto& t : pool) t.join();
  // From here on completions run on the writer thread again (and post to
  // the stopped context, as before).
  services.store.set_completion_executor({});

  // Requests already handed to the pool still commit; then the Db flushes
  // its last group commit. Completions posted now are dropped with ioc.
  services.pool.stop();
  close_storage();
  log::info("stopped");
  return 0;
}

}  // namespace hush::server
