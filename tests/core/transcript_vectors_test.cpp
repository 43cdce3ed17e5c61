// Conversations recorded from libsignal 0.65.4 (interop/vectors/transcripts.json)
// replayed through libhush: decrypting libsignal's messages from its own
// serialized session records and from Bob's keys alone, and re-encrypting
// from libsignal's records byte for byte. This checks X3DH, both KDF chains,
// the message format and the MAC against libsignal without Node.
#include <gtest/gtest.h>

#include "hush/in_memory_store.hpp"
#include "hush/session.hpp"
#include "support/deterministic.hpp"
#include "support/vectors.hpp"

namespace hush::test {
namespace {

using nlohmann::json;

KeyPair key_pair(const json& priv_hex, const json& pub_hex) {
  auto priv = PrivateKey::deserialize(from_hex(priv_hex.get<std::string>()));
  auto pub = PublicKey::deserialize(from_hex(pub_hex.get<std::string>()));
  EXPECT_TRUE(priv.ok() && pub.ok());
  EXPECT_EQ(priv->public_key(), *pub);
  return KeyPair{*pub, std::move(priv).value()};
}

ProtocolAddress address_of(const json& party) {
  return {party.at("name").get<std::string>(), party.at("device_id").get<std::uint32_t>()};
}

// A fresh store for one party of a transcript, holding Bob's prekeys if it is Bob.
std::unique_ptr<InMemoryProtocolStore> store_for(const json& t, const std::string& who) {
  const json& p = t.at(who);
  auto store = std::make_unique<InMemoryProtocolStore>(key_pair(p.at("identity_private"), p.at("identity_public")),
                                                       p.at("registration_id").get<std::uint32_t>());
  if (who == "bob") {
    const json& spk = t.at("bob_signed_pre_key");
    SignedPreKeyRecord rec{spk.at("id").get<std::uint32_t>(), spk.at("timestamp").get<std::uint64_t>(),
                           key_pair(spk.at("private"), spk.at("public")), {}};
    auto sig = hex_field(spk, "signature");
    std::copy(sig.begin(), sig.end(), rec.signature.begin());
    EXPECT_TRUE(store->store_signed_prekey(rec).ok());
    if (!t.at("bob_one_time_pre_key").is_null()) {
      const json& opk = t.at("bob_one_time_pre_key");
      EXPECT_TRUE(store->store_prekey({opk.at("id").get<std::uint32_t>(), key_pair(opk.at("private"), opk.at("public"))})
                      .ok());
    }
  }
  return store;
}

class TranscriptVectors : public ::testing::TestWithParam<std::size_t> {
 protected:
  static const json& transcripts() {
    static const json j = load_vectors("transcripts.json");
    return j.at("transcripts");
  }
  const json& transcript() const { return transcripts().at(GetParam()); }
};

TEST_P(TranscriptVectors, DecryptsEveryStepFromLibsignalsRecord) {
  const json& t = transcript();
  FakeClock clock(t.at("now_ms").get<std::uint64_t>() / 1000);
  DeterministicRng rng(GetParam());
  for (const json& step : t.at("steps")) {
    const std::string from = step.at("from");
    const std::string to = from == "alice" ? "bob" : "alice";
    auto store = store_for(t, to);
    const ProtocolAddress sender = address_of(t.at(from));
    if (!step.at("receiver_session_before").is_null()) {
      auto rec = SessionRecord::deserialize(hex_field(step, "receiver_session_before"));
      ASSERT_TRUE(rec.ok()) << rec.error().message;
      ASSERT_TRUE(store->store_session(sender, *rec).ok());
    }
    auto pt = SessionCipher(*store, sender, rng, clock)
                  .decrypt(static_cast<MessageType>(step.at("type").get<int>()), hex_field(step, "body"));
    ASSERT_TRUE(pt.ok()) << t.at("name") << ": " << pt.error().message;
    EXPECT_EQ(to_hex(pt->view()), step.at("plaintext").get<std::string>());
  }
}

TEST_P(TranscriptVectors, ReencryptsByteForByteFromLibsignalsRecord) {
  const json& t = transcript();
  FakeClock clock(t.at("now_ms").get<std::uint64_t>() / 1000);
  DeterministicRng rng(GetParam());
  for (const json& step : t.at("steps")) {
    const std::string from = step.at("from");
    const std::string to = from == "alice" ? "bob" : "alice";
    auto store = store_for(t, from);
    const ProtocolAddress receiver = address_of(t.at(to));
    auto rec = SessionRecord::deserialize(hex_field(step, "sender_session_before"));
    ASSERT_TRUE(rec.ok()) << rec.error().message;
    ASSERT_TRUE(store->store_session(receiver, *rec).ok());
    auto ct = SessionCipher(*store, receiver, rng, clock).encrypt(hex_field(step, "plaintext"));
    ASSERT_TRUE(ct.ok()) << ct.error().message;
    EXPECT_EQ(static_cast<int>(ct->type), step.at("type").get<int>());
    EXPECT_EQ(to_hex(ct->body), step.at("body").get<std::string>()) << t.at("name");
  }
}

TEST_P(TranscriptVectors, BobReplaysAlicesFirstChainFromKeysAlone) {
  const json& t = transcript();
  FakeClock clock(t.at("now_ms").get<std::uint64_t>() / 1000);
  DeterministicRng rng(GetParam());
  auto bob = store_for(t, "bob");
  const ProtocolAddress alice = address_of(t.at("alice"));
  int replayed = 0;
  for (const json& ev : t.at("events")) {
    if (ev.at("op") != "decrypt") continue;
    const json& step = t.at("steps").at(ev.at("step").get<std::size_t>());
    if (!step.at("replayable_from_keys").get<bool>()) continue;
    auto pt = SessionCipher(*bob, alice, rng, clock)
                  .decrypt(static_cast<MessageType>(step.at("type").get<int>()), hex_field(step, "body"));
    ASSERT_TRUE(pt.ok()) << t.at("name") << ": " << pt.error().message;
    EXPECT_EQ(to_hex(pt->view()), step.at("plaintext").get<std::string>());
    ++replayed;
  }
  EXPECT_GT(replayed, 0);
  if (!t.at("bob_one_time_pre_key").is_null()) {
    // The one-time prekey was consumed by the first PreKey message.
    EXPECT_FALSE(bob->load_prekey(t.at("bob_one_time_pre_key").at("id").get<std::uint32_t>())->has_value());
  }
}

TEST_P(TranscriptVectors, RecordsRoundTripThroughOurSerialization) {
  const json& t = transcript();
  for (const json& step : t.at("steps")) {
    auto bytes = hex_field(step, "sender_session_before");
    auto rec = SessionRecord::deserialize(bytes);
    ASSERT_TRUE(rec.ok());
    // libsignal writes proto3 fields in tag order, omitting zeros; so do we.
    EXPECT_EQ(to_hex(rec->serialize().view()), to_hex(bytes));
  }
}

INSTANTIATE_TEST_SUITE_P(Libsignal, TranscriptVectors, ::testing::Range<std::size_t>(0, 8));

}  // namespace
}  // namespace hush::test
