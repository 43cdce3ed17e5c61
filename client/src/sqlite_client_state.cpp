// SqliteClientState over the tables of client_schema.cpp. Each method is one
// cached statement or one BEGIN IMMEDIATE transaction of a few.
//
// Associated data of each sealed value (all prefixed "hush.client.v1/"):
//   account/1/device_secret
//   outbox/<message id hex>
//   messages/<in|out>/<peer>/<message id hex>
// A sealed value copied to another row, or into another profile, does not
// open (StorageKey binds it to its associated data and to the passphrase).
#include "hush/client/sqlite_client_state.hpp"

#include "hush/rng.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "client_schema.hpp"
#include "hush/sqlite/private_files.hpp"
#include "hush/sqlite/sqlite.hpp"

namespace hush::client {

namespace {

using sqlite::Connection;
using sqlite::Statement;
using sqlite::StatementUse;
using sqlite::Transaction;

constexpr std::string_view kAdPrefix = "hush.client.v1/";

std::int64_t to_sql(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}
std::uint64_t from_sql(std::int64_t v) {
  return static_cast<std::uint64_t>(v);
}

std::string direction_name(MessageDirection d) {
  return d == MessageDirection::in ? "in" : "out";
}

std::string account_ad() {
  return std::string(kAdPrefix) + "account/1/device_secret";
}
std::string outbox_ad(const MessageId& id) {
  return std::string(kAdPrefix) + "outbox/" + to_hex(id);
}
std::string message_ad(MessageDirection d, std::string_view peer, const MessageId& id) {
  return std::string(kAdPrefix) + "messages/" + direction_name(d) + "/" + std::string(peer) + "/" + to_hex(id);
}

Error corrupt(std::string_view what) {
  return make_error(Errc::storage, "stored " + std::string(what) + " is corrupt");
}

bool is_null(const Statement& s, int col) {
  return sqlite3_column_type(s.get(), col) == SQLITE_NULL;
}

Result<MessageId> read_id(const StatementUse& row, int col) {
  auto blob = row.column_blob(col);
  MessageId id{};
  if (blob.size() != id.size()) return corrupt("message id");
  std::copy(blob.begin(), blob.end(), id.begin());
  return id;
}

class SqliteClientStateImpl final : public ClientState {
 public:
  SqliteClientStateImpl(StorageKey key, std::filesystem::path lock_file)
      : key_(std::move(key)), lock_file_(std::move(lock_file)) {}
  ~SqliteClientStateImpl() override {
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }

  Result<void> open(const std::filesystem::path& db_file, std::chrono::milliseconds busy_timeout) {
    HUSH_TRY(sqlite::ensure_private_file(lock_file_));
    lock_fd_ = ::open(lock_file_.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (lock_fd_ < 0) return make_error(Errc::storage, "open " + lock_file_.string() + ": " + std::strerror(errno));
    HUSH_TRY(db_.open(db_file, busy_timeout));
    // journal_mode=WAL is a property of the file (the protocol store set it);
    // synchronous and secure_delete are per connection.
    HUSH_TRY(db_.exec("set synchronous", "PRAGMA synchronous = FULL"));
    HUSH_TRY(db_.exec("set secure_delete", "PRAGMA secure_delete = ON"));
    HUSH_TRY(db_.exec("set trusted_schema", "PRAGMA trusted_schema = OFF"));
    HUSH_TRY(detail::migrate_client_schema(db_));
    return prepare();
  }

  // --- account ---------------------------------------------------------------

  Result<std::optional<AccountRecord>> load_account() const override {
    StatementUse use(load_account_);
    HUSH_ASSIGN(bool found, use.step());
    if (!found) return std::optional<AccountRecord>{};
    AccountRecord a;
    a.server = use.column_text(0);
    a.ca_file = use.column_text(1);
    a.username = use.column_text(2);
    a.device_id = static_cast<std::uint32_t>(use.column_int(3));
    a.registration_id = static_cast<std::uint32_t>(use.column_int(4));
    HUSH_ASSIGN(SecretBytes secret, key_.open(use.column_blob(5), as_bytes(account_ad())));
    if (secret.size() != a.device_secret.size()) return corrupt("device secret");
    a.device_secret = Secret<32>(secret.view());
    a.registered = use.column_int(6) != 0;
    a.next_prekey_id = static_cast<std::uint32_t>(use.column_int(7));
    if (!is_null(load_account_, 8)) a.signed_prekey_id = static_cast<std::uint32_t>(use.column_int(8));
    a.signed_prekey_created_ms = from_sql(use.column_int(9));
    a.signed_prekey_uploaded = use.column_int(10) != 0;
    StatementUse retired(list_retired_);
    for (;;) {
      HUSH_ASSIGN(bool row, retired.step());
      if (!row) break;
      a.retired_signed_prekeys.push_back(
          RetiredSignedPreKey{static_cast<std::uint32_t>(retired.column_int(0)), from_sql(retired.column_int(1))});
    }
    return std::optional<AccountRecord>{std::move(a)};
  }

  Result<void> save_account(const AccountRecord& a) override {
    const Bytes sealed = key_.seal(a.device_secret.view(), as_bytes(account_ad()), rng_);
    Transaction tx(db_);
    HUSH_TRY(tx.begin());
    {
      StatementUse clear(clear_retired_);
      HUSH_TRY(clear.run());
    }
    for (const auto& r : a.retired_signed_prekeys) {
      StatementUse add(add_retired_);
      add.bind_int(1, r.id).bind_int(2, to_sql(r.retired_ms));
      HUSH_TRY(add.run());
    }
    StatementUse use(save_account_);
    use.bind_text(1, a.server)
        .bind_text(2, a.ca_file)
        .bind_text(3, a.username)
        .bind_int(4, a.device_id)
        .bind_int(5, a.registration_id)
        .bind_blob(6, sealed)
        .bind_int(7, a.registered ? 1 : 0)
        .bind_int(8, a.next_prekey_id)
        .bind_int(10, to_sql(a.signed_prekey_created_ms))
        .bind_int(11, a.signed_prekey_uploaded ? 1 : 0);
    // An unbound parameter is NULL.
    if (a.signed_prekey_id) use.bind_int(9, *a.signed_prekey_id);
    HUSH_TRY(use.run());
    return tx.commit();
  }

  // --- outbox ----------------------------------------------------------------

  Result<void> add_outgoing(const OutgoingRecord& m) override {
    const Bytes sealed = key_.seal(m.plaintext.view(), as_bytes(outbox_ad(m.id)), rng_);
    StatementUse use(add_outgoing_);
    use.bind_blob(1, m.id).bind_text(2, m.peer).bind_blob(3, sealed).bind_int(4, to_sql(m.created_ms));
    return use.run();
  }

  Result<std::vector<OutgoingRecord>> outbox() const override {
    std::vector<OutgoingRecord> out;
    StatementUse use(list_outbox_);
    for (;;) {
      HUSH_ASSIGN(bool row, use.step());
      if (!row) break;
      OutgoingRecord m;
      HUSH_ASSIGN(m.id, read_id(use, 0));
      m.peer = use.column_text(1);
      HUSH_ASSIGN(m.plaintext, key_.open(use.column_blob(2), as_bytes(outbox_ad(m.id))));
      m.created_ms = from_sql(use.column_int(3));
      out.push_back(std::move(m));
    }
    return out;
  }

  Result<std::size_t> outbox_size() const override {
    StatementUse use(count_outbox_);
    HUSH_ASSIGN(bool row, use.step());
    if (!row) return corrupt("outbox count");
    return static_cast<std::size_t>(use.column_int(0));
  }

  Result<void> complete_send(const StoredMessage& sent) override {
    Transaction tx(db_);
    HUSH_TRY(tx.begin());
    {
      StatementUse use(drop_outgoing_);
      use.bind_blob(1, sent.id);
      HUSH_TRY(use.run());
    }
    HUSH_ASSIGN(bool inserted, insert_message(sent));
    if (inserted) HUSH_TRY(touch_contact(sent.peer, sent.received_ms));
    return tx.commit();
  }

  Result<void> drop_outgoing(const MessageId& id) override {
    StatementUse use(drop_outgoing_);
    use.bind_blob(1, id);
    return use.run();
  }

  // --- history ---------------------------------------------------------------

  Result<bool> record_received(const StoredMessage& message) override {
    Transaction tx(db_);
    HUSH_TRY(tx.begin());
    HUSH_ASSIGN(bool inserted, insert_message(message));
    if (!inserted) return false;  // rolled back: nothing was written
    HUSH_TRY(touch_contact(message.peer, message.received_ms));
    HUSH_TRY(tx.commit());
    return true;
  }

  Result<std::vector<StoredMessage>> history(std::string_view peer, std::size_t limit) const override {
    std::vector<StoredMessage> out;
    StatementUse use(history_);
    use.bind_text(1, peer).bind_int(2, limit == 0 ? -1 : static_cast<std::int64_t>(limit));
    for (;;) {
      HUSH_ASSIGN(bool row, use.step());
      if (!row) break;
      StoredMessage m;
      const auto dir = use.column_text(0);
      if (dir != "in" && dir != "out") return corrupt("message direction");
      m.direction = dir == "in" ? MessageDirection::in : MessageDirection::out;
      m.peer = std::string(peer);
      m.device = static_cast<std::uint32_t>(use.column_int(1));
      HUSH_ASSIGN(m.id, read_id(use, 2));
      m.sent_ms = from_sql(use.column_int(3));
      m.received_ms = from_sql(use.column_int(4));
      HUSH_ASSIGN(SecretBytes body, key_.open(use.column_blob(5), as_bytes(message_ad(m.direction, peer, m.id))));
      m.body.assign(reinterpret_cast<const char*>(body.data()), body.size());
      out.push_back(std::move(m));
    }
    // The query returns newest first (so LIMIT keeps the last ones).
    std::reverse(out.begin(), out.end());
    return out;
  }

  // --- contacts --------------------------------------------------------------

  Result<std::vector<ContactRecord>> contacts() const override {
    std::vector<ContactRecord> out;
    StatementUse use(list_contacts_);
    for (;;) {
      HUSH_ASSIGN(bool row, use.step());
      if (!row) break;
      HUSH_ASSIGN(auto c, read_contact(use, list_contacts_));
      out.push_back(std::move(c));
    }
    return out;
  }

  Result<std::optional<ContactRecord>> contact(std::string_view name) const override {
    StatementUse use(get_contact_);
    use.bind_text(1, name);
    HUSH_ASSIGN(bool row, use.step());
    if (!row) return std::optional<ContactRecord>{};
    HUSH_ASSIGN(auto c, read_contact(use, get_contact_));
    return std::optional<ContactRecord>{std::move(c)};
  }

  Result<void> save_contact(const ContactRecord& c) override {
    StatementUse use(save_contact_);
    std::array<std::uint8_t, kPublicKeySize> key{};
    use.bind_text(1, c.name).bind_int(2, c.verified ? 1 : 0).bind_int(3, c.identity_changed ? 1 : 0);
    if (c.new_identity) {
      key = c.new_identity->serialize();
      use.bind_blob(4, key);
    }
    return use.run();
  }

  // --- devices ---------------------------------------------------------------

  Result<std::set<std::uint32_t>> devices(std::string_view peer) const override {
    std::set<std::uint32_t> out;
    StatementUse use(list_devices_);
    use.bind_text(1, peer);
    for (;;) {
      HUSH_ASSIGN(bool row, use.step());
      if (!row) break;
      out.insert(static_cast<std::uint32_t>(use.column_int(0)));
    }
    return out;
  }
  Result<void> add_device(std::string_view peer, std::uint32_t device) override {
    StatementUse use(add_device_);
    use.bind_text(1, peer).bind_int(2, device);
    return use.run();
  }
  Result<void> remove_device(std::string_view peer, std::uint32_t device) override {
    StatementUse use(remove_device_);
    use.bind_text(1, peer).bind_int(2, device);
    return use.run();
  }

  // --- undecryptable ---------------------------------------------------------

  Result<void> record_undecryptable(const UndecryptableRecord& r) override {
    StatementUse use(add_undecryptable_);
    use.bind_text(1, r.sender).bind_int(2, r.device).bind_text(3, r.reason).bind_int(4, to_sql(r.at_ms));
    return use.run();
  }
  Result<std::vector<UndecryptableRecord>> undecryptable() const override {
    std::vector<UndecryptableRecord> out;
    StatementUse use(list_undecryptable_);
    for (;;) {
      HUSH_ASSIGN(bool row, use.step());
      if (!row) break;
      out.push_back(UndecryptableRecord{std::string(use.column_text(0)), static_cast<std::uint32_t>(use.column_int(1)),
                                        std::string(use.column_text(2)), from_sql(use.column_int(3))});
    }
    return out;
  }

  Result<void> remove_signed_prekey(std::uint32_t id) override {
    // The protocol store's table, written through this connection because
    // SignedPreKeyStore has no removal (client_state.hpp). secure_delete is
    // on, so the private key is overwritten in the file, not just unlinked.
    StatementUse use(remove_signed_prekey_);
    use.bind_int(1, id);
    return use.run();
  }

  Result<void> lock() override {
    for (;;) {
      if (::flock(lock_fd_, LOCK_EX) == 0) return Ok{};
      if (errno != EINTR) return make_error(Errc::storage, "lock " + lock_file_.string() + ": " + std::strerror(errno));
    }
  }
  void unlock() noexcept override { ::flock(lock_fd_, LOCK_UN); }

 private:
  Result<void> prepare() {
    sqlite3* h = db_.get();
    HUSH_TRY(load_account_.prepare(
        h, "load_account",
        "SELECT server, ca_file, username, device_id, registration_id, sealed_device_secret, registered, "
        "next_prekey_id, signed_prekey_id, signed_prekey_created_at, signed_prekey_uploaded "
        "FROM account WHERE id = 1"));
    HUSH_TRY(list_retired_.prepare(h, "load_account", "SELECT id, retired_at FROM retired_signed_prekeys ORDER BY id"));
    HUSH_TRY(clear_retired_.prepare(h, "save_account", "DELETE FROM retired_signed_prekeys"));
    HUSH_TRY(
        add_retired_.prepare(h, "save_account", "INSERT INTO retired_signed_prekeys (id, retired_at) VALUES (?, ?)"));
    HUSH_TRY(save_account_.prepare(
        h, "save_account",
        "INSERT OR REPLACE INTO account (id, server, ca_file, username, device_id, registration_id, "
        "sealed_device_secret, registered, next_prekey_id, signed_prekey_id, signed_prekey_created_at, "
        "signed_prekey_uploaded) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    HUSH_TRY(add_outgoing_.prepare(
        h, "add_outgoing", "INSERT INTO outbox (message_id, peer, sealed_plaintext, created_at) VALUES (?, ?, ?, ?)"));
    HUSH_TRY(list_outbox_.prepare(h, "outbox",
                                  "SELECT message_id, peer, sealed_plaintext, created_at FROM outbox ORDER BY seq"));
    HUSH_TRY(count_outbox_.prepare(h, "outbox_size", "SELECT count(*) FROM outbox"));
    HUSH_TRY(drop_outgoing_.prepare(h, "drop_outgoing", "DELETE FROM outbox WHERE message_id = ?"));
    HUSH_TRY(insert_message_.prepare(
        h, "insert_message",
        "INSERT INTO messages (direction, peer, device_id, message_id, sent_at, received_at, sealed_body) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (direction, peer, message_id) DO NOTHING"));
    HUSH_TRY(history_.prepare(h, "history",
                              "SELECT direction, device_id, message_id, sent_at, received_at, sealed_body "
                              "FROM messages WHERE peer = ? ORDER BY seq DESC LIMIT ?"));
    HUSH_TRY(touch_contact_.prepare(
        h, "touch_contact",
        "INSERT INTO contacts (name, last_message_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET "
        "last_message_at = max(coalesce(last_message_at, 0), excluded.last_message_at)"));
    HUSH_TRY(list_contacts_.prepare(
        h, "contacts",
        "SELECT name, verified, identity_changed, last_message_at, new_identity_key FROM contacts ORDER BY name"));
    HUSH_TRY(get_contact_.prepare(
        h, "contact",
        "SELECT name, verified, identity_changed, last_message_at, new_identity_key FROM contacts WHERE name = ?"));
    HUSH_TRY(save_contact_.prepare(
        h, "save_contact",
        "INSERT INTO contacts (name, verified, identity_changed, new_identity_key) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET verified = excluded.verified, "
        "identity_changed = excluded.identity_changed, new_identity_key = excluded.new_identity_key"));
    HUSH_TRY(
        list_devices_.prepare(h, "devices", "SELECT device_id FROM contact_devices WHERE name = ? ORDER BY device_id"));
    HUSH_TRY(add_device_.prepare(h, "add_device",
                                 "INSERT INTO contact_devices (name, device_id) VALUES (?, ?) ON CONFLICT DO NOTHING"));
    HUSH_TRY(
        remove_device_.prepare(h, "remove_device", "DELETE FROM contact_devices WHERE name = ? AND device_id = ?"));
    HUSH_TRY(add_undecryptable_.prepare(
        h, "record_undecryptable", "INSERT INTO undecryptable (sender, device_id, reason, at) VALUES (?, ?, ?, ?)"));
    HUSH_TRY(list_undecryptable_.prepare(h, "undecryptable",
                                         "SELECT sender, device_id, reason, at FROM undecryptable ORDER BY seq"));
    HUSH_TRY(remove_signed_prekey_.prepare(h, "remove_signed_prekey", "DELETE FROM signed_prekeys WHERE id = ?"));
    return Ok{};
  }

  // Inside a transaction. true: inserted; false: (direction, peer, id) known.
  Result<bool> insert_message(const StoredMessage& m) {
    const Bytes sealed = key_.seal(as_bytes(m.body), as_bytes(message_ad(m.direction, m.peer, m.id)), rng_);
    const std::string dir = direction_name(m.direction);
    StatementUse use(insert_message_);
    use.bind_text(1, dir)
        .bind_text(2, m.peer)
        .bind_int(3, m.device)
        .bind_blob(4, m.id)
        .bind_int(5, to_sql(m.sent_ms))
        .bind_int(6, to_sql(m.received_ms))
        .bind_blob(7, sealed);
    HUSH_TRY(use.run());
    return sqlite3_changes(db_.get()) > 0;
  }

  Result<void> touch_contact(const std::string& peer, std::uint64_t at_ms) {
    StatementUse use(touch_contact_);
    use.bind_text(1, peer).bind_int(2, to_sql(at_ms));
    return use.run();
  }

  static Result<ContactRecord> read_contact(const StatementUse& use, const Statement& s) {
    ContactRecord c;
    c.name = use.column_text(0);
    c.verified = use.column_int(1) != 0;
    c.identity_changed = use.column_int(2) != 0;
    if (!is_null(s, 3)) c.last_message_ms = from_sql(use.column_int(3));
    if (!is_null(s, 4)) {
      auto key = PublicKey::deserialize(use.column_blob(4));
      if (!key) return corrupt("new identity key of " + c.name);
      c.new_identity = *key;
    }
    return c;
  }

  StorageKey key_;
  SystemRng rng_;  // seal() nonces
  std::filesystem::path lock_file_;
  int lock_fd_ = -1;
  // Member order: statements are destroyed before the connection.
  Connection db_;
  mutable Statement load_account_, save_account_, list_retired_, clear_retired_, add_retired_;
  mutable Statement add_outgoing_, list_outbox_, count_outbox_, drop_outgoing_;
  mutable Statement insert_message_, history_;
  mutable Statement touch_contact_, list_contacts_, get_contact_, save_contact_;
  mutable Statement list_devices_, add_device_, remove_device_;
  mutable Statement add_undecryptable_, list_undecryptable_;
  mutable Statement remove_signed_prekey_;
};

}  // namespace

Result<std::unique_ptr<ClientState>> SqliteClientState::open(const std::filesystem::path& db_file, StorageKey key,
                                                             std::chrono::milliseconds busy_timeout) {
  auto state =
      std::make_unique<SqliteClientStateImpl>(std::move(key), std::filesystem::path(db_file.string() + ".lock"));
  HUSH_TRY(state->open(db_file, busy_timeout));
  return std::unique_ptr<ClientState>(std::move(state));
}

Result<std::optional<AccountOwner>> SqliteClientState::read_owner(const std::filesystem::path& db_file) {
  Connection db;
  HUSH_TRY(db.open(db_file, std::chrono::seconds(5)));
  HUSH_ASSIGN(bool present, detail::client_schema_present(db));
  if (!present) return std::optional<AccountOwner>{};
  Statement select;
  HUSH_TRY(select.prepare(db.get(), "read account owner",
                          "SELECT username, device_id, registration_id FROM account WHERE id = 1"));
  StatementUse use(select);
  HUSH_ASSIGN(bool row, use.step());
  if (!row) return std::optional<AccountOwner>{};
  return std::optional<AccountOwner>{AccountOwner{std::string(use.column_text(0)),
                                                  static_cast<std::uint32_t>(use.column_int(1)),
                                                  static_cast<std::uint32_t>(use.column_int(2))}};
}

}  // namespace hush::client
