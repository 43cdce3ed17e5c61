// WAL checkpoints off the writer thread. SQLite's default is to checkpoint
// inside the COMMIT that takes the WAL past wal_autocheckpoint pages: that
// batch then also copies the whole log into the database file and fsyncs
// it, a stall of milliseconds every few hundred writes, straight into the
// write latency tail. Instead the writer's WAL hook signals this thread,
// which runs PASSIVE checkpoints on its own connection while the writer goes
// on committing (WAL allows a checkpoint concurrent with a writer; PASSIVE
// never waits for readers or the writer).
//
// Backstop: the log only rewinds when a write transaction starts with every
// frame already copied, which under continuous load the background thread,
// always a batch behind, rarely achieves. So once the WAL passes
// `backstop_pages` the hook checkpoints synchronously on the writer, as
// SQLite would. By then the background checkpoints have copied (and synced)
// all but the last few frames, so that stall is a small copy and one fsync,
// and the next batch rewinds the log. The WAL thus stays bounded.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "connections.hpp"

namespace hush::server::db_detail {

class Checkpointer {
 public:
  // Opens the checkpoint connection and starts the thread.
  static Result<std::unique_ptr<Checkpointer>> start(const std::filesystem::path& file,
                                                     const ConnectionSettings& settings, int trigger_pages,
                                                     int backstop_pages);
  // Stops and joins. The writer connection (whose hook points here) must be
  // closed first.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Installs the WAL hook on the writer connection (replacing SQLite's
  // autocheckpoint hook). Call before the writer thread starts.
  void attach(sqlite3* writer_db) noexcept;

  std::uint64_t checkpoints() const noexcept { return checkpoints_.load(std::memory_order_relaxed); }

 private:
  Checkpointer(std::unique_ptr<Connection> db, int trigger_pages, int backstop_pages);
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages) noexcept;
  void run() noexcept;

  const int trigger_pages_;
  const int backstop_pages_;
  std::unique_ptr<Connection> db_;  // checkpoint thread only

  std::mutex mu_;
  std::condition_variable wake_;
  bool requested_ = false;  // GUARDED_BY(mu_)
  bool stopping_ = false;   // GUARDED_BY(mu_)
  std::atomic<std::uint64_t> checkpoints_{0};
  int requested_at_pages_ = 0;  // writer thread only (the hook): WAL size at the last request
  std::thread thread_;  // last: starts after every member above exists
};

}  // namespace hush::server::db_detail
