// SqliteProtocolStore: one party's whole protocol state (identity, trusted
// identities, prekeys, signed prekeys, sessions, sender keys) persisted in a
// single SQLite file, <dir>/hush.db. Schema, durability and what is secret in the file:
// docs/STORAGE.md.
//
// Durability: every write is durable once it returns (WAL, synchronous=FULL);
// a process killed at any point reopens with everything that had returned
// successfully. commit() is one transaction: all of its parts or none.
//
// Thread safety: none. One store object per thread; calls on one object must
// be serialized by the caller. Several processes may open the same directory:
// SQLite's locking serializes them, waiting up to busy_timeout.
//
// Secrets: a sealed store (OpenOptions::passphrase) keeps every private key,
// session record and sender-key record encrypted under a key derived from the
// passphrase (Argon2id, once per open), each value bound to its table and row.
// A plaintext store keeps them in the clear, protected only by the file's mode
// (0600, directory 0700 when created here). Either way the file's mode is
// 0600, and keys read back go into Secret/SecretBytes types.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hush/group.hpp"
#include "hush/rng.hpp"
#include "hush/storage_key.hpp"
#include "hush/stores.hpp"

namespace hush::store {

namespace detail {
struct SqliteStoreImpl;
}

struct OpenOptions {
  // Who the store belongs to. A new store records them; an existing store
  // must have been created with the same three values.
  std::string address;
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  // Makes the identity key pair of a new store; unused when reopening.
  Rng& rng;
  // How long a call waits for another connection's lock before failing with
  // Errc::storage.
  std::chrono::milliseconds busy_timeout{5000};
  // Encryption at rest. Set: the store is sealed. A new store is created
  // sealed (random 16-byte salt, cost `kdf`, both recorded in the file); an
  // existing sealed store opens only with the same passphrase, at the cost
  // recorded in it (`kdf` is then unused).
  // Unset: a plaintext store (what the interop driver, demo and server tests
  // use today).
  std::optional<std::string_view> passphrase{};
  KdfParams kdf = KdfParams::interactive();
};

class SqliteProtocolStore final : public ProtocolStore, public SenderKeyStore {
 public:
  // The database file's name inside the store directory.
  static constexpr const char* kFileName = "hush.db";

  // Opens the store in `dir`, creating the directory (mode 0700) and a new
  // store with a fresh identity if there is none yet.
  // Errors: bad_request (empty address; the store belongs to a different
  // address, device id or registration id; a passphrase for a plaintext
  // store), wrong_passphrase (a sealed store opened without a passphrase or
  // with a wrong one; the file is then left unchanged), storage (I/O
  // failure, not a SQLite file, schema newer than this build, corrupt local
  // identity or encryption header).
  static Result<std::unique_ptr<SqliteProtocolStore>> open(const std::filesystem::path& dir,
                                                           const OpenOptions& options);

  ~SqliteProtocolStore() override;
  SqliteProtocolStore(const SqliteProtocolStore&) = delete;
  SqliteProtocolStore& operator=(const SqliteProtocolStore&) = delete;

  const std::string& address() const noexcept { return address_; }
  std::uint32_t device_id() const noexcept { return device_id_; }
  // The database file (<dir>/hush.db).
  const std::filesystem::path& path() const noexcept { return path_; }

  // For a sealed store: an independent key (StorageKey::subkey of the
  // store's key) for the application's own sealed data kept in the same
  // file; nullopt for a plaintext store, and for the store's own context
  // name ("hush.store.protocol"), which is refused so the application can
  // never obtain the key the protocol records are sealed with.
  std::optional<StorageKey> application_key(std::string_view context) const;

  const IdentityKeyPair& identity_key_pair() const override { return identity_; }
  std::uint32_t local_registration_id() const override { return registration_id_; }

  // Every call below returns Errc::storage when SQLite fails (busy beyond the
  // timeout, I/O error) or a stored row does not parse; the store is then
  // unchanged. Absent records are an empty optional, not an error.
  Result<std::optional<IdentityKey>> get_identity(std::string_view name) const override;
  Result<void> save_identity(std::string_view name, const IdentityKey& key) override;

  Result<std::optional<PreKeyRecord>> load_prekey(std::uint32_t id) const override;
  Result<void> store_prekey(const PreKeyRecord& record) override;
  // Removing an absent prekey succeeds (idempotent, as libsignal).
  Result<void> remove_prekey(std::uint32_t id) override;

  Result<std::optional<SignedPreKeyRecord>> load_signed_prekey(std::uint32_t id) const override;
  Result<void> store_signed_prekey(const SignedPreKeyRecord& record) override;

  Result<std::optional<SessionRecord>> load_session(const ProtocolAddress& address) const override;
  Result<void> store_session(const ProtocolAddress& address, const SessionRecord& record) override;

  // One BEGIN IMMEDIATE … COMMIT transaction: identity, session, prekey
  // removal. bad_request without a record; storage (rolled back, nothing
  // changed) on any SQLite failure.
  Result<void> commit(const SessionCommit& commit) override;

  // Sender keys (table sender_keys, schema version 2): one row per sender
  // address and distribution id; a store is its own transaction.
  Result<std::optional<SenderKeyRecord>> load_sender_key(const ProtocolAddress& sender,
                                                         const DistributionId& distribution_id) const override;
  Result<void> store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                                const SenderKeyRecord& record) override;

 private:
  SqliteProtocolStore(std::unique_ptr<detail::SqliteStoreImpl> impl, std::filesystem::path path, std::string address,
                      std::uint32_t device_id, std::uint32_t registration_id, IdentityKeyPair identity);

  std::unique_ptr<detail::SqliteStoreImpl> impl_;
  std::filesystem::path path_;
  std::string address_;
  std::uint32_t device_id_;
  std::uint32_t registration_id_;
  IdentityKeyPair identity_;
};

}  // namespace hush::store
