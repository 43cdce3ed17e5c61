// Db::delete_account (`hushd account delete`): the account and everything
// addressed to it go in one transaction; what it sent to others stays; the
// name can register again with a new identity key.
#include "db_fixture.hpp"

namespace hush::server::test {
namespace {

class AccountDeleteTest : public DbTest {};

EnvelopeId envelope_id(std::uint8_t n) {
  EnvelopeId id{};
  id.fill(n);
  return id;
}

TEST_F(AccountDeleteTest, RemovesAccountDevicesKeysAndQueueKeepsOthers) {
  auto db = open_db();
  ASSERT_TRUE(db);
  const auto bob = make_account(*db, "bob", 1);
  make_account(*db, "carol", 2);
  ASSERT_EQ(*db->add_device(bob, device_record(7, 7)), 2u);
  ASSERT_TRUE(db->set_signed_prekey(bob, 1, {1, public_key(10), Bytes(64, 1)}).ok());
  ASSERT_TRUE(db->add_prekeys(bob, 1, prekeys(1, 5), 100).ok());
  auto to_bob = make_envelope("bob", 1, envelope_id(1));
  auto from_bob = make_envelope("carol", 1, envelope_id(2));
  from_bob.source_user = "bob";
  ASSERT_TRUE(db->enqueue({to_bob, from_bob}, QueueLimits{}).ok());

  auto deleted = db->delete_account("bob");
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_TRUE(*deleted);

  EXPECT_FALSE(db->find_account("bob")->has_value());
  EXPECT_TRUE(db->find_account("carol")->has_value());
  EXPECT_EQ(db->queue_depth("bob", 1)->envelopes, 0u);
  EXPECT_EQ(db->queue_depth("carol", 1)->envelopes, 1u);  // what bob sent stays with its recipient
  db.reset();
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM devices WHERE account_id = " + std::to_string(bob)), 0);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM prekeys WHERE account_id = " + std::to_string(bob)), 0);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM signed_prekeys WHERE account_id = " + std::to_string(bob)), 0);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM queue WHERE destination_user = 'bob'"), 0);
  expect_depth_counters_exact(db_file());
}

TEST_F(AccountDeleteTest, NameRegistersAgainWithANewIdentity) {
  auto db = open_db();
  ASSERT_TRUE(db);
  make_account(*db, "bob", 1);
  ASSERT_TRUE(*db->delete_account("bob"));
  auto again = db->create_account("bob", public_key(9), device_record(99, 9), std::nullopt, 2000);
  ASSERT_TRUE(again.ok()) << again.error().message;
  auto found = db->find_account("bob");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->identity_key, public_key(9));
}

TEST_F(AccountDeleteTest, UnknownAccountIsFalseAndChangesNothing) {
  auto db = open_db();
  ASSERT_TRUE(db);
  make_account(*db, "carol", 2);
  auto deleted = db->delete_account("bob");
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
  EXPECT_TRUE(db->find_account("carol")->has_value());
}

}  // namespace
}  // namespace hush::server::test
