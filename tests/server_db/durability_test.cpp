// Acknowledged means durable: a child process writes through the group
// commit path from several threads (blocking and async), reports each write
// on a pipe only after its call returned success, and is SIGKILLed at a
// random moment. Reopened, the database must hold every acknowledged write
// exactly once, every envelope byte-exact, no half of any write, and queue
// depth counters equal to what the queue holds.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "db_fixture.hpp"

namespace hush::server::test {
namespace {

// One pipe record. 16 bytes < PIPE_BUF, so a write is atomic: a kill can
// never leave half a record.
struct Record {
  std::uint64_t op;
  std::uint32_t kind;  // kEnqueued or kDeleted
  std::uint32_t pad;
};
constexpr std::uint32_t kEnqueued = 1;  // all three envelopes of `op` are durable
constexpr std::uint32_t kDeleted = 2;   // the device-1 envelope of `op` is durably deleted
constexpr std::uint32_t kDeleting = 3;  // that delete was submitted (it may or may not have committed)

constexpr std::uint32_t kDevices = 3;

std::string op_user(std::uint64_t op) {
  return "user" + std::to_string(op % 7);
}
std::size_t op_size(std::uint64_t op, std::uint32_t device) {
  // Mostly small, some spilling into overflow pages.
  return (op % 11 == 0) ? 20000 + device * 1000 : 40 + (op * 37 + device) % 1500;
}
std::vector<StoredEnvelope> op_envelopes(std::uint64_t op) {
  std::vector<StoredEnvelope> out;
  for (std::uint32_t d = 1; d <= kDevices; ++d) out.push_back(make_envelope(op_user(op), d, envelope_id(op, d), op_size(op, d)));
  return out;
}

void write_record(int fd, std::uint64_t op, std::uint32_t kind) {
  Record r{op, kind, 0};
  if (::write(fd, &r, sizeof r) != static_cast<ssize_t>(sizeof r)) ::_exit(20);
}

// The child: never returns. Threads 1..n-1 write with the blocking calls;
// thread 0 keeps up to 32 async enqueues in flight.
[[noreturn]] void child_main(const std::filesystem::path& dir, int fd, std::uint64_t op_base) {
  auto opened = SqliteDb::open(dir);
  if (!opened.ok()) ::_exit(10);
  auto db = std::move(opened).value();
  constexpr std::uint64_t kThreads = 6;
  std::mutex record_mu;  // one writer to the pipe at a time keeps records whole
  auto report = [&](std::uint64_t op, std::uint32_t kind) {
    std::lock_guard lock(record_mu);
    write_record(fd, op, kind);
  };
  std::vector<std::thread> threads;
  for (std::uint64_t t = 1; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::deque<std::uint64_t> acked;
      for (std::uint64_t k = 0;; ++k) {
        std::uint64_t op = op_base + k * kThreads + t;
        auto r = db->enqueue(op_envelopes(op), {});
        if (!r.ok() || r->queue_full) ::_exit(11);
        report(op, kEnqueued);
        acked.push_back(op);
        if (k % 4 == 3) {  // ack (delete) the device-1 envelope of an older op
          auto old = acked.front();
          acked.pop_front();
          report(old, kDeleting);
          if (!db->delete_envelopes(op_user(old), 1, {envelope_id(old, 1)}).ok()) ::_exit(12);
          report(old, kDeleted);
        }
      }
    });
  }
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  for (std::uint64_t k = 0;; ++k) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < 32; });
      ++in_flight;
    }
    std::uint64_t op = op_base + k * kThreads;
    db->enqueue_async(op_envelopes(op), {}, [&, op](Result<Db::EnqueueOutcome> r) {
      if (!r.ok() || r->queue_full) ::_exit(13);
      report(op, kEnqueued);
      std::lock_guard lock(mu);
      --in_flight;
      cv.notify_one();
    });
  }
}

class DurabilityTest : public DbTest {
 protected:
  struct Round {
    std::set<std::uint64_t> enqueued;
    std::set<std::uint64_t> deleted;
    std::set<std::uint64_t> deleting;
  };

  // Runs one child and kills it after `min_records` plus a random delay.
  Round run_child_and_kill(std::uint64_t op_base, std::size_t min_records, std::chrono::milliseconds extra) {
    Round round;
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    EXPECT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      child_main(dir_, fds[1], op_base);
    }
    ::close(fds[1]);
    std::size_t received = 0;
    auto take = [&](const Record& r) {
      ++received;
      if (r.kind == kEnqueued) round.enqueued.insert(r.op);
      else if (r.kind == kDeleted) round.deleted.insert(r.op);
      else if (r.kind == kDeleting) round.deleting.insert(r.op);
      else ADD_FAILURE() << "bad record kind " << r.kind;
    };
    auto read_some = [&](int timeout_ms) -> bool {  // false at EOF
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return true;
      Record buf[256];
      auto n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) return false;
      EXPECT_EQ(static_cast<std::size_t>(n) % sizeof(Record), 0u);
      for (std::size_t i = 0; i < static_cast<std::size_t>(n) / sizeof(Record); ++i) take(buf[i]);
      return true;
    };
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (received < min_records && std::chrono::steady_clock::now() < give_up)
      if (!read_some(100)) break;
    auto kill_at = std::chrono::steady_clock::now() + extra;
    while (std::chrono::steady_clock::now() < kill_at)
      if (!read_some(1)) break;
    ::kill(pid, SIGKILL);
    while (read_some(1000)) {
    }
    ::close(fds[0]);
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status)) << "child exited early with code " << WEXITSTATUS(status);
    if (WIFSIGNALED(status)) {
      EXPECT_EQ(WTERMSIG(status), SIGKILL);
    }
    EXPECT_GE(received, min_records);
    return round;
  }

  // Checks the reopened database against everything acknowledged so far.
  void verify(const Round& acked) {
    auto db = open_db();  // recovery of the WAL happens here
    ASSERT_TRUE(db);
    db.reset();
    RawDb raw(db_file());
    EXPECT_EQ(raw.query_text("PRAGMA integrity_check"), "ok");

    // Every row: decode its op and device, check its bytes.
    std::map<std::uint64_t, std::set<std::uint32_t>> present;
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw.get(),
                                 "SELECT envelope_id, destination_user, destination_device, content FROM queue", -1,
                                 &s, nullptr),
              SQLITE_OK);
    std::size_t rows = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
      ++rows;
      EnvelopeId id{};
      ASSERT_EQ(sqlite3_column_bytes(s, 0), 16);
      std::memcpy(id.data(), sqlite3_column_blob(s, 0), 16);
      std::uint64_t op = 0;
      std::uint32_t device = 0;
      std::memcpy(&op, id.data(), 8);
      std::memcpy(&device, id.data() + 8, 4);
      EXPECT_EQ(id, envelope_id(op, device));
      std::string user(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)));
      EXPECT_EQ(user, op_user(op));
      EXPECT_EQ(static_cast<std::uint32_t>(sqlite3_column_int64(s, 2)), device);
      auto size = static_cast<std::size_t>(sqlite3_column_bytes(s, 3));
      auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, 3));
      Bytes content(data, data + size);
      EXPECT_EQ(content, envelope_content(id, op_size(op, device))) << "op " << op << " device " << device;
      EXPECT_TRUE(present[op].insert(device).second) << "op " << op << " device " << device << " twice";
    }
    sqlite3_finalize(s);
    EXPECT_GT(rows, 0u);

    for (auto op : acked.enqueued) {
      auto it = present.find(op);
      ASSERT_NE(it, present.end()) << "acknowledged op " << op << " lost";
      EXPECT_TRUE(it->second.count(2) && it->second.count(3)) << "acknowledged op " << op << " incomplete";
      if (!acked.deleting.count(op)) {
        EXPECT_TRUE(it->second.count(1)) << "op " << op << " lost device 1 without a delete";
      }
    }
    for (auto op : acked.deleted) {
      auto it = present.find(op);
      if (it != present.end()) {
        EXPECT_FALSE(it->second.count(1)) << "acknowledged delete of op " << op << " undone";
      }
    }
    // No half writes among the unacknowledged ops either: devices 2 and 3
    // come together, and device 1 never without them.
    for (const auto& [op, devices] : present) {
      EXPECT_EQ(devices.count(2), devices.count(3)) << "op " << op << " half written";
      if (devices.count(1)) {
        EXPECT_TRUE(devices.count(2)) << "op " << op << " half written";
      }
    }
    expect_depth_counters_exact(db_file());
  }
};

TEST_F(DurabilityTest, EveryAcknowledgedWriteSurvivesSigkill) {
  // Parent must be single-threaded at fork: it is (no Db open here).
  ASSERT_TRUE(open_db());
  std::mt19937 rng(20261127);
  Round all;
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    std::uniform_int_distribution<int> min_records(5, 400);
    std::uniform_int_distribution<int> extra_ms(0, 150);
    auto r = run_child_and_kill(static_cast<std::uint64_t>(round + 1) * 1'000'000'000ull,
                                static_cast<std::size_t>(min_records(rng)), std::chrono::milliseconds(extra_ms(rng)));
    all.enqueued.insert(r.enqueued.begin(), r.enqueued.end());
    all.deleted.insert(r.deleted.begin(), r.deleted.end());
    all.deleting.insert(r.deleting.begin(), r.deleting.end());
    SCOPED_TRACE("round " + std::to_string(round) + ": " + std::to_string(r.enqueued.size()) + " enqueues, " +
                 std::to_string(r.deleted.size()) + " deletes acknowledged");
    verify(all);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace hush::server::test
