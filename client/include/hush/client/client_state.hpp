// ClientState: everything a Messenger keeps besides the protocol store — the
// account (credentials and key bookkeeping), the outbox, the message history
// (which is also how a redelivered message is recognised), contacts, the
// devices we have sessions with, and the record of envelopes that could not
// be decrypted.
//
// Two implementations: InMemoryClientState (the tests and tools: a Messenger
// that lives as long as its process) and SqliteClientState (a hush profile:
// the same SQLite file as the protocol store, secrets sealed with a key
// derived from the passphrase).
//
// Durability: every call that returns Ok is durable (for SQLite, committed
// with synchronous=FULL); a call that fails changed nothing. Messenger's
// crash-safety argument (messenger.hpp) rests on record_received() and
// complete_send() each being one transaction.
//
// Errors: Errc::storage when the backing store fails or a stored row does not
// parse or open (a sealed value that does not authenticate); absent records
// are empty optionals. Thread safety: none; one thread per object. Several
// processes may share one SQLite state: lock() serializes their
// read-modify-write batches.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hush/bytes.hpp"
#include "hush/client/message_format.hpp"
#include "hush/keys.hpp"
#include "hush/result.hpp"

namespace hush::client {

struct RetiredSignedPreKey {
  std::uint32_t id = 0;
  std::uint64_t retired_ms = 0;
};

// The account row. The device secret is the only secret here.
struct AccountRecord {
  std::string server;   // as given to `hush init` (http[s]://host:port)
  std::string ca_file;  // PEM trust anchor for https, empty: system store
  std::string username;
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  Secret<32> device_secret;
  bool registered = false;  // the server answered 201 to the registration
  std::uint32_t next_prekey_id = 1;
  // The current signed prekey: id, creation time (ms) and whether the server
  // has it. Absent before the first one is made.
  std::optional<std::uint32_t> signed_prekey_id;
  std::uint64_t signed_prekey_created_ms = 0;
  bool signed_prekey_uploaded = false;
  // Signed prekeys that were replaced, kept so late PreKey messages still
  // decrypt until the grace period after their retirement has passed.
  std::vector<RetiredSignedPreKey> retired_signed_prekeys;

  AccountRecord clone() const;
};

enum class MessageDirection { in, out };

// One message in the history. For `out`, device is our own device id and
// received_ms is when the server acknowledged it.
struct StoredMessage {
  MessageDirection direction = MessageDirection::in;
  std::string peer;
  std::uint32_t device = 0;
  MessageId id{};
  std::uint64_t sent_ms = 0;      // the sender's timestamp from the payload
  std::uint64_t received_ms = 0;  // when it was stored here
  std::string body;
};

// A message waiting for the server's acknowledgement. plaintext is the
// encoded payload (message_format.hpp): id, timestamp and body, so a retry
// sends the same bytes.
struct OutgoingRecord {
  MessageId id{};
  std::string peer;
  SecretBytes plaintext;
  std::uint64_t created_ms = 0;

  OutgoingRecord clone() const { return OutgoingRecord{id, peer, plaintext.clone(), created_ms}; }
};

struct ContactRecord {
  std::string name;
  bool verified = false;          // the user compared safety numbers
  bool identity_changed = false;  // a new identity key showed up; sending refused until accepted
  std::optional<std::uint64_t> last_message_ms;
  // The new identity key, when we learned it (from a bundle); accepting it
  // makes it the key on record.
  std::optional<IdentityKey> new_identity;
};

struct UndecryptableRecord {
  std::string sender;
  std::uint32_t device = 0;
  std::string reason;  // errc_name() of the failure
  std::uint64_t at_ms = 0;
};

class ClientState {
 public:
  virtual ~ClientState() = default;

  // --- account ---------------------------------------------------------------
  virtual Result<std::optional<AccountRecord>> load_account() const = 0;
  // Writes the whole row (creating it the first time).
  virtual Result<void> save_account(const AccountRecord& account) = 0;

  // --- outbox ----------------------------------------------------------------
  virtual Result<void> add_outgoing(const OutgoingRecord& message) = 0;
  // Oldest first.
  virtual Result<std::vector<OutgoingRecord>> outbox() const = 0;
  virtual Result<std::size_t> outbox_size() const = 0;
  // The server stored `sent`: removes its outbox entry (if still there) and
  // adds it to the history (if not already there), touching the contact; one
  // transaction.
  virtual Result<void> complete_send(const StoredMessage& sent) = 0;
  // Removes an outbox entry that will never be sent (unknown user, refused).
  virtual Result<void> drop_outgoing(const MessageId& id) = 0;

  // --- history ---------------------------------------------------------------
  // Adds a received message and touches its sender's contact, unless a
  // message with the same (peer, id) was received before. true: added.
  virtual Result<bool> record_received(const StoredMessage& message) = 0;
  // The last `limit` messages with `peer` (0: all), oldest first.
  virtual Result<std::vector<StoredMessage>> history(std::string_view peer, std::size_t limit) const = 0;

  // --- contacts --------------------------------------------------------------
  virtual Result<std::vector<ContactRecord>> contacts() const = 0;  // by name
  virtual Result<std::optional<ContactRecord>> contact(std::string_view name) const = 0;
  // Creates or replaces the row's flags and new identity (last_message_ms is
  // kept: only the history moves it).
  virtual Result<void> save_contact(const ContactRecord& contact) = 0;

  // --- devices of a peer that we have sessions with ---------------------------
  virtual Result<std::set<std::uint32_t>> devices(std::string_view peer) const = 0;
  virtual Result<void> add_device(std::string_view peer, std::uint32_t device) = 0;
  virtual Result<void> remove_device(std::string_view peer, std::uint32_t device) = 0;

  // --- undecryptable envelopes -------------------------------------------------
  virtual Result<void> record_undecryptable(const UndecryptableRecord& record) = 0;
  virtual Result<std::vector<UndecryptableRecord>> undecryptable() const = 0;

  // Deletes a signed prekey from the protocol store that shares this state's
  // storage. libhush's SignedPreKeyStore has no removal, and a rotated-out
  // key must go once its grace period is over; the in-memory state (whose
  // store does not outlive the process) does nothing.
  virtual Result<void> remove_signed_prekey(std::uint32_t id) = 0;

  // Exclusive use of the state (and of the protocol store beside it) against
  // other processes, for one read-modify-write batch: Messenger holds it
  // while it encrypts, decrypts and records, never while it waits for the
  // network to deliver something. Blocks until granted. Not reentrant.
  virtual Result<void> lock() = 0;
  virtual void unlock() noexcept = 0;
};

// lock() for a scope.
class StateLock {
 public:
  explicit StateLock(ClientState& state) : state_(state) {}
  ~StateLock() {
    if (held_) state_.unlock();
  }
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  Result<void> acquire() {
    HUSH_TRY(state_.lock());
    held_ = true;
    return Ok{};
  }

 private:
  ClientState& state_;
  bool held_ = false;
};

// The state of a Messenger that lives as long as its process.
std::unique_ptr<ClientState> make_in_memory_client_state();

}  // namespace hush::client
