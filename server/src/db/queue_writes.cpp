// Writes of the relay queues: enqueue (with the per-device limits) and
// delete on ack, each keeping queue_depth in step in the same transaction.
#include <map>
#include <string_view>
#include <utility>

#include "sql_values.hpp"
#include "write_ops.hpp"

namespace hush::server::db_detail {

namespace {

struct Destination {
  std::string_view user;
  std::uint32_t device = 0;
  std::uint64_t envelopes = 0;
  std::uint64_t bytes = 0;
};

// The request's envelopes per destination device, in order of first
// appearance (so a full queue is reported deterministically). A send names
// one envelope per device of one user, so a linear search over a handful of
// destinations beats building a map; the map is for large fan-outs.
std::vector<Destination> group_by_destination(const std::vector<StoredEnvelope>& envelopes) {
  constexpr std::size_t kLinearLimit = 16;
  std::vector<Destination> out;
  std::map<std::pair<std::string_view, std::uint32_t>, std::size_t> index;  // used past kLinearLimit only
  for (const auto& e : envelopes) {
    std::size_t at = out.size();
    if (out.size() <= kLinearLimit) {
      for (std::size_t i = 0; i < out.size(); ++i)
        if (out[i].device == e.destination_device && out[i].user == e.destination_user) at = i;
    } else {
      if (index.empty())
        for (std::size_t i = 0; i < out.size(); ++i) index.emplace(std::pair{out[i].user, out[i].device}, i);
      at = index.try_emplace({e.destination_user, e.destination_device}, out.size()).first->second;
    }
    if (at == out.size()) out.push_back(Destination{e.destination_user, e.destination_device});
    auto& d = out[at];
    d.envelopes += 1;
    d.bytes += e.content.size();
  }
  return out;
}

Result<QueueDepth> read_depth(WriterConnection& w, std::string_view user, std::uint32_t device) {
  StatementUse use(w.depth_get);
  use.bind_text(1, user).bind_int(2, device);
  HUSH_ASSIGN(bool row, use.step());
  if (!row) return QueueDepth{};
  return QueueDepth{u64_from_sql(use.column_int(0)), u64_from_sql(use.column_int(1))};
}

Result<void> insert_envelope(WriterConnection& w, const StoredEnvelope& e) {
  StatementUse use(w.queue_insert);
  use.bind_text(1, e.destination_user)
      .bind_int(2, e.destination_device)
      .bind_blob(3, e.id)
      .bind_int(4, e.type)
      .bind_text(5, e.source_user)
      .bind_int(6, e.source_device)
      .bind_int(7, to_sql(e.client_timestamp))
      .bind_int(8, to_sql(e.server_timestamp))
      .bind_blob(9, e.content);
  auto r = use.run();
  if (!r && use.last_code() == SQLITE_CONSTRAINT_UNIQUE) return make_db_error(DbError::duplicate_envelope);
  return r;
}

}  // namespace

Result<Db::EnqueueOutcome> apply_enqueue(WriterConnection& w, const std::vector<StoredEnvelope>& envelopes,
                                         const QueueLimits& limits) {
  auto destinations = group_by_destination(envelopes);
  // Limits are checked before anything is written: a full queue costs no
  // writes and no rollback. The depths read here include earlier ops of
  // this batch (same connection, same transaction).
  for (const auto& d : destinations) {
    HUSH_ASSIGN(auto depth, read_depth(w, d.user, d.device));
    if (depth.envelopes + d.envelopes > limits.max_envelopes || depth.bytes + d.bytes > limits.max_bytes)
      return Db::EnqueueOutcome{true, std::string(d.user), d.device};
  }
  for (const auto& e : envelopes) HUSH_TRY(insert_envelope(w, e));
  for (const auto& d : destinations) {
    StatementUse use(w.depth_add);
    use.bind_text(1, d.user)
        .bind_int(2, d.device)
        .bind_int(3, static_cast<std::int64_t>(d.envelopes))
        .bind_int(4, static_cast<std::int64_t>(d.bytes));
    HUSH_TRY(use.run());
  }
  return Db::EnqueueOutcome{};
}

Result<void> apply_delete_envelopes(WriterConnection& w, const std::string& username, std::uint32_t device_id,
                                    const std::vector<EnvelopeId>& ids) {
  std::int64_t deleted = 0;
  std::int64_t bytes = 0;
  for (const auto& id : ids) {
    std::int64_t seq = 0;
    {
      StatementUse find(w.queue_find);
      find.bind_blob(1, id).bind_text(2, username).bind_int(3, device_id);
      HUSH_ASSIGN(bool row, find.step());
      if (!row) continue;  // unknown, already deleted, or another device's: ignored
      seq = find.column_int(0);
      bytes += find.column_int(1);
    }
    StatementUse del(w.queue_delete);
    del.bind_int(1, seq);
    HUSH_TRY(del.run());
    deleted += 1;
  }
  if (deleted == 0) return Ok{};
  // The row stays when it reaches zero: on a live queue it goes 0 -> 1 -> 0
  // with every envelope, and deleting and inserting it again each time cost
  // two more b-tree writes per envelope. A device has at most one row, and
  // delete_account removes it.
  StatementUse use(w.depth_sub);
  use.bind_text(1, username).bind_int(2, device_id).bind_int(3, deleted).bind_int(4, bytes);
  HUSH_TRY(use.run());
  // Rows were deleted, so the counter row must exist; its CHECKs refuse a
  // negative result. Either failure means the counters are out of step.
  if (w.db.changes() != 1) return make_error(Errc::storage, "delete_envelopes: queue depth out of step");
  return Ok{};
}

}  // namespace hush::server::db_detail
