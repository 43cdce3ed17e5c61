#include "metrics/metrics.hpp"

#include <cstdio>

namespace hush::server {
namespace {

void append_number(std::string& out, double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  out += buf;
}

void append_metric(std::string& out, const char* name, const char* type, const char* help,
                   double value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  append_number(out, value);
  out += '\n';
}

}  // namespace

void LatencyHistogram::observe(std::chrono::nanoseconds d) {
  const double seconds = std::chrono::duration<double>(d).count();
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(d.count() > 0 ? d.count() : 0), std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void LatencyHistogram::render(std::string& out, const char* name, const char* help) const {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += " histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out += name;
    out += "_bucket{le=\"";
    if (i < kBounds.size()) {
      append_number(out, kBounds[i]);
    } else {
      out += "+Inf";
    }
    out += "\"} ";
    out += std::to_string(cumulative);
    out += '\n';
  }
  out += name;
  out += "_sum ";
  append_number(out, static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9);
  out += '\n';
  out += name;
  out += "_count ";
  // The count is the +Inf bucket so the lines agree with each other even
  // while observations race with rendering.
  out += std::to_string(cumulative);
  out += '\n';
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(4096);
  auto load = [](const auto& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };
  append_metric(out, "hush_http_connections", "gauge", "Open HTTP connections (not yet upgraded).",
                load(http_connections));
  append_metric(out, "hush_websocket_connections", "gauge", "Open relay WebSockets.",
                load(websocket_connections));
  append_metric(out, "hush_http_requests_total", "counter", "HTTP requests answered.", load(http_requests));
  append_metric(out, "hush_envelopes_in_total", "counter", "Envelopes committed to device queues.",
                load(envelopes_in));
  append_metric(out, "hush_envelopes_out_total", "counter", "Envelopes written to recipient sockets.",
                load(envelopes_out));
  append_metric(out, "hush_envelopes_acked_total", "counter", "Envelope ids acknowledged by recipients.",
                load(envelopes_acked));
  append_metric(out, "hush_queue_depth", "gauge",
                "Envelopes waiting in all device queues, tracked since start (committed minus acknowledged).",
                load(queue_depth));
  append_metric(out, "hush_auth_failures_total", "counter", "Failed authentications.", load(auth_failures));
  append_metric(out, "hush_rate_limited_total", "counter",
                "Requests or connections refused by a rate or connection limit.", load(rate_limited));
  append_metric(out, "hush_bundle_fetches_total", "counter", "Prekey bundle fetch requests answered.",
                load(bundle_fetches));
  append_metric(out, "hush_registrations_total", "counter", "Accounts and devices registered.",
                load(registrations));
  append_metric(out, "hush_bad_requests_total", "counter", "Requests answered with a 4xx status.",
                load(bad_requests));
  append_metric(out, "hush_slow_consumers_closed_total", "counter",
                "WebSockets closed because they did not read their pushes.", load(slow_consumers_closed));
  if (storage_counters) {
    const StorageCounters c = storage_counters();
    append_metric(out, "hush_db_commits_total", "counter",
                  "Group commits (write transactions), each holding one or more writes.",
                  static_cast<double>(c.commits));
    append_metric(out, "hush_db_unsynced_commits_total", "counter",
                  "Group commits of acknowledgement deletes only, made without an fsync.",
                  static_cast<double>(c.unsynced_commits));
    append_metric(out, "hush_db_writes_total", "counter", "Writes completed by group commits.",
                  static_cast<double>(c.writes));
    append_metric(out, "hush_db_checkpoints_total", "counter", "WAL checkpoints by the background checkpointer.",
                  static_cast<double>(c.checkpoints));
  }
  commit_latency.render(out, "hush_commit_latency_seconds", "Time from enqueue to durable commit.");
  delivery_latency.render(out, "hush_delivery_latency_seconds",
                          "Time from reading a SendRequest to writing the Push to an online recipient.");
  return out;
}

}  // namespace hush::server
