// Group messages with sender keys, as libsignal 0.65.4 does them (facts §6,
// §7; libsignal rust/protocol/src/{sender_keys,group_cipher}.rs).
//
// Each member of a group has, per distribution id, its own sending chain: a
// 32-byte chain key stepped with HMAC, and a signing key pair. The member
// announces the chain with a SenderKeyDistributionMessage (SKDM), sent to every
// other member over 1:1 sessions; the others process it. Group messages
// (SenderKeyMessage, ciphertext type 7) are AES-256-CBC under the chain's
// message keys and signed (XEdDSA) with the chain's signing key.
//
// Thread safety: none; calls on one store must be serialized by the caller.
// State: every call loads the record, works on a copy and stores it only on
// success. A failed call changes nothing.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hush/address.hpp"
#include "hush/bytes.hpp"
#include "hush/result.hpp"
#include "hush/rng.hpp"

namespace hush {

// A group's distribution id: a UUID, kept as its 16 raw bytes in RFC 4122
// (textual) order, which is how it travels in SKDMs and group messages.
struct DistributionId {
  std::array<std::uint8_t, 16> bytes{};

  // From the 36-character textual form (8-4-4-4-12 hex digits, either case).
  // bad_request on anything else. Ids differing only in case are equal.
  static Result<DistributionId> parse(std::string_view text);
  // The textual form, lowercase.
  std::string to_string() const;

  friend auto operator<=>(const DistributionId&, const DistributionId&) = default;
};

namespace detail {
struct SenderKeyRecordImpl;
}

// The sender-key states for one (sender address, distribution id): at most 5
// (limits::kMaxSenderKeyStates), newest first; the first is the one a sender
// encrypts with. Serialized exactly as libsignal's SenderKeyRecordStructure
// (storage.proto), so records move between Hush and libsignal.
class SenderKeyRecord {
 public:
  SenderKeyRecord();  // no states
  ~SenderKeyRecord();
  SenderKeyRecord(SenderKeyRecord&&) noexcept;
  SenderKeyRecord& operator=(SenderKeyRecord&&) noexcept;
  SenderKeyRecord(const SenderKeyRecord&) = delete;
  SenderKeyRecord& operator=(const SenderKeyRecord&) = delete;

  // Deep copy; records hold chain keys (and our own signing keys), so copies
  // are explicit.
  SenderKeyRecord clone() const;

  // libsignal SenderKeyRecordStructure bytes. Holds chain keys and, for our
  // own chains, private signing keys: keep it secret.
  SecretBytes serialize() const;
  // invalid_message on bytes that are not a SenderKeyRecordStructure or hold
  // a state Hush cannot use (missing chain key, a chain key or message-key
  // seed that is not 32 bytes, a signing key that does not parse). libsignal
  // accepts such states and fails when one is used.
  static Result<SenderKeyRecord> deserialize(ByteView bytes);

  std::size_t state_count() const noexcept;

  detail::SenderKeyRecordImpl& impl() noexcept { return *impl_; }
  const detail::SenderKeyRecordImpl& impl() const noexcept { return *impl_; }

 private:
  std::unique_ptr<detail::SenderKeyRecordImpl> impl_;
};

// Where sender-key records live (libsignal storage/traits.rs SenderKeyStore).
// A record belongs to the sender's address (name and device) and a
// distribution id; our own chains are stored under our own address.
//
// Errors: Errc::storage when the backing store fails or a stored record does
// not parse; an absent record is an empty optional, never an error.
// Thread safety: none required (one thread at a time per store).
class SenderKeyStore {
 public:
  virtual ~SenderKeyStore() = default;
  virtual Result<std::optional<SenderKeyRecord>> load_sender_key(const ProtocolAddress& sender,
                                                                 const DistributionId& distribution_id) const = 0;
  // Inserts or replaces the record.
  virtual Result<void> store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                                        const SenderKeyRecord& record) = 0;
};

// Our SKDM for a group (libsignal create_sender_key_distribution_message).
// Without a record for (own_address, distribution_id), makes one: a single
// state with chain_id = random_u32 >> 1, iteration 0, a random chain key and a
// new signing key pair, and stores it. The SKDM describes the first state at
// its *current* iteration (after sends it is above 0). The bytes are
// 0x33 || protobuf, as libsignal's; they contain the chain key (anyone
// holding them can read the group's later messages), hence SecretBytes.
// Send them only over 1:1 sessions.
// Errors: no_session (the stored record has no state), storage.
Result<SecretBytes> create_sender_key_distribution_message(SenderKeyStore& store, const ProtocolAddress& own_address,
                                                           const DistributionId& distribution_id, Rng& rng);

// Records a member's SKDM under (sender, the SKDM's distribution id)
// (libsignal process_sender_key_distribution_message). A state with the same
// chain id and signing key is kept unchanged (only moved first), so a
// re-sent SKDM never rewinds a chain; other states with that chain id are
// dropped, and the oldest beyond 5 are evicted.
// Errors: invalid_message (malformed SKDM: shorter than 65 bytes, version
// nibble other than 3, bad protobuf, a missing field, a distribution id that
// is not 16 bytes, a chain key that is not 32 bytes or a signing key that is
// not a 33-byte public key), storage.
Result<void> process_sender_key_distribution_message(SenderKeyStore& store, const ProtocolAddress& sender,
                                                     ByteView skdm);

// Encrypts a group message with our current chain for the group and advances
// it (libsignal group_encrypt). Returns the SenderKeyMessage bytes
// (0x33 || protobuf || XEdDSA signature), ciphertext type 7.
// Errors: no_session (no record: call create_sender_key_distribution_message
// first; the first state is not ours, having no private signing key; or the
// chain is at iteration 2^32-1 and cannot advance), storage.
Result<Bytes> group_encrypt(SenderKeyStore& store, const ProtocolAddress& own_address,
                            const DistributionId& distribution_id, ByteView plaintext, Rng& rng);

// Decrypts a group message from `sender` (libsignal group_decrypt); the
// distribution id is the message's own.
// Errors: invalid_message (malformed; version mismatch; bad signature; more
// than 25,000 iterations ahead; bad length or padding; iteration 2^32-1, past
// which the chain cannot advance), no_session (no record for the message's
// distribution id, or no state with its chain id),
// duplicate_message (an iteration whose key was already used or evicted),
// storage.
Result<SecretBytes> group_decrypt(SenderKeyStore& store, const ProtocolAddress& sender, ByteView message);

}  // namespace hush
