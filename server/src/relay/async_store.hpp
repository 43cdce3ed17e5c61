// The relay's asynchronous view of the Db: every call returns at once and
// its completion runs later (never inside the call) on a storage thread or
// the completion executor, so an Asio thread never waits for a commit.
// Completions must not block; the relay posts them to the connection's
// executor.
//
// Implementations count the operations still running (in_flight) so that a
// graceful shutdown can wait for them.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/blocking_pool.hpp"
#include "db/db.hpp"

namespace hush::server {

class AsyncStore {
 public:
  using EnqueueDone = std::function<void(Result<Db::EnqueueOutcome>)>;
  using DeleteDone = std::function<void(Result<void>)>;
  using FetchDone = std::function<void(Result<std::vector<Db::QueuedEnvelope>>)>;

  virtual ~AsyncStore() = default;
  // `envelopes` stays alive (and unchanged) until `done` has run.
  virtual void enqueue(std::shared_ptr<const std::vector<StoredEnvelope>> envelopes, const QueueLimits& limits,
                       EnqueueDone done) = 0;
  virtual void delete_envelopes(std::string user, std::uint32_t device, std::vector<EnvelopeId> ids,
                                DeleteDone done) = 0;
  virtual void fetch_queue(std::string user, std::uint32_t device, std::uint64_t after_seq, std::size_t limit,
                           FetchDone done) = 0;
  virtual std::size_t in_flight() const = 0;
  // Db::set_completion_executor: where the writes' completions run.
  virtual void set_completion_executor(std::function<void(std::function<void()>)> executor) = 0;
};

// Writes through the Db's asynchronous (group-commit) methods, reads on the
// BlockingPool. Completions run on the Db's writer thread (or its completion
// executor) or a pool thread.
class DbAsyncStore final : public AsyncStore {
 public:
  DbAsyncStore(Db& db, BlockingPool& pool) : db_(db), pool_(pool) {}

  void enqueue(std::shared_ptr<const std::vector<StoredEnvelope>> envelopes, const QueueLimits& limits,
               EnqueueDone done) override;
  void delete_envelopes(std::string user, std::uint32_t device, std::vector<EnvelopeId> ids, DeleteDone done) override;
  void fetch_queue(std::string user, std::uint32_t device, std::uint64_t after_seq, std::size_t limit,
                   FetchDone done) override;
  std::size_t in_flight() const override { return in_flight_.load(); }
  void set_completion_executor(std::function<void(std::function<void()>)> executor) override {
    db_.set_completion_executor(std::move(executor));
  }

 private:
  Db& db_;
  BlockingPool& pool_;
  std::shared_ptr<std::atomic<std::size_t>> counter_ = std::make_shared<std::atomic<std::size_t>>(0);
  std::atomic<std::size_t>& in_flight_ = *counter_;
};

}  // namespace hush::server
