// The relay WebSocket of one authenticated device (docs/API.md "WebSocket
// relay"): binary Frames in, Responses and Pushes out.
//
// - Registers with the Fanout first, then replays the stored queue page by
//   page (ReplayMerger holds live pushes meanwhile), then QueueDrained.
// - One write in flight, of every frame queued when it started (one gathered
//   send under load); later frames wait in a small vector. A recipient
//   that lets more than max_pending_write_bytes pile up is closed (1013):
//   its envelopes stay in the database for the next connection.
// - A request's answer waits for its commit; the completion is posted back
//   to this connection's executor (its strand when hushd runs several I/O
//   threads, the io_context itself with one); past max_inflight_requests the
//   session stops reading (back-pressure). A quiet ack that succeeds is not
//   answered.
// - Per-connection state is kept small for many idle sockets (issue 3): on
//   plain TCP the WebSocket is RawWebSocket (no read buffer while idle, a
//   few hundred bytes in all); over TLS it is Beast's stream. Buffers are
//   released after each message.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <memory>
#include <vector>

#include "common/log.hpp"
#include "net/beast_websocket.hpp"
#include "net/raw_websocket.hpp"
#include "net/websocket_start.hpp"
#include "relay/frame_codec.hpp"
#include "relay/replay_merger.hpp"

namespace hush::server::net {
namespace {

namespace websocket = beast::websocket;

// Room for the SendRequest's own fields around its ciphertexts.
constexpr std::size_t kFrameOverhead = 64 * 1024;

struct Outgoing {
  std::string data;
  SteadyTime received{};  // set for live envelope pushes (delivery latency)
  bool envelope = false;
};

std::size_t max_message(const Limits& limits) {
  return std::max(limits.max_frame_bytes, limits.max_envelope_bytes + kFrameOverhead);
}

// Transport: RawWebSocket<Self> or BeastWebSocket<Self, NextLayer>.
template <template <class> class Transport>
class WebSocketSession final : public DeviceSink, public std::enable_shared_from_this<WebSocketSession<Transport>> {
 public:
  template <class Arg>
  WebSocketSession(Arg&& next_layer, ConnectionTicket ticket, AuthenticatedDevice device, NetContext& ctx)
      : ws_(std::forward<Arg>(next_layer), *this, max_message(ctx.limits())),
        ctx_(ctx),
        ticket_(std::move(ticket)),
        key_{device.username(), device.device_id},
        account_id_(device.account->account_id) {}

  ~WebSocketSession() override {
    leave();
    if (accepted_) ctx_.services.metrics.websocket_connections.fetch_sub(1, std::memory_order_relaxed);
  }

  void run(const Request& request) { ws_.accept(request, ctx_.limits()); }

  // DeviceSink: any thread; hop onto this connection's executor.
  void deliver(DeliveryPtr delivery) override {
    asio::post(ws_.get_executor(),
               [self = this->shared_from_this(), delivery = std::move(delivery)] { self->on_live(delivery); });
  }
  void prekeys_low(std::uint32_t remaining) override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), remaining] {
      self->enqueue(Outgoing{encode_prekeys_low(remaining)});
    });
  }
  void going_away() override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      self->start_close(websocket::close_code::going_away, "server shutting down");
    });
  }

 private:
  friend Transport<WebSocketSession>;  // calls on_accept, on_read, on_write

  void on_accept(beast::error_code ec) {
    if (ec) return log_failure(ec, "ws_accept");
    accepted_ = true;
    ctx_.services.metrics.websocket_connections.fetch_add(1, std::memory_order_relaxed);
    if (ctx_.stopping.load()) return start_close(websocket::close_code::going_away, "server shutting down");
    if (!ctx_.services.fanout.subscribe(key_, this->shared_from_this(), ctx_.limits().max_connections_per_device)) {
      ctx_.services.metrics.rate_limited.fetch_add(1, std::memory_order_relaxed);
      log::info("ws_refused", {{"user", key_.user}, {"device", key_.device}, {"reason", "too many connections"}});
      return start_close(websocket::close_code::policy_error, "too many connections for this device");
    }
    subscribed_ = true;
    log::info("ws_connected", {{"user", key_.user}, {"device", key_.device}});
    do_fetch_page();
    do_read();
  }

  // --- Replay ---------------------------------------------------------------
  void do_fetch_page() {
    fetching_ = true;
    ctx_.services.relay.fetch_page(
        key_, merger_.after_seq(), [self = this->shared_from_this()](Result<std::vector<Db::QueuedEnvelope>> r) {
          asio::post(self->ws_.get_executor(), [self, r = std::move(r)]() mutable { self->on_page(std::move(r)); });
        });
  }

  void on_page(Result<std::vector<Db::QueuedEnvelope>> page) {
    fetching_ = false;
    if (closing_) return;
    if (!page.ok()) {
      log::error("replay_failed", {{"user", key_.user}, {"device", key_.device}, {"error", page.error().message}});
      return start_close(websocket::close_code::internal_error, "storage failure");
    }
    for (auto& q : *page) {
      merger_.note_replayed(q.envelope.id, q.seq);
      enqueue(Outgoing{encode_push_envelope(q.envelope), {}, true});
    }
    if (page->size() >= ctx_.limits().replay_page) {
      // Fetch the next page once this one is written (bounded memory).
      more_pages_ = true;
      if (!writing_) next_page();
      return;
    }
    std::vector<DeliveryPtr> held;
    if (!merger_.finish_pass(held)) return do_fetch_page();  // live pushes overflowed: read them back
    for (auto& d : held) enqueue_delivery(*d);
    enqueue(Outgoing{encode_queue_drained()});
    // Only this connection hears about its device's low prekeys on connect.
    ctx_.services.pool.post([self = this->shared_from_this()] {
      if (auto n = self->ctx_.services.directory.low_prekey_count(self->account_id_, self->key_.device)) {
        self->prekeys_low(*n);
      }
    });
  }

  void next_page() {
    if (more_pages_ && !fetching_ && !closing_) {
      more_pages_ = false;
      do_fetch_page();
    }
  }

  void on_live(const DeliveryPtr& delivery) {
    if (closing_) return;
    if (merger_.accept_live(delivery)) enqueue_delivery(*delivery);
  }

  void enqueue_delivery(const Delivery& d) { enqueue(Outgoing{encode_push_envelope(d.envelope), d.received, true}); }

  // --- Reading requests ---------------------------------------------------
  void do_read() {
    if (closing_ || reading_) return;
    reading_ = true;
    ws_.read();
  }

  void on_read(beast::error_code ec, const char* data, std::size_t size, bool binary) {
    reading_ = false;
    if (ec) {
      // 1009 (too big) and protocol errors were already answered by Beast with a close frame.
      log_failure(ec, "ws_read");
      leave();
      return;
    }
    const SteadyTime received = SteadyClock::now();
    if (!binary) {
      ws_.release_read_buffer();
      return start_close(websocket::close_code::unknown_data, "binary frames only");
    }
    IncomingRequest request = decode_request(data, size);
    ws_.release_read_buffer();
    switch (request.kind) {
      case IncomingRequest::Kind::invalid:
        ctx_.services.metrics.bad_requests.fetch_add(1, std::memory_order_relaxed);
        enqueue(Outgoing{encode_status_response(request.id, 400, request.error)});
        break;
      case IncomingRequest::Kind::send:
        ++inflight_;
        ctx_.services.relay.send(key_, std::move(request.send), received,
                                 [self = this->shared_from_this(), id = request.id](SendOutcome outcome) {
                                   asio::post(self->ws_.get_executor(), [self, id, outcome = std::move(outcome)] {
                                     self->on_done(encode_send_response(id, outcome), outcome.status);
                                   });
                                 });
        break;
      case IncomingRequest::Kind::ack:
        ++inflight_;
        ctx_.services.relay.ack(
            key_, std::move(request.ack_ids),
            [self = this->shared_from_this(), id = request.id, quiet = request.ack_quiet](StatusOutcome outcome) {
              asio::post(self->ws_.get_executor(), [self, id, quiet, outcome = std::move(outcome)] {
                if (quiet && outcome.status == 200) return self->on_done({}, outcome.status);
                self->on_done(encode_status_response(id, outcome.status, outcome.message), outcome.status);
              });
            });
        break;
    }
    if (inflight_ < ctx_.limits().max_inflight_requests) do_read();
  }

  // An empty response: nothing to answer (a quiet ack that succeeded).
  void on_done(std::string response, std::uint32_t status) {
    --inflight_;
    if (status >= 400 && status < 500) ctx_.services.metrics.bad_requests.fetch_add(1, std::memory_order_relaxed);
    if (!response.empty()) enqueue(Outgoing{std::move(response)});
    if (inflight_ < ctx_.limits().max_inflight_requests) do_read();
  }

  // --- Writing --------------------------------------------------------------
  void enqueue(Outgoing out) {
    if (closing_) return;
    pending_bytes_ += out.data.size();
    if (pending_bytes_ > ctx_.limits().max_pending_write_bytes) {
      ctx_.services.metrics.slow_consumers_closed.fetch_add(1, std::memory_order_relaxed);
      log::info("ws_slow_consumer", {{"user", key_.user}, {"device", key_.device}});
      return start_close(websocket::close_code::try_again_later, "too slow reading");
    }
    queue_.push_back(std::move(out));
    if (!writing_) do_write();
  }

  // Writes every queued frame at once. They move to written_ first: the
  // transport points into them until on_write, and queue_ may grow (and
  // reallocate, moving short strings' bytes) meanwhile.
  void do_write() {
    writing_ = true;
    written_.swap(queue_);
    std::vector<asio::const_buffer> messages;
    messages.reserve(written_.size());
    for (const Outgoing& out : written_) messages.push_back(asio::buffer(out.data));
    ws_.write(std::move(messages));
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    if (ec) {
      log_failure(ec, "ws_write");
      leave();
      return;
    }
    const SteadyTime now = SteadyClock::now();
    for (const Outgoing& done : written_) {
      pending_bytes_ -= done.data.size();
      if (done.envelope) {
        ctx_.services.metrics.envelopes_out.fetch_add(1, std::memory_order_relaxed);
        if (done.received != SteadyTime{}) ctx_.services.metrics.delivery_latency.observe(now - done.received);
      }
    }
    written_.clear();
    if (written_.capacity() > 4) std::vector<Outgoing>().swap(written_);
    if (queue_.empty() && queue_.capacity() > 4) std::vector<Outgoing>().swap(queue_);
    if (closing_) return do_close();
    if (!queue_.empty()) return do_write();
    next_page();
  }

  // --- Closing --------------------------------------------------------------
  // Drops unsent frames (everything undelivered is still in the database)
  // and sends a close frame once the write in flight is done.
  void start_close(websocket::close_code code, const char* reason) {
    if (closing_) return;
    closing_ = true;
    close_code_ = static_cast<std::uint16_t>(code);
    close_text_ = reason;
    leave();
    queue_.clear();
    if (!writing_) do_close();
  }

  void do_close() {
    if (close_sent_) return;
    close_sent_ = true;
    ws_.close(close_code_, close_text_);
  }

  void leave() {
    if (subscribed_) {
      subscribed_ = false;
      ctx_.services.fanout.unsubscribe(key_, this);
      log::info("ws_closed", {{"user", key_.user}, {"device", key_.device}});
    }
  }

  Transport<WebSocketSession> ws_;
  NetContext& ctx_;
  ConnectionTicket ticket_;
  DeviceKey key_;
  std::int64_t account_id_;
  std::vector<Outgoing> queue_;    // waiting for the write in flight
  std::vector<Outgoing> written_;  // in flight while writing_
  std::size_t pending_bytes_ = 0;
  ReplayMerger merger_;
  const char* close_text_ = "";  // a literal
  std::uint32_t inflight_ = 0;
  std::uint16_t close_code_ = 0;
  bool accepted_ = false;
  bool subscribed_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool fetching_ = false;
  bool more_pages_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
};

template <class S>
using TlsWebSocket = BeastWebSocket<S, TlsStream>;

}  // namespace

void start_websocket_session(PlainStream&& stream, Request&& request, ConnectionTicket ticket,
                             AuthenticatedDevice device, NetContext& ctx) {
  // Drop tcp_stream's timers: the WebSocket keeps only the bare socket.
  auto session = std::make_shared<WebSocketSession<RawWebSocket>>(stream.release_socket(), std::move(ticket),
                                                                  std::move(device), ctx);
  session->run(std::move(request));
}

void start_websocket_session(TlsStream&& stream, Request&& request, ConnectionTicket ticket, AuthenticatedDevice device,
                             NetContext& ctx) {
  auto session =
      std::make_shared<WebSocketSession<TlsWebSocket>>(std::move(stream), std::move(ticket), std::move(device), ctx);
  session->run(std::move(request));
}

}  // namespace hush::server::net
