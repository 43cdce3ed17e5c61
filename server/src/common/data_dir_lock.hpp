// An exclusive advisory lock (flock) on <data_dir>/hushd.lock, held by a
// serving hushd for its whole life. It keeps a second server off the same
// database, and lets offline admin commands that would invalidate a running
// server's caches (`hushd account delete`) refuse to run beside one. The
// kernel drops the lock when the holder dies, kill -9 included, so a crash
// never leaves a stale lock behind.
#pragma once

#include <filesystem>

#include "hush/result.hpp"

namespace hush::server {

class DataDirLock {
 public:
  static constexpr const char* kFileName = "hushd.lock";

  // Errors: bad_request when another process holds the lock ("a hushd is
  // running on DIR"), storage when the lock file cannot be opened.
  static Result<DataDirLock> acquire(const std::filesystem::path& data_dir);

  DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DataDirLock& operator=(DataDirLock&&) = delete;
  DataDirLock(const DataDirLock&) = delete;
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) noexcept : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace hush::server
