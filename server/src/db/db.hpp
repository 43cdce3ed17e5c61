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
#include <optional>
#include <string>
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
  Bytes identity_key;  // 33 bytes, fixed at registration
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
  std::uint32_t max_envelopes = 10'000;          // per device
  std::uint64_t max_bytes = 64ull * 1024 * 1024;  // per device, content bytes
};

struct QueueDepth {
  std::uint64_t envelopes = 0;
  std::uint64_t bytes = 0;
};

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
  virtual Result<AccountRecord> create_account(const std::string& username, ByteView identity_key,
                                               const DeviceRecord& first_device,
                                               const std::optional<SecretHash>& invite, std::uint64_t now_ms) = 0;
  // Adds a device with the next free id; returns it.
  virtual Result<std::uint32_t> add_device(std::int64_t account_id, const DeviceRecord& device) = 0;
  virtual Result<std::optional<AccountRecord>> find_account(const std::string& username) = 0;

  // --- Key directory ----------------------------------------------------------
  virtual Result<void> set_signed_prekey(std::int64_t account_id, std::uint32_t device_id,
                                         const SignedPreKeyEntry& key) = 0;
  // Adds one-time prekeys (replacing ones with the same id). Errors:
  // bad_request when the device would hold more than max_stored.
  virtual Result<void> add_prekeys(std::int64_t account_id, std::uint32_t device_id,
                                   const std::vector<PreKeyEntry>& keys, std::uint32_t max_stored) = 0;
  virtual Result<std::uint32_t> prekey_count(std::int64_t account_id, std::uint32_t device_id) = 0;
  // The bundle of each requested device, each claiming (atomically deleting)
  // one one-time prekey: two concurrent calls never get the same prekey.
  virtual Result<std::vector<DeviceBundle>> claim_bundles(std::int64_t account_id,
                                                          const std::vector<std::uint32_t>& device_ids) = 0;

  // --- Relay queues -----------------------------------------------------------
  // Appends envelopes (all or none), each to its destination device's queue.
  // When a destination would exceed `limits`, nothing is stored and the
  // outcome names that device (the relay answers 507).
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
};

}  // namespace hush::server
