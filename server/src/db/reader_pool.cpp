#include "reader_pool.hpp"

namespace hush::server::db_detail {

Result<ReaderPool::Lease> ReaderPool::acquire() {
  std::unique_ptr<ReaderConnection> c;
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      c = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  // Opened outside the lock: opening takes a file open and a few pragmas,
  // and other readers need not wait for it.
  if (!c) {
    HUSH_ASSIGN(c, open_reader(file_, settings_));
  }
  return Lease(*this, std::move(c));
}

void ReaderPool::give_back(std::unique_ptr<ReaderConnection> c) noexcept {
  // A connection left inside a read transaction would pin an old snapshot
  // (and keep checkpoints from finishing): end it before pooling.
  c->db.rollback();
  {
    std::lock_guard lock(mu_);
    if (idle_.size() < max_idle_) {
      try {
        idle_.push_back(std::move(c));
      } catch (...) {  // no room: the connection just closes, below
      }
    }
  }
  // A connection not kept is closed here, outside the lock.
}

}  // namespace hush::server::db_detail
