// Sender keys against libsignal's own bytes (interop/vectors/groups.json,
// made by generate_groups.js): SKDMs, SenderKeyMessages and SenderKeyRecords
// on both sides of a chain, add_sender_key_state sequences, SKDM parsing and
// group_decrypt outcomes. XEdDSA signatures are randomized, so re-encrypted
// messages must match libsignal's except their last 64 bytes, and verify.
#include <gtest/gtest.h>

#include "group/sender_key_distribution_message.hpp"
#include "hush/group.hpp"
#include "hush/in_memory_store.hpp"
#include "support/deterministic.hpp"
#include "support/vectors.hpp"

namespace hush::test {
namespace {

using nlohmann::json;

ProtocolAddress address_of(const json& j) {
  return ProtocolAddress{j.at("name").get<std::string>(), j.at("device_id").get<std::uint32_t>()};
}

DistributionId distribution_of(const json& j) {
  auto id = DistributionId::parse(j.at("distribution_id").get<std::string>());
  EXPECT_TRUE(id.ok());
  return id.ok() ? *id : DistributionId{};
}

Bytes bytes_of(const SecretBytes& s) {
  return Bytes(s.view().begin(), s.view().end());
}

class GroupVectorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { vectors_ = new json(load_vectors("groups.json")); }
  static void TearDownTestSuite() {
    delete vectors_;
    vectors_ = nullptr;
  }
  static const json& v() { return *vectors_; }

  std::unique_ptr<InMemoryProtocolStore> new_store() {
    return std::make_unique<InMemoryProtocolStore>(KeyPair::generate(rng_), 1);
  }
  static void put(InMemoryProtocolStore& store, const ProtocolAddress& who, const DistributionId& id,
                  const Bytes& record) {
    auto r = SenderKeyRecord::deserialize(record);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(store.store_sender_key(who, id, *r).ok());
  }
  static Bytes held(InMemoryProtocolStore& store, const ProtocolAddress& who, const DistributionId& id) {
    auto r = store.load_sender_key(who, id);
    if (!r.ok() || !r->has_value()) return {};
    return bytes_of((*r)->serialize());
  }

  DeterministicRng rng_{2024};
  static json* vectors_;
};

json* GroupVectorsTest::vectors_ = nullptr;

TEST_F(GroupVectorsTest, FileIsFromLibsignal0654) {
  EXPECT_EQ(v().at("source"), "@signalapp/libsignal-client 0.65.4");
  EXPECT_EQ(v().at("chains").size(), 2u);
  EXPECT_EQ(v().at("state_sequences").size(), 1u);
  EXPECT_GE(v().at("skdm_parsing").size(), 20u);
  EXPECT_GE(v().at("decrypt_cases").size(), 30u);
}

TEST_F(GroupVectorsTest, EveryRecordRoundTripsByteForByte) {
  std::vector<Bytes> records;
  for (const auto& c : v().at("chains")) {
    records.push_back(hex_field(c, "sender_record"));
    records.push_back(hex_field(c, "receiver_record"));
    for (const auto& s : c.at("sends")) {
      records.push_back(hex_field(s, "record_before"));
      records.push_back(hex_field(s, "record_after"));
    }
    for (const auto& d : c.at("deliveries")) records.push_back(hex_field(d, "record_after"));
  }
  for (const auto& s : v().at("state_sequences").at(0).at("steps")) records.push_back(hex_field(s, "record_after"));
  for (const auto& c : v().at("decrypt_cases")) records.push_back(hex_field(c, "record"));
  for (const auto& record : records) {
    auto r = SenderKeyRecord::deserialize(record);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(bytes_of(r->serialize()), record) << to_hex(record);
  }
}

TEST_F(GroupVectorsTest, DistributionMessagesFromTheSendersRecordMatch) {
  for (const auto& c : v().at("chains")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto sender = address_of(c.at("sender"));
    const auto id = distribution_of(c);
    auto store = new_store();
    put(*store, sender, id, hex_field(c, "sender_record"));
    auto skdm = create_sender_key_distribution_message(*store, sender, id, rng_);
    ASSERT_TRUE(skdm.ok());
    EXPECT_EQ(bytes_of(*skdm), hex_field(c, "skdm"));
    EXPECT_EQ(held(*store, sender, id), hex_field(c, "sender_record"));  // reused, not replaced

    auto parsed = group::SenderKeyDistributionMessage::parse(skdm->view());
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->chain_id, c.at("chain_id").get<std::uint32_t>());
    EXPECT_EQ(parsed->iteration, 0u);
    EXPECT_EQ(Bytes(parsed->chain_key.view().begin(), parsed->chain_key.view().end()), hex_field(c, "chain_key"));
    auto sk = parsed->signing_key.serialize();
    EXPECT_EQ(Bytes(sk.begin(), sk.end()), hex_field(c, "signing_key"));
    EXPECT_EQ(parsed->distribution_id, id);

    auto after = new_store();
    put(*after, sender, id, hex_field(c.at("sends").back(), "record_after"));
    auto skdm_after = create_sender_key_distribution_message(*after, sender, id, rng_);
    ASSERT_TRUE(skdm_after.ok());
    EXPECT_EQ(bytes_of(*skdm_after), hex_field(c, "skdm_after"));
  }
}

TEST_F(GroupVectorsTest, ReEncryptionMatchesLibsignalExceptTheSignature) {
  for (const auto& c : v().at("chains")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto sender = address_of(c.at("sender"));
    const auto id = distribution_of(c);
    auto signing_key = PublicKey::deserialize(hex_field(c, "signing_key"));
    ASSERT_TRUE(signing_key.ok());
    for (const auto& s : c.at("sends")) {
      auto store = new_store();
      put(*store, sender, id, hex_field(s, "record_before"));
      auto m = group_encrypt(*store, sender, id, hex_field(s, "plaintext"), rng_);
      ASSERT_TRUE(m.ok()) << m.error().message;
      const Bytes expected = hex_field(s, "message");
      ASSERT_EQ(m->size(), expected.size());
      const std::size_t signed_len = expected.size() - kSignatureSize;
      EXPECT_EQ(Bytes(m->begin(), m->begin() + signed_len), Bytes(expected.begin(), expected.begin() + signed_len));
      EXPECT_TRUE(signing_key->verify(ByteView(*m).first(signed_len), ByteView(*m).last(kSignatureSize)));
      EXPECT_TRUE(signing_key->verify(ByteView(expected).first(signed_len), ByteView(expected).last(kSignatureSize)));
      EXPECT_EQ(held(*store, sender, id), hex_field(s, "record_after"));
    }
  }
}

TEST_F(GroupVectorsTest, ReceiverProcessesAndDecryptsAsLibsignal) {
  for (const auto& c : v().at("chains")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto sender = address_of(c.at("sender"));
    const auto id = distribution_of(c);
    auto store = new_store();
    ASSERT_TRUE(process_sender_key_distribution_message(*store, sender, hex_field(c, "skdm")).ok());
    EXPECT_EQ(held(*store, sender, id), hex_field(c, "receiver_record"));
    for (const auto& d : c.at("deliveries")) {
      const auto index = d.at("message").get<std::size_t>();
      SCOPED_TRACE("message " + std::to_string(index));
      auto pt = group_decrypt(*store, sender, hex_field(c.at("sends").at(index), "message"));
      const std::string result = pt.ok() ? "ok" : std::string(errc_name(pt.code()));
      EXPECT_EQ(result, d.at("result").get<std::string>());
      if (pt.ok()) {
        EXPECT_EQ(bytes_of(*pt), hex_field(d, "plaintext"));
      }
      EXPECT_EQ(held(*store, sender, id), hex_field(d, "record_after"));
    }
  }
}

TEST_F(GroupVectorsTest, StateSequencesFollowLibsignal) {
  for (const auto& seq : v().at("state_sequences")) {
    const auto sender = address_of(seq.at("sender"));
    const auto id = distribution_of(seq);
    auto store = new_store();
    for (const auto& step : seq.at("steps")) {
      SCOPED_TRACE(step.at("what").get<std::string>());
      ASSERT_TRUE(process_sender_key_distribution_message(*store, sender, hex_field(step, "skdm")).ok());
      EXPECT_EQ(held(*store, sender, id), hex_field(step, "record_after"));
    }
  }
}

TEST_F(GroupVectorsTest, DistributionMessagesParseAsLibsignal) {
  const auto& chain = v().at("chains").at(0);
  const auto sender = address_of(chain.at("sender"));
  const auto id = distribution_of(chain);
  for (const auto& c : v().at("skdm_parsing")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    auto store = new_store();
    auto r = process_sender_key_distribution_message(*store, sender, hex_field(c, "input"));
    ASSERT_EQ(r.ok(), c.at("accepted").get<bool>()) << (r.ok() ? "" : r.error().message);
    if (r.ok()) {
      EXPECT_EQ(held(*store, sender, id), hex_field(c, "record_after"));
    } else {
      EXPECT_EQ(r.code(), Errc::invalid_message);
      EXPECT_TRUE(held(*store, sender, id).empty());
    }
  }
}

TEST_F(GroupVectorsTest, DecryptOutcomesMatchLibsignal) {
  const auto id = distribution_of(v().at("chains").at(0));
  for (const auto& c : v().at("decrypt_cases")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto holder = address_of(c.at("holder"));
    const Bytes record = hex_field(c, "record");
    auto store = new_store();
    put(*store, holder, id, record);
    auto pt = group_decrypt(*store, address_of(c.at("sender")), hex_field(c, "input"));
    const std::string result = pt.ok() ? "ok" : std::string(errc_name(pt.code()));
    EXPECT_EQ(result, c.at("result").get<std::string>()) << (pt.ok() ? "" : pt.error().message);
    if (pt.ok()) {
      EXPECT_EQ(bytes_of(*pt), hex_field(c, "plaintext"));
      if (!c.at("record_after").is_null()) {
        EXPECT_EQ(held(*store, holder, id), hex_field(c, "record_after"));
      }
    } else {
      EXPECT_EQ(held(*store, holder, id), record);  // a failure changes nothing
    }
  }
}

}  // namespace
}  // namespace hush::test
