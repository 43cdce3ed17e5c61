// hushd's storage interface. The directory and relay code talk only to this;
// SQLite (sqlite_db.cpp) is the embedded default and a PostgreSQL backend can
// be added later without touching them (issue: "storage behind an interface").
//
// Contract for every implementation:
// - Public data only: usernames, device ids, registration ids, public keys,
//   signatures, ciphertext envelopes, hashes of device secrets and invites.
// - Durability: a call that returns success has committed durably (it
//   survives kill -9 and power loss as far as fsync allows).
// - Thread safety: every method may be called from any thread. Writes may be
//   batched into shared transactions (group commit); each call still returns
//   only after its own writes are durable.
// - Errors: Errc::storage for backend failures; the other codes as documented
//   per method. Messages never contain secrets or ciphertext.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hush/bytes.hpp"
#include "hush/result.hpp"

namespace hush::server {

using EnvelopeId = std::array<std::uint8_t, 16>;
using SecretHash = std::array<std::uint8_t, 32>;  // SHA-256 of a high-entropy secret

struct DeviceRecord {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  SecretHash secret_hash{};  // SHA-256(device secret); the secret itself is never stored
  std::uint64_t created_ms = 0;
};

struct AccountRecord {
  std::int64_t account_id = 0;
  std::string username;
  Bytes identity_key;                 // 33 bytes, fixed at registration
  std::vector<DeviceRecord> devices;  // ascending device_id
};

struct SignedPreKeyEntry {
  std::uint32_t key_id = 0;
  Bytes public_key;  // 33 bytes
  Bytes signature;   // 64 bytes, XEdDSA by the account identity key (verified before storing)
};

struct PreKeyEntry {
  std::uint32_t key_id = 0;
  Bytes public_key;  // 33 bytes
};

// The public bundle of one device as a fetch returns it.
struct DeviceBundle {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  std::optional<SignedPreKeyEntry> signed_prekey;
  std::optional<PreKeyEntry> prekey;  // claimed (deleted) by this fetch; absent when none are left
};

struct StoredEnvelope {
  EnvelopeId id{};
  std::uint32_t type = 0;
  std::string source_user;
  std::uint32_t source_device = 0;
  std::string destination_user;
  std::uint32_t destination_device = 0;
  std::uint64_t client_timestamp = 0;
  std::uint64_t server_timestamp = 0;
  Bytes content;
};

struct QueueLimits {
  std::uint32_t max_envelopes = 10'000;           // per device
  std::uint64_t max_bytes = 64ull * 1024 * 1024;  // per device, content bytes
};

struct QueueDepth {
  std::uint64_t envelopes = 0;
  std::uint64_t bytes = 0;
};

// Failures a caller must tell apart (the HTTP layer maps username_taken to
// 409 and invalid_invite to 403). They travel as Errc::bad_request with
// exactly db_error_message(e) as the message, so Result<T> and Error stay
// as they are; db_error() recovers the value without string parsing at the
// call site. Any other Error is DbError::other.
enum class DbError {
  other,
  username_taken,      // create_account: the username exists
  invalid_invite,      // create_account: unknown, expired or used invite
  unknown_account,     // add_device: no such account
  unknown_device,      // set_signed_prekey, add_prekeys: no such device
  too_many_prekeys,    // add_prekeys: the device would hold more than max_stored
  duplicate_envelope,  // enqueue: an envelope id already queued (ids are random: a caller bug)
  duplicate_invite,    // create_invite: the token hash exists
  invalid_argument,    // a key, signature or hash of the wrong size
};

constexpr std::string_view db_error_message(DbError e) noexcept {
  switch (e) {
    case DbError::username_taken:
      return "username taken";
    case DbError::invalid_invite:
      return "invalid or used invite";
    case DbError::unknown_account:
      return "unknown account";
    case DbError::unknown_device:
      return "unknown device";
    case DbError::too_many_prekeys:
      return "too many prekeys";
    case DbError::duplicate_envelope:
      return "duplicate envelope id";
    case DbError::duplicate_invite:
      return "duplicate invite";
    case DbError::invalid_argument:
      return "invalid argument size";
    case DbError::other:
      break;
  }
  return "storage error";
}

inline Error make_db_error(DbError e) {
  return make_error(Errc::bad_request, std::string(db_error_message(e)));
}

inline DbError db_error(const Error& error) noexcept {
  if (error.code != Errc::bad_request) return DbError::other;
  for (auto e :
       {DbError::username_taken, DbError::invalid_invite, DbError::unknown_account, DbError::unknown_device,
        DbError::too_many_prekeys, DbError::duplicate_envelope, DbError::duplicate_invite, DbError::invalid_argument})
    if (error.message == db_error_message(e)) return e;
  return DbError::other;
}

class Db {
 public:
  virtual ~Db() = default;

  // --- Invites ----------------------------------------------------------------
  // Stores the hash of a new invite token, valid until expires_ms.
  virtual Result<void> create_invite(const SecretHash& token_hash, std::uint64_t expires_ms) = 0;

  // --- Accounts and devices ---------------------------------------------------
  // Creates the account with device 1. If invite is set it must exist, be
  // unexpired and unused; it is consumed in the same transaction.
  // Errors: bad_request ("username taken", "invalid or used invite").
  // (DbError::username_taken, invalid_invite; invalid_argument for an
  // identity key that is not 33 bytes. The invite is checked first, and a
  // taken username leaves it unused. first_device.device_id is ignored;
  // its created_ms defaults to now_ms.)
  virtual Result<AccountRecord> create_account(const std::string& username, ByteView identity_key,
                                               const DeviceRecord& first_device,
                                               const std::optional<SecretHash>& invite, std::uint64_t now_ms) = 0;
  // Adds a device with the next free id; returns it.
  // (DbError::unknown_account.)
  virtual Result<std::uint32_t> add_device(std::int64_t account_id, const DeviceRecord& device) = 0;
  virtual Result<std::optional<AccountRecord>> find_account(const std::string& username) = 0;
  // Operator reset (`hushd account delete`): removes the account, its
  // devices, keys and queued envelopes in one transaction; false when there
  // is no such account. The username can then be registered again, with a
  // new identity key. Only while no hushd serves this database: a running
  // server caches accounts (AccountCache).
  virtual Result<bool> delete_account(const std::string& username) = 0;

  // --- Key directory ----------------------------------------------------------
  virtual Result<void> set_signed_prekey(std::int64_t account_id, std::uint32_t device_id,
                                         const SignedPreKeyEntry& key) = 0;
  // Adds one-time prekeys (replacing ones with the same id). Errors:
  // bad_request when the device would hold more than max_stored.
  // (DbError::too_many_prekeys, nothing stored; unknown_device;
  // invalid_argument. set_signed_prekey: unknown_device, invalid_argument.)
  virtual Result<void> add_prekeys(std::int64_t account_id, std::uint32_t device_id,
                                   const std::vector<PreKeyEntry>& keys, std::uint32_t max_stored) = 0;
  virtual Result<std::uint32_t> prekey_count(std::int64_t account_id, std::uint32_t device_id) = 0;
  // The bundle of each requested device, each claiming (atomically deleting)
  // one one-time prekey: two concurrent calls never get the same prekey.
  // (Devices that do not exist are left out; a device named twice gets one
  // bundle. The lowest key_id is claimed first.)
  virtual Result<std::vector<DeviceBundle>> claim_bundles(std::int64_t account_id,
                                                          const std::vector<std::uint32_t>& device_ids) = 0;

  // --- Relay queues -----------------------------------------------------------
  // Appends envelopes (all or none), each to its destination device's queue.
  // When a destination would exceed `limits`, nothing is stored and the
  // outcome names that device (the relay answers 507).
  // (The first such device in request order. DbError::duplicate_envelope
  // if an id is already queued: nothing stored.)
  struct EnqueueOutcome {
    bool queue_full = false;
    std::string full_user;
    std::uint32_t full_device = 0;
  };
  virtual Result<EnqueueOutcome> enqueue(const std::vector<StoredEnvelope>& envelopes, const QueueLimits& limits) = 0;
  // Up to `limit` envelopes of a device's queue in arrival order, starting
  // after the envelope with sequence `after_seq` (0 = from the start).
  // Returns the envelopes and, for each, its sequence number.
  struct QueuedEnvelope {
    std::uint64_t seq = 0;
    StoredEnvelope envelope;
  };
  virtual Result<std::vector<QueuedEnvelope>> fetch_queue(const std::string& username, std::uint32_t device_id,
                                                          std::uint64_t after_seq, std::size_t limit) = 0;
  // Deletes acknowledged envelopes of that device (unknown ids are ignored).
  virtual Result<void> delete_envelopes(const std::string& username, std::uint32_t device_id,
                                        const std::vector<EnvelopeId>& ids) = 0;
  virtual Result<QueueDepth> queue_depth(const std::string& username, std::uint32_t device_id) = 0;

  // --- Asynchronous writes ------------------------------------------------------
  // For callers that must not block (the relay on an Asio thread). Same
  // semantics and errors as the blocking method; `done` is called exactly
  // once, after the write is durable or has failed. Writes submitted from
  // one thread are applied in submission order.
  //
  // Where `done` runs is the implementation's choice: SqliteDb calls it on
  // its writer thread or its completion executor (below), so it must be quick and must not block (post the
  // result to your executor) and must not call blocking Db write methods
  // (SqliteDb refuses those there with Errc::bad_request rather than
  // deadlock). It must not throw. The defaults below run the blocking call
  // and then `done` on the calling thread.
  using EnqueueDone = std::function<void(Result<EnqueueOutcome>)>;
  using WriteDone = std::function<void(Result<void>)>;
  using ClaimDone = std::function<void(Result<std::vector<DeviceBundle>>)>;

  virtual void enqueue_async(std::vector<StoredEnvelope> envelopes, QueueLimits limits, EnqueueDone done) {
    done(enqueue(envelopes, limits));
  }
  // enqueue_async without a copy: the op shares the caller's (immutable)
  // envelopes, e.g. when the relay keeps them for the pushes after the
  // commit. Named apart from enqueue_async so that implementations
  // overriding one are not warned about hiding the other.
  virtual void enqueue_shared_async(std::shared_ptr<const std::vector<StoredEnvelope>> envelopes, QueueLimits limits,
                                    EnqueueDone done) {
    enqueue_async(std::vector<StoredEnvelope>(*envelopes), limits, std::move(done));
  }
  // The one relaxed write: `done` may run before the delete is fsynced (it
  // is committed, and survives a crash of hushd; power loss before the next
  // durable commit may undo it, i.e. redeliver envelopes the device already
  // acknowledged, which clients dedupe). Later fetch_queue and queue_depth
  // calls see it.
  virtual void delete_envelopes_async(std::string username, std::uint32_t device_id, std::vector<EnvelopeId> ids,
                                      WriteDone done) {
    done(delete_envelopes(username, device_id, ids));
  }
  virtual void claim_bundles_async(std::int64_t account_id, std::vector<std::uint32_t> device_ids, ClaimDone done) {
    done(claim_bundles(account_id, device_ids));
  }

  // Where the async calls' `done` runs from now on: `executor` is given a
  // closure that runs a group of completions in order (SqliteDb: one per
  // group commit), and must run it soon on a thread of its choice, without
  // blocking the caller. An empty function restores the default. The server
  // passes its I/O context, so a commit of many envelopes wakes its I/O
  // thread once. Implementations without a writer thread may ignore it.
  virtual void set_completion_executor(std::function<void(std::function<void()>)> executor) { (void)executor; }
};

}  // namespace hush::server
