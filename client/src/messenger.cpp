#include "hush/client/messenger.hpp"

#include <algorithm>
#include <thread>

#include "capturing_store.hpp"
#include "hush/in_memory_store.hpp"
#include "hush/session.hpp"
#include "hush/store/sqlite_protocol_store.hpp"

namespace hush::client {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxMismatchRetries = 4;  // 409 and 410 answers tolerated for one message
constexpr milliseconds kReconnectPause{100};
// Prekey ids are 24 bits on the wire (docs/API.md "Field ranges").
constexpr std::uint32_t kMaxKeyId = 0xFFFFFF;

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// libsignal's range for registration ids (14 bits, never 0).
std::uint32_t random_registration_id(Rng& rng) {
  return rng.next_u32() % 16380 + 1;
}

Secret<32> random_secret(Rng& rng) {
  Secret<32> s;
  rng.fill(s.mut());
  return s;
}

std::uint32_t next_key_id(std::uint32_t id) {
  return id >= kMaxKeyId ? 1 : id + 1;
}

Bytes to_bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

std::uint64_t ms_of(std::chrono::seconds s) {
  return static_cast<std::uint64_t>(s.count()) * 1000;
}

}  // namespace

Messenger::Messenger(MessengerOptions options, std::unique_ptr<ProtocolStore> store, std::unique_ptr<ClientState> state,
                     Credentials credentials, bool store_in_memory)
    : options_(std::move(options)),
      store_(std::move(store)),
      state_(std::move(state)),
      store_in_memory_(store_in_memory),
      credentials_(std::move(credentials)),
      directory_(options_.endpoint) {}

Messenger::~Messenger() = default;

// --- accounts ------------------------------------------------------------------

Result<std::unique_ptr<Messenger>> Messenger::register_account(MessengerOptions options) {
  SystemRng rng;
  const std::uint32_t registration_id = random_registration_id(rng);
  std::unique_ptr<ProtocolStore> store;
  if (options.store_dir.empty()) {
    store = std::make_unique<InMemoryProtocolStore>(KeyPair::generate(rng), registration_id);
  } else {
    // A new account's first device is always device 1 (docs/API.md).
    HUSH_ASSIGN(store,
                hush::store::SqliteProtocolStore::open(options.store_dir, {options.username, 1, registration_id, rng}));
  }
  const bool in_memory = options.store_dir.empty();
  HUSH_ASSIGN(auto m, register_account(std::move(options), std::move(store), make_in_memory_client_state()));
  m->store_in_memory_ = in_memory;
  return m;
}

Result<std::unique_ptr<Messenger>> Messenger::register_account(MessengerOptions options,
                                                               std::unique_ptr<ProtocolStore> store,
                                                               std::unique_ptr<ClientState> state) {
  HUSH_ASSIGN(auto m, create_account(std::move(options), std::move(store), std::move(state)));
  HUSH_TRY(m->register_on_server());
  return m;
}

Result<std::unique_ptr<Messenger>> Messenger::create_account(MessengerOptions options,
                                                             std::unique_ptr<ProtocolStore> store,
                                                             std::unique_ptr<ClientState> state) {
  HUSH_ASSIGN(auto existing, state->load_account());
  if (existing) return make_error(Errc::bad_request, "the state already holds an account");
  SystemRng rng;
  AccountRecord account;
  account.server = options.server;
  account.ca_file = options.endpoint.ca_file;
  account.username = options.username;
  account.device_id = 1;  // a new account's first device (docs/API.md)
  account.registration_id = store->local_registration_id();
  account.device_secret = random_secret(rng);
  HUSH_TRY(state->save_account(account));
  Credentials credentials{account.username, 1, account.device_secret.clone()};
  return std::unique_ptr<Messenger>(
      new Messenger(std::move(options), std::move(store), std::move(state), std::move(credentials), false));
}

Result<void> Messenger::register_on_server() {
  StateLock lock(*state_);
  HUSH_TRY(lock.acquire());
  HUSH_ASSIGN(auto loaded, state_->load_account());
  if (!loaded) return make_error(Errc::bad_request, "no account in this state");
  AccountRecord account = std::move(*loaded);
  if (!account.registered) {
    AccountRequest request{credentials_.username, options_.invite, store_->identity_key_pair().public_key,
                           store_->local_registration_id()};
    HUSH_ASSIGN(std::uint32_t device_id, directory_.register_account(request, credentials_.secret));
    if (device_id != 1)
      return make_error(Errc::invalid_message, "server gave a new account device " + std::to_string(device_id));
    account.registered = true;
    HUSH_TRY(state_->save_account(account));
  }
  registered_ = true;
  HUSH_TRY(maintain_keys_locked());  // signed prekey 1
  return upload_prekey_batch_locked();
}

Result<std::unique_ptr<Messenger>> Messenger::open(MessengerOptions options, std::unique_ptr<ProtocolStore> store,
                                                   std::unique_ptr<ClientState> state) {
  HUSH_ASSIGN(auto account, state->load_account());
  if (!account) return make_error(Errc::bad_request, "no account in this state");
  if (!account->registered)
    return make_error(Errc::bad_request, "the registration of " + account->username + " never finished");
  options.username = account->username;
  Credentials credentials{account->username, account->device_id, account->device_secret.clone()};
  std::unique_ptr<Messenger> m(
      new Messenger(std::move(options), std::move(store), std::move(state), std::move(credentials), false));
  m->registered_ = true;
  return m;
}

Result<std::unique_ptr<Messenger>> Messenger::link_device() {
  if (!store_in_memory_) return make_error(Errc::bad_request, "link_device needs an in-memory store");
  const std::uint32_t registration_id = random_registration_id(rng_);
  auto store = std::make_unique<InMemoryProtocolStore>(store_->identity_key_pair().clone(), registration_id);
  Secret<32> secret = random_secret(rng_);
  HUSH_ASSIGN(std::uint32_t device_id, directory_.add_device(credentials_, registration_id, secret));
  AccountRecord account;
  account.server = options_.server;
  account.ca_file = options_.endpoint.ca_file;
  account.username = credentials_.username;
  account.device_id = device_id;
  account.registration_id = registration_id;
  account.device_secret = secret.clone();
  account.registered = true;
  auto state = make_in_memory_client_state();
  HUSH_TRY(state->save_account(account));
  MessengerOptions options = options_;
  options.invite.reset();
  std::unique_ptr<Messenger> m(new Messenger(std::move(options), std::move(store), std::move(state),
                                             Credentials{credentials_.username, device_id, std::move(secret)}, true));
  m->registered_ = true;
  StateLock lock(*m->state_);
  HUSH_TRY(lock.acquire());
  HUSH_TRY(m->maintain_keys_locked());
  HUSH_TRY(m->upload_prekey_batch_locked());
  return m;
}

// --- keys ----------------------------------------------------------------------

Result<void> Messenger::maintain_keys() {
  StateLock lock(*state_);
  HUSH_TRY(lock.acquire());
  return maintain_keys_locked();
}

// Each step is written to the state before the server hears of it, so a
// crash anywhere leaves a state the next call completes: a key the server
// may hand out always exists here, and an upload that did not happen is
// retried (signed_prekey_uploaded).
Result<void> Messenger::maintain_keys_locked() {
  HUSH_ASSIGN(auto loaded, state_->load_account());
  if (!loaded) return make_error(Errc::bad_request, "no account in this state");
  AccountRecord account = std::move(*loaded);
  const std::uint64_t now = clock_ms();

  const bool first = !account.signed_prekey_id;
  if (first || now >= account.signed_prekey_created_ms + ms_of(options_.signed_prekey_rotation)) {
    const std::uint32_t id = first ? 1 : next_key_id(*account.signed_prekey_id);
    auto key = generate_signed_prekey(store_->identity_key_pair(), id, now, rng_);
    HUSH_TRY(store_->store_signed_prekey(key));
    if (!first) {
      account.retired_signed_prekeys.push_back(RetiredSignedPreKey{*account.signed_prekey_id, now});
      ++stats_.signed_prekey_rotations;
    }
    account.signed_prekey_id = id;
    account.signed_prekey_created_ms = now;
    account.signed_prekey_uploaded = false;
    HUSH_TRY(state_->save_account(account));
  }
  if (!account.signed_prekey_uploaded) {
    HUSH_ASSIGN(auto key, store_->load_signed_prekey(*account.signed_prekey_id));
    if (!key)
      return make_error(Errc::storage, "signed prekey " + std::to_string(*account.signed_prekey_id) + " is missing");
    HUSH_TRY(directory_.upload_signed_prekey(credentials_, *key));
    account.signed_prekey_uploaded = true;
    HUSH_TRY(state_->save_account(account));
  }
  // Retired keys go only after the new one is on the server: until then
  // bundles still name the old one.
  const std::uint64_t grace = ms_of(options_.signed_prekey_grace);
  auto expired = [&](const RetiredSignedPreKey& r) { return now >= r.retired_ms + grace; };
  if (std::any_of(account.retired_signed_prekeys.begin(), account.retired_signed_prekeys.end(), expired)) {
    for (const auto& r : account.retired_signed_prekeys)
      if (expired(r)) HUSH_TRY(state_->remove_signed_prekey(r.id));
    std::erase_if(account.retired_signed_prekeys, expired);
    HUSH_TRY(state_->save_account(account));
  }
  return Ok{};
}

Result<void> Messenger::upload_prekey_batch_locked() {
  HUSH_ASSIGN(auto loaded, state_->load_account());
  if (!loaded) return make_error(Errc::bad_request, "no account in this state");
  AccountRecord account = std::move(*loaded);
  const std::uint32_t first = account.next_prekey_id;
  std::uint32_t next = first;
  for (std::uint32_t i = 0; i < options_.prekey_batch; ++i) next = next_key_id(next);
  // The ids are taken before the keys exist: a crash skips them rather than
  // reusing an id the server may already hold.
  account.next_prekey_id = next;
  HUSH_TRY(state_->save_account(account));
  std::vector<PreKeyRecord> batch;
  for (std::uint32_t i = 0, id = first; i < options_.prekey_batch; ++i, id = next_key_id(id)) {
    batch.push_back(generate_prekey(id, rng_));
    // Stored before upload: a prekey the server hands out must exist here.
    HUSH_TRY(store_->store_prekey(batch.back()));
  }
  return directory_.upload_prekeys(credentials_, batch);
}

// --- connection ------------------------------------------------------------------

Result<void> Messenger::connect() {
  relay_.reset();
  queue_drained_ = false;
  HUSH_ASSIGN(relay_, RelayClient::connect(options_.endpoint, &credentials_));
  if (auto kept = maintain_keys(); !kept) {
    MessengerEvent e;
    e.type = MessengerEvent::Type::warning;
    e.text = "key maintenance failed (retried at the next connect): " + kept.error().message;
    emit(std::move(e));
  }
  return Ok{};
}

Result<void> Messenger::reconnect(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto r = connect();
    if (r || std::chrono::steady_clock::now() + kReconnectPause >= deadline) return r;
    std::this_thread::sleep_for(kReconnectPause);
  }
}

void Messenger::disconnect() {
  relay_.reset();
}

bool Messenger::connected() const {
  return relay_ && relay_->is_open();
}

// --- sending ----------------------------------------------------------------------

Result<MessageId> Messenger::enqueue(const std::string& peer, std::string_view body) {
  HUSH_ASSIGN(auto contact, state_->contact(peer));
  if (contact && contact->identity_changed)
    return make_error(Errc::untrusted_identity, peer + "'s identity key changed; not sent");
  OutgoingRecord message;
  rng_.fill(message.id);
  message.peer = peer;
  message.created_ms = now_ms();
  message.plaintext = encode_message(message.id, message.created_ms, body);
  HUSH_TRY(state_->add_outgoing(message));
  return message.id;
}

Result<MessageId> Messenger::send(const std::string& peer, std::string_view body) {
  HUSH_ASSIGN(MessageId id, enqueue(peer, body));
  HUSH_TRY(flush());
  return id;
}

std::size_t Messenger::outbox_size() const {
  auto n = state_->outbox_size();
  return n ? *n : 0;
}

Result<void> Messenger::flush() {
  HUSH_ASSIGN(auto outcomes, flush_report());
  for (const auto& o : outcomes) {
    if (o.status == SendOutcome::Status::unknown_user) return make_error(Errc::bad_request, "unknown user " + o.peer);
    if (o.status == SendOutcome::Status::identity_changed)
      return make_error(Errc::untrusted_identity, o.peer + "'s identity key changed; not sent");
    if (o.status == SendOutcome::Status::rejected)
      return make_error(Errc::bad_request, "the server refused a message to " + o.peer);
  }
  return Ok{};
}

Result<std::vector<SendOutcome>> Messenger::flush_report() {
  if (!relay_) return make_error(Errc::storage, "not connected");
  StateLock lock(*state_);
  HUSH_TRY(lock.acquire());
  // Read under the lock, not cached: another process may have sent some.
  HUSH_ASSIGN(auto outbox, state_->outbox());
  std::vector<SendOutcome> outcomes;
  for (const auto& message : outbox) {
    HUSH_ASSIGN(auto status, send_one(message));
    if (status == SendOutcome::Status::sent) {
      HUSH_ASSIGN(PlainMessage plain, decode_message(message.plaintext.view()));
      StoredMessage sent{MessageDirection::out,     message.peer, credentials_.device_id, message.id,
                         plain.sender_timestamp_ms, now_ms(),     std::move(plain.body)};
      HUSH_TRY(state_->complete_send(sent));
      ++stats_.sent;
    } else {
      HUSH_TRY(state_->drop_outgoing(message.id));
    }
    outcomes.push_back(SendOutcome{message.id, message.peer, status});
  }
  return outcomes;
}

Result<void> Messenger::flag_identity_changed(const std::string& peer, std::optional<IdentityKey> new_key) {
  HUSH_ASSIGN(auto existing, state_->contact(peer));
  ContactRecord c = existing ? *existing : ContactRecord{peer, false, false, std::nullopt, std::nullopt};
  c.identity_changed = true;
  c.verified = false;
  if (new_key) c.new_identity = new_key;
  return state_->save_contact(c);
}

Result<void> Messenger::start_sessions(const std::string& peer, std::optional<std::uint32_t> device) {
  HUSH_ASSIGN(UserBundles bundles, directory_.fetch_bundles(credentials_, peer, device));
  for (const auto& bundle : bundles.devices) {
    auto built = SessionBuilder(*store_, {peer, bundle.device_id}, rng_, clock()).process(bundle);
    if (!built && built.code() == Errc::untrusted_identity) {
      HUSH_TRY(flag_identity_changed(peer, bundles.identity_key));
      return std::move(built).error();
    }
    HUSH_TRY(built);
    HUSH_TRY(state_->add_device(peer, bundle.device_id));
  }
  return Ok{};
}

Result<std::set<std::uint32_t>> Messenger::peer_devices(const std::string& peer) {
  return state_->devices(peer);
}

// A peer we know no device of (first send, or every session archived by
// accept_identity): one fetch of all its bundles, instead of a 409 round
// trip that would name them. Peers with devices cost no fetch: a device that
// re-registered (an account reset keeps device 1) is answered 410 instead.
Result<SendOutcome::Status> Messenger::start_first_sessions(const std::string& peer) {
  HUSH_ASSIGN(auto devices, state_->devices(peer));
  if (!devices.empty()) return SendOutcome::Status::sent;
  auto started = start_sessions(peer, std::nullopt);
  if (!started && started.code() == Errc::untrusted_identity) return SendOutcome::Status::identity_changed;
  if (!started && directory_.last_status() == 404) return SendOutcome::Status::unknown_user;
  HUSH_TRY(started);
  return SendOutcome::Status::sent;
}

// 410: these devices re-registered since our sessions with them were built
// (their registration ids changed). The old sessions can no longer be
// decrypted there: archive them and build new ones from fresh bundles,
// where libhush's identity check reports an account reset under a new key
// as untrusted_identity (the contact is flagged then).
Result<SendOutcome::Status> Messenger::renew_stale_sessions(const std::string& peer,
                                                            const std::vector<std::uint32_t>& stale) {
  for (std::uint32_t device : stale) {
    HUSH_ASSIGN(auto record, store_->load_session({peer, device}));
    if (record && record->has_current_state()) {
      record->archive_current_state();
      HUSH_TRY(store_->store_session({peer, device}, *record));
    }
    auto started = start_sessions(peer, device);
    if (!started && started.code() == Errc::untrusted_identity) return SendOutcome::Status::identity_changed;
    if (!started && directory_.last_status() == 404) {
      // Gone since the 410: the next answer (409) sorts the device list out.
      HUSH_TRY(state_->remove_device(peer, device));
      continue;
    }
    HUSH_TRY(started);
  }
  return SendOutcome::Status::sent;
}

Result<api::SendRequest> Messenger::encrypt_for_devices(const std::string& peer, ByteView plaintext) {
  api::SendRequest request;
  request.set_destination_user(peer);
  request.set_client_timestamp(now_ms());
  HUSH_ASSIGN(auto devices, peer_devices(peer));
  for (std::uint32_t device : devices) {
    SessionCipher cipher(*store_, {peer, device}, rng_, clock());
    auto ciphertext = cipher.encrypt(plaintext);
    if (!ciphertext && ciphertext.code() == Errc::no_session) {
      // The session expired (libsignal's 30-day rule), was archived when a
      // new identity was accepted, or never existed: a fresh bundle starts
      // a new one.
      HUSH_TRY(start_sessions(peer, device));
      ciphertext = cipher.encrypt(plaintext);
    }
    if (!ciphertext && ciphertext.code() == Errc::untrusted_identity)
      HUSH_TRY(flag_identity_changed(peer, std::nullopt));
    if (!ciphertext) return std::move(ciphertext).error();
    // The server compares it with the device's current one (410 when stale).
    HUSH_ASSIGN(auto record, store_->load_session({peer, device}));
    auto* out = request.add_messages();
    out->set_destination_device(device);
    out->set_destination_registration_id(record ? record->remote_registration_id() : 0);
    out->set_type(static_cast<std::uint32_t>(ciphertext->type));
    out->set_content(ciphertext->body.data(), ciphertext->body.size());
  }
  return request;
}

// Errors leave the message worth retrying; refusals are outcomes.
Result<SendOutcome::Status> Messenger::send_one(const OutgoingRecord& message) {
  HUSH_ASSIGN(auto contact, state_->contact(message.peer));
  if (contact && contact->identity_changed) return SendOutcome::Status::identity_changed;
  HUSH_ASSIGN(auto first, start_first_sessions(message.peer));
  if (first != SendOutcome::Status::sent) return first;
  for (int attempt = 0;; ++attempt) {
    auto request = encrypt_for_devices(message.peer, message.plaintext.view());
    if (!request && request.code() == Errc::untrusted_identity) return SendOutcome::Status::identity_changed;
    if (!request) return std::move(request).error();
    ++stats_.send_attempts;
    HUSH_ASSIGN(api::Response response, relay_->send(*request, options_.request_timeout));
    switch (response.status()) {
      case 200:
        return SendOutcome::Status::sent;
      case 404:
        return SendOutcome::Status::unknown_user;
      case 409: {
        if (attempt >= kMaxMismatchRetries) return make_error(Errc::bad_request, "device list keeps changing (409)");
        ++stats_.mismatch_retries;
        const auto& mismatch = response.send().mismatched();
        for (std::uint32_t extra : mismatch.extra_devices()) HUSH_TRY(state_->remove_device(message.peer, extra));
        for (std::uint32_t missing : mismatch.missing_devices()) {
          auto started = start_sessions(message.peer, missing);
          if (!started && started.code() == Errc::untrusted_identity) return SendOutcome::Status::identity_changed;
          HUSH_TRY(started);
        }
        continue;
      }
      case 410: {
        if (attempt >= kMaxMismatchRetries) return make_error(Errc::bad_request, "devices keep re-registering (410)");
        ++stats_.stale_retries;
        const auto& stale = response.send().stale().stale_devices();
        HUSH_ASSIGN(auto renewed,
                    renew_stale_sessions(message.peer, std::vector<std::uint32_t>(stale.begin(), stale.end())));
        if (renewed != SendOutcome::Status::sent) return renewed;
        continue;
      }
      case 400:
      case 413:
        // The server will never take this message (too large, malformed):
        // keeping it would block the outbox behind it.
        return SendOutcome::Status::rejected;
      default:  // 429, 5xx, 507 (queue full): worth retrying later
        return make_error(Errc::bad_request,
                          "send: status " + std::to_string(response.status()) + " " + response.message());
    }
  }
}

// --- receiving --------------------------------------------------------------------

Result<std::size_t> Messenger::poll(milliseconds wait) {
  if (!relay_) return make_error(Errc::storage, "not connected");
  std::size_t recorded = 0;
  std::vector<Bytes> to_ack;
  Result<void> transport = Ok{};
  // Wait for the first push without the lock: another process may need it
  // meanwhile.
  auto first = relay_->next_push(wait);
  if (!first) return std::move(first).error();
  if (!first->has_value()) return recorded;

  StateLock lock(*state_);
  HUSH_TRY(lock.acquire());
  std::optional<api::Push> push = std::move(*first);
  while (push) {
    const api::Push& p = *push;
    if (p.has_envelope()) {
      const std::uint64_t before = stats_.received;
      auto handled = handle_envelope(p.envelope());
      if (!handled) {
        transport = std::move(handled).error();  // store failure: leave it unacknowledged
        break;
      }
      recorded += stats_.received - before;
      if (*handled) to_ack.push_back(to_bytes(p.envelope().id()));
    } else if (p.has_queue_drained()) {
      queue_drained_ = true;
    } else if (p.has_prekeys_low()) {
      if (auto uploaded = upload_prekey_batch_locked(); uploaded) {
        ++stats_.prekey_uploads;
      } else {
        MessengerEvent e;
        e.type = MessengerEvent::Type::warning;
        e.text = "uploading one-time prekeys failed: " + uploaded.error().message;
        emit(std::move(e));
      }
    }
    auto next = relay_->next_push(milliseconds(0));
    if (!next) {
      transport = std::move(next).error();
      break;
    }
    push = std::move(*next);
  }
  // Acknowledged only now: everything in to_ack is recorded (steps 1-3).
  if (!to_ack.empty() && relay_->is_open()) {
    auto acked = relay_->ack(to_ack, options_.request_timeout);
    if (!acked) return std::move(acked).error();
    if (acked->status() != 200) return make_error(Errc::bad_request, "ack: status " + std::to_string(acked->status()));
    stats_.envelopes_acked += to_ack.size();
  }
  if (!transport) return std::move(transport).error();
  return recorded;
}

// Records an envelope that will never decrypt and reports it; true: ack it.
Result<bool> Messenger::record_failure(const std::string& sender, std::uint32_t device, Errc reason) {
  ++stats_.decrypt_failures;
  HUSH_TRY(state_->record_undecryptable(UndecryptableRecord{sender, device, std::string(errc_name(reason)), now_ms()}));
  MessengerEvent e;
  e.type = MessengerEvent::Type::undecryptable;
  e.peer = sender;
  e.device = device;
  e.reason = reason;
  emit(std::move(e));
  return true;
}

Result<bool> Messenger::handle_envelope(const api::Envelope& envelope) {
  const ProtocolAddress sender{envelope.source_user(), envelope.source_device()};
  detail::CapturingStore capture(*store_);
  SessionCipher cipher(capture, sender, rng_, clock());
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
      case Errc::untrusted_identity: {
        HUSH_TRY(flag_identity_changed(sender.name, std::nullopt));
        MessengerEvent e;
        e.type = MessengerEvent::Type::identity_changed;
        e.peer = sender.name;
        e.device = sender.device_id;
        emit(std::move(e));
        return record_failure(sender.name, sender.device_id, Errc::untrusted_identity);
      }
      default:
        return record_failure(sender.name, sender.device_id, plaintext.code());
    }
  }
  hook(ReceiveStep::decrypted);
  auto message = decode_message(plaintext->view());
  if (!message) {
    // The session did decrypt it: keep the ratchet in step with the sender.
    HUSH_TRY(capture.apply());
    return record_failure(sender.name, sender.device_id, Errc::invalid_message);
  }
  StoredMessage stored{MessageDirection::in,         sender.name, sender.device_id,        message->id,
                       message->sender_timestamp_ms, now_ms(),    std::move(message->body)};
  HUSH_ASSIGN(bool is_new, state_->record_received(stored));
  hook(ReceiveStep::message_recorded);
  HUSH_TRY(capture.apply());
  hook(ReceiveStep::session_committed);

  HUSH_ASSIGN(auto devices, state_->devices(sender.name));
  if (!devices.contains(sender.device_id)) HUSH_TRY(state_->add_device(sender.name, sender.device_id));
  if (!is_new) {
    ++stats_.duplicates_dropped;
    return true;
  }
  ++stats_.received;
  if (options_.keep_inbox)
    inbox_.push_back(ReceivedMessage{stored.peer, stored.device, stored.id, stored.sent_ms, envelope.server_timestamp(),
                                     stored.body});
  MessengerEvent e;
  e.type = MessengerEvent::Type::message;
  e.peer = stored.peer;
  e.device = stored.device;
  e.message = std::move(stored);
  emit(std::move(e));
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

std::vector<MessengerEvent> Messenger::take_events() {
  std::vector<MessengerEvent> out;
  out.swap(events_);
  return out;
}

// --- contacts and identities -------------------------------------------------------

Result<IdentityKey> Messenger::peer_identity(const std::string& peer) {
  StateLock lock(*state_);
  HUSH_TRY(lock.acquire());
  HUSH_ASSIGN(auto contact, state_->contact(peer));
  if (contact && contact->identity_changed) {
    if (contact->new_identity) return *contact->new_identity;
    // Learned from a PreKey message, whose key libhush does not expose:
    // ask the directory for the key it publishes now.
    HUSH_ASSIGN(UserBundles bundles, directory_.fetch_bundles(credentials_, peer, std::nullopt));
    HUSH_TRY(flag_identity_changed(peer, bundles.identity_key));
    return bundles.identity_key;
  }
  HUSH_ASSIGN(auto recorded, store_->get_identity(peer));
  if (recorded) return *recorded;
  auto started = start_sessions(peer, std::nullopt);
  if (!started) {
    if (directory_.last_status() == 404) return make_error(Errc::bad_request, "unknown user " + peer);
    return std::move(started).error();
  }
  HUSH_ASSIGN(recorded, store_->get_identity(peer));
  if (!recorded) return make_error(Errc::invalid_message, peer + " has no devices");
  // The contact exists from now on, unverified.
  if (!contact) HUSH_TRY(state_->save_contact(ContactRecord{peer, false, false, std::nullopt, std::nullopt}));
  return *recorded;
}

Result<void> Messenger::accept_identity(const std::string& peer) {
  HUSH_ASSIGN(auto contact, state_->contact(peer));
  if (!contact || !contact->identity_changed)
    return make_error(Errc::bad_request, peer + "'s identity key has not changed");
  HUSH_ASSIGN(IdentityKey key, peer_identity(peer));
  StateLock lock(*state_);
  HUSH_TRY(lock.acquire());
  HUSH_TRY(store_->save_identity(peer, key));
  // Sessions with the old key would fail (untrusted_identity) or, worse,
  // keep talking to whoever held it: archive them; the next send fetches
  // bundles under the new key.
  HUSH_ASSIGN(auto devices, state_->devices(peer));
  for (std::uint32_t device : devices) {
    HUSH_ASSIGN(auto record, store_->load_session({peer, device}));
    if (record && record->has_current_state()) {
      record->archive_current_state();
      HUSH_TRY(store_->store_session({peer, device}, *record));
    }
    HUSH_TRY(state_->remove_device(peer, device));
  }
  contact->identity_changed = false;
  contact->verified = false;
  contact->new_identity.reset();
  return state_->save_contact(*contact);
}

Result<void> Messenger::set_verified(const std::string& peer, bool verified) {
  StateLock lock(*state_);
  HUSH_TRY(lock.acquire());
  HUSH_ASSIGN(auto contact, state_->contact(peer));
  ContactRecord c = contact ? *contact : ContactRecord{peer, false, false, std::nullopt, std::nullopt};
  if (c.identity_changed) return make_error(Errc::bad_request, peer + "'s identity key changed: accept it first");
  c.verified = verified;
  return state_->save_contact(c);
}

}  // namespace hush::client
