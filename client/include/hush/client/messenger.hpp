// Messenger: one device of a Hush account, end to end. It owns the device's
// libhush ProtocolStore (in memory, or SQLite in a directory), registers the
// account and publishes its keys, and talks to hushd over HTTP and the relay
// WebSocket:
//
// - Sending: a message gets a random id and the sender's timestamp inside the
//   plaintext (message_format.hpp) and waits in an outbox. flush() encrypts it
//   once per current device of the peer (sessions are set up on first use by
//   fetching every device's bundle), sends it, and drops it from the outbox
//   only on the server's 200. A 409 fetches bundles for the missing devices,
//   forgets the extra ones and retries; a lost connection leaves the message
//   queued, and the next flush() after a reconnect sends it again with the
//   same id.
// - Receiving: poll() decrypts pushed envelopes, records each new message in
//   inbox() (dropping an id seen before), and only then acknowledges the
//   envelopes. A redelivered envelope whose message keys were already used
//   (our ack was lost) is acknowledged and dropped.
// - PrekeysLow pushes are answered by uploading a new batch of prekeys.
//
// The device secret, outbox, seen ids and inbox live in memory: a Messenger
// survives server restarts, not its own. (A persistent client would keep them
// next to the protocol store.)
//
// Errors: as DirectoryApi and RelayClient, plus libhush's codes from
// encrypt/decrypt. Thread safety: none; use one Messenger from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hush/client/directory_api.hpp"
#include "hush/client/message_format.hpp"
#include "hush/client/relay_client.hpp"
#include "hush/clock.hpp"
#include "hush/rng.hpp"
#include "hush/stores.hpp"

namespace hush::client {

struct MessengerOptions {
  Endpoint endpoint;
  std::string username;
  std::optional<std::string> invite;
  std::filesystem::path store_dir;  // empty: an InMemoryProtocolStore
  std::uint32_t prekey_batch = 100;  // one-time prekeys at registration and per replenish
  std::chrono::milliseconds request_timeout{5000};  // each relay request
};

struct ReceivedMessage {
  std::string sender;
  std::uint32_t sender_device = 0;
  MessageId id{};
  std::uint64_t sender_timestamp_ms = 0;
  std::uint64_t server_timestamp_ms = 0;
  std::string body;
};

struct MessengerStats {
  std::uint64_t sent = 0;                // messages the server acknowledged
  std::uint64_t send_attempts = 0;       // SendRequests issued, retries included
  std::uint64_t mismatch_retries = 0;    // 409 answers handled
  std::uint64_t received = 0;            // new messages recorded in the inbox
  std::uint64_t duplicates_dropped = 0;  // decrypted, but the message id was seen before
  std::uint64_t replays_dropped = 0;     // redelivered envelope whose keys were already used
  std::uint64_t decrypt_failures = 0;    // envelopes that will never decrypt (acknowledged, dropped)
  std::uint64_t envelopes_acked = 0;
  std::uint64_t prekey_uploads = 0;      // batches uploaded after PrekeysLow
};

class Messenger {
 public:
  // Creates the store, registers the account (device 1), uploads a signed
  // prekey and prekey_batch one-time prekeys. Does not connect the relay.
  static Result<std::unique_ptr<Messenger>> register_account(MessengerOptions options);
  ~Messenger();
  Messenger(const Messenger&) = delete;
  Messenger& operator=(const Messenger&) = delete;

  // Adds a device to this account (POST /v1/devices) sharing its identity
  // key, with its own in-memory store and keys. Errors: bad_request when
  // this Messenger's store is not in memory (SQLite stores create their own
  // identity), or the directory's errors.
  Result<std::unique_ptr<Messenger>> link_device();

  const Credentials& credentials() const noexcept { return credentials_; }
  const std::string& username() const noexcept { return credentials_.username; }
  std::uint32_t device_id() const noexcept { return credentials_.device_id; }
  ProtocolStore& store() noexcept { return *store_; }
  DirectoryApi& directory() noexcept { return directory_; }

  // Opens the relay connection (replacing an old one).
  Result<void> connect();
  // connect() until it succeeds or `deadline` passes, pausing between tries.
  Result<void> reconnect(std::chrono::steady_clock::time_point deadline);
  void disconnect();
  bool connected() const;
  RelayClient* relay() noexcept { return relay_.get(); }

  // Queues a message for `peer` (a username) and returns its id.
  MessageId enqueue(const std::string& peer, std::string_view body);
  // Sends queued messages in order until the outbox is empty or one fails;
  // that one stays queued. Errors: transport (Errc::storage), a status other
  // than 200/409 (bad_request, with the status in the message), or a 409
  // that persists after a few retries. An unknown peer (404) drops the
  // message and fails with bad_request.
  Result<void> flush();
  // enqueue() + flush(). On error the message stays queued.
  Result<MessageId> send(const std::string& peer, std::string_view body);
  std::size_t outbox_size() const noexcept { return outbox_.size(); }

  // Waits up to `wait` for pushes, processes every push that has arrived,
  // acknowledges the envelopes handled; returns how many new messages were
  // recorded. Errors: the connection is gone (after handling what it had
  // delivered), the ack failed, or the store failed (envelope not acked).
  Result<std::size_t> poll(std::chrono::milliseconds wait);
  // poll() until the inbox holds `total` messages; Errc::storage on timeout.
  Result<void> wait_for_inbox(std::size_t total, std::chrono::milliseconds timeout);
  // QueueDrained arrived since the last connect().
  bool queue_drained() const noexcept { return queue_drained_; }

  const std::vector<ReceivedMessage>& inbox() const noexcept { return inbox_; }
  const MessengerStats& stats() const noexcept { return stats_; }

 private:
  struct Outgoing {
    std::string peer;
    MessageId id{};
    SecretBytes plaintext;
  };

  Messenger(MessengerOptions options, std::unique_ptr<ProtocolStore> store, Credentials credentials);
  // Signed prekey 1 and a batch of one-time prekeys (stored, then uploaded).
  Result<void> publish_keys();
  Result<void> upload_prekey_batch();
  // Fetches bundles (all devices or one) and starts a session with each.
  Result<void> start_sessions(const std::string& peer, std::optional<std::uint32_t> device);
  Result<api::SendRequest> encrypt_for_devices(const Outgoing& message);
  enum class SendOutcome { sent, unknown_user };
  Result<SendOutcome> send_one(const Outgoing& message);
  // One envelope; true when it may be acknowledged.
  Result<bool> handle_envelope(const api::Envelope& envelope);

  MessengerOptions options_;
  SystemRng rng_;
  SystemClock clock_;
  std::unique_ptr<ProtocolStore> store_;
  bool store_in_memory_ = true;
  Credentials credentials_;
  DirectoryApi directory_;
  std::unique_ptr<RelayClient> relay_;
  std::deque<Outgoing> outbox_;
  std::map<std::string, std::set<std::uint32_t>> peer_devices_;  // devices we have sessions with
  std::set<MessageId> seen_ids_;
  std::vector<ReceivedMessage> inbox_;
  MessengerStats stats_;
  std::uint32_t next_prekey_id_ = 1;
  bool queue_drained_ = false;
};

}  // namespace hush::client
