#include "auth/connection_limiter.hpp"

namespace hush::server {

ConnectionTicket::ConnectionTicket(ConnectionTicket&& o) noexcept
    : limiter_(std::move(o.limiter_)), key_(std::move(o.key_)) {
  o.limiter_.reset();
}

ConnectionTicket& ConnectionTicket::operator=(ConnectionTicket&& o) noexcept {
  if (this != &o) {
    release();
    limiter_ = std::move(o.limiter_);
    key_ = std::move(o.key_);
    o.limiter_.reset();
  }
  return *this;
}

ConnectionTicket::~ConnectionTicket() { release(); }

void ConnectionTicket::release() {
  if (limiter_) {
    limiter_->release(key_);
    limiter_.reset();
  }
}

ConnectionTicket ConnectionLimiter::acquire(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto& n = counts_[key];
  if (n >= max_) {
    if (n == 0) counts_.erase(key);
    return {};
  }
  ++n;
  return ConnectionTicket(shared_from_this(), key);
}

std::uint32_t ConnectionLimiter::count(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(key);
  return it == counts_.end() ? 0 : it->second;
}

void ConnectionLimiter::release(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(key);
  if (it == counts_.end()) return;
  if (--it->second == 0) counts_.erase(it);
}

}  // namespace hush::server
