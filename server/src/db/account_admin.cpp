// Operator maintenance of accounts (`hushd account delete`). Rare and run
// offline, so the statements are prepared per call rather than kept on the
// writer connection.
#include "write_ops.hpp"

namespace hush::server::db_detail {

namespace {

Result<void> run_for_account(WriterConnection& w, std::string_view name, const char* sql, std::int64_t account_id) {
  Statement statement;
  HUSH_TRY(statement.prepare(w.db.get(), name, sql));
  StatementUse use(statement);
  use.bind_int(1, account_id);
  return use.run();
}

}  // namespace

// Removes the account and everything hanging off it: devices (and with them
// their credentials), signed and one-time prekeys, queued envelopes and
// queue depths. Envelopes the account sent to others stay queued: they
// belong to their recipients.
Result<bool> apply_delete_account(WriterConnection& w, const std::string& username) {
  std::int64_t account_id = 0;
  {
    Statement find;
    HUSH_TRY(find.prepare(w.db.get(), "delete_account", "SELECT id FROM accounts WHERE username = ?1"));
    StatementUse use(find);
    use.bind_text(1, username);
    HUSH_ASSIGN(bool found, use.step());
    if (!found) return false;
    account_id = use.column_int(0);
  }
  HUSH_TRY(run_for_account(w, "delete_account: prekeys", "DELETE FROM prekeys WHERE account_id = ?1", account_id));
  HUSH_TRY(run_for_account(w, "delete_account: signed prekeys", "DELETE FROM signed_prekeys WHERE account_id = ?1",
                           account_id));
  HUSH_TRY(run_for_account(w, "delete_account: queue",
                           "DELETE FROM queue WHERE destination_user = (SELECT username FROM accounts WHERE id = ?1)",
                           account_id));
  HUSH_TRY(run_for_account(w, "delete_account: queue depth",
                           "DELETE FROM queue_depth WHERE destination_user = "
                           "(SELECT username FROM accounts WHERE id = ?1)",
                           account_id));
  HUSH_TRY(run_for_account(w, "delete_account: devices", "DELETE FROM devices WHERE account_id = ?1", account_id));
  HUSH_TRY(run_for_account(w, "delete_account: account", "DELETE FROM accounts WHERE id = ?1", account_id));
  return true;
}

}  // namespace hush::server::db_detail
