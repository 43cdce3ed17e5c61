// hush-load: relay load generator for hushd and the baseline relay
// (bench/baseline-relay.js). Run with --help for what it does.
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

#include "accounts.hpp"
#include "hush/rng.hpp"
#include "options.hpp"
#include "proc_status.hpp"
#include "report.hpp"
#include "shard.hpp"

namespace hush::load {
namespace {

namespace asio = boost::asio;
using std::chrono::duration;
using std::chrono::duration_cast;

// Loopback source addresses split the connections so no address runs out of
// ephemeral ports.
constexpr unsigned kConnectionsPerSource = 20000;

void raise_fd_limit() {
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < l.rlim_max) {
    l.rlim_cur = l.rlim_max;
    setrlimit(RLIMIT_NOFILE, &l);
  }
}

std::string random_prefix() {
  std::uint8_t b[4];
  SystemRng().fill(b);
  char s[16];
  std::snprintf(s, sizeof s, "load%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
  return s;
}

std::vector<std::string> read_lines(const std::string& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

// Everything a run needs before connecting: names, credentials, sources.
bool prepare(RunPlan& plan, unsigned count) {
  const Options& o = plan.options;
  asio::io_context ioc;
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(ioc);
  auto results = resolver.resolve(o.host, std::to_string(o.port), ec);
  if (ec || results.empty()) {
    std::fprintf(stderr, "hush-load: cannot resolve %s: %s\n", o.host.c_str(), ec.message().c_str());
    return false;
  }
  plan.server = results.begin()->endpoint();
  const std::string prefix = random_prefix();
  for (unsigned i = 0; i < count; ++i) plan.names.push_back(load_username(prefix, i));
  if (o.target == Target::hushd) {
    client::Endpoint ep;
    ep.host = o.host;
    ep.port = o.port;
    ep.timeout = std::chrono::seconds(30);
    const auto started = std::chrono::steady_clock::now();
    auto auth = register_devices(ep, count, prefix, o.invites_file.empty() ? std::vector<std::string>{}
                                                                           : read_lines(o.invites_file),
                                 o.register_threads);
    if (!auth) {
      std::fprintf(stderr, "hush-load: registration failed: %s\n", auth.error().message.c_str());
      return false;
    }
    plan.authorization = std::move(auth).value();
    std::fprintf(stderr, "registered %u devices in %.1f s\n", count,
                 duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  if (plan.server.address().is_loopback() && plan.server.address().is_v4()) {
    const unsigned n = o.source_addresses > 0 ? o.source_addresses : (count + kConnectionsPerSource - 1) / kConnectionsPerSource;
    for (unsigned k = 0; k < std::max(1u, std::min(n, 254u)); ++k)
      plan.sources.push_back(asio::ip::make_address_v4("127.0.0." + std::to_string(k + 1)));
  } else {
    plan.sources.push_back(asio::ip::address());  // any
  }
  return true;
}

// Waits until every connection is ready or failed, or the timeout.
bool wait_ready(const RunProgress& progress, unsigned count, double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + duration<double>(timeout_s);
  while (progress.ready.load() + progress.failed.load() < count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

int run_idle(RunPlan& plan) {
  const Options& o = plan.options;
  IdleResult r;
  r.requested = o.idle;
  if (o.server_pid) r.rss_before_kib = vm_rss_kib(*o.server_pid);
  RunProgress progress;
  std::vector<std::vector<unsigned>> lists(o.threads);
  for (unsigned i = 0; i < o.idle; ++i) lists[i % o.threads].push_back(i);
  std::vector<std::unique_ptr<Shard>> shards;
  for (auto& l : lists) shards.push_back(std::make_unique<Shard>(plan, progress, std::move(l)));
  const auto started = std::chrono::steady_clock::now();
  for (auto& s : shards) s->connect_all();
  const bool all = wait_ready(progress, o.idle, o.connect_timeout_s);
  r.connect_s = duration<double>(std::chrono::steady_clock::now() - started).count();
  std::this_thread::sleep_for(duration<double>(o.hold_s));
  if (o.server_pid) r.rss_after_kib = vm_rss_kib(*o.server_pid);
  r.connected = progress.ready.load();
  r.failed = progress.failed.load();
  for (auto& s : shards) s->stop();
  print_idle_report(o, r);
  return all && r.failed == 0 ? 0 : 1;
}

int run_relay(RunPlan& plan) {
  const Options& o = plan.options;
  RunProgress progress;
  std::vector<std::vector<unsigned>> lists(o.threads);
  for (unsigned pair = 0; pair < o.devices / 2; ++pair) {
    lists[pair % o.threads].push_back(2 * pair);
    lists[pair % o.threads].push_back(2 * pair + 1);
  }
  std::vector<std::unique_ptr<Shard>> shards;
  for (auto& l : lists) shards.push_back(std::make_unique<Shard>(plan, progress, std::move(l)));
  for (auto& s : shards) s->connect_all();
  if (!wait_ready(progress, o.devices, o.connect_timeout_s) || progress.failed.load() > 0) {
    std::fprintf(stderr, "hush-load: %u of %u connections ready, %u failed\n", progress.ready.load(), o.devices,
                 progress.failed.load());
    for (auto& s : shards) s->stop();
    return 1;
  }
  const auto now = std::chrono::steady_clock::now();
  progress.send_begin = now + std::chrono::milliseconds(100);
  progress.measure_begin = progress.send_begin + duration_cast<std::chrono::nanoseconds>(duration<double>(o.warmup_s));
  progress.measure_end = progress.measure_begin + duration_cast<std::chrono::nanoseconds>(duration<double>(o.duration_s));
  for (auto& s : shards) s->start_sending();
  // Server CPU per delivered envelope over the measured window: robust on a
  // shared machine, where wall-clock figures are not.
  std::optional<ServerCpu> server;
  std::optional<double> cpu_begin;
  std::uint64_t delivered_begin = 0;
  if (o.server_pid) {
    std::this_thread::sleep_until(progress.measure_begin);
    cpu_begin = cpu_seconds(*o.server_pid);
    delivered_begin = progress.delivered.load();
  }
  std::this_thread::sleep_until(progress.measure_end);
  if (cpu_begin) {
    if (auto cpu_end = cpu_seconds(*o.server_pid))
      server = ServerCpu{*cpu_end - *cpu_begin, progress.delivered.load() - delivered_begin};
  }
  const auto drain_deadline = std::chrono::steady_clock::now() + duration<double>(o.drain_s);
  while (progress.in_flight.load() > 0 && std::chrono::steady_clock::now() < drain_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const std::int64_t undelivered = progress.in_flight.load();
  for (auto& s : shards) s->stop();
  ShardStats total;
  for (auto& s : shards) total.merge(s->stats());
  print_relay_report(o, total, o.duration_s, undelivered, server);
  const bool clean = undelivered == 0 && total.send_statuses.empty() && total.closed_during_run == 0 &&
                     total.bad_messages == 0 && total.ack_failures == 0;
  return clean ? 0 : 1;
}

}  // namespace
}  // namespace hush::load

int main(int argc, char** argv) {
  using namespace hush::load;
  RunPlan plan;
  plan.options = parse_options(argc, argv);
  raise_fd_limit();
  const unsigned count = plan.options.idle > 0 ? plan.options.idle : plan.options.devices;
  if (!prepare(plan, count)) return 1;
  return plan.options.idle > 0 ? run_idle(plan) : run_relay(plan);
}
