#include "relay/async_store.hpp"

namespace hush::server {

void DbAsyncStore::enqueue(std::shared_ptr<const std::vector<StoredEnvelope>> envelopes, const QueueLimits& limits,
                           EnqueueDone done) {
  ++in_flight_;
  // Shared, not copied: the relay keeps the same envelopes for the pushes
  // after the commit, and nobody changes them meanwhile.
  db_.enqueue_shared_async(std::move(envelopes), limits,
                           [counter = counter_, done = std::move(done)](Result<Db::EnqueueOutcome> r) {
                             done(std::move(r));
                             --*counter;
                           });
}

void DbAsyncStore::delete_envelopes(std::string user, std::uint32_t device, std::vector<EnvelopeId> ids,
                                    DeleteDone done) {
  ++in_flight_;
  db_.delete_envelopes_async(std::move(user), device, std::move(ids),
                             [counter = counter_, done = std::move(done)](Result<void> r) {
                               done(std::move(r));
                               --*counter;
                             });
}

void DbAsyncStore::fetch_queue(std::string user, std::uint32_t device, std::uint64_t after_seq, std::size_t limit,
                               FetchDone done) {
  ++in_flight_;
  pool_.post([this, user = std::move(user), device, after_seq, limit, done = std::move(done)] {
    auto r = db_.fetch_queue(user, device, after_seq, limit);
    done(std::move(r));
    --in_flight_;
  });
}

}  // namespace hush::server
