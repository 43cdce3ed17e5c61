// Message-level known answers from libsignal 0.65.4 (interop/vectors/
// messages.json, sessions.json): our codecs read libsignal's bytes field for
// field, rebuild them byte for byte, accept and refuse the same malformed
// inputs, and load libsignal's session records.
#include <gtest/gtest.h>

#include "hush/in_memory_store.hpp"
#include "hush/session.hpp"
#include "ratchet/keys.hpp"
#include "state/session_record_impl.hpp"
#include "support/deterministic.hpp"
#include "support/vectors.hpp"
#include "wire/prekey_signal_message.hpp"

namespace hush::test {
namespace {

using nlohmann::json;

PublicKey pub(const json& j, const char* key) { return PublicKey::deserialize(hex_field(j, key)).value(); }

TEST(WireVectors, GenuineMessagesParseAndRebuildByteForByte) {
  const json v = load_vectors("messages.json");
  ASSERT_FALSE(v.at("genuine").empty());
  for (const json& c : v.at("genuine")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const json& sm = c.at("signal_message");
    const Bytes body = hex_field(c, "body");
    const Bytes inner = c.at("pre_key").is_null() ? body : hex_field(c.at("pre_key"), "message");

    auto parsed = wire::SignalMessage::parse(inner);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->ratchet_key, pub(sm, "ratchet_key"));
    EXPECT_EQ(parsed->counter, sm.at("counter").get<std::uint32_t>());
    EXPECT_EQ(parsed->previous_counter, sm.at("previous_counter").get<std::uint32_t>());
    EXPECT_EQ(to_hex(parsed->ciphertext), sm.at("ciphertext").get<std::string>());

    // KDF_CK and the message-key HKDF from libsignal's chain key.
    const json& mk = c.at("message_keys");
    ratchet::ChainKey ck(crypto::Key32(hex_field(mk, "chain_key")), mk.at("chain_key_index").get<std::uint32_t>());
    auto keys = ck.message_keys();
    EXPECT_EQ(to_hex(keys.cipher_key.view()), mk.at("cipher_key").get<std::string>());
    EXPECT_EQ(to_hex(keys.mac_key.view()), mk.at("mac_key").get<std::string>());
    EXPECT_EQ(to_hex(keys.iv.view()), mk.at("iv").get<std::string>());

    const auto sender = pub(c, "sender_identity_key");
    const auto receiver = pub(c, "receiver_identity_key");
    EXPECT_TRUE(parsed->verify_mac(sender, receiver, keys.mac_key));
    EXPECT_FALSE(parsed->verify_mac(receiver, sender, keys.mac_key));

    auto rebuilt = wire::build_signal_message(3, parsed->ratchet_key, parsed->counter, parsed->previous_counter,
                                              parsed->ciphertext, keys.mac_key, sender, receiver);
    EXPECT_EQ(to_hex(rebuilt), to_hex(inner));

    if (!c.at("pre_key").is_null()) {
      const json& pk = c.at("pre_key");
      auto p = wire::PreKeySignalMessage::parse(body);
      ASSERT_TRUE(p.ok()) << p.error().message;
      EXPECT_EQ(p->registration_id, pk.at("registration_id").get<std::uint32_t>());
      if (pk.at("pre_key_id").is_null()) {
        EXPECT_FALSE(p->prekey_id.has_value());
      } else {
        EXPECT_EQ(p->prekey_id, pk.at("pre_key_id").get<std::uint32_t>());
      }
      EXPECT_EQ(p->signed_prekey_id, pk.at("signed_pre_key_id").get<std::uint32_t>());
      EXPECT_EQ(p->base_key, pub(pk, "base_key"));
      EXPECT_EQ(p->identity_key, pub(pk, "identity_key"));
      auto again = wire::build_prekey_signal_message(3, p->registration_id, p->prekey_id, p->signed_prekey_id,
                                                     p->base_key, p->identity_key, inner);
      EXPECT_EQ(to_hex(again), to_hex(body));
    }
  }
}

TEST(WireVectors, MalformedInputsAreAcceptedOrRefusedAsLibsignalDoes) {
  const json v = load_vectors("messages.json");
  int checked = 0;
  for (const json& c : v.at("malformed")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const Bytes input = hex_field(c, "input");
    const bool libsignal_accepted = c.at("accepted").get<bool>();
    bool ours;
    if (c.at("kind") == "signal") {
      auto r = wire::SignalMessage::parse(input);
      ours = r.ok();
      if (r.ok() && libsignal_accepted) {
        const json& acc = c.at("libsignal_accessors");
        EXPECT_EQ(r->counter, acc.at("counter").get<std::uint32_t>());
        EXPECT_EQ(r->message_version, acc.at("message_version").get<std::uint32_t>());
        EXPECT_EQ(to_hex(r->ciphertext), acc.at("body").get<std::string>());
      }
      if (!r.ok()) {
        EXPECT_EQ(r.code(), Errc::invalid_message);
      }
    } else {
      auto r = wire::PreKeySignalMessage::parse(input);
      ours = r.ok();
      if (!r.ok()) {
        EXPECT_EQ(r.code(), Errc::invalid_message);
      }
    }
    EXPECT_EQ(ours, libsignal_accepted);
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

TEST(SessionVectors, LibsignalRecordsLoadAndReserializeIdentically) {
  const json v = load_vectors("sessions.json");
  DeterministicRng rng(5);
  FakeClock clock(v.at("now_ms").get<std::uint64_t>() / 1000);
  for (const json& c : v.at("records")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const Bytes bytes = hex_field(c, "record");
    auto rec = SessionRecord::deserialize(bytes);
    ASSERT_TRUE(rec.ok()) << rec.error().message;
    const json& sum = c.at("summary");
    EXPECT_EQ(rec->has_current_state(), sum.at("has_current").get<bool>());
    EXPECT_EQ(rec->previous_state_count(), sum.at("previous_state_count").get<std::size_t>());
    if (rec->has_current_state()) {
      const auto& s = *rec->impl().current;
      EXPECT_EQ(s.session_version, sum.at("session_version").get<std::uint32_t>());
      EXPECT_EQ(to_hex(s.root_key.key().view()), sum.at("root_key").get<std::string>());
      EXPECT_EQ(s.previous_counter, sum.at("previous_counter").get<std::uint32_t>());
      EXPECT_EQ(s.sender_chain->chain_key.index(), sum.at("sender_chain_key_index").get<std::uint32_t>());
      EXPECT_EQ(s.receiver_chains.size(), sum.at("receiver_chain_count").get<std::size_t>());
      EXPECT_EQ(s.pending_prekey.has_value(), sum.at("has_pending_pre_key").get<bool>());
      std::size_t skipped = 0;
      for (const auto& chain : s.receiver_chains) skipped += chain.message_keys.size();
      EXPECT_EQ(skipped, sum.at("skipped_message_key_count").get<std::size_t>());
    }
    EXPECT_EQ(to_hex(rec->serialize().view()), to_hex(bytes));

    // Messages that libsignal could decrypt with this record, we decrypt too.
    for (const json& m : c.at("pending_messages")) {
      InMemoryProtocolStore store(KeyPair::generate(rng), 1);
      const ProtocolAddress peer{"peer", 1};
      ASSERT_TRUE(store.store_session(peer, *rec).ok());
      auto pt = SessionCipher(store, peer, rng, clock)
                    .decrypt(static_cast<MessageType>(m.at("type").get<int>()), hex_field(m, "body"));
      EXPECT_TRUE(pt.ok()) << pt.error().message;
    }
  }
}

TEST(SessionVectors, GarbageRecordsAreRefusedNotCrashed) {
  DeterministicRng rng(9);
  for (std::size_t len : {1u, 2u, 7u, 33u, 100u, 500u}) {
    Bytes junk(len);
    rng.fill(junk);
    auto r = SessionRecord::deserialize(junk);
    if (!r.ok()) {
      EXPECT_EQ(r.code(), Errc::invalid_message);
    }
  }
}

}  // namespace
}  // namespace hush::test
