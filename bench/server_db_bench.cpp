// hushd storage benchmarks (server/src/db, docs/SERVER_STORAGE.md): what
// group commit costs a single writer and what it buys many.
//
//   BM_EnqueueLatency            one blocking enqueue at a time: p50/p99 of
//                                submit -> durable -> caller woken
//   BM_EnqueueConcurrent/threads N threads each doing blocking enqueues
//   BM_EnqueueAsync/in_flight    one thread keeping N enqueue_async in flight
//                                (the relay's path), random or time-ordered ids
//   BM_QueueDepth*               the queue_depth counter row vs COUNT/SUM over
//                                the index, on a 10k-envelope queue
//   BM_Fdatasync                 the floor of one WAL commit on the file system in use
//
// Each enqueue is one 200-byte envelope, spread over 1000 destination
// devices. The database lives under $HUSH_BENCH_DIR (default: the system temp
// directory): point it at the disk hushd would use; a tmpfs shows the CPU
// cost alone.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/sqlite_db.hpp"

namespace {

using namespace hush;
using namespace hush::server;
using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const char* what, const std::string& msg) {
  std::fprintf(stderr, "benchmark setup failed: %s: %s\n", what, msg.c_str());
  std::abort();
}

std::filesystem::path bench_root() {
  const char* env = std::getenv("HUSH_BENCH_DIR");
  return env != nullptr ? std::filesystem::path(env) : std::filesystem::temp_directory_path();
}

// A fresh data directory, removed again by the destructor.
struct TempDb {
  std::filesystem::path dir;
  std::unique_ptr<SqliteDb> db;

  TempDb() {
    std::string tmpl = (bench_root() / "hushd-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) die("mkdtemp", tmpl);
    dir = tmpl;
    auto r = SqliteDb::open(dir / "data");
    if (!r.ok()) die("open", r.error().message);
    db = std::move(r).value();
  }
  ~TempDb() {
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

constexpr QueueLimits kNoLimits{~0u, ~0ull};

std::atomic<std::uint64_t> g_next_id{1};

// Envelope ids: random-looking by default (the counter's low byte first, so
// consecutive ids land all over the unique index, as random ids do), or
// time-ordered (big-endian counter first, as a UUIDv7-style id of 48-bit
// milliseconds + 80 random bits would be), which appends to the index.
StoredEnvelope envelope(std::uint64_t n, bool ordered_ids = false) {
  StoredEnvelope e;
  std::uint64_t id = g_next_id.fetch_add(1);
  if (ordered_ids) {
    for (std::size_t k = 0; k < 8; ++k) e.id[k] = static_cast<std::uint8_t>(id >> (56 - 8 * k));
    e.id[8] = static_cast<std::uint8_t>(n);  // stands in for the random tail
  } else {
    std::memcpy(e.id.data(), &id, sizeof id);
  }
  e.type = 3;
  e.source_user = "alice";
  e.source_device = 1;
  e.destination_user = "user" + std::to_string(n % 1000);
  e.destination_device = 1;
  e.client_timestamp = 1'700'000'000'000ull;
  e.server_timestamp = 1'700'000'000'001ull;
  e.content.assign(200, static_cast<std::uint8_t>(n));
  return e;
}

// CPU time of the whole process (every thread, the writer included), so
// the cost per envelope can be read off whatever the wall clock says on a
// busy machine.
double process_cpu_us() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto us = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) * 1e6 + static_cast<double>(tv.tv_usec); };
  return us(ru.ru_utime) + us(ru.ru_stime);
}

void report_cpu(benchmark::State& state, double cpu_before, std::uint64_t items) {
  state.counters["cpu_us_per_op"] = items == 0 ? 0.0 : (process_cpu_us() - cpu_before) / static_cast<double>(items);
}

void report_batches(benchmark::State& state, const SqliteDb& db, const SqliteDb::WriterCounters& before) {
  auto after = db.writer_counters();
  auto batches = after.batches - before.batches;
  state.counters["ops_per_batch"] =
      batches == 0 ? 0.0 : static_cast<double>(after.ops - before.ops) / static_cast<double>(batches);
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

void BM_EnqueueLatency(benchmark::State& state) {
  TempDb t;
  std::vector<double> us;
  std::uint64_t n = 0;
  auto before = t.db->writer_counters();
  auto cpu = process_cpu_us();
  for (auto _ : state) {
    auto e = envelope(n++);
    auto start = Clock::now();
    auto r = t.db->enqueue({std::move(e)}, kNoLimits);
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (!r.ok()) die("enqueue", r.error().message);
  }
  state.counters["p50_us"] = percentile(us, 0.50);
  state.counters["p99_us"] = percentile(us, 0.99);
  report_cpu(state, cpu, state.iterations());
  state.SetItemsProcessed(state.iterations());
  report_batches(state, *t.db, before);
}
BENCHMARK(BM_EnqueueLatency)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Shared by the threads of one BM_EnqueueConcurrent run.
TempDb* g_shared = nullptr;
SqliteDb::WriterCounters g_shared_before;
double g_shared_cpu = 0;

void BM_EnqueueConcurrent(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_shared = new TempDb;
    g_shared_before = g_shared->db->writer_counters();
    g_shared_cpu = process_cpu_us();
  }
  std::uint64_t n = static_cast<std::uint64_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    auto r = g_shared->db->enqueue({envelope(n++)}, kNoLimits);
    if (!r.ok()) die("enqueue", r.error().message);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    report_batches(state, *g_shared->db, g_shared_before);
    report_cpu(state, g_shared_cpu, g_shared->db->writer_counters().ops - g_shared_before.ops);
    delete g_shared;
    g_shared = nullptr;
  }
}
BENCHMARK(BM_EnqueueConcurrent)->Threads(1)->Threads(8)->Threads(64)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_EnqueueAsync(benchmark::State& state) {
  TempDb t;
  const auto max_in_flight = static_cast<int>(state.range(0));
  const bool ordered_ids = state.range(1) != 0;
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;  // GUARDED_BY(mu)
  std::atomic<bool> failed{false};
  std::uint64_t n = 0;
  auto before = t.db->writer_counters();
  auto cpu = process_cpu_us();
  for (auto _ : state) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < max_in_flight; });
      ++in_flight;
    }
    t.db->enqueue_async({envelope(n++, ordered_ids)}, kNoLimits, [&](Result<Db::EnqueueOutcome> r) {
      if (!r.ok()) failed = true;
      std::lock_guard lock(mu);
      --in_flight;
      cv.notify_one();
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
  if (failed) die("enqueue_async", "a write failed");
  report_cpu(state, cpu, state.iterations());
  state.SetItemsProcessed(state.iterations());
  report_batches(state, *t.db, before);
}
BENCHMARK(BM_EnqueueAsync)
    ->ArgNames({"in_flight", "ordered_ids"})
    ->Args({64, 0})
    ->Args({1024, 0})
    ->Args({1024, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// --- queue depth: maintained counter vs computed ---------------------------------

struct DeepQueue {
  TempDb t;
  sqlite3* raw = nullptr;
  sqlite3_stmt* count_sum = nullptr;

  DeepQueue() {
    // 10k envelopes for user0.1 among 20k for other devices, in sends of 100.
    std::vector<StoredEnvelope> batch;
    for (std::uint64_t i = 0; i < 30'000; ++i) {
      auto e = envelope(i);
      e.destination_user = i % 3 == 0 ? "user0" : "user" + std::to_string(1 + i % 50);
      batch.push_back(std::move(e));
      if (batch.size() == 100) {
        auto r = t.db->enqueue(batch, kNoLimits);
        if (!r.ok()) die("fill", r.error().message);
        batch.clear();
      }
    }
    auto file = t.dir / "data" / SqliteDb::kFileName;
    if (sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) die("open raw", "");
    const char* sql =
        "SELECT count(*), coalesce(sum(length(content)), 0) FROM queue "
        "WHERE destination_user = ?1 AND destination_device = ?2";
    if (sqlite3_prepare_v2(raw, sql, -1, &count_sum, nullptr) != SQLITE_OK) die("prepare", sqlite3_errmsg(raw));
  }
  ~DeepQueue() {
    sqlite3_finalize(count_sum);
    sqlite3_close(raw);
  }
};

void BM_QueueDepthCounter(benchmark::State& state) {
  DeepQueue q;
  for (auto _ : state) {
    auto d = q.t.db->queue_depth("user0", 1);
    if (!d.ok() || d->envelopes != 10'000) die("queue_depth", "wrong depth");
    benchmark::DoNotOptimize(d->bytes);
  }
}
BENCHMARK(BM_QueueDepthCounter)->Unit(benchmark::kMicrosecond);

void BM_QueueDepthCountSum(benchmark::State& state) {
  DeepQueue q;
  for (auto _ : state) {
    sqlite3_bind_text(q.count_sum, 1, "user0", -1, SQLITE_STATIC);
    sqlite3_bind_int(q.count_sum, 2, 1);
    if (sqlite3_step(q.count_sum) != SQLITE_ROW || sqlite3_column_int64(q.count_sum, 0) != 10'000)
      die("count/sum", "wrong depth");
    benchmark::DoNotOptimize(sqlite3_column_int64(q.count_sum, 1));
    sqlite3_reset(q.count_sum);
  }
}
BENCHMARK(BM_QueueDepthCountSum)->Unit(benchmark::kMicrosecond);

// --- the floor ---------------------------------------------------------------------

void BM_Fdatasync(benchmark::State& state) {
  // A WAL in steady state rewrites frames of a file that already exists
  // (after each reset it starts again from the top), and SQLite syncs it
  // with fdatasync: overwrite 4 KiB in a preallocated 4 MiB file, then sync.
  auto file = bench_root() / ("hushd-bench-fsync-" + std::to_string(::getpid()));
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) die("open", file.string());
  constexpr off_t kFileSize = 4 << 20;
  std::vector<char> page(4096, 'x');
  for (off_t off = 0; off < kFileSize; off += 4096)
    if (::pwrite(fd, page.data(), page.size(), off) != static_cast<ssize_t>(page.size())) die("pwrite", "");
  if (::fsync(fd) != 0) die("fsync", "");
  off_t off = 0;
  std::vector<double> us;
  for (auto _ : state) {
    auto start = Clock::now();
    if (::pwrite(fd, page.data(), page.size(), off) != static_cast<ssize_t>(page.size())) die("pwrite", "");
    off = (off + 4096) % kFileSize;
    if (::fdatasync(fd) != 0) die("fdatasync", "");
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  state.counters["p50_us"] = percentile(us, 0.50);
  state.counters["p99_us"] = percentile(us, 0.99);
  ::close(fd);
  ::unlink(file.c_str());
}
BENCHMARK(BM_Fdatasync)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
