#include "report.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace hush::load {

void print_relay_report(const Options& o, ShardStats& t, double measured_s, std::int64_t undelivered_at_end,
                        const std::optional<ServerCpu>& server) {
  std::optional<double> cpu_us;
  if (server && server->delivered > 0) cpu_us = server->cpu_s * 1e6 / static_cast<double>(server->delivered);
  t.latency.finish();
  const double throughput = measured_s > 0 ? static_cast<double>(t.delivered_measured) / measured_s : 0;
  const char* target = o.target == Target::baseline ? "baseline" : "hushd";
  const unsigned senders = o.bidirectional ? o.devices : o.devices / 2;
  if (o.json) {
    nlohmann::json j{{"target", target},
                     {"devices", o.devices},
                     {"senders", senders},
                     {"size", o.size},
                     {"rate", o.rate},
                     {"window", o.window},
                     {"measured_s", measured_s},
                     {"sent", t.sent},
                     {"sent_measured", t.sent_measured},
                     {"delivered", t.delivered},
                     {"delivered_measured", t.delivered_measured},
                     {"delivered_per_s", throughput},
                     {"latency_ms",
                      {{"p50", t.latency.percentile_ms(0.5)},
                       {"p99", t.latency.percentile_ms(0.99)},
                       {"p999", t.latency.percentile_ms(0.999)},
                       {"max", t.latency.max_ms()}}},
                     {"skipped", t.skipped},
                     {"undelivered_at_end", undelivered_at_end},
                     {"connect_failures", t.connect_failures},
                     {"closed_during_run", t.closed_during_run},
                     {"bad_messages", t.bad_messages},
                     {"ack_failures", t.ack_failures}};
    if (server) {
      j["server_cpu_s"] = server->cpu_s;
      j["server_window_delivered"] = server->delivered;
      if (cpu_us) j["server_cpu_us_per_delivered"] = *cpu_us;
    }
    for (const auto& [status, n] : t.send_statuses) j["send_statuses"][std::to_string(status)] = n;
    for (const auto& [code, n] : t.close_codes) j["close_codes"][std::to_string(code)] = n;
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  std::printf("target %s %s:%u, %u devices (%u senders), %zu-byte messages, ", target, o.host.c_str(), o.port,
              o.devices, senders, o.size);
  if (o.rate > 0)
    std::printf("rate %.0f/s", o.rate);
  else
    std::printf("as fast as possible (window %u per sender)", o.window);
  std::printf(", %.1f s measured after %.1f s warm-up\n", measured_s, o.warmup_s);
  std::printf("sent %llu (%llu in the measured window), delivered %llu (%llu of the measured)\n",
              static_cast<unsigned long long>(t.sent), static_cast<unsigned long long>(t.sent_measured),
              static_cast<unsigned long long>(t.delivered), static_cast<unsigned long long>(t.delivered_measured));
  std::printf("throughput %.1f delivered/s\n", throughput);
  std::printf("latency ms: p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n", t.latency.percentile_ms(0.5),
              t.latency.percentile_ms(0.99), t.latency.percentile_ms(0.999), t.latency.max_ms());
  if (server && cpu_us) {
    std::printf("server CPU %.2f s in the measured window for %llu pushes: %.2f us per delivered envelope\n",
                server->cpu_s, static_cast<unsigned long long>(server->delivered), *cpu_us);
  }
  std::printf("errors: skipped %llu, undelivered at end %lld, connect failures %llu, closed during run %llu, "
              "bad messages %llu, ack failures %llu",
              static_cast<unsigned long long>(t.skipped), static_cast<long long>(undelivered_at_end),
              static_cast<unsigned long long>(t.connect_failures), static_cast<unsigned long long>(t.closed_during_run),
              static_cast<unsigned long long>(t.bad_messages), static_cast<unsigned long long>(t.ack_failures));
  for (const auto& [status, n] : t.send_statuses) std::printf(", status %u: %llu", status, static_cast<unsigned long long>(n));
  for (const auto& [code, n] : t.close_codes) std::printf(", close %u: %llu", code, static_cast<unsigned long long>(n));
  std::printf("\n");
}

void print_idle_report(const Options& o, const IdleResult& r) {
  std::optional<double> per_conn;
  if (r.rss_before_kib && r.rss_after_kib && r.connected > 0)
    per_conn = (static_cast<double>(*r.rss_after_kib) - static_cast<double>(*r.rss_before_kib)) / r.connected;
  if (o.json) {
    nlohmann::json j{{"target", o.target == Target::baseline ? "baseline" : "hushd"},
                     {"requested", r.requested},
                     {"connected", r.connected},
                     {"failed", r.failed},
                     {"connect_s", r.connect_s}};
    if (r.rss_before_kib) j["rss_before_kib"] = *r.rss_before_kib;
    if (r.rss_after_kib) j["rss_after_kib"] = *r.rss_after_kib;
    if (per_conn) j["rss_per_connection_kib"] = *per_conn;
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  std::printf("idle: %u of %u connections open (%u failed) in %.1f s\n", r.connected, r.requested, r.failed, r.connect_s);
  if (per_conn)
    std::printf("server VmRSS %llu KiB -> %llu KiB: %.1f KiB per connection\n",
                static_cast<unsigned long long>(*r.rss_before_kib), static_cast<unsigned long long>(*r.rss_after_kib),
                *per_conn);
  else
    std::printf("server VmRSS not measured (give --server-pid)\n");
}

}  // namespace hush::load
