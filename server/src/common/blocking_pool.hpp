// A small fixed pool of threads for work that may block (SQLite reads and
// single-statement writes of the directory), so the Asio threads never wait
// on storage. Tasks run in FIFO order across the pool's threads.
//
// Thread safety: post() may be called from any thread. stop() drains the
// tasks already queued, then joins; posts after stop() are dropped.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hush::server {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs `task` on a pool thread. A task must not throw; one that does is
  // logged and swallowed so a bad request never kills a worker.
  void post(std::function<void()> task);
  void stop();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;  // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace hush::server
