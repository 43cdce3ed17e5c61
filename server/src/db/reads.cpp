#include "reads.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "sql_values.hpp"

namespace hush::server::db_detail {

namespace {

// Ends the explicit read transaction on every path (a failed COMMIT of a
// read-only transaction is harmless; rollback() covers it).
struct ReadTransaction {
  ReaderConnection& r;
  ~ReadTransaction() { r.db.rollback(); }
};

}  // namespace

Result<std::optional<AccountRecord>> read_account(ReaderConnection& r, const std::string& username) {
  // Account row and device rows from one snapshot: a device added between
  // the two statements must not appear half-way.
  ReadTransaction tx{r};
  HUSH_TRY(StatementUse(r.begin).run());
  AccountRecord account;
  {
    StatementUse use(r.find_account);
    use.bind_text(1, username);
    HUSH_ASSIGN(bool row, use.step());
    if (!row) return std::optional<AccountRecord>{};
    account.account_id = use.column_int(0);
    auto key = use.column_blob(1);
    account.identity_key.assign(key.begin(), key.end());
    account.username = username;
  }
  StatementUse use(r.list_devices);
  use.bind_int(1, account.account_id);
  for (;;) {
    HUSH_ASSIGN(bool row, use.step());
    if (!row) break;
    DeviceRecord d;
    d.device_id = u32_from_sql(use.column_int(0));
    d.registration_id = u32_from_sql(use.column_int(1));
    auto hash = use.column_blob(2);
    if (hash.size() != d.secret_hash.size()) return make_error(Errc::storage, "stored device secret hash is corrupt");
    std::memcpy(d.secret_hash.data(), hash.data(), hash.size());
    d.created_ms = u64_from_sql(use.column_int(3));
    account.devices.push_back(d);
  }
  return std::optional<AccountRecord>{std::move(account)};
}

Result<std::uint32_t> read_prekey_count(ReaderConnection& r, std::int64_t account_id, std::uint32_t device_id) {
  StatementUse use(r.prekey_count);
  use.bind_int(1, account_id).bind_int(2, device_id);
  HUSH_ASSIGN(bool row, use.step());
  if (!row) return make_error(Errc::storage, "prekey_count: no result");
  return u32_from_sql(use.column_int(0));
}

Result<std::vector<Db::QueuedEnvelope>> read_queue(ReaderConnection& r, const std::string& username,
                                                   std::uint32_t device_id, std::uint64_t after_seq,
                                                   std::size_t limit) {
  std::vector<Db::QueuedEnvelope> out;
  if (limit == 0) return out;
  // seq is a positive int64 in SQLite; an after_seq beyond that range means
  // "after everything".
  if (after_seq > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return out;
  auto sql_limit = static_cast<std::int64_t>(
      std::min<std::uint64_t>(limit, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
  StatementUse use(r.fetch_queue);
  use.bind_text(1, username)
      .bind_int(2, device_id)
      .bind_int(3, static_cast<std::int64_t>(after_seq))
      .bind_int(4, sql_limit);
  for (;;) {
    HUSH_ASSIGN(bool row, use.step());
    if (!row) break;
    Db::QueuedEnvelope q;
    q.seq = u64_from_sql(use.column_int(0));
    auto id = use.column_blob(1);
    if (id.size() != q.envelope.id.size()) return make_error(Errc::storage, "stored envelope id is corrupt");
    std::memcpy(q.envelope.id.data(), id.data(), id.size());
    q.envelope.type = u32_from_sql(use.column_int(2));
    q.envelope.source_user = std::string(use.column_text(3));
    q.envelope.source_device = u32_from_sql(use.column_int(4));
    q.envelope.destination_user = username;
    q.envelope.destination_device = device_id;
    q.envelope.client_timestamp = u64_from_sql(use.column_int(5));
    q.envelope.server_timestamp = u64_from_sql(use.column_int(6));
    auto content = use.column_blob(7);
    q.envelope.content.assign(content.begin(), content.end());
    out.push_back(std::move(q));
  }
  return out;
}

Result<QueueDepth> read_queue_depth(ReaderConnection& r, const std::string& username, std::uint32_t device_id) {
  StatementUse use(r.queue_depth);
  use.bind_text(1, username).bind_int(2, device_id);
  HUSH_ASSIGN(bool row, use.step());
  if (!row) return QueueDepth{};  // no row: empty queue
  return QueueDepth{u64_from_sql(use.column_int(0)), u64_from_sql(use.column_int(1))};
}

}  // namespace hush::server::db_detail
