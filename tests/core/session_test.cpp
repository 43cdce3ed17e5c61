// Scenario tests of the 1:1 protocol between two libhush parties. Agreement
// with libsignal itself is shown by transcript_vectors_test.cpp and the Node
// interop suite; these pin behaviour (facts §3–§5) and the "a failed decrypt
// changes nothing" rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "limits.hpp"
#include "state/session_record_impl.hpp"
#include "support/party.hpp"

namespace hush::test {
namespace {

class SessionTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  Party alice_{"alice", 1, clock_};
  Party bob_{"bob", 2, clock_};

  void start(bool with_one_time_prekey = true) {
    auto b = bob_.bundle(7, with_one_time_prekey ? std::optional<std::uint32_t>(31) : std::nullopt);
    ASSERT_TRUE(alice_.process(bob_, b).ok());
  }
  std::string roundtrip(Party& from, Party& to, const std::string& text) {
    auto m = from.encrypt(to, text);
    EXPECT_TRUE(m.ok());
    auto p = to.decrypt(from, *m);
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    return p.ok() ? *p : std::string();
  }
};

TEST_F(SessionTest, FirstMessagesArePreKeyUntilTheFirstReply) {
  start();
  auto m1 = alice_.encrypt(bob_, "one");
  auto m2 = alice_.encrypt(bob_, "two");
  ASSERT_TRUE(m1.ok() && m2.ok());
  EXPECT_EQ(m1->type, MessageType::prekey);
  EXPECT_EQ(m2->type, MessageType::prekey);
  EXPECT_EQ(m1->body[0], 0x34);
  EXPECT_EQ(*bob_.decrypt(alice_, *m1), "one");
  EXPECT_EQ(*bob_.decrypt(alice_, *m2), "two");
  auto reply = bob_.encrypt(alice_, "back");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->type, MessageType::whisper);
  EXPECT_EQ(*alice_.decrypt(bob_, *reply), "back");
  auto m3 = alice_.encrypt(bob_, "three");
  EXPECT_EQ(m3->type, MessageType::whisper);
  EXPECT_EQ(*bob_.decrypt(alice_, *m3), "three");
}

TEST_F(SessionTest, WorksWithoutOneTimePrekey) {
  start(false);
  EXPECT_EQ(roundtrip(alice_, bob_, "hi"), "hi");
  EXPECT_EQ(roundtrip(bob_, alice_, "hello"), "hello");
}

TEST_F(SessionTest, OneTimePrekeyIsConsumedOnlyOnSuccess) {
  start();
  auto m = alice_.encrypt(bob_, "x");
  auto tampered = *m;
  // Layout: 0x34, pre_key_id (08 1f), base_key (12 21 +33), identity_key
  // (1a 21 +33), message (22 len +len): flip the inner MAC's last byte.
  ASSERT_EQ(tampered.body[73], 0x22);
  tampered.body[75 + tampered.body[74] - 1] ^= 1;
  EXPECT_EQ(bob_.decrypt(alice_, tampered).code(), Errc::invalid_message);
  EXPECT_TRUE(bob_.store().load_prekey(31)->has_value());
  EXPECT_EQ(*bob_.decrypt(alice_, *m), "x");
  EXPECT_FALSE(bob_.store().load_prekey(31)->has_value());
}

TEST_F(SessionTest, LongPingPongRatchetsEveryTurn) {
  start();
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(roundtrip(alice_, bob_, "a" + std::to_string(i)), "a" + std::to_string(i));
    EXPECT_EQ(roundtrip(bob_, alice_, "b" + std::to_string(i)), "b" + std::to_string(i));
  }
}

TEST_F(SessionTest, OutOfOrderWithinAndAcrossChainsDecrypts) {
  start();
  EXPECT_EQ(roundtrip(alice_, bob_, "hello"), "hello");
  std::vector<CiphertextMessage> chain1, chain2;
  for (int i = 0; i < 5; ++i) chain1.push_back(*bob_.encrypt(alice_, "c1-" + std::to_string(i)));
  EXPECT_EQ(alice_.decrypt(bob_, chain1[4]).value(), "c1-4");
  EXPECT_EQ(roundtrip(alice_, bob_, "ratchet"), "ratchet");
  for (int i = 0; i < 3; ++i) chain2.push_back(*bob_.encrypt(alice_, "c2-" + std::to_string(i)));
  EXPECT_EQ(alice_.decrypt(bob_, chain2[2]).value(), "c2-2");
  for (int i : {3, 0, 2, 1}) EXPECT_EQ(alice_.decrypt(bob_, chain1[i]).value(), "c1-" + std::to_string(i));
  EXPECT_EQ(alice_.decrypt(bob_, chain2[0]).value(), "c2-0");
  EXPECT_EQ(alice_.decrypt(bob_, chain2[1]).value(), "c2-1");
}

TEST_F(SessionTest, DuplicateIsReportedAndChangesNothing) {
  start();
  auto m = alice_.encrypt(bob_, "once");
  ASSERT_TRUE(bob_.decrypt(alice_, *m).ok());
  const Bytes before = bob_.session_bytes(alice_);
  EXPECT_EQ(bob_.decrypt(alice_, *m).code(), Errc::duplicate_message);
  auto reply = bob_.encrypt(alice_, "r");
  ASSERT_TRUE(alice_.decrypt(bob_, *reply).ok());
  EXPECT_EQ(alice_.decrypt(bob_, *reply).code(), Errc::duplicate_message);
  EXPECT_EQ(before.size() > 0, true);
}

TEST_F(SessionTest, TamperedMessagesLeaveTheRecordByteIdentical) {
  start();
  EXPECT_EQ(roundtrip(alice_, bob_, "hello"), "hello");
  EXPECT_EQ(roundtrip(bob_, alice_, "hi"), "hi");
  auto m = alice_.encrypt(bob_, "the genuine one");
  ASSERT_EQ(m->type, MessageType::whisper);
  const Bytes before = bob_.session_bytes(alice_);
  for (std::size_t i = 0; i < m->body.size(); ++i) {
    auto t = *m;
    t.body[i] ^= 0x40;
    auto r = bob_.decrypt(alice_, t);
    EXPECT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(bob_.session_bytes(alice_), before) << "byte " << i;
  }
  for (std::size_t len = 0; len < m->body.size(); len += 7) {
    auto t = *m;
    t.body.resize(len);
    EXPECT_EQ(bob_.decrypt(alice_, t).code(), Errc::invalid_message);
  }
  EXPECT_EQ(bob_.session_bytes(alice_), before);
  EXPECT_EQ(*bob_.decrypt(alice_, *m), "the genuine one");
}

TEST_F(SessionTest, CounterTooFarAheadIsRefused) {
  start();
  EXPECT_EQ(roundtrip(alice_, bob_, "hello"), "hello");
  EXPECT_EQ(roundtrip(bob_, alice_, "hi"), "hi");
  // Advance Alice's sender chain past the limit without delivering.
  std::optional<CiphertextMessage> last;
  for (std::uint32_t i = 0; i <= limits::kMaxForwardJumps + 1; ++i) last = *alice_.encrypt(bob_, "x");
  const Bytes before = bob_.session_bytes(alice_);
  auto r = bob_.decrypt(alice_, *last);
  EXPECT_EQ(r.code(), Errc::invalid_message);
  EXPECT_EQ(bob_.session_bytes(alice_), before);
}

TEST_F(SessionTest, SkippedKeysAreBoundedPerChain) {
  start();
  EXPECT_EQ(roundtrip(alice_, bob_, "hello"), "hello");
  EXPECT_EQ(roundtrip(bob_, alice_, "hi"), "hi");
  std::vector<CiphertextMessage> ms;
  for (std::size_t i = 0; i < limits::kMaxMessageKeys + 10; ++i) ms.push_back(*alice_.encrypt(bob_, "m"));
  ASSERT_TRUE(bob_.decrypt(alice_, ms.back()).ok());
  // The oldest skipped keys were evicted; the newest 2000 remain usable.
  EXPECT_EQ(bob_.decrypt(alice_, ms[0]).code(), Errc::duplicate_message);
  EXPECT_TRUE(bob_.decrypt(alice_, ms[ms.size() - 2]).ok());
  EXPECT_TRUE(bob_.decrypt(alice_, ms[10]).ok());
}

TEST_F(SessionTest, SimultaneousInitiationConverges) {
  auto ab = bob_.bundle(1, 11);
  auto ba = alice_.bundle(2, 22);
  ASSERT_TRUE(alice_.process(bob_, ab).ok());
  ASSERT_TRUE(bob_.process(alice_, ba).ok());
  auto ma = alice_.encrypt(bob_, "from alice");
  auto mb = bob_.encrypt(alice_, "from bob");
  EXPECT_EQ(*bob_.decrypt(alice_, *ma), "from alice");
  EXPECT_EQ(*alice_.decrypt(bob_, *mb), "from bob");
  EXPECT_EQ(roundtrip(alice_, bob_, "after"), "after");
  EXPECT_EQ(roundtrip(bob_, alice_, "reply"), "reply");
  EXPECT_EQ(roundtrip(alice_, bob_, "again"), "again");
}

TEST_F(SessionTest, ReinitiationKeepsOldInFlightMessagesDecryptable) {
  start();
  EXPECT_EQ(roundtrip(alice_, bob_, "hello"), "hello");
  EXPECT_EQ(roundtrip(bob_, alice_, "hi"), "hi");
  auto in_flight = *bob_.encrypt(alice_, "old session");
  ASSERT_TRUE(alice_.process(bob_, bob_.bundle(8, 32)).ok());
  auto fresh = *alice_.encrypt(bob_, "new session");
  EXPECT_EQ(fresh.type, MessageType::prekey);
  EXPECT_EQ(*bob_.decrypt(alice_, fresh), "new session");
  EXPECT_EQ(*alice_.decrypt(bob_, in_flight), "old session");
  EXPECT_EQ(roundtrip(bob_, alice_, "continues"), "continues");
}

TEST_F(SessionTest, ChangedIdentityIsRefusedUntilTrusted) {
  start();
  EXPECT_EQ(roundtrip(alice_, bob_, "hello"), "hello");
  Party bob2("bob", 99, clock_);  // Bob reinstalled: same address, new identity
  auto b = bob2.bundle(1, 1);
  EXPECT_EQ(alice_.process(bob2, b).code(), Errc::untrusted_identity);
  ASSERT_TRUE(alice_.store().save_identity("bob", b.identity_key).ok());
  // Sessions built on the old key are not used again.
  EXPECT_EQ(alice_.encrypt(bob_, "old").code(), Errc::untrusted_identity);
  ASSERT_TRUE(alice_.process(bob2, b).ok());
  EXPECT_EQ(roundtrip(alice_, bob2, "new"), "new");
}

TEST_F(SessionTest, BadSignedPrekeySignatureIsRefused) {
  auto b = bob_.bundle(7, 31);
  b.signed_prekey_signature[5] ^= 1;
  EXPECT_EQ(alice_.process(bob_, b).code(), Errc::invalid_signature);
  EXPECT_FALSE(alice_.store().load_session(bob_.address())->has_value());
}

TEST_F(SessionTest, UnknownPrekeyIdIsInvalidPrekey) {
  auto b = bob_.bundle(7, 31);
  b.prekey_id = 999;
  ASSERT_TRUE(alice_.process(bob_, b).ok());
  EXPECT_EQ(bob_.decrypt(alice_, *alice_.encrypt(bob_, "x")).code(), Errc::invalid_prekey);
}

TEST_F(SessionTest, NoSessionErrors) {
  EXPECT_EQ(alice_.encrypt(bob_, "x").code(), Errc::no_session);
  start();
  auto m = alice_.encrypt(bob_, "x");
  ASSERT_TRUE(bob_.decrypt(alice_, *m).ok());
  auto reply = bob_.encrypt(alice_, "y");
  Party carol("carol", 3, clock_);
  EXPECT_EQ(carol.decrypt(bob_, *reply).code(), Errc::no_session);
}

TEST_F(SessionTest, RecordWithUnsupportedVersionCannotEncrypt) {
  start();
  // A damaged record: the current state claims session version 2.
  auto loaded = alice_.store().load_session(bob_.address());
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  SessionRecord record = std::move(**loaded);
  record.impl().current->session_version = 2;
  ASSERT_TRUE(alice_.store().store_session(bob_.address(), record).ok());
  EXPECT_EQ(alice_.encrypt(bob_, "x").code(), Errc::no_session);
}

TEST_F(SessionTest, UnacknowledgedSessionExpiresAfterThirtyDays) {
  start();
  ASSERT_TRUE(alice_.encrypt(bob_, "x").ok());
  clock_.advance(limits::kMaxUnacknowledgedSessionAgeSeconds + 1);
  EXPECT_EQ(alice_.encrypt(bob_, "x").code(), Errc::no_session);
}

TEST_F(SessionTest, PreviousCounterFollowsLibsignalQuirk) {
  start();
  EXPECT_EQ(roundtrip(alice_, bob_, "a"), "a");
  ASSERT_TRUE(bob_.encrypt(alice_, "1").ok());
  auto second = *bob_.encrypt(alice_, "2");
  EXPECT_TRUE(alice_.decrypt(bob_, second).ok());
  auto r = alice_.encrypt(bob_, "3");
  ASSERT_TRUE(bob_.decrypt(alice_, *r).ok());
  // Bob sent two messages on his chain: previous_counter is 1, not 2.
  auto next = *bob_.encrypt(alice_, "4");
  // SignalMessage bytes: 0x34, field 1 (35 bytes), field 2, field 3 = prev.
  ASSERT_EQ(next.body[0], 0x34);
  const std::size_t prev_tag_at = 1 + 2 + 33 + 2;
  EXPECT_EQ(next.body[prev_tag_at], 0x18);
  EXPECT_EQ(next.body[prev_tag_at + 1], 1);
}

}  // namespace
}  // namespace hush::test
