// InMemoryProtocolStore: records go in and out as independent copies, trust
// on first use, and commit applies all of its parts or none.
#include <gtest/gtest.h>

#include "hush/in_memory_store.hpp"
#include "support/deterministic.hpp"
#include "support/party.hpp"

namespace hush::test {
namespace {

Bytes bytes_of(const SessionRecord& r) {
  auto s = r.serialize();
  return Bytes(s.view().begin(), s.view().end());
}

class InMemoryStoreTest : public ::testing::Test {
 protected:
  // A record with real content, from a short in-memory handshake.
  SessionRecord real_record() {
    FakeClock clock;
    Party a{"a", 11, clock};
    Party b{"b", 12, clock};
    EXPECT_TRUE(a.process(b, b.bundle(1, 2)).ok());
    auto loaded = a.store().load_session(b.address());
    EXPECT_TRUE(loaded.ok() && loaded->has_value());
    return std::move(**loaded);
  }

  DeterministicRng rng_{5};
  InMemoryProtocolStore store_{KeyPair::generate(rng_), 4321};
  ProtocolAddress bob_{"bob", 2};
};

TEST_F(InMemoryStoreTest, HoldsItsIdentityAndRegistrationId) {
  EXPECT_EQ(store_.local_registration_id(), 4321u);
  EXPECT_EQ(store_.identity_key_pair().private_key.public_key(), store_.identity_key_pair().public_key);
}

TEST_F(InMemoryStoreTest, TrustOnFirstUse) {
  auto k1 = KeyPair::generate(rng_).public_key;
  auto k2 = KeyPair::generate(rng_).public_key;
  EXPECT_TRUE(*store_.is_trusted_identity("bob", k1, Direction::sending));  // no record yet
  EXPECT_FALSE(*store_.get_identity("bob"));
  ASSERT_TRUE(store_.save_identity("bob", k1).ok());
  EXPECT_TRUE(*store_.is_trusted_identity("bob", k1, Direction::sending));
  EXPECT_TRUE(*store_.is_trusted_identity("bob", k1, Direction::receiving));
  EXPECT_FALSE(*store_.is_trusted_identity("bob", k2, Direction::sending));
  EXPECT_FALSE(*store_.is_trusted_identity("bob", k2, Direction::receiving));
  // Accepting the new key (save_identity) makes it the trusted one.
  ASSERT_TRUE(store_.save_identity("bob", k2).ok());
  EXPECT_TRUE(*store_.is_trusted_identity("bob", k2, Direction::sending));
  EXPECT_FALSE(*store_.is_trusted_identity("bob", k1, Direction::sending));
  // Identities are per name, not per device or shared across names.
  EXPECT_TRUE(*store_.is_trusted_identity("carol", k1, Direction::sending));
}

TEST_F(InMemoryStoreTest, PreKeysStoreLoadAndRemove) {
  auto pk = generate_prekey(9, rng_);
  ASSERT_TRUE(store_.store_prekey(pk).ok());
  auto loaded = store_.load_prekey(9);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ((*loaded)->key_pair.public_key, pk.key_pair.public_key);
  EXPECT_TRUE(ct_equal((*loaded)->key_pair.private_key.serialize(), pk.key_pair.private_key.serialize()));
  EXPECT_FALSE(*store_.load_prekey(10));
  ASSERT_TRUE(store_.remove_prekey(9).ok());
  EXPECT_FALSE(*store_.load_prekey(9));
  EXPECT_TRUE(store_.remove_prekey(9).ok());  // idempotent
}

TEST_F(InMemoryStoreTest, SignedPreKeysStoreAndLoad) {
  auto spk = generate_signed_prekey(store_.identity_key_pair(), 3, 1'700'000'000'000ull, rng_);
  ASSERT_TRUE(store_.store_signed_prekey(spk).ok());
  auto loaded = store_.load_signed_prekey(3);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ((*loaded)->timestamp, spk.timestamp);
  EXPECT_EQ((*loaded)->signature, spk.signature);
  EXPECT_EQ((*loaded)->key_pair.public_key, spk.key_pair.public_key);
  EXPECT_FALSE(*store_.load_signed_prekey(4));
}

TEST_F(InMemoryStoreTest, SessionsAreStoredAndLoadedAsCopies) {
  EXPECT_FALSE(*store_.load_session(bob_));
  auto record = real_record();
  auto original = bytes_of(record);
  ASSERT_TRUE(store_.store_session(bob_, record).ok());

  // Changing the caller's record afterwards does not reach the store...
  record.archive_current_state();
  auto loaded = store_.load_session(bob_);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ(bytes_of(**loaded), original);
  // ...nor does changing a loaded copy.
  (*loaded)->archive_current_state();
  EXPECT_EQ(bytes_of(**store_.load_session(bob_)), original);
  EXPECT_FALSE(*store_.load_session(ProtocolAddress{"bob", 3}));
}

TEST_F(InMemoryStoreTest, CommitAppliesEveryPart) {
  ASSERT_TRUE(store_.store_prekey(generate_prekey(31, rng_)).ok());
  ASSERT_TRUE(store_.store_prekey(generate_prekey(32, rng_)).ok());
  ASSERT_TRUE(store_.save_identity("bob", KeyPair::generate(rng_).public_key).ok());
  ASSERT_TRUE(store_.store_session(bob_, SessionRecord{}).ok());
  auto record = real_record();
  auto key = KeyPair::generate(rng_).public_key;

  ASSERT_TRUE(store_.commit(SessionCommit{bob_, &record, key, 31u}).ok());
  EXPECT_EQ(**store_.get_identity("bob"), key);  // replaced
  EXPECT_EQ(bytes_of(**store_.load_session(bob_)), bytes_of(record));
  EXPECT_FALSE(*store_.load_prekey(31));
  EXPECT_TRUE(*store_.load_prekey(32));
}

TEST_F(InMemoryStoreTest, CommitWithOnlyASessionTouchesNothingElse) {
  ASSERT_TRUE(store_.store_prekey(generate_prekey(31, rng_)).ok());
  auto record = real_record();
  ASSERT_TRUE(store_.commit(SessionCommit{bob_, &record, std::nullopt, std::nullopt}).ok());
  EXPECT_FALSE(*store_.get_identity("bob"));
  EXPECT_TRUE(*store_.load_prekey(31));
  EXPECT_EQ(bytes_of(**store_.load_session(bob_)), bytes_of(record));
}

TEST_F(InMemoryStoreTest, CommitWithoutRecordChangesNothing) {
  ASSERT_TRUE(store_.store_prekey(generate_prekey(31, rng_)).ok());
  auto r = store_.commit(SessionCommit{bob_, nullptr, KeyPair::generate(rng_).public_key, 31u});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::bad_request);
  EXPECT_FALSE(*store_.get_identity("bob"));
  EXPECT_TRUE(*store_.load_prekey(31));
  EXPECT_FALSE(*store_.load_session(bob_));
}

TEST_F(InMemoryStoreTest, CommitOfAnAbsentPrekeyStillStoresTheRest) {
  auto record = real_record();
  auto key = KeyPair::generate(rng_).public_key;
  ASSERT_TRUE(store_.commit(SessionCommit{bob_, &record, key, 77u}).ok());
  EXPECT_EQ(**store_.get_identity("bob"), key);
  EXPECT_TRUE(*store_.load_session(bob_));
}

TEST_F(InMemoryStoreTest, CommitStoresACopyOfTheRecord) {
  auto record = real_record();
  auto original = bytes_of(record);
  ASSERT_TRUE(store_.commit(SessionCommit{bob_, &record, std::nullopt, std::nullopt}).ok());
  record.archive_current_state();
  EXPECT_EQ(bytes_of(**store_.load_session(bob_)), original);
}

}  // namespace
}  // namespace hush::test
