#include "hush/client/messenger.hpp"

#include <algorithm>
#include <thread>

#include "hush/in_memory_store.hpp"
#include "hush/session.hpp"
#include "hush/store/sqlite_protocol_store.hpp"

namespace hush::client {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxMismatchRetries = 4;  // 409 answers tolerated for one message
constexpr milliseconds kReconnectPause{100};

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// libsignal's range for registration ids (14 bits, never 0).
std::uint32_t random_registration_id(Rng& rng) { return rng.next_u32() % 16380 + 1; }

Secret<32> random_secret(Rng& rng) {
  Secret<32> s;
  rng.fill(s.mut());
  return s;
}

Bytes to_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

}  // namespace

Messenger::Messenger(MessengerOptions options, std::unique_ptr<ProtocolStore> store, Credentials credentials)
    : options_(std::move(options)),
      store_(std::move(store)),
      credentials_(std::move(credentials)),
      directory_(options_.endpoint) {}

Messenger::~Messenger() = default;

Result<std::unique_ptr<Messenger>> Messenger::register_account(MessengerOptions options) {
  SystemRng rng;
  const std::uint32_t registration_id = random_registration_id(rng);
  std::unique_ptr<ProtocolStore> store;
  if (options.store_dir.empty()) {
    store = std::make_unique<InMemoryProtocolStore>(KeyPair::generate(rng), registration_id);
  } else {
    // A new account's first device is always device 1 (docs/API.md).
    HUSH_ASSIGN(store, hush::store::SqliteProtocolStore::open(options.store_dir, {options.username, 1, registration_id, rng}));
  }
  Credentials credentials{options.username, 1, random_secret(rng)};
  const bool in_memory = options.store_dir.empty();
  std::unique_ptr<Messenger> m(new Messenger(std::move(options), std::move(store), std::move(credentials)));
  m->store_in_memory_ = in_memory;

  AccountRequest account{m->options_.username, m->options_.invite, m->store_->identity_key_pair().public_key,
                         m->store_->local_registration_id()};
  HUSH_ASSIGN(std::uint32_t device_id, m->directory_.register_account(account, m->credentials_.secret));
  if (device_id != 1) return make_error(Errc::invalid_message, "server gave a new account device " + std::to_string(device_id));
  HUSH_TRY(m->publish_keys());
  return m;
}

Result<std::unique_ptr<Messenger>> Messenger::link_device() {
  if (!store_in_memory_) return make_error(Errc::bad_request, "link_device needs an in-memory store");
  const std::uint32_t registration_id = random_registration_id(rng_);
  auto store = std::make_unique<InMemoryProtocolStore>(store_->identity_key_pair().clone(), registration_id);
  Secret<32> secret = random_secret(rng_);
  HUSH_ASSIGN(std::uint32_t device_id, directory_.add_device(credentials_, registration_id, secret));
  MessengerOptions options = options_;
  options.invite.reset();
  std::unique_ptr<Messenger> m(
      new Messenger(std::move(options), std::move(store), Credentials{credentials_.username, device_id, std::move(secret)}));
  HUSH_TRY(m->publish_keys());
  return m;
}

Result<void> Messenger::publish_keys() {
  auto signed_prekey = generate_signed_prekey(store_->identity_key_pair(), 1, now_ms(), rng_);
  HUSH_TRY(store_->store_signed_prekey(signed_prekey));
  HUSH_TRY(directory_.upload_signed_prekey(credentials_, signed_prekey));
  return upload_prekey_batch();
}

Result<void> Messenger::upload_prekey_batch() {
  std::vector<PreKeyRecord> batch;
  for (std::uint32_t i = 0; i < options_.prekey_batch; ++i) {
    batch.push_back(generate_prekey(next_prekey_id_++, rng_));
    // Stored before upload: a prekey the server hands out must exist here.
    HUSH_TRY(store_->store_prekey(batch.back()));
  }
  return directory_.upload_prekeys(credentials_, batch);
}

Result<void> Messenger::connect() {
  relay_.reset();
  queue_drained_ = false;
  HUSH_ASSIGN(relay_, RelayClient::connect(options_.endpoint, &credentials_));
  return Ok{};
}

Result<void> Messenger::reconnect(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto r = connect();
    if (r || std::chrono::steady_clock::now() + kReconnectPause >= deadline) return r;
    std::this_thread::sleep_for(kReconnectPause);
  }
}

void Messenger::disconnect() { relay_.reset(); }

bool Messenger::connected() const { return relay_ && relay_->is_open(); }

MessageId Messenger::enqueue(const std::string& peer, std::string_view body) {
  MessageId id;
  rng_.fill(id);
  outbox_.push_back(Outgoing{peer, id, encode_message(id, now_ms(), body)});
  return id;
}

Result<MessageId> Messenger::send(const std::string& peer, std::string_view body) {
  const MessageId id = enqueue(peer, body);
  HUSH_TRY(flush());
  return id;
}

Result<void> Messenger::flush() {
  while (!outbox_.empty()) {
    HUSH_ASSIGN(SendOutcome outcome, send_one(outbox_.front()));
    const std::string peer = outbox_.front().peer;
    outbox_.pop_front();
    if (outcome == SendOutcome::unknown_user) return make_error(Errc::bad_request, "unknown user " + peer);
    ++stats_.sent;
  }
  return Ok{};
}

Result<void> Messenger::start_sessions(const std::string& peer, std::optional<std::uint32_t> device) {
  HUSH_ASSIGN(UserBundles bundles, directory_.fetch_bundles(credentials_, peer, device));
  for (const auto& bundle : bundles.devices) {
    HUSH_TRY(SessionBuilder(*store_, {peer, bundle.device_id}, rng_, clock_).process(bundle));
    peer_devices_[peer].insert(bundle.device_id);
  }
  return Ok{};
}

Result<api::SendRequest> Messenger::encrypt_for_devices(const Outgoing& message) {
  api::SendRequest request;
  request.set_destination_user(message.peer);
  request.set_client_timestamp(now_ms());
  for (std::uint32_t device : peer_devices_[message.peer]) {
    SessionCipher cipher(*store_, {message.peer, device}, rng_, clock_);
    auto ciphertext = cipher.encrypt(message.plaintext.view());
    if (!ciphertext && ciphertext.code() == Errc::no_session) {
      // The session expired (libsignal's 30-day rule) or never existed: a
      // fresh bundle starts a new one.
      HUSH_TRY(start_sessions(message.peer, device));
      ciphertext = cipher.encrypt(message.plaintext.view());
    }
    if (!ciphertext) return std::move(ciphertext).error();
    auto* out = request.add_messages();
    out->set_destination_device(device);
    out->set_type(static_cast<std::uint32_t>(ciphertext->type));
    out->set_content(ciphertext->body.data(), ciphertext->body.size());
  }
  return request;
}

// Errors leave the message worth retrying; an unknown user is an outcome.
Result<Messenger::SendOutcome> Messenger::send_one(const Outgoing& message) {
  if (!relay_) return make_error(Errc::storage, "not connected");
  if (peer_devices_[message.peer].empty()) {
    auto started = start_sessions(message.peer, std::nullopt);
    if (!started && directory_.last_status() == 404) return SendOutcome::unknown_user;
    HUSH_TRY(started);
  }
  for (int attempt = 0;; ++attempt) {
    HUSH_ASSIGN(api::SendRequest request, encrypt_for_devices(message));
    ++stats_.send_attempts;
    HUSH_ASSIGN(api::Response response, relay_->send(request, options_.request_timeout));
    switch (response.status()) {
      case 200:
        return SendOutcome::sent;
      case 404:
        return SendOutcome::unknown_user;
      case 409: {
        if (attempt >= kMaxMismatchRetries) return make_error(Errc::bad_request, "device list keeps changing (409)");
        ++stats_.mismatch_retries;
        const auto& mismatch = response.send().mismatched();
        for (std::uint32_t extra : mismatch.extra_devices()) peer_devices_[message.peer].erase(extra);
        for (std::uint32_t missing : mismatch.missing_devices()) HUSH_TRY(start_sessions(message.peer, missing));
        continue;
      }
      default:
        return make_error(Errc::bad_request,
                          "send: status " + std::to_string(response.status()) + " " + response.message());
    }
  }
}

Result<std::size_t> Messenger::poll(milliseconds wait) {
  if (!relay_) return make_error(Errc::storage, "not connected");
  std::size_t recorded = 0;
  std::vector<Bytes> to_ack;
  Result<void> transport = Ok{};
  milliseconds next_wait = wait;
  for (;;) {
    auto push = relay_->next_push(next_wait);
    if (!push) {
      transport = std::move(push).error();
      break;
    }
    if (!push->has_value()) break;  // nothing more has arrived
    next_wait = milliseconds(0);
    const api::Push& p = **push;
    if (p.has_envelope()) {
      const std::size_t before = inbox_.size();
      auto handled = handle_envelope(p.envelope());
      if (!handled) {
        transport = std::move(handled).error();  // store failure: leave it unacknowledged
        break;
      }
      recorded += inbox_.size() - before;
      if (*handled) to_ack.push_back(to_bytes(p.envelope().id()));
    } else if (p.has_queue_drained()) {
      queue_drained_ = true;
    } else if (p.has_prekeys_low()) {
      auto uploaded = upload_prekey_batch();
      if (uploaded) ++stats_.prekey_uploads;
    }
  }
  // Acknowledged only now: everything in to_ack is recorded in the inbox.
  if (!to_ack.empty() && relay_->is_open()) {
    auto acked = relay_->ack(to_ack, options_.request_timeout);
    if (!acked) return std::move(acked).error();
    if (acked->status() != 200) return make_error(Errc::bad_request, "ack: status " + std::to_string(acked->status()));
    stats_.envelopes_acked += to_ack.size();
  }
  if (!transport) return std::move(transport).error();
  return recorded;
}

Result<bool> Messenger::handle_envelope(const api::Envelope& envelope) {
  const ProtocolAddress sender{envelope.source_user(), envelope.source_device()};
  SessionCipher cipher(*store_, sender, rng_, clock_);
  const ByteView body(reinterpret_cast<const std::uint8_t*>(envelope.content().data()), envelope.content().size());
  Result<SecretBytes> plaintext = make_error(Errc::invalid_message, "unknown envelope type");
  if (envelope.type() == static_cast<std::uint32_t>(MessageType::prekey))
    plaintext = cipher.decrypt_prekey_message(body);
  else if (envelope.type() == static_cast<std::uint32_t>(MessageType::whisper))
    plaintext = cipher.decrypt_signal_message(body);
  if (!plaintext) {
    switch (plaintext.code()) {
      case Errc::storage:
        return std::move(plaintext).error();  // transient: keep it on the server
      case Errc::duplicate_message:
        ++stats_.replays_dropped;  // decrypted and recorded before; our ack was lost
        return true;
      default:
        ++stats_.decrypt_failures;  // will never decrypt: dropping it unblocks the queue
        return true;
    }
  }
  auto message = decode_message(plaintext->view());
  if (!message) {
    ++stats_.decrypt_failures;
    return true;
  }
  peer_devices_[sender.name].insert(sender.device_id);
  if (!seen_ids_.insert(message->id).second) {
    ++stats_.duplicates_dropped;
    return true;
  }
  inbox_.push_back(ReceivedMessage{sender.name, sender.device_id, message->id, message->sender_timestamp_ms,
                                   envelope.server_timestamp(), std::move(message->body)});
  ++stats_.received;
  return true;
}

Result<void> Messenger::wait_for_inbox(std::size_t total, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (inbox_.size() < total) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= milliseconds(0))
      return make_error(Errc::storage, "inbox has " + std::to_string(inbox_.size()) + " of " + std::to_string(total) +
                                           " messages at the timeout");
    HUSH_TRY(poll(std::min(left, milliseconds(200))));
  }
  return Ok{};
}

}  // namespace hush::client
