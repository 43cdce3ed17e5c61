// Messenger: one device of a Hush account, end to end. It owns the device's
// libhush ProtocolStore and its ClientState (client_state.hpp: account,
// outbox, history, contacts), registers the account and publishes its keys,
// and talks to hushd over HTTP and the relay WebSocket. The state is in
// memory (tests, tools) or in a profile's SQLite file (the hush app), which
// makes every guarantee below hold across restarts of the process too.
//
// Sending: a message gets a random id and the sender's timestamp inside the
// plaintext (message_format.hpp) and is written to the outbox. flush()
// encrypts it once per device of the peer (sessions are set up on first use
// by fetching every device's bundle), sends it with the registration id each
// session has for its device, and moves it from the outbox to the history
// only on the server's 200. A 409 fetches bundles for the missing devices,
// forgets the extra ones and retries; a 410 (the device re-registered, e.g.
// the account was reset) archives the stale devices' sessions, fetches their
// bundles and retries; a lost connection leaves the message queued, and the
// next flush() (after a reconnect, or in the next process) sends it again
// with the same id. A send to a peer with sessions fetches no bundle.
//
// Receiving, in this order (the crash-safety argument):
//   1. decrypt against a CapturingStore: the advanced session is kept in
//      memory, not committed;
//   2. record the message in the history (one transaction; a known
//      (peer, id) is not added twice);
//   3. commit the captured session to the protocol store;
//   4. acknowledge the envelope.
//   A crash before 2 loses nothing (the envelope is redelivered and
//   decrypts as new). After 2, the redelivered envelope decrypts again and
//   its id is known: dropped, acknowledged. After 3, it fails with
//   duplicate_message: acknowledged and dropped. So every message the
//   server delivers reaches the history exactly once.
// An envelope that cannot be decrypted is recorded in the state's
// undecryptable list, reported as an event and acknowledged (it would
// never decrypt, and leaving it would block nothing but keep the queue).
//
// Identity changes: libhush refuses a bundle (SessionBuilder::process) or a
// PreKey message whose identity key differs from the one on record
// (untrusted_identity); a reset account is met that way once the server's
// 410 has the client fetch its new bundle. The contact is then flagged
// identity_changed:
// enqueue() refuses (untrusted_identity) and queued messages to it are
// dropped as refused until accept_identity(); incoming envelopes from the
// new key are reported (identity_changed event), recorded as undecryptable
// and acknowledged.
//
// Keys: connect() checks the keys first: the signed prekey is replaced every
// `signed_prekey_rotation` (the replaced one is kept for
// `signed_prekey_grace` after it was replaced, so late PreKey messages
// still decrypt, then deleted); a PrekeysLow push uploads a new batch of
// one-time prekeys.
//
// Several processes may use one SQLite state at once (hush listen in one
// terminal, hush send in another): every batch of protocol work runs under
// ClientState::lock(), and redelivery plus the (peer, id) dedupe make the
// rest safe.
//
// Errors: as DirectoryApi and RelayClient, plus libhush's codes from
// encrypt/decrypt and the state's. Thread safety: none; use one Messenger
// from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hush/client/client_state.hpp"
#include "hush/client/directory_api.hpp"
#include "hush/client/message_format.hpp"
#include "hush/client/relay_client.hpp"
#include "hush/clock.hpp"
#include "hush/rng.hpp"
#include "hush/stores.hpp"

namespace hush::client {

// Points in handling one envelope, for crash tests (receive_step_hook).
enum class ReceiveStep {
  decrypted,         // plaintext in memory, nothing written
  message_recorded,  // step 2 done: the message is in the history
  session_committed  // step 3 done: the session is in the protocol store
};

struct MessengerOptions {
  Endpoint endpoint;
  std::string username;  // register_account only; open() reads it from the state
  std::optional<std::string> invite;
  // The server as the user wrote it, kept in the account (register_account).
  std::string server;
  std::filesystem::path store_dir;                  // register_account(options): empty means an InMemoryProtocolStore
  std::uint32_t prekey_batch = 100;                 // one-time prekeys at registration and per replenish
  std::chrono::milliseconds request_timeout{5000};  // each relay request
  // Time for key maintenance and libhush (null: the system clock).
  const Clock* clock = nullptr;
  std::chrono::seconds signed_prekey_rotation{std::chrono::hours(24 * 7)};
  std::chrono::seconds signed_prekey_grace{std::chrono::hours(24 * 30)};
  // Also keep received messages in inbox() (tests); the app reads events.
  bool keep_inbox = true;
  // Called at each ReceiveStep of every envelope that decrypted (tests
  // simulate a crash there).
  std::function<void(ReceiveStep)> receive_step_hook;
};

struct ReceivedMessage {
  std::string sender;
  std::uint32_t sender_device = 0;
  MessageId id{};
  std::uint64_t sender_timestamp_ms = 0;
  std::uint64_t server_timestamp_ms = 0;
  std::string body;
};

// What happened, for the application to show (take_events()).
struct MessengerEvent {
  enum class Type {
    message,           // a new message was stored: `message`
    undecryptable,     // an envelope from peer/device failed with `reason` (recorded, acknowledged)
    identity_changed,  // peer showed up with a new identity key
    warning            // something the user should know that did not stop the operation: `text`
  };
  Type type = Type::message;
  StoredMessage message;
  std::string peer;
  std::uint32_t device = 0;
  Errc reason = Errc::invalid_message;
  std::string text;
};

struct MessengerStats {
  std::uint64_t sent = 0;                // messages the server acknowledged
  std::uint64_t send_attempts = 0;       // SendRequests issued, retries included
  std::uint64_t mismatch_retries = 0;    // 409 answers handled
  std::uint64_t stale_retries = 0;       // 410 answers handled
  std::uint64_t received = 0;            // new messages recorded in the history
  std::uint64_t duplicates_dropped = 0;  // decrypted, but the message id was seen before
  std::uint64_t replays_dropped = 0;     // redelivered envelope whose keys were already used
  std::uint64_t decrypt_failures = 0;    // envelopes that will never decrypt (recorded, acknowledged)
  std::uint64_t envelopes_acked = 0;
  std::uint64_t prekey_uploads = 0;  // batches uploaded after PrekeysLow
  std::uint64_t signed_prekey_rotations = 0;
};

// The fate of one outbox message in flush_report().
struct SendOutcome {
  // rejected: the server refused the message itself (400, 413).
  enum class Status { sent, unknown_user, identity_changed, rejected };
  MessageId id{};
  std::string peer;
  Status status = Status::sent;
};

class Messenger {
 public:
  // Creates an in-memory state and a store (InMemoryProtocolStore, or
  // SQLite in options.store_dir), then registers as below.
  static Result<std::unique_ptr<Messenger>> register_account(MessengerOptions options);
  // create_account() + register_on_server().
  static Result<std::unique_ptr<Messenger>> register_account(MessengerOptions options,
                                                             std::unique_ptr<ProtocolStore> store,
                                                             std::unique_ptr<ClientState> state);
  // Writes the account of options.username as device 1 of a new account into
  // `state` (which must hold none), with `store`'s registration id and a new
  // random device secret; nothing is sent. Errors: bad_request (the state
  // has an account), the state's.
  static Result<std::unique_ptr<Messenger>> create_account(MessengerOptions options,
                                                           std::unique_ptr<ProtocolStore> store,
                                                           std::unique_ptr<ClientState> state);
  // POST /v1/accounts (the secret was stored first: once the server has its
  // hash, losing it would lose the account), then device 1's signed prekey
  // and prekey_batch one-time prekeys. Does not connect the relay. Errors:
  // the directory's (registered() tells whether the server took the
  // account), the state's.
  Result<void> register_on_server();
  // The server answered 201 to the registration (now or before).
  bool registered() const noexcept { return registered_; }
  // A registered account from `state` (options.username is replaced by the
  // stored one). Errors: bad_request (no account, or its registration never
  // finished), the state's.
  static Result<std::unique_ptr<Messenger>> open(MessengerOptions options, std::unique_ptr<ProtocolStore> store,
                                                 std::unique_ptr<ClientState> state);
  ~Messenger();
  Messenger(const Messenger&) = delete;
  Messenger& operator=(const Messenger&) = delete;

  // Adds a device to this account (POST /v1/devices) sharing its identity
  // key, with its own in-memory store, state and keys. Errors: bad_request
  // when this Messenger's store is not in memory (SQLite stores create their
  // own identity), or the directory's errors.
  Result<std::unique_ptr<Messenger>> link_device();

  const Credentials& credentials() const noexcept { return credentials_; }
  const std::string& username() const noexcept { return credentials_.username; }
  std::uint32_t device_id() const noexcept { return credentials_.device_id; }
  ProtocolStore& store() noexcept { return *store_; }
  ClientState& state() noexcept { return *state_; }
  DirectoryApi& directory() noexcept { return directory_; }

  // Opens the relay connection (replacing an old one), then runs
  // maintain_keys(); a maintenance failure does not fail the connect (it
  // is retried at the next one) but is reported as a warning event.
  Result<void> connect();
  // connect() until it succeeds or `deadline` passes, pausing between tries.
  Result<void> reconnect(std::chrono::steady_clock::time_point deadline);
  void disconnect();
  bool connected() const;
  RelayClient* relay() noexcept { return relay_.get(); }

  // Signed prekey upkeep (see above); also finishes an upload that an
  // earlier process did not. HTTP only, no relay needed.
  Result<void> maintain_keys();

  // Queues a message for `peer` (a username) in the outbox and returns its
  // id. Errors: untrusted_identity (peer's identity changed and was not
  // accepted; nothing is queued), the state's.
  Result<MessageId> enqueue(const std::string& peer, std::string_view body);
  // Sends queued messages in order. Each one ends sent (moved to the
  // history), or dropped as refused (unknown user: 404; identity_changed;
  // rejected by the server: 400, 413),
  // or stays queued when the first transport or server error stops the
  // flush: that error is returned.
  Result<std::vector<SendOutcome>> flush_report();
  // flush_report(), with the first refusal as an error: bad_request
  // ("unknown user NAME", rejected) or untrusted_identity.
  Result<void> flush();
  // enqueue() + flush(). On a transport error the message stays queued.
  Result<MessageId> send(const std::string& peer, std::string_view body);
  std::size_t outbox_size() const;

  // Waits up to `wait` for pushes, processes every push that has arrived
  // (under the state lock), acknowledges the envelopes handled; returns how
  // many new messages were recorded. Errors: the connection is gone (after
  // handling what it had delivered), the ack failed, or the store failed
  // (envelope not acked).
  Result<std::size_t> poll(std::chrono::milliseconds wait);
  // poll() until the inbox holds `total` messages; Errc::storage on timeout.
  Result<void> wait_for_inbox(std::size_t total, std::chrono::milliseconds timeout);
  // QueueDrained arrived since the last connect().
  bool queue_drained() const noexcept { return queue_drained_; }

  // Messages received by this object (keep_inbox), in arrival order.
  const std::vector<ReceivedMessage>& inbox() const noexcept { return inbox_; }
  const MessengerStats& stats() const noexcept { return stats_; }
  // Events since the last call, oldest first.
  std::vector<MessengerEvent> take_events();

  // --- contacts and identities ------------------------------------------------
  // The identity key to show for `peer`: the new one if the contact's key
  // changed (fetched from the server when not known yet), else the one on
  // record, else the one the server publishes (sessions are set up then,
  // recording it: trust on first use).
  Result<IdentityKey> peer_identity(const std::string& peer);
  // Accepts a changed identity key: it becomes the key on record, the old
  // sessions are archived (the next send sets up new ones), the contact is
  // unverified and sending works again. bad_request when the key did not
  // change.
  Result<void> accept_identity(const std::string& peer);
  // Marks the contact (un)verified. bad_request while its key is changed.
  Result<void> set_verified(const std::string& peer, bool verified);

 private:
  Messenger(MessengerOptions options, std::unique_ptr<ProtocolStore> store, std::unique_ptr<ClientState> state,
            Credentials credentials, bool store_in_memory);
  const Clock& clock() const noexcept { return options_.clock != nullptr ? *options_.clock : system_clock_; }
  std::uint64_t clock_ms() const { return clock().now_seconds() * 1000; }

  // The *_locked functions expect the state lock to be held.
  Result<void> maintain_keys_locked();
  Result<void> upload_prekey_batch_locked();
  // Fetches bundles (all devices or one) and starts a session with each;
  // untrusted_identity flags the contact.
  Result<void> start_sessions(const std::string& peer, std::optional<std::uint32_t> device);
  Result<std::set<std::uint32_t>> peer_devices(const std::string& peer);
  // Sets up sessions with every device of a peer we know no device of;
  // `sent` means "go ahead".
  Result<SendOutcome::Status> start_first_sessions(const std::string& peer);
  // The 410 answer: new sessions for `stale` devices; `sent`: retry.
  Result<SendOutcome::Status> renew_stale_sessions(const std::string& peer, const std::vector<std::uint32_t>& stale);
  Result<api::SendRequest> encrypt_for_devices(const std::string& peer, ByteView plaintext);
  Result<SendOutcome::Status> send_one(const OutgoingRecord& message);
  // One envelope; true when it may be acknowledged.
  Result<bool> handle_envelope(const api::Envelope& envelope);
  Result<bool> record_failure(const std::string& sender, std::uint32_t device, Errc reason);
  // Flags the contact identity_changed (and unverified), remembering the
  // new key when known.
  Result<void> flag_identity_changed(const std::string& peer, std::optional<IdentityKey> new_key);
  void emit(MessengerEvent event) { events_.push_back(std::move(event)); }
  void hook(ReceiveStep step) {
    if (options_.receive_step_hook) options_.receive_step_hook(step);
  }

  MessengerOptions options_;
  SystemRng rng_;
  SystemClock system_clock_;
  std::unique_ptr<ProtocolStore> store_;
  std::unique_ptr<ClientState> state_;
  bool store_in_memory_ = true;
  Credentials credentials_;
  bool registered_ = false;
  DirectoryApi directory_;
  std::unique_ptr<RelayClient> relay_;
  std::vector<ReceivedMessage> inbox_;
  std::vector<MessengerEvent> events_;
  MessengerStats stats_;
  bool queue_drained_ = false;
};

}  // namespace hush::client
