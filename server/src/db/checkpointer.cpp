#include "checkpointer.hpp"

#include <algorithm>

namespace hush::server::db_detail {

Result<std::unique_ptr<Checkpointer>> Checkpointer::start(const std::filesystem::path& file,
                                                          const ConnectionSettings& settings, int trigger_pages,
                                                          int backstop_pages) {
  auto db = std::make_unique<Connection>();
  HUSH_TRY(db->open(file, settings.busy_timeout));
  // The checkpoint copies pages the writer committed with synchronous=FULL;
  // FULL here makes it fsync the database file before the WAL may be reset,
  // which is what keeps a reset from losing committed pages on power loss.
  HUSH_TRY(db->exec("set synchronous", "PRAGMA synchronous = FULL"));
  // It never writes rows (checkpoints are not SQL writes).
  HUSH_TRY(db->exec("set query_only", "PRAGMA query_only = ON"));
  return std::unique_ptr<Checkpointer>(new Checkpointer(std::move(db), trigger_pages, backstop_pages));
}

Checkpointer::Checkpointer(std::unique_ptr<Connection> db, int trigger_pages, int backstop_pages)
    : trigger_pages_(trigger_pages),
      backstop_pages_(std::max(backstop_pages, trigger_pages)),
      db_(std::move(db)),
      thread_([this] { run(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::attach(sqlite3* writer_db) noexcept {
  sqlite3_wal_hook(writer_db, &Checkpointer::on_wal_commit, this);
}

// Runs on the writer thread at the end of every COMMIT, after the WAL is
// written (and synced, unless the batch held only relaxed deletes): the
// batch is as durable as it will get whatever happens here. A checkpoint
// syncs the WAL before it copies from it, in NORMAL mode too.
int Checkpointer::on_wal_commit(void* arg, sqlite3* db, const char* name, int pages) noexcept {
  auto* self = static_cast<Checkpointer*>(arg);
  if (pages >= self->backstop_pages_) {
    // Best effort, as SQLite's own autocheckpoint: BUSY (the checkpoint
    // thread is mid-way) is fine, it is doing the same work.
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= self->trigger_pages_) {
    // Once past the trigger, every commit would ask again, and each
    // background checkpoint of the few frames since the last one costs an
    // fsync of the database file (one per ~10 commits at 20,000
    // envelopes/s, competing with the WAL's own fsyncs). Ask again only
    // when the log has grown by half a trigger since the last request, or
    // has rewound since.
    if (pages < self->requested_at_pages_ || pages >= self->requested_at_pages_ + self->trigger_pages_ / 2) {
      self->requested_at_pages_ = pages;
    } else {
      return SQLITE_OK;
    }
    bool notify = false;
    {
      std::lock_guard lock(self->mu_);
      notify = !self->requested_;
      self->requested_ = true;
    }
    if (notify) self->wake_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::run() noexcept {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return requested_ || stopping_; });
      if (stopping_) return;
      requested_ = false;
    }
    // PASSIVE: copies as many frames as no reader still needs, without
    // waiting for anyone. A failure (BUSY, I/O) only means the log stays
    // longer; the next request, or the backstop, tries again.
    if (sqlite3_wal_checkpoint_v2(db_->get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) == SQLITE_OK)
      checkpoints_.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace hush::server::db_detail
