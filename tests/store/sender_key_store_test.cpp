// SqliteProtocolStore as a SenderKeyStore (schema version 2, table
// sender_keys): records survive a reopen byte for byte, are keyed by sender
// name, device and distribution id, a store from before sender keys gains the
// table on open, and bad rows are storage errors.
#include "hush/group.hpp"
#include "store_fixture.hpp"

namespace hush::test {
namespace {

using store::SqliteProtocolStore;

class SqliteSenderKeyTest : public StoreTest {
 protected:
  static DistributionId dist(std::string_view text) { return *DistributionId::parse(text); }

  // A record with real content: Alice's own chain after two sends, held in
  // an in-memory store.
  SenderKeyRecord own_record() {
    InMemoryProtocolStore mem{KeyPair::generate(rng_), 1};
    EXPECT_TRUE(create_sender_key_distribution_message(mem, alice_, group_, rng_).ok());
    for (int i = 0; i < 2; ++i) EXPECT_TRUE(group_encrypt(mem, alice_, group_, as_bytes("x"), rng_).ok());
    auto r = mem.load_sender_key(alice_, group_);
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? std::move(**r) : SenderKeyRecord{};
  }

  static Bytes bytes_of(const SenderKeyRecord& r) {
    auto s = r.serialize();
    return Bytes(s.view().begin(), s.view().end());
  }

  ProtocolAddress alice_{"alice", 1};
  ProtocolAddress bob_{"bob", 1};
  DistributionId group_ = dist("d1d1d1d1-2222-4333-8444-555555555555");
};

TEST_F(SqliteSenderKeyTest, RecordsRoundTripAcrossReopenByteForByte) {
  auto record = own_record();
  const Bytes expected = bytes_of(record);
  {
    auto s = open_store();
    ASSERT_TRUE(s);
    auto absent = s->load_sender_key(alice_, group_);
    ASSERT_TRUE(absent.ok());
    EXPECT_FALSE(absent->has_value());
    ASSERT_TRUE(s->store_sender_key(alice_, group_, record).ok());
  }
  auto s = open_store();
  ASSERT_TRUE(s);
  auto loaded = s->load_sender_key(alice_, group_);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ(bytes_of(**loaded), expected);
}

TEST_F(SqliteSenderKeyTest, KeyedByNameDeviceAndDistributionId) {
  auto s = open_store();
  ASSERT_TRUE(s);
  auto record = own_record();
  ASSERT_TRUE(s->store_sender_key(alice_, group_, record).ok());
  const auto other_group = dist("D1D1D1D1-2222-4333-8444-555555555556");
  for (const auto& [who, id] :
       {std::pair{ProtocolAddress{"alice", 2}, group_}, std::pair{bob_, group_}, std::pair{alice_, other_group}}) {
    auto r = s->load_sender_key(who, id);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value()) << who.to_string() << " " << id.to_string();
  }
  // The textual case of an id does not matter: it is the same 16 bytes.
  auto upper = s->load_sender_key(alice_, dist("D1D1D1D1-2222-4333-8444-555555555555"));
  ASSERT_TRUE(upper.ok() && upper->has_value());
}

TEST_F(SqliteSenderKeyTest, StoringAgainReplacesTheRecord) {
  auto s = open_store();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->store_sender_key(alice_, group_, own_record()).ok());
  auto second = own_record();
  ASSERT_TRUE(s->store_sender_key(alice_, group_, second).ok());
  auto loaded = s->load_sender_key(alice_, group_);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ(bytes_of(**loaded), bytes_of(second));
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM sender_keys"), 1);
}

TEST_F(SqliteSenderKeyTest, GroupConversationContinuesAcrossReopens) {
  InMemoryProtocolStore bob{KeyPair::generate(rng_), 2};
  {
    auto s = open_store();
    ASSERT_TRUE(s);
    auto skdm = create_sender_key_distribution_message(*s, alice_, group_, rng_);
    ASSERT_TRUE(skdm.ok());
    ASSERT_TRUE(process_sender_key_distribution_message(bob, alice_, skdm->view()).ok());
  }
  for (int round = 0; round < 3; ++round) {
    auto s = open_store();
    ASSERT_TRUE(s);
    const std::string text = "round " + std::to_string(round);
    auto m = group_encrypt(*s, alice_, group_, as_bytes(text), rng_);
    ASSERT_TRUE(m.ok()) << round;
    auto pt = group_decrypt(bob, alice_, *m);
    ASSERT_TRUE(pt.ok()) << round;
    EXPECT_EQ(std::string(pt->view().begin(), pt->view().end()), text);
  }
  // And the other way: Bob's messages, decrypted by the SQLite party, with a
  // failure in between that must leave the row alone.
  auto bob_skdm = create_sender_key_distribution_message(bob, bob_, group_, rng_);
  ASSERT_TRUE(bob_skdm.ok());
  {
    auto s = open_store();
    ASSERT_TRUE(s);
    ASSERT_TRUE(process_sender_key_distribution_message(*s, bob_, bob_skdm->view()).ok());
  }
  auto m0 = group_encrypt(bob, bob_, group_, as_bytes("zero"), rng_);
  auto m1 = group_encrypt(bob, bob_, group_, as_bytes("one"), rng_);
  ASSERT_TRUE(m0.ok() && m1.ok());
  auto s = open_store();
  ASSERT_TRUE(s);
  ASSERT_TRUE(group_decrypt(*s, bob_, *m1).ok());
  Bytes tampered = *m0;
  tampered.back() ^= 1;
  const Bytes before = bytes_of(**s->load_sender_key(bob_, group_));
  EXPECT_EQ(group_decrypt(*s, bob_, tampered).code(), Errc::invalid_message);
  EXPECT_EQ(bytes_of(**s->load_sender_key(bob_, group_)), before);
  s.reset();
  s = open_store();
  ASSERT_TRUE(s);
  auto pt = group_decrypt(*s, bob_, *m0);
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ(std::string(pt->view().begin(), pt->view().end()), "zero");
  EXPECT_EQ(group_decrypt(*s, bob_, *m0).code(), Errc::duplicate_message);
}

TEST_F(SqliteSenderKeyTest, VersionOneStoreGainsTheTableAndKeepsItsData) {
  auto session = real_session_record();
  {
    auto s = open_store();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->store_session(bob_, session).ok());
  }
  {
    // What a store written before sender keys looks like.
    RawDb raw(db_file());
    ASSERT_EQ(raw.exec("DROP TABLE sender_keys; PRAGMA user_version = 1;"), SQLITE_OK);
  }
  auto s = open_store();
  ASSERT_TRUE(s);
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("PRAGMA user_version"), 3);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'sender_keys'"), 1);
  auto loaded = s->load_session(bob_);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ(serialized(**loaded), serialized(session));
  ASSERT_TRUE(s->store_sender_key(alice_, group_, own_record()).ok());
}

TEST_F(SqliteSenderKeyTest, CorruptRowsAreStorageErrors) {
  auto s = open_store();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->store_sender_key(alice_, group_, own_record()).ok());
  RawDb raw(db_file());
  ASSERT_EQ(raw.exec("UPDATE sender_keys SET record = x'0a0501'"), SQLITE_OK);
  auto r = s->load_sender_key(alice_, group_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  // Group operations report the store's error and change nothing.
  EXPECT_EQ(group_encrypt(*s, alice_, group_, as_bytes("x"), rng_).code(), Errc::storage);

  ASSERT_TRUE(s->store_sender_key(alice_, group_, own_record()).ok());
  ASSERT_EQ(raw.exec("UPDATE sender_keys SET format_version = 9"), SQLITE_OK);
  auto r2 = s->load_sender_key(alice_, group_);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.code(), Errc::storage);
  EXPECT_NE(r2.error().message.find("unknown format version 9"), std::string::npos) << r2.error().message;
}

TEST_F(SqliteSenderKeyTest, DistributionIdColumnHoldsSixteenBytes) {
  auto s = open_store();
  ASSERT_TRUE(s);
  RawDb raw(db_file());
  EXPECT_NE(raw.exec("INSERT INTO sender_keys VALUES ('x', 1, x'00', 1, x'')"), SQLITE_OK);
}

}  // namespace
}  // namespace hush::test
