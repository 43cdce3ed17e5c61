#include "at_rest.hpp"

#include <cstdint>
#include <limits>

#include "sealing.hpp"

namespace hush::store::detail {

namespace {

// The check value's plaintext and associated data. Not secret: its only job
// is to open, or not, under the key a passphrase gives.
constexpr std::string_view kCheckPlaintext = "hush store check value v1";
constexpr std::string_view kCheckAd = "encryption|check";

Error corrupt_header(std::string_view what) {
  return make_error(Errc::storage, "the store's encryption header is corrupt: " + std::string(what));
}

Result<bool> has_table(Connection& db, const char* name) {
  HUSH_ASSIGN(auto n, db.query_int("read schema", std::string("SELECT count(*) FROM sqlite_schema "
                                                              "WHERE type = 'table' AND name = '") +
                                                      name + "'"));
  return n > 0;
}

Result<bool> has_owner(Connection& db) {
  // A new file has no tables yet.
  HUSH_ASSIGN(bool table, has_table(db, "local_identity"));
  if (!table) return false;
  HUSH_ASSIGN(auto rows, db.query_int("read local identity", "SELECT count(*) FROM local_identity"));
  return rows > 0;
}

// Decided by the table, not by user_version: a sealed store whose version
// was set back must not be taken for a plaintext one (and migrated) without
// its passphrase.
Result<std::optional<EncryptionHeader>> read_header(Connection& db) {
  HUSH_ASSIGN(bool table, has_table(db, "encryption"));
  if (!table) return std::optional<EncryptionHeader>{};
  Statement select;
  HUSH_TRY(select.prepare(db.get(), "read encryption header",
                          "SELECT salt, opslimit, memlimit, check_value FROM encryption WHERE id = 1"));
  StatementUse row(select);
  HUSH_ASSIGN(bool found, row.step());
  if (!found) return std::optional<EncryptionHeader>{};
  auto salt = row.column_blob(0);
  auto opslimit = row.column_int(1);
  auto memlimit = row.column_int(2);
  auto check = row.column_blob(3);
  if (salt.size() != StorageKey::kSaltBytes) return corrupt_header("salt is not 16 bytes");
  if (opslimit <= 0 || memlimit <= 0 || static_cast<std::uint64_t>(memlimit) > std::numeric_limits<std::size_t>::max())
    return corrupt_header("Argon2id cost out of range");
  return std::optional<EncryptionHeader>{
      EncryptionHeader{Bytes(salt.begin(), salt.end()),
                       KdfParams{static_cast<std::uint64_t>(opslimit), static_cast<std::size_t>(memlimit)},
                       Bytes(check.begin(), check.end())}};
}

// A new store's salt and key, and the check value that will verify the key
// on every later open.
Result<AtRest> create_sealed(std::string_view passphrase, const OpenOptions& options) {
  Bytes salt = StorageKey::new_salt(options.rng);
  HUSH_ASSIGN(auto key, StorageKey::derive(passphrase, salt, options.kdf));
  auto protocol = key.subkey(kProtocolKeyContext);
  SystemRng nonces;
  Bytes check = protocol.seal(as_bytes(kCheckPlaintext), as_bytes(kCheckAd), nonces);
  AtRest at_rest{std::move(key), std::move(protocol), true,
                 EncryptionHeader{std::move(salt), options.kdf, std::move(check)}};
  return at_rest;
}

Result<AtRest> open_sealed(const EncryptionHeader& header, std::string_view passphrase) {
  auto key = StorageKey::derive(passphrase, header.salt, header.kdf);
  if (!key) {
    // Parameters libsodium refuses can only come from the file.
    if (key.code() == Errc::bad_request) return corrupt_header(key.error().message);
    return std::move(key).error();
  }
  auto protocol = key->subkey(kProtocolKeyContext);
  auto check = protocol.open(header.check_value, as_bytes(kCheckAd));
  if (!check) return make_error(Errc::wrong_passphrase, "wrong passphrase");
  // Authenticated, so only a bug could make this differ; checked anyway.
  if (!ct_equal(check->view(), as_bytes(kCheckPlaintext))) return corrupt_header("unexpected check value");
  return AtRest{std::move(*key), std::move(protocol), false, std::nullopt};
}

}  // namespace

Result<AtRest> unlock(Connection& db, const OpenOptions& options) {
  // Owner first, header second: the owner row and the header are written in
  // one transaction, so once the owner is seen the header read after it is
  // final. A store that looks new may still be created by another process
  // before this one gets the write lock; open() then unlocks again.
  HUSH_ASSIGN(bool owned, has_owner(db));
  if (!owned) {
    if (!options.passphrase) return AtRest{std::nullopt, std::nullopt, true, std::nullopt};
    return create_sealed(*options.passphrase, options);
  }
  HUSH_ASSIGN(auto header, read_header(db));
  if (!header) {
    if (options.passphrase)
      return make_error(Errc::bad_request, "the store is not encrypted: open it without a passphrase");
    return AtRest{};
  }
  if (!options.passphrase) return make_error(Errc::wrong_passphrase, "the store is encrypted: a passphrase is needed");
  return open_sealed(*header, *options.passphrase);
}

Result<void> write_encryption_header(Connection& db, const EncryptionHeader& header) {
  Statement insert;
  HUSH_TRY(insert.prepare(db.get(), "write encryption header",
                          "INSERT INTO encryption (id, salt, opslimit, memlimit, check_value) VALUES (1, ?, ?, ?, ?)"));
  StatementUse use(insert);
  use.bind_blob(1, header.salt)
      .bind_int(2, static_cast<std::int64_t>(header.kdf.opslimit))
      .bind_int(3, static_cast<std::int64_t>(header.kdf.memlimit))
      .bind_blob(4, header.check_value);
  return use.run();
}

}  // namespace hush::store::detail
