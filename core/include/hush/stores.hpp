// Store interfaces (libsignal storage/traits.rs shapes). A party's whole
// protocol state lives behind ProtocolStore; libhush never keeps state of its
// own between calls.
//
// Atomicity: a protocol step that changes several records (a PreKey message
// saves an identity, stores a session and consumes a one-time prekey) hands
// them to ProtocolStore::commit in one call, which must apply all of them or
// none. Failed steps call nothing, so a failed decrypt leaves every record as
// it was.
//
// Errors: every method returns Errc::storage when the backing store fails
// (I/O, lock timeout, a stored row that does not parse); absent records are
// an empty optional, never an error. Thread safety: none required; libhush
// calls one store from one thread at a time.
#pragma once

#include <optional>
#include <string_view>

#include "hush/address.hpp"
#include "hush/prekeys.hpp"
#include "hush/session_record.hpp"

namespace hush {

enum class Direction { sending, receiving };

class IdentityKeyStore {
 public:
  virtual ~IdentityKeyStore() = default;
  virtual const IdentityKeyPair& identity_key_pair() const = 0;
  virtual std::uint32_t local_registration_id() const = 0;
  // The identity on record for an account name (shared by all its devices).
  virtual Result<std::optional<IdentityKey>> get_identity(std::string_view name) const = 0;
  // Records (or replaces) the identity for a name: trust on first use, and
  // the user's explicit acceptance of a changed key.
  virtual Result<void> save_identity(std::string_view name, const IdentityKey& key) = 0;
  // Trust on first use: unknown names are trusted, known ones only with the
  // same key. Direction is there for policies that differ by direction.
  // libhush consults it only when the key is not the one on record (the key
  // on record is always trusted), so overriding it can relax TOFU, not tighten it.
  virtual Result<bool> is_trusted_identity(std::string_view name, const IdentityKey& key, Direction direction) const;
};

class PreKeyStore {
 public:
  virtual ~PreKeyStore() = default;
  virtual Result<std::optional<PreKeyRecord>> load_prekey(std::uint32_t id) const = 0;
  virtual Result<void> store_prekey(const PreKeyRecord& record) = 0;
  virtual Result<void> remove_prekey(std::uint32_t id) = 0;
};

class SignedPreKeyStore {
 public:
  virtual ~SignedPreKeyStore() = default;
  virtual Result<std::optional<SignedPreKeyRecord>> load_signed_prekey(std::uint32_t id) const = 0;
  virtual Result<void> store_signed_prekey(const SignedPreKeyRecord& record) = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Result<std::optional<SessionRecord>> load_session(const ProtocolAddress& address) const = 0;
  virtual Result<void> store_session(const ProtocolAddress& address, const SessionRecord& record) = 0;
};

// Everything one successful protocol step writes.
struct SessionCommit {
  ProtocolAddress address;
  SessionRecord* record = nullptr;            // the session to store; required (null: bad_request)
  std::optional<IdentityKey> identity;        // identity to record for address.name
  std::optional<std::uint32_t> consumed_prekey;  // one-time prekey to remove (absent: no-op, as libsignal)
  // The caller discards *record after a successful commit, so a store that
  // keeps records as objects may move from it instead of copying (libhush's
  // own calls set this; it saves a deep copy per message).
  bool record_disposable = false;
};

class ProtocolStore : public IdentityKeyStore,
                      public PreKeyStore,
                      public SignedPreKeyStore,
                      public SessionStore {
 public:
  // Applies every part of `commit` or none of them (storage error).
  virtual Result<void> commit(const SessionCommit& commit) = 0;
};

}  // namespace hush
