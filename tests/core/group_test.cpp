// Sender keys (facts §6, §7): a member creates a chain and its SKDM, others
// process it, group messages go out and come in, in and out of order, within
// libsignal's limits; every failure leaves the stored record byte-identical.
#include <gtest/gtest.h>

#include <string>

#include "group/sender_key_distribution_message.hpp"
#include "group/sender_key_message.hpp"
#include "group/sender_key_record_impl.hpp"
#include "hush/group.hpp"
#include "hush/in_memory_store.hpp"
#include "limits.hpp"
#include "support/deterministic.hpp"

namespace hush::test {
namespace {

std::string text_of(const SecretBytes& b) {
  return std::string(b.view().begin(), b.view().end());
}

DistributionId dist(std::string_view text) {
  auto id = DistributionId::parse(text);
  EXPECT_TRUE(id.ok());
  return id.ok() ? *id : DistributionId{};
}

class GroupTest : public ::testing::Test {
 protected:
  // Alice's own chain for the group; Bob holds her SKDM.
  void SetUp() override {
    auto skdm = create_sender_key_distribution_message(alice_store_, alice_, group_, rng_);
    ASSERT_TRUE(skdm.ok());
    ASSERT_TRUE(process_sender_key_distribution_message(bob_store_, alice_, skdm->view()).ok());
  }

  Bytes send(std::string_view text) {
    auto m = group_encrypt(alice_store_, alice_, group_, as_bytes(text), rng_);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
    return m.ok() ? *m : Bytes{};
  }
  Result<std::string> receive(ByteView message) {
    HUSH_ASSIGN(auto plaintext, group_decrypt(bob_store_, alice_, message));
    return text_of(plaintext);
  }
  Bytes record_bytes(InMemoryProtocolStore& store, const ProtocolAddress& who) {
    auto r = store.load_sender_key(who, group_);
    if (!r.ok() || !r->has_value()) return {};
    auto s = (*r)->serialize();
    return Bytes(s.view().begin(), s.view().end());
  }
  // Moves Alice's chain on by n iterations without sending (white box).
  void skip_alice_chain(std::uint32_t n) {
    auto r = alice_store_.load_sender_key(alice_, group_);
    ASSERT_TRUE(r.ok() && r->has_value());
    auto& chain = (*r)->impl().states.front().chain_key;
    for (std::uint32_t i = 0; i < n; ++i) chain = std::move(chain.next().value());
    ASSERT_TRUE(alice_store_.store_sender_key(alice_, group_, **r).ok());
  }
  group::SenderKeyState& alice_state(SenderKeyRecord& r) { return r.impl().states.front(); }

  DeterministicRng rng_{77};
  InMemoryProtocolStore alice_store_{KeyPair::generate(rng_), 1};
  InMemoryProtocolStore bob_store_{KeyPair::generate(rng_), 2};
  ProtocolAddress alice_{"alice", 1};
  ProtocolAddress bob_{"bob", 1};
  DistributionId group_ = dist("d1d1d1d1-2222-4333-8444-555555555555");
};

// --- distribution ids ---------------------------------------------------------

TEST(DistributionIdTest, ParsesEitherCaseAndPrintsLowercase) {
  auto lower = DistributionId::parse("0123abcd-ef01-4234-8567-89abcdef0123");
  auto upper = DistributionId::parse("0123ABCD-EF01-4234-8567-89ABCDEF0123");
  ASSERT_TRUE(lower.ok() && upper.ok());
  EXPECT_EQ(*lower, *upper);
  EXPECT_EQ(lower->bytes[0], 0x01);
  EXPECT_EQ(lower->bytes[15], 0x23);
  EXPECT_EQ(upper->to_string(), "0123abcd-ef01-4234-8567-89abcdef0123");
}

TEST(DistributionIdTest, AnythingButTheTextualFormIsABadRequest) {
  for (const char* bad : {"", "0123abcd-ef01-4234-8567-89abcdef012", "0123abcd-ef01-4234-8567-89abcdef01234",
                          "0123abcdef01-4234-8567-89abcdef012345", "0123abcd_ef01-4234-8567-89abcdef0123",
                          "0123abcg-ef01-4234-8567-89abcdef0123", "{123abcd-ef01-4234-8567-89abcdef012}",
                          "0123abcdef0142348567 89abcdef01234567"}) {
    auto r = DistributionId::parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.code(), Errc::bad_request) << bad;
  }
}

// --- creating and distributing ------------------------------------------------

TEST_F(GroupTest, CreateMakesOneOwnStateAndReusesIt) {
  auto r = alice_store_.load_sender_key(alice_, group_);
  ASSERT_TRUE(r.ok() && r->has_value());
  ASSERT_EQ((*r)->state_count(), 1u);
  const auto& s = alice_state(**r);
  EXPECT_LT(s.chain_id, 0x80000000u);  // random_u32 >> 1
  EXPECT_EQ(s.chain_key.iteration(), 0u);
  EXPECT_EQ(s.message_version(), 3u);
  ASSERT_TRUE(s.signing_private.has_value());
  EXPECT_EQ(s.signing_private->public_key(), s.signing_public);

  const Bytes before = record_bytes(alice_store_, alice_);
  auto again = create_sender_key_distribution_message(alice_store_, alice_, group_, rng_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(record_bytes(alice_store_, alice_), before);  // no new chain
  auto parsed = group::SenderKeyDistributionMessage::parse(again->view());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->chain_id, s.chain_id);
  EXPECT_EQ(parsed->iteration, 0u);
  EXPECT_EQ(parsed->chain_key, s.chain_key.key());
  EXPECT_EQ(parsed->signing_key, s.signing_public);
  EXPECT_EQ(parsed->distribution_id, group_);
}

TEST_F(GroupTest, DistributionMessageCarriesTheCurrentIteration) {
  for (int i = 0; i < 3; ++i) send("x");
  auto skdm = create_sender_key_distribution_message(alice_store_, alice_, group_, rng_);
  ASSERT_TRUE(skdm.ok());
  auto parsed = group::SenderKeyDistributionMessage::parse(skdm->view());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->iteration, 3u);
  // A member who joins now reads from message 3 on, and cannot read 0..2.
  InMemoryProtocolStore carol{KeyPair::generate(rng_), 3};
  ASSERT_TRUE(process_sender_key_distribution_message(carol, alice_, skdm->view()).ok());
  auto m3 = send("three");
  auto pt = group_decrypt(carol, alice_, m3);
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ(text_of(*pt), "three");
}

TEST_F(GroupTest, WireFormatIsLibsignals) {
  auto skdm = create_sender_key_distribution_message(alice_store_, alice_, group_, rng_);
  ASSERT_TRUE(skdm.ok());
  // 0x33 || 0a 10 uuid || 10 chain_id || 18 00 || 22 20 ck || 2a 21 key.
  ASSERT_GE(skdm->size(), 65u);
  EXPECT_EQ(skdm->data()[0], 0x33);
  EXPECT_EQ(skdm->data()[1], 0x0a);
  EXPECT_EQ(skdm->data()[2], 0x10);

  auto m = send("hello");
  ASSERT_GE(m.size(), 65u);
  EXPECT_EQ(m[0], 0x33);
  auto parsed = group::SenderKeyMessage::parse(m);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->distribution_id, group_);
  EXPECT_EQ(parsed->iteration, 0u);
  EXPECT_EQ(parsed->ciphertext.size(), 16u);
  auto r = alice_store_.load_sender_key(alice_, group_);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ(parsed->chain_id, alice_state(**r).chain_id);
  EXPECT_TRUE(parsed->verify_signature(alice_state(**r).signing_public));
  EXPECT_EQ(alice_state(**r).chain_key.iteration(), 1u);
}

// --- encrypt and decrypt ---------------------------------------------------------

TEST_F(GroupTest, InOrderMessagesDecrypt) {
  for (const std::string& text : {std::string(), std::string("a"), std::string(16, 'b'), std::string(1000, 'z')}) {
    auto pt = receive(send(text));
    ASSERT_TRUE(pt.ok()) << pt.error().message;
    EXPECT_EQ(*pt, text);
  }
}

TEST_F(GroupTest, OutOfOrderDecryptsAndRedeliveryIsADuplicate) {
  std::vector<Bytes> m;
  for (int i = 0; i < 5; ++i) m.push_back(send("m" + std::to_string(i)));
  for (int i : {3, 0, 4, 1, 2}) {
    auto pt = receive(m[i]);
    ASSERT_TRUE(pt.ok()) << i << ": " << pt.error().message;
    EXPECT_EQ(*pt, "m" + std::to_string(i));
  }
  for (int i : {0, 2, 4}) {
    const Bytes before = record_bytes(bob_store_, alice_);
    auto again = receive(m[i]);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.code(), Errc::duplicate_message);
    EXPECT_EQ(record_bytes(bob_store_, alice_), before);
  }
}

TEST_F(GroupTest, ExactlyTheForwardJumpLimitAheadIsAccepted) {
  skip_alice_chain(limits::kMaxForwardJumps);
  auto pt = receive(send("far"));
  ASSERT_TRUE(pt.ok()) << pt.error().message;
  EXPECT_EQ(*pt, "far");
}

TEST_F(GroupTest, OneBeyondTheForwardJumpLimitIsInvalidAndChangesNothing) {
  skip_alice_chain(limits::kMaxForwardJumps + 1);
  const Bytes before = record_bytes(bob_store_, alice_);
  auto pt = receive(send("too far"));
  ASSERT_FALSE(pt.ok());
  EXPECT_EQ(pt.code(), Errc::invalid_message);
  EXPECT_EQ(pt.error().message, "invalid SenderKey message: message from too far into the future");
  EXPECT_EQ(record_bytes(bob_store_, alice_), before);
}

TEST_F(GroupTest, NewestSkippedKeysAreKept) {
  std::vector<Bytes> m;
  for (std::size_t i = 0; i < limits::kMaxMessageKeys + 2; ++i) m.push_back(send(std::to_string(i)));
  // Delivering the last one skips kMaxMessageKeys + 1 keys; the oldest goes.
  ASSERT_TRUE(receive(m.back()).ok());
  auto r = bob_store_.load_sender_key(alice_, group_);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ(alice_state(**r).message_keys.size(), limits::kMaxMessageKeys);
  auto evicted = receive(m[0]);
  ASSERT_FALSE(evicted.ok());
  EXPECT_EQ(evicted.code(), Errc::duplicate_message);
  for (std::size_t i : {std::size_t{1}, limits::kMaxMessageKeys}) {
    auto pt = receive(m[i]);
    ASSERT_TRUE(pt.ok()) << i;
    EXPECT_EQ(*pt, std::to_string(i));
  }
}

TEST_F(GroupTest, BadSignatureIsInvalidAndTheGenuineMessageStillDecrypts) {
  auto m = send("signed");
  const Bytes before = record_bytes(bob_store_, alice_);
  for (std::size_t pos : {m.size() - 5, m.size() - 64, m.size() - 70}) {  // signature, ciphertext
    Bytes tampered = m;
    tampered[pos] ^= 1;
    auto pt = receive(tampered);
    ASSERT_FALSE(pt.ok()) << pos;
    EXPECT_EQ(pt.code(), Errc::invalid_message) << pos;
    EXPECT_EQ(record_bytes(bob_store_, alice_), before);
  }
  auto pt = receive(m);
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ(*pt, "signed");
}

TEST_F(GroupTest, MalformedMessagesAreInvalid) {
  auto m = send("x");
  auto with_first = [&](std::uint8_t b) {
    Bytes c = m;
    c[0] = b;
    return c;
  };
  const std::vector<Bytes> cases = {
      {},
      Bytes(m.begin(), m.begin() + 64),
      Bytes(m.begin(), m.end() - 1),
      with_first(0x23),
      with_first(0x43),
      Bytes(120, 0x33),
  };
  for (const auto& c : cases) {
    auto pt = receive(c);
    ASSERT_FALSE(pt.ok()) << c.size();
    EXPECT_EQ(pt.code(), Errc::invalid_message) << c.size() << ": " << pt.error().message;
  }
  EXPECT_TRUE(receive(m).ok());
}

// A correctly signed message whose ciphertext does not decrypt (bad length or
// padding): invalid_message, and the skipped keys it would have stored are
// not stored.
TEST_F(GroupTest, UndecryptableSignedMessageChangesNothing) {
  auto r = alice_store_.load_sender_key(alice_, group_);
  ASSERT_TRUE(r.ok() && r->has_value());
  const auto& s = alice_state(**r);
  const Bytes junk(15, 0xAB);
  Bytes forged = group::build_sender_key_message(3, group_, s.chain_id, 2, junk, *s.signing_private, rng_);
  const Bytes before = record_bytes(bob_store_, alice_);
  auto pt = receive(forged);
  ASSERT_FALSE(pt.ok());
  EXPECT_EQ(pt.code(), Errc::invalid_message);
  EXPECT_EQ(pt.error().message, "invalid SenderKey message: decryption failed");
  EXPECT_EQ(record_bytes(bob_store_, alice_), before);
  for (int i = 0; i < 3; ++i) {
    auto ok = receive(send("ok"));
    ASSERT_TRUE(ok.ok()) << i;
  }
}

// --- missing state ----------------------------------------------------------------

TEST_F(GroupTest, EncryptBeforeCreateIsNoSession) {
  auto other = dist("00000000-0000-4000-8000-000000000000");
  auto m = group_encrypt(alice_store_, alice_, other, as_bytes("x"), rng_);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.code(), Errc::no_session);
  EXPECT_EQ(m.error().message, "missing sender key state for distribution ID 00000000-0000-4000-8000-000000000000");
}

TEST_F(GroupTest, MessagesWithoutAMatchingStateAreNoSession) {
  auto m = send("x");
  // Another sender address, another device of the same account.
  for (const ProtocolAddress& who : {ProtocolAddress{"nobody", 1}, ProtocolAddress{"alice", 2}}) {
    auto pt = group_decrypt(bob_store_, who, m);
    ASSERT_FALSE(pt.ok());
    EXPECT_EQ(pt.code(), Errc::no_session);
  }
  // A distribution id Bob holds nothing for.
  auto other = dist("00000000-0000-4000-8000-000000000000");
  ASSERT_TRUE(create_sender_key_distribution_message(alice_store_, alice_, other, rng_).ok());
  auto in_other = group_encrypt(alice_store_, alice_, other, as_bytes("y"), rng_);
  ASSERT_TRUE(in_other.ok());
  auto pt = receive(*in_other);
  ASSERT_FALSE(pt.ok());
  EXPECT_EQ(pt.code(), Errc::no_session);
  // A chain id Bob's record for Alice does not hold.
  auto r = alice_store_.load_sender_key(alice_, group_);
  ASSERT_TRUE(r.ok() && r->has_value());
  const auto& s = alice_state(**r);
  auto wrong_chain =
      group::build_sender_key_message(3, group_, s.chain_id ^ 1, 0, Bytes(16, 0), *s.signing_private, rng_);
  auto pt2 = receive(wrong_chain);
  ASSERT_FALSE(pt2.ok());
  EXPECT_EQ(pt2.code(), Errc::no_session);
  EXPECT_TRUE(receive(m).ok());
}

TEST_F(GroupTest, EncryptWithAReceivedStateFirstIsNoSession) {
  // Alice processes Bob's SKDM under her own address: the state has no
  // private signing key, so she cannot send with it.
  auto bob_skdm = create_sender_key_distribution_message(bob_store_, bob_, group_, rng_);
  ASSERT_TRUE(bob_skdm.ok());
  ASSERT_TRUE(process_sender_key_distribution_message(alice_store_, alice_, bob_skdm->view()).ok());
  auto m = group_encrypt(alice_store_, alice_, group_, as_bytes("x"), rng_);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.code(), Errc::no_session);
}

TEST_F(GroupTest, ExhaustedChainCannotEncryptOrBeRead) {
  auto r = alice_store_.load_sender_key(alice_, group_);
  ASSERT_TRUE(r.ok() && r->has_value());
  auto& s = alice_state(**r);
  s.chain_key = group::SenderChainKey(0xFFFFFFFFu, s.chain_key.key().clone());
  ASSERT_TRUE(alice_store_.store_sender_key(alice_, group_, **r).ok());
  const Bytes before = record_bytes(alice_store_, alice_);
  auto m = group_encrypt(alice_store_, alice_, group_, as_bytes("x"), rng_);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.code(), Errc::no_session);
  EXPECT_EQ(record_bytes(alice_store_, alice_), before);

  // A member given this chain cannot advance it past the last iteration.
  auto skdm = create_sender_key_distribution_message(alice_store_, alice_, group_, rng_);
  ASSERT_TRUE(skdm.ok());
  InMemoryProtocolStore carol{KeyPair::generate(rng_), 3};
  ASSERT_TRUE(process_sender_key_distribution_message(carol, alice_, skdm->view()).ok());
  auto keys = s.chain_key.message_key().derive();
  auto ct = crypto::aes256_cbc_encrypt(keys.cipher_key.view(), keys.iv.view(), as_bytes("last"));
  auto last = group::build_sender_key_message(3, group_, s.chain_id, 0xFFFFFFFFu, ct, *s.signing_private, rng_);
  auto pt = group_decrypt(carol, alice_, last);
  ASSERT_FALSE(pt.ok());
  EXPECT_EQ(pt.code(), Errc::invalid_message);
}

// --- processing SKDMs -----------------------------------------------------------

TEST_F(GroupTest, MalformedDistributionMessagesAreInvalidAndStoreNothing) {
  auto skdm = create_sender_key_distribution_message(alice_store_, alice_, group_, rng_);
  ASSERT_TRUE(skdm.ok());
  Bytes good(skdm->view().begin(), skdm->view().end());
  auto with = [&](std::size_t pos, std::uint8_t b) {
    Bytes c = good;
    c[pos] = b;
    return c;
  };
  const std::vector<Bytes> cases = {
      {},
      Bytes(good.begin(), good.begin() + 40),
      Bytes(good.begin(), good.begin() + 64),
      with(0, 0x23),
      with(0, 0x43),
      with(2, 0x0f),                        // 15-byte distribution id
      with(good.size() - 33, 0x06),         // signing key type byte
      Bytes(good.begin(), good.end() - 1),  // 32-byte signing key
      Bytes(90, 0x33),
  };
  InMemoryProtocolStore carol{KeyPair::generate(rng_), 3};
  for (const auto& c : cases) {
    auto r = process_sender_key_distribution_message(carol, alice_, c);
    ASSERT_FALSE(r.ok()) << c.size();
    EXPECT_EQ(r.code(), Errc::invalid_message) << c.size();
    auto held = carol.load_sender_key(alice_, group_);
    ASSERT_TRUE(held.ok());
    EXPECT_FALSE(held->has_value());
  }
}

TEST_F(GroupTest, ProcessingAHeldDistributionMessageAgainChangesNothing) {
  auto skdm0 = create_sender_key_distribution_message(alice_store_, alice_, group_, rng_);
  ASSERT_TRUE(skdm0.ok());
  std::vector<Bytes> m;
  for (int i = 0; i < 3; ++i) m.push_back(send("m" + std::to_string(i)));
  ASSERT_TRUE(receive(m[2]).ok());
  const Bytes before = record_bytes(bob_store_, alice_);
  // The SKDM at iteration 0 again, and a newer one at iteration 3: the held
  // state is kept as it is (neither rewound nor moved forward).
  auto skdm3 = create_sender_key_distribution_message(alice_store_, alice_, group_, rng_);
  ASSERT_TRUE(skdm3.ok());
  for (const auto* skdm : {&*skdm0, &*skdm3}) {
    ASSERT_TRUE(process_sender_key_distribution_message(bob_store_, alice_, skdm->view()).ok());
    EXPECT_EQ(record_bytes(bob_store_, alice_), before);
  }
  auto dup = receive(m[2]);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.code(), Errc::duplicate_message);
  EXPECT_TRUE(receive(m[0]).ok());
}

TEST_F(GroupTest, SameChainIdWithAnotherSigningKeyReplacesTheState) {
  auto r = alice_store_.load_sender_key(alice_, group_);
  ASSERT_TRUE(r.ok() && r->has_value());
  const auto& s = alice_state(**r);
  auto other_key = KeyPair::generate(rng_);
  crypto::Key32 ck;
  rng_.fill(ck.mut());
  auto impostor = group::build_sender_key_distribution_message(3, group_, s.chain_id, 7, ck, other_key.public_key);
  ASSERT_TRUE(process_sender_key_distribution_message(bob_store_, alice_, impostor.view()).ok());
  auto held = bob_store_.load_sender_key(alice_, group_);
  ASSERT_TRUE(held.ok() && held->has_value());
  ASSERT_EQ((*held)->state_count(), 1u);
  EXPECT_EQ(alice_state(**held).signing_public, other_key.public_key);
  EXPECT_EQ(alice_state(**held).chain_key.iteration(), 7u);
  // Alice's real messages no longer verify.
  auto pt = receive(send("x"));
  ASSERT_FALSE(pt.ok());
  EXPECT_EQ(pt.code(), Errc::invalid_message);
}

TEST_F(GroupTest, AtMostFiveStatesNewestFirst) {
  // Six chains from six devices claiming Alice's address (each its own
  // store): the first one is evicted.
  std::vector<std::unique_ptr<InMemoryProtocolStore>> senders;
  std::vector<Bytes> first_messages;
  for (int i = 0; i < 6; ++i) {
    senders.push_back(std::make_unique<InMemoryProtocolStore>(KeyPair::generate(rng_), 10 + i));
    auto skdm = create_sender_key_distribution_message(*senders.back(), alice_, group_, rng_);
    ASSERT_TRUE(skdm.ok());
    ASSERT_TRUE(process_sender_key_distribution_message(bob_store_, alice_, skdm->view()).ok());
    auto m = group_encrypt(*senders.back(), alice_, group_, as_bytes(std::to_string(i)), rng_);
    ASSERT_TRUE(m.ok());
    first_messages.push_back(*m);
  }
  auto held = bob_store_.load_sender_key(alice_, group_);
  ASSERT_TRUE(held.ok() && held->has_value());
  ASSERT_EQ((*held)->state_count(), limits::kMaxSenderKeyStates);
  auto newest = senders.back()->load_sender_key(alice_, group_);
  ASSERT_TRUE(newest.ok() && newest->has_value());
  EXPECT_EQ(alice_state(**held).chain_id, alice_state(**newest).chain_id);
  // SetUp's chain and the first of the six were evicted.
  auto gone = receive(first_messages[0]);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.code(), Errc::no_session);
  for (int i = 1; i < 6; ++i) {
    auto pt = receive(first_messages[i]);
    ASSERT_TRUE(pt.ok()) << i;
    EXPECT_EQ(*pt, std::to_string(i));
  }
}

// --- records --------------------------------------------------------------------

TEST_F(GroupTest, RecordsRoundTripByteForByte) {
  std::vector<Bytes> m;
  for (int i = 0; i < 4; ++i) m.push_back(send("m"));
  ASSERT_TRUE(receive(m[3]).ok());  // three skipped keys stored
  for (auto* store : {&alice_store_, &bob_store_}) {
    const Bytes bytes = record_bytes(*store, alice_);
    ASSERT_FALSE(bytes.empty());
    auto r = SenderKeyRecord::deserialize(bytes);
    ASSERT_TRUE(r.ok());
    auto again = r->serialize();
    EXPECT_EQ(Bytes(again.view().begin(), again.view().end()), bytes);
    auto copy = r->clone().serialize();
    EXPECT_EQ(Bytes(copy.view().begin(), copy.view().end()), bytes);
  }
  auto empty = SenderKeyRecord().serialize();
  EXPECT_TRUE(empty.empty());
  auto none = SenderKeyRecord::deserialize({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->state_count(), 0u);
}

TEST_F(GroupTest, UnusableRecordsAreRefused) {
  const Bytes garbage = {0x0a, 0x05, 0x01};
  auto r = SenderKeyRecord::deserialize(garbage);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::invalid_message);
  // A state with no chain key: 0a 02 08 07 = states { chain_id: 7 }.
  const Bytes no_chain = {0x0a, 0x02, 0x08, 0x07};
  auto r2 = SenderKeyRecord::deserialize(no_chain);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.code(), Errc::invalid_message);
}

TEST_F(GroupTest, MissingVersionReadsAsThree) {
  auto r = bob_store_.load_sender_key(alice_, group_);
  ASSERT_TRUE(r.ok() && r->has_value());
  alice_state(**r).stored_version = 0;
  ASSERT_TRUE(bob_store_.store_sender_key(alice_, group_, **r).ok());
  auto pt = receive(send("v0"));
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ(*pt, "v0");
  // A state of another version does not read version-3 messages.
  auto r2 = bob_store_.load_sender_key(alice_, group_);
  alice_state(**r2).stored_version = 4;
  ASSERT_TRUE(bob_store_.store_sender_key(alice_, group_, **r2).ok());
  auto pt2 = receive(send("v4"));
  ASSERT_FALSE(pt2.ok());
  EXPECT_EQ(pt2.code(), Errc::invalid_message);
}

}  // namespace
}  // namespace hush::test
