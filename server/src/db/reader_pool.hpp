// Read connections. WAL lets any number of readers run next to the writer,
// each on a snapshot; a SQLite connection is single-threaded, so each
// reading thread checks one out of this pool for the duration of a call.
// Connections are opened on demand and at most `max_idle` are kept.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "connections.hpp"

namespace hush::server::db_detail {

class ReaderPool {
 public:
  ReaderPool(std::filesystem::path file, ConnectionSettings settings, std::size_t max_idle)
      : file_(std::move(file)), settings_(settings), max_idle_(max_idle) {}

  // Exclusive use of one connection until the lease is destroyed.
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<ReaderConnection> c) noexcept : pool_(&pool), c_(std::move(c)) {}
    ~Lease() {
      if (c_) pool_->give_back(std::move(c_));
    }
    Lease(Lease&& o) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ReaderConnection& operator*() const noexcept { return *c_; }
    ReaderConnection* operator->() const noexcept { return c_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<ReaderConnection> c_;
  };

  // Thread-safe. Errc::storage if a new connection cannot be opened.
  Result<Lease> acquire();

 private:
  void give_back(std::unique_ptr<ReaderConnection> c) noexcept;

  const std::filesystem::path file_;
  const ConnectionSettings settings_;
  const std::size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<ReaderConnection>> idle_;  // GUARDED_BY(mu_)
};

}  // namespace hush::server::db_detail
