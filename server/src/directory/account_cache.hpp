// Accounts by username, cached in memory so that the relay can check a
// send's devices without a database read. hushd is the only writer of its
// database and devices are only ever added, so the cache stays right when
// the directory calls put() after each change; of two records for the same
// account the one with more devices wins, so a stale read racing an
// add_device can never replace the newer record.
//
// Thread safety: any thread. get() may block on the Db (call it from the
// BlockingPool); peek() never does.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "db/db.hpp"

namespace hush::server {

using AccountPtr = std::shared_ptr<const AccountRecord>;

class AccountCache {
 public:
  explicit AccountCache(Db& db, std::size_t max_entries = 200'000) : db_(db), max_entries_(max_entries) {}

  // The cached record, or nullptr when not cached.
  AccountPtr peek(const std::string& username) const;
  // The record from the cache or the Db; nullptr for an unknown user.
  Result<AccountPtr> get(const std::string& username);
  void put(AccountRecord record);

 private:
  void put_locked(AccountPtr record);

  Db& db_;
  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, AccountPtr> accounts_;  // guarded by mutex_
};

}  // namespace hush::server
