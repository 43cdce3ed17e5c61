#include "directory/account_cache.hpp"

namespace hush::server {

AccountPtr AccountCache::peek(const std::string& username) const {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(username);
  return it == accounts_.end() ? nullptr : it->second;
}

Result<AccountPtr> AccountCache::get(const std::string& username) {
  if (auto hit = peek(username)) return hit;
  HUSH_ASSIGN(auto found, db_.find_account(username));
  if (!found) return AccountPtr{};
  auto record = std::make_shared<const AccountRecord>(std::move(*found));
  std::lock_guard lock(mutex_);
  put_locked(record);
  return accounts_[username];
}

void AccountCache::put(AccountRecord record) {
  auto ptr = std::make_shared<const AccountRecord>(std::move(record));
  std::lock_guard lock(mutex_);
  put_locked(std::move(ptr));
}

void AccountCache::put_locked(AccountPtr record) {
  auto it = accounts_.find(record->username);
  if (it != accounts_.end()) {
    if (it->second->devices.size() <= record->devices.size()) it->second = std::move(record);
    return;
  }
  // Bounded without bookkeeping: a full cache starts over (records are re-read on demand).
  if (accounts_.size() >= max_entries_) accounts_.clear();
  std::string key = record->username;
  accounts_.emplace(std::move(key), std::move(record));
}

}  // namespace hush::server
