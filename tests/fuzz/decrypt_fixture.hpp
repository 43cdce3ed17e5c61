// The fixed Alice/Bob session that fuzz_decrypt feeds its inputs to, and that
// fuzz_seed_writer takes its genuine messages from. Built deterministically
// (DeterministicRng with fixed seeds, FakeClock), so both programs get the
// same keys, records and messages on every run.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hush/in_memory_store.hpp"
#include "hush/session.hpp"
#include "support/deterministic.hpp"

namespace hush::fuzz {

// A ProtocolStore that forwards to an InMemoryProtocolStore and counts every
// call that writes. libhush's contract (stores.hpp) is that a failed step
// writes nothing, not even something it later undoes.
class WatchedStore final : public ProtocolStore {
 public:
  WatchedStore(IdentityKeyPair identity, std::uint32_t registration_id) : inner_(std::move(identity), registration_id) {}

  std::size_t writes() const { return writes_; }
  const std::string& last_write() const { return last_write_; }
  void reset_writes() {
    writes_ = 0;
    last_write_.clear();
  }
  InMemoryProtocolStore& inner() { return inner_; }

  const IdentityKeyPair& identity_key_pair() const override { return inner_.identity_key_pair(); }
  std::uint32_t local_registration_id() const override { return inner_.local_registration_id(); }
  Result<std::optional<IdentityKey>> get_identity(std::string_view name) const override {
    return inner_.get_identity(name);
  }
  Result<bool> is_trusted_identity(std::string_view name, const IdentityKey& key, Direction d) const override {
    return inner_.is_trusted_identity(name, key, d);
  }
  Result<void> save_identity(std::string_view name, const IdentityKey& key) override {
    wrote("save_identity");
    return inner_.save_identity(name, key);
  }
  Result<std::optional<PreKeyRecord>> load_prekey(std::uint32_t id) const override { return inner_.load_prekey(id); }
  Result<void> store_prekey(const PreKeyRecord& r) override {
    wrote("store_prekey");
    return inner_.store_prekey(r);
  }
  Result<void> remove_prekey(std::uint32_t id) override {
    wrote("remove_prekey");
    return inner_.remove_prekey(id);
  }
  Result<std::optional<SignedPreKeyRecord>> load_signed_prekey(std::uint32_t id) const override {
    return inner_.load_signed_prekey(id);
  }
  Result<void> store_signed_prekey(const SignedPreKeyRecord& r) override {
    wrote("store_signed_prekey");
    return inner_.store_signed_prekey(r);
  }
  Result<std::optional<SessionRecord>> load_session(const ProtocolAddress& a) const override {
    return inner_.load_session(a);
  }
  Result<void> store_session(const ProtocolAddress& a, const SessionRecord& r) override {
    wrote("store_session");
    return inner_.store_session(a, r);
  }
  Result<void> commit(const SessionCommit& c) override {
    wrote("commit");
    return inner_.commit(c);
  }

 private:
  void wrote(const char* what) {
    ++writes_;
    last_write_ = what;
  }
  InMemoryProtocolStore inner_;
  std::size_t writes_ = 0;
  std::string last_write_;
};

struct GenuineMessage {
  std::string name;
  MessageType type;
  Bytes body;
  Bytes plaintext;
  bool decrypts = true;  // false: already delivered, must fail as a duplicate
};

struct DecryptFixture {
  test::FakeClock clock;
  ProtocolAddress alice;  // the address Bob decrypts from
  // Bob's whole state at the start of every input.
  std::optional<KeyPair> bob_identity;  // always set by build_decrypt_fixture
  std::uint32_t bob_registration_id = 0;
  std::vector<PreKeyRecord> prekeys;
  std::vector<SignedPreKeyRecord> signed_prekeys;
  std::optional<IdentityKey> alice_identity;  // as Bob has it on record
  SecretBytes session;                        // Bob's record for `alice`
  // Messages from Alice that decrypt in Bob's state (each on its own).
  std::vector<GenuineMessage> genuine;
  // Every plaintext Alice ever encrypted, and every SignalMessage body she
  // sent (type 2 bodies and the inner message of type 3 bodies): a successful
  // decrypt must yield one of the former, and a successful type-2 decrypt must
  // have been given one of the latter.
  std::vector<Bytes> plaintexts;
  std::vector<Bytes> signal_bodies;
  // Alice's record right after she read Bob's reply (her second sending
  // chain at index 0, before m3), and her first PreKey message: what forge()
  // needs to make messages with valid MACs.
  SessionRecord alice_sender;
  Bytes first_prekey_body;

  // A message from Alice with a valid MAC (fuzz_decrypt's "forge" inputs):
  // her second chain's message keys at counter flags>>4 (0: skipped by Bob,
  // 1: already delivered, 2: next, 3..15: ahead), over `rest` as the
  // ciphertext, or (flags & 2) over rest encrypted as plaintext; (flags & 1)
  // wraps it in a PreKey message of the first session.
  Bytes forge(std::uint8_t flags, ByteView rest) const;

  // A fresh store in the fixture state.
  std::unique_ptr<WatchedStore> make_bob_store() const;
  // Everything in Bob's store that a decrypt may touch, as bytes.
  Bytes digest(const ProtocolStore& store) const;
};

// Builds the fixture; aborts (with a message) if the library cannot even run
// the scripted conversation.
DecryptFixture build_decrypt_fixture();

// fuzz_decrypt's input layout: byte 0 picks the type, the rest is the body.
// 0x40..0x7f → forge: byte 1 is forge()'s flags, the rest its `rest`;
// otherwise 7 → sender_key (must be refused), odd → prekey (3), even →
// whisper (2).
inline constexpr std::uint8_t kForgeSelector = 0x40;
inline bool is_forge_selector(std::uint8_t b) { return (b & 0xC0) == kForgeSelector; }
inline constexpr std::uint8_t kForgeWrapPreKey = 1;
inline constexpr std::uint8_t kForgeEncrypt = 2;
inline MessageType forge_type(std::uint8_t flags) {
  return (flags & kForgeWrapPreKey) ? MessageType::prekey : MessageType::whisper;
}
inline MessageType decrypt_type_for(std::uint8_t b) {
  if (b == 7) return MessageType::sender_key;
  return (b & 1) ? MessageType::prekey : MessageType::whisper;
}

}  // namespace hush::fuzz
