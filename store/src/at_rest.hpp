// Encryption at rest, decided at open before anything is written: whether the
// store is sealed, and with which key. A sealed store's `encryption` row
// (schema version 3) holds the Argon2id salt and cost and a check value, a
// known constant sealed with the store's protocol key: it opens only under
// the right passphrase, which tells a wrong passphrase from a corrupt row.
#pragma once

#include <optional>
#include <string>

#include "hush/storage_key.hpp"
#include "hush/store/sqlite_protocol_store.hpp"
#include "sqlite_names.hpp"

namespace hush::store::detail {

// The `encryption` row.
struct EncryptionHeader {
  Bytes salt;
  KdfParams kdf;
  Bytes check_value;
};

struct AtRest {
  // Argon2id(passphrase, salt): the parent of the store's protocol key and
  // of application keys. Unset for a plaintext store.
  std::optional<StorageKey> passphrase_key;
  // passphrase_key's kProtocolKeyContext subkey, which seals the columns.
  std::optional<StorageKey> protocol_key;
  // No owner row yet: open() creates the store, and writes `new_header`
  // with the owner row when it is to be sealed.
  bool is_new = false;
  std::optional<EncryptionHeader> new_header;
};

// Reads what the file is (new, plaintext or sealed) and, for a sealed store,
// derives the key (Argon2id, the one derivation of an open) and checks it
// against the check value; for a new store with a passphrase, draws a salt
// from options.rng and derives the key it will be sealed with. Writes
// nothing, so a refused open leaves the file as it was.
// Errors: wrong_passphrase (sealed store, passphrase missing or wrong),
// bad_request (passphrase for a plaintext store; options.kdf below
// libsodium's minimum for a new store), storage (SQLite failure, a corrupt
// `encryption` row, Argon2id out of memory).
Result<AtRest> unlock(Connection& db, const OpenOptions& options);

// Inserts the `encryption` row of a new sealed store; the caller's
// transaction also creates the owner row.
Result<void> write_encryption_header(Connection& db, const EncryptionHeader& header);

}  // namespace hush::store::detail
