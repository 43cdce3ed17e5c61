// Counts open connections per client address and refuses past a maximum.
// acquire() returns a ticket that gives its slot back when destroyed, so a
// connection holds its slot exactly as long as it lives (the ticket moves
// from the HTTP session into the WebSocket session on upgrade).
// Thread safety: any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hush::server {

class ConnectionLimiter;

class ConnectionTicket {
 public:
  ConnectionTicket() = default;
  ConnectionTicket(ConnectionTicket&& o) noexcept;
  ConnectionTicket& operator=(ConnectionTicket&& o) noexcept;
  ConnectionTicket(const ConnectionTicket&) = delete;
  ConnectionTicket& operator=(const ConnectionTicket&) = delete;
  ~ConnectionTicket();

  // False when the limit refused the connection (it must be answered 429 and closed).
  bool admitted() const { return limiter_ != nullptr; }

 private:
  friend class ConnectionLimiter;
  ConnectionTicket(std::shared_ptr<ConnectionLimiter> limiter, std::string key)
      : limiter_(std::move(limiter)), key_(std::move(key)) {}
  void release();

  std::shared_ptr<ConnectionLimiter> limiter_;
  std::string key_;
};

class ConnectionLimiter : public std::enable_shared_from_this<ConnectionLimiter> {
 public:
  explicit ConnectionLimiter(std::uint32_t max_per_key) : max_(max_per_key) {}

  ConnectionTicket acquire(const std::string& key);
  std::uint32_t count(const std::string& key) const;

 private:
  friend class ConnectionTicket;
  void release(const std::string& key);

  const std::uint32_t max_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::uint32_t> counts_;  // guarded by mutex_
};

}  // namespace hush::server
