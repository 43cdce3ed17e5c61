#include "shard.hpp"

#include <boost/asio/post.hpp>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "api.pb.h"

namespace hush::load {

namespace asio = boost::asio;

namespace {

// Connections being opened at once per shard: enough to be quick, few
// enough not to overflow the server's accept backlog (SYN retries cost 1 s).
constexpr unsigned kMaxOpening = 128;
// Acks are batched; a batch this large is sent without waiting for the
// write queue to empty.
constexpr std::size_t kAckBatch = 256;
constexpr std::uint32_t kMagic = 0x31444c48;  // "HLD1"
constexpr std::size_t kHeaderSize = 24;       // magic, sender u32, seq u64, send time u64 (ns)

// hushd: request ids of sends are odd, of acks even, so a Response tells
// which it answers without a lookup.
bool is_send_id(std::uint64_t id) {
  return id % 2 == 1;
}

void put_le(char* p, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
std::uint64_t get_le(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

void ShardStats::merge(const ShardStats& o) {
  sent += o.sent;
  skipped += o.skipped;
  delivered += o.delivered;
  delivered_measured += o.delivered_measured;
  sent_measured += o.sent_measured;
  connect_failures += o.connect_failures;
  closed_during_run += o.closed_during_run;
  bad_messages += o.bad_messages;
  ack_failures += o.ack_failures;
  for (const auto& [k, v] : o.send_statuses) send_statuses[k] += v;
  for (const auto& [k, v] : o.close_codes) close_codes[k] += v;
  latency.merge(o.latency);
}

struct Shard::Device {
  Device(asio::io_context& ioc, unsigned i) : index(i), partner(i ^ 1u), timer(ioc) {}
  unsigned index;
  unsigned partner;
  bool sender = false;
  bool opened = false;
  bool ready = false;
  std::unique_ptr<WsConnection> conn;
  asio::steady_timer timer;
  std::uint64_t seq = 0;
  std::uint64_t next_send_id = 1;  // odd
  std::uint64_t next_ack_id = 2;   // even
  unsigned in_flight = 0;
  std::vector<std::string> pending_acks;
};

Shard::Shard(const RunPlan& plan, RunProgress& progress, std::vector<unsigned> devices)
    : plan_(plan), progress_(progress) {
  for (unsigned i : devices) {
    auto d = std::make_unique<Device>(ioc_, i);
    d->sender = plan_.options.bidirectional || i % 2 == 0;
    by_index_[i] = d.get();
    devices_.push_back(std::move(d));
  }
  // Random filler, so content looks like ciphertext (incompressible). The
  // baseline's JSON body needs printable characters.
  std::mt19937_64 gen(std::random_device{}());
  payload_.resize(plan_.options.size);
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (auto& c : payload_)
    c = plan_.options.target == Target::baseline ? alphabet[gen() % 64] : static_cast<char>(gen());
}

Shard::~Shard() {
  stop();
}

void Shard::connect_all() {
  work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(ioc_.get_executor());
  asio::post(ioc_, [this] { open_next(); });
  thread_ = std::thread([this] { ioc_.run(); });
}

void Shard::open_next() {
  while (opening_ < kMaxOpening && next_to_open_ < devices_.size()) {
    Device& d = *devices_[next_to_open_++];
    ++opening_;
    WsCallbacks cb;
    cb.on_open = [this, &d] { on_open(d); };
    cb.on_message = [this, &d](std::string_view data) { on_message(d, data); };
    cb.on_close = [this, &d](std::uint16_t code, const std::string&) {
      if (!d.opened) {
        ++stats_.connect_failures;
        progress_.failed.fetch_add(1);
        --opening_;
        open_next();
        return;
      }
      ++stats_.closed_during_run;
      ++stats_.close_codes[code];
    };
    cb.on_write_idle = [this, &d] { flush_acks(d); };
    d.conn = std::make_unique<WsConnection>(ioc_, std::move(cb));
    const bool baseline = plan_.options.target == Target::baseline;
    const auto& source = plan_.sources[d.index % plan_.sources.size()];
    d.conn->start(plan_.server, source, plan_.options.host + ":" + std::to_string(plan_.options.port),
                  baseline ? "/" + plan_.names[d.index] : "/v1/websocket",
                  baseline ? std::string() : plan_.authorization[d.index]);
  }
}

void Shard::on_open(Device& d) {
  d.opened = true;
  --opening_;
  open_next();
  // hushd devices are ready once their (empty) queue is drained.
  if (plan_.options.target == Target::baseline) {
    d.ready = true;
    progress_.ready.fetch_add(1);
  }
}

void Shard::on_message(Device& d, std::string_view data) {
  if (plan_.options.target == Target::baseline)
    on_baseline_frame(d, data);
  else
    on_hushd_frame(d, data);
}

void Shard::on_hushd_frame(Device& d, std::string_view data) {
  api::Frame frame;
  if (!frame.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    ++stats_.bad_messages;
    return;
  }
  if (frame.has_response()) {
    const auto& r = frame.response();
    if (r.status() == 200) return;
    if (!is_send_id(r.id())) {
      ++stats_.ack_failures;
      return;
    }
    // A refused send is never delivered: release its window slot.
    ++stats_.send_statuses[r.status()];
    finished(d.index, std::nullopt);
    return;
  }
  if (!frame.has_push()) {
    ++stats_.bad_messages;
    return;
  }
  const auto& push = frame.push();
  if (push.has_queue_drained() && !d.ready) {
    d.ready = true;
    progress_.ready.fetch_add(1);
  }
  if (!push.has_envelope()) return;
  const auto& e = push.envelope();
  d.pending_acks.push_back(e.id());
  if (d.pending_acks.size() >= kAckBatch || d.conn->queued() == 0) flush_acks(d);
  const std::string& c = e.content();
  if (c.size() < kHeaderSize || get_le(c.data(), 4) != kMagic) {
    ++stats_.bad_messages;
    return;
  }
  const auto sender = static_cast<unsigned>(get_le(c.data() + 4, 4));
  ++stats_.delivered;
  progress_.delivered.fetch_add(1, std::memory_order_relaxed);
  finished(sender, get_le(c.data() + 16, 8));
}

void Shard::on_baseline_frame(Device&, std::string_view data) {
  // {"to":ID,"body":"SENDER.SEQ.SENDNS.filler"} as the relay forwards it.
  auto j = nlohmann::json::parse(data, nullptr, false);
  if (!j.is_object() || !j.contains("body") || !j["body"].is_string()) {
    ++stats_.bad_messages;
    return;
  }
  const std::string& body = j["body"].get_ref<const std::string&>();
  unsigned sender = 0;
  unsigned long long seq = 0, send_ns = 0;
  if (std::sscanf(body.c_str(), "%u.%llu.%llu.", &sender, &seq, &send_ns) != 3 || !by_index_.count(sender)) {
    ++stats_.bad_messages;
    return;
  }
  ++stats_.delivered;
  progress_.delivered.fetch_add(1, std::memory_order_relaxed);
  finished(sender, send_ns);
}

// A message of `sender` is done: delivered (with its send time) or refused.
// Records a measured message's latency and credits the sender's window.
void Shard::finished(unsigned sender, std::optional<std::uint64_t> send_ns) {
  const auto now = SteadyClock::now();
  if (send_ns && *send_ns >= to_ns(progress_.measure_begin) && *send_ns < to_ns(progress_.measure_end)) {
    ++stats_.delivered_measured;
    stats_.latency.add(to_ns(now) - *send_ns);
  }
  auto it = by_index_.find(sender);
  if (it == by_index_.end()) return;
  Device& s = *it->second;
  if (s.in_flight > 0) --s.in_flight;
  progress_.in_flight.fetch_sub(1);
  if (plan_.options.rate == 0 && sending_open(now)) send_one(s, to_ns(now));
}

void Shard::send_one(Device& d, std::uint64_t send_ns) {
  std::string content = payload_;
  put_le(content.data(), kMagic, 4);
  put_le(content.data() + 4, d.index, 4);
  put_le(content.data() + 8, d.seq, 8);
  put_le(content.data() + 16, send_ns, 8);
  if (plan_.options.target == Target::baseline) {
    std::string body = std::to_string(d.index) + "." + std::to_string(d.seq) + "." + std::to_string(send_ns) + ".";
    if (body.size() < payload_.size()) body.append(payload_, body.size(), std::string::npos);
    d.conn->send("{\"to\":\"" + plan_.names[d.partner] + "\",\"body\":\"" + body + "\"}", false);
  } else {
    api::Frame frame;
    auto* request = frame.mutable_request();
    request->set_id(d.next_send_id);
    d.next_send_id += 2;
    auto* send = request->mutable_send();
    send->set_destination_user(plan_.names[d.partner]);
    send->set_client_timestamp(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count()));
    auto* m = send->add_messages();
    m->set_destination_device(1);
    m->set_type(2);  // a whisper message, as far as the server can tell
    m->set_content(std::move(content));
    d.conn->send(frame.SerializeAsString(), true);
  }
  ++d.seq;
  ++d.in_flight;
  progress_.in_flight.fetch_add(1);
  ++stats_.sent;
  if (send_ns >= to_ns(progress_.measure_begin) && send_ns < to_ns(progress_.measure_end)) ++stats_.sent_measured;
}

void Shard::flush_acks(Device& d) {
  if (d.pending_acks.empty() || !d.conn || !d.conn->open()) return;
  api::Frame frame;
  auto* request = frame.mutable_request();
  request->set_id(d.next_ack_id);
  d.next_ack_id += 2;
  for (auto& id : d.pending_acks) request->mutable_ack()->add_envelope_ids(std::move(id));
  // Answered only if it fails (ack_failures); a client needs no more.
  request->mutable_ack()->set_quiet(true);
  d.pending_acks.clear();
  d.conn->send(frame.SerializeAsString(), true);
}

void Shard::schedule(Device& d, SteadyClock::time_point at) {
  d.timer.expires_at(at);
  d.timer.async_wait([this, &d, at](boost::system::error_code ec) {
    if (ec || !sending_open(at)) return;
    if (d.in_flight >= plan_.options.max_outstanding || !d.conn->open())
      ++stats_.skipped;
    else
      send_one(d, to_ns(at));  // the scheduled time: a late send counts against latency
    const unsigned senders = plan_.options.bidirectional ? plan_.options.devices : plan_.options.devices / 2;
    schedule(d, at + std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * senders / plan_.options.rate)));
  });
}

void Shard::start_sending() {
  asio::post(ioc_, [this] {
    sending_ = true;
    const unsigned senders = plan_.options.bidirectional ? plan_.options.devices : plan_.options.devices / 2;
    const auto interval = std::chrono::nanoseconds(
        plan_.options.rate > 0 ? static_cast<std::int64_t>(1e9 * senders / plan_.options.rate) : 0);
    std::mt19937_64 gen(std::random_device{}());
    for (auto& dp : devices_) {
      Device& d = *dp;
      if (!d.sender || !d.opened) continue;
      if (plan_.options.rate > 0) {
        // A random phase spreads the senders over the interval.
        const auto phase =
            interval.count() > 0 ? std::chrono::nanoseconds(gen() % interval.count()) : std::chrono::nanoseconds(0);
        schedule(d, progress_.send_begin + phase);
      } else {
        d.timer.expires_at(progress_.send_begin);
        d.timer.async_wait([this, &d](boost::system::error_code ec) {
          if (ec) return;
          for (unsigned k = 0; k < plan_.options.window; ++k) send_one(d, to_ns(SteadyClock::now()));
        });
      }
    }
  });
}

void Shard::stop() {
  if (!thread_.joinable()) return;
  asio::post(ioc_, [this] {
    sending_ = false;
    for (auto& d : devices_) {
      d->timer.cancel();
      if (d->conn) d->conn->close();
    }
  });
  work_.reset();
  // Give the close frames a moment, then stop regardless.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ioc_.stop();
  thread_.join();
}

}  // namespace hush::load
