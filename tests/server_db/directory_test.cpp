// The key-directory half of SqliteDb: invites, accounts, devices, signed and
// one-time prekeys, and bundle claims.
#include <sys/stat.h>

#include <cstdio>
#include <future>

#include "db_fixture.hpp"

namespace hush::server::test {
namespace {

class DirectoryTest : public DbTest {};

TEST_F(DirectoryTest, OpenCreatesPrivateDirectoryAndFiles) {
  auto db = open_db();
  ASSERT_TRUE(db);
  struct stat st {};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    auto path = db_file().string() + suffix;
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << path;
  }
}

TEST_F(DirectoryTest, OpenRefusesAFileWhereTheDirectoryShouldBe) {
  std::filesystem::create_directories(root_);
  { std::FILE* f = std::fopen(dir_.c_str(), "w"); ASSERT_NE(f, nullptr); std::fclose(f); }
  auto r = SqliteDb::open(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
}

TEST_F(DirectoryTest, CreateAccountStoresDeviceOneAndFindsIt) {
  auto db = open_db();
  DeviceRecord first = device_record(4242, 9);
  first.device_id = 7;  // ignored: the first device is always 1
  auto created = db->create_account("bob", public_key(3), first, std::nullopt, 1234);
  ASSERT_TRUE(created.ok()) << describe(created.error());
  EXPECT_GT(created->account_id, 0);
  EXPECT_EQ(created->username, "bob");
  EXPECT_EQ(created->identity_key, public_key(3));
  ASSERT_EQ(created->devices.size(), 1u);
  EXPECT_EQ(created->devices[0].device_id, 1u);
  EXPECT_EQ(created->devices[0].created_ms, 1234u);  // defaults to now_ms

  auto found = db->find_account("bob");
  ASSERT_TRUE(found.ok() && found->has_value());
  const AccountRecord& a = **found;
  EXPECT_EQ(a.account_id, created->account_id);
  EXPECT_EQ(a.identity_key, public_key(3));
  ASSERT_EQ(a.devices.size(), 1u);
  EXPECT_EQ(a.devices[0].device_id, 1u);
  EXPECT_EQ(a.devices[0].registration_id, 4242u);
  EXPECT_EQ(a.devices[0].secret_hash, secret_hash(9));
  EXPECT_EQ(a.devices[0].created_ms, 1234u);

  auto missing = db->find_account("nobody");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(DirectoryTest, UsernameTakenIsDistinguishable) {
  auto db = open_db();
  make_account(*db, "bob");
  auto again = db->create_account("bob", public_key(4), device_record(1, 1), std::nullopt, 1);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.code(), Errc::bad_request);
  EXPECT_EQ(again.error().message, "username taken");
  EXPECT_EQ(db_error(again.error()), DbError::username_taken);
}

TEST_F(DirectoryTest, DbErrorRoundTripsEveryValue) {
  for (auto e : {DbError::username_taken, DbError::invalid_invite, DbError::unknown_account, DbError::unknown_device,
                 DbError::too_many_prekeys, DbError::duplicate_envelope, DbError::duplicate_invite,
                 DbError::invalid_argument})
    EXPECT_EQ(db_error(make_db_error(e)), e);
  EXPECT_EQ(db_error(make_error(Errc::storage, "username taken")), DbError::other);
  EXPECT_EQ(db_error(make_error(Errc::bad_request, "something else")), DbError::other);
}

TEST_F(DirectoryTest, InviteIsConsumedOnceByAccountCreation) {
  auto db = open_db();
  ASSERT_TRUE(db->create_invite(secret_hash(0xA1), 5000).ok());
  auto first = db->create_account("carol", public_key(5), device_record(1, 1), secret_hash(0xA1), 1000);
  ASSERT_TRUE(first.ok()) << describe(first.error());
  auto second = db->create_account("dave", public_key(6), device_record(1, 2), secret_hash(0xA1), 1001);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(db_error(second.error()), DbError::invalid_invite);
  EXPECT_EQ(second.error().message, "invalid or used invite");
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("SELECT used_ms FROM invites"), 1000);
}

TEST_F(DirectoryTest, ExpiredOrUnknownInviteIsRefused) {
  auto db = open_db();
  ASSERT_TRUE(db->create_invite(secret_hash(0xA2), 5000).ok());
  auto expired = db->create_account("erin", public_key(7), device_record(1, 1), secret_hash(0xA2), 5000);
  EXPECT_EQ(db_error(expired.error()), DbError::invalid_invite);
  auto unknown = db->create_account("erin", public_key(7), device_record(1, 1), secret_hash(0xA3), 10);
  EXPECT_EQ(db_error(unknown.error()), DbError::invalid_invite);
  EXPECT_FALSE(db->find_account("erin")->has_value());
  auto ok = db->create_account("erin", public_key(7), device_record(1, 1), secret_hash(0xA2), 4999);
  EXPECT_TRUE(ok.ok());
}

TEST_F(DirectoryTest, TakenUsernameDoesNotSpendTheInvite) {
  auto db = open_db();
  make_account(*db, "frank");
  ASSERT_TRUE(db->create_invite(secret_hash(0xB1), 5000).ok());
  auto taken = db->create_account("frank", public_key(8), device_record(1, 1), secret_hash(0xB1), 10);
  EXPECT_EQ(db_error(taken.error()), DbError::username_taken);
  // Rolled back with the failed op: still usable.
  auto ok = db->create_account("grace", public_key(8), device_record(1, 1), secret_hash(0xB1), 11);
  EXPECT_TRUE(ok.ok());
}

TEST_F(DirectoryTest, DuplicateInviteIsRefused) {
  auto db = open_db();
  ASSERT_TRUE(db->create_invite(secret_hash(0xC1), 5000).ok());
  auto again = db->create_invite(secret_hash(0xC1), 6000);
  EXPECT_EQ(db_error(again.error()), DbError::duplicate_invite);
}

TEST_F(DirectoryTest, WrongSizedIdentityKeyIsBadRequest) {
  auto db = open_db();
  Bytes short_key(32, 5);
  auto r = db->create_account("henry", short_key, device_record(1, 1), std::nullopt, 1);
  EXPECT_EQ(db_error(r.error()), DbError::invalid_argument);
}

TEST_F(DirectoryTest, AddDeviceTakesTheNextFreeId) {
  auto db = open_db();
  auto id = make_account(*db, "ivan");
  DeviceRecord d = device_record(77, 2);
  d.created_ms = 999;
  auto second = db->add_device(id, d);
  ASSERT_TRUE(second.ok()) << describe(second.error());
  EXPECT_EQ(*second, 2u);
  EXPECT_EQ(*db->add_device(id, device_record(78, 3)), 3u);
  auto a = db->find_account("ivan");
  ASSERT_TRUE(a.ok() && a->has_value());
  ASSERT_EQ((*a)->devices.size(), 3u);
  EXPECT_EQ((*a)->devices[1].device_id, 2u);
  EXPECT_EQ((*a)->devices[1].registration_id, 77u);
  EXPECT_EQ((*a)->devices[1].created_ms, 999u);
  EXPECT_EQ((*a)->devices[2].secret_hash, secret_hash(3));

  auto unknown = db->add_device(id + 100, d);
  EXPECT_EQ(db_error(unknown.error()), DbError::unknown_account);
}

TEST_F(DirectoryTest, SignedPrekeyIsReplacedAndServedInBundles) {
  auto db = open_db();
  auto id = make_account(*db, "judy");
  ASSERT_TRUE(db->set_signed_prekey(id, 1, {1, public_key(10), Bytes(64, 1)}).ok());
  ASSERT_TRUE(db->set_signed_prekey(id, 1, {2, public_key(11), Bytes(64, 2)}).ok());
  auto bundles = db->claim_bundles(id, {1});
  ASSERT_TRUE(bundles.ok());
  ASSERT_EQ(bundles->size(), 1u);
  const auto& b = (*bundles)[0];
  EXPECT_EQ(b.device_id, 1u);
  EXPECT_EQ(b.registration_id, 1001u);
  ASSERT_TRUE(b.signed_prekey);
  EXPECT_EQ(b.signed_prekey->key_id, 2u);
  EXPECT_EQ(b.signed_prekey->public_key, public_key(11));
  EXPECT_EQ(b.signed_prekey->signature, Bytes(64, 2));
  EXPECT_FALSE(b.prekey);
}

TEST_F(DirectoryTest, SignedPrekeyChecksDeviceAndSizes) {
  auto db = open_db();
  auto id = make_account(*db, "kim");
  EXPECT_EQ(db_error(db->set_signed_prekey(id, 2, {1, public_key(1), Bytes(64, 1)}).error()),
            DbError::unknown_device);
  EXPECT_EQ(db_error(db->set_signed_prekey(id, 1, {1, public_key(1), Bytes(63, 1)}).error()),
            DbError::invalid_argument);
  EXPECT_EQ(db_error(db->set_signed_prekey(id, 1, {1, Bytes(32, 1), Bytes(64, 1)}).error()),
            DbError::invalid_argument);
}

TEST_F(DirectoryTest, PrekeysAreCountedReplacedAndLimited) {
  auto db = open_db();
  auto id = make_account(*db, "leo");
  ASSERT_TRUE(db->add_prekeys(id, 1, prekeys(1, 10), 20).ok());
  EXPECT_EQ(*db->prekey_count(id, 1), 10u);
  // Same ids replace, they do not add.
  ASSERT_TRUE(db->add_prekeys(id, 1, prekeys(5, 10), 20).ok());
  EXPECT_EQ(*db->prekey_count(id, 1), 14u);
  // Over the limit: refused, and nothing of the call is stored.
  auto over = db->add_prekeys(id, 1, prekeys(100, 7), 20);
  EXPECT_EQ(db_error(over.error()), DbError::too_many_prekeys);
  EXPECT_EQ(*db->prekey_count(id, 1), 14u);
  EXPECT_TRUE(db->add_prekeys(id, 1, prekeys(100, 6), 20).ok());
  EXPECT_EQ(*db->prekey_count(id, 1), 20u);

  EXPECT_EQ(db_error(db->add_prekeys(id, 9, prekeys(1, 1), 20).error()), DbError::unknown_device);
  std::vector<PreKeyEntry> bad{{1, Bytes(5, 5)}};
  EXPECT_EQ(db_error(db->add_prekeys(id, 1, bad, 20).error()), DbError::invalid_argument);
  EXPECT_EQ(*db->prekey_count(id, 7), 0u);
}

TEST_F(DirectoryTest, ClaimTakesOnePrekeyPerDeviceLowestIdFirst) {
  auto db = open_db();
  auto id = make_account(*db, "mia");
  ASSERT_EQ(*db->add_device(id, device_record(2000, 4)), 2u);
  ASSERT_EQ(*db->add_device(id, device_record(3000, 5)), 3u);
  ASSERT_TRUE(db->add_prekeys(id, 1, prekeys(30, 2), 100).ok());
  ASSERT_TRUE(db->add_prekeys(id, 2, prekeys(50, 1), 100).ok());

  auto first = db->claim_bundles(id, {1, 2, 3});
  ASSERT_TRUE(first.ok()) << describe(first.error());
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ((*first)[0].prekey->key_id, 30u);
  EXPECT_EQ((*first)[0].prekey->public_key, public_key(30));
  EXPECT_EQ((*first)[1].prekey->key_id, 50u);
  EXPECT_EQ((*first)[1].registration_id, 2000u);
  EXPECT_FALSE((*first)[2].prekey);  // device 3 never uploaded any
  EXPECT_FALSE((*first)[2].signed_prekey);

  auto second = db->claim_bundles(id, {1, 2});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)[0].prekey->key_id, 31u);
  EXPECT_FALSE((*second)[1].prekey);
  EXPECT_EQ(*db->prekey_count(id, 1), 0u);
  EXPECT_EQ(*db->prekey_count(id, 2), 0u);
}

TEST_F(DirectoryTest, ClaimLeavesOutUnknownDevicesAndRepeats) {
  auto db = open_db();
  auto id = make_account(*db, "ned");
  ASSERT_TRUE(db->add_prekeys(id, 1, prekeys(1, 5), 100).ok());
  auto r = db->claim_bundles(id, {9, 1, 1});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].device_id, 1u);
  EXPECT_EQ(*db->prekey_count(id, 1), 4u);  // one claim, not two
  auto none = db->claim_bundles(id + 1, {1});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(db->claim_bundles(id, {})->empty());
}

TEST_F(DirectoryTest, ClaimAsyncDeliversTheBundle) {
  auto db = open_db();
  auto id = make_account(*db, "olga");
  ASSERT_TRUE(db->add_prekeys(id, 1, prekeys(8, 1), 100).ok());
  std::promise<Result<std::vector<DeviceBundle>>> p;
  db->claim_bundles_async(id, {1}, [&](Result<std::vector<DeviceBundle>> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].prekey->key_id, 8u);
}

TEST_F(DirectoryTest, EverythingSurvivesReopen) {
  std::int64_t id = 0;
  {
    auto db = open_db();
    id = make_account(*db, "pat");
    ASSERT_TRUE(db->set_signed_prekey(id, 1, {4, public_key(40), Bytes(64, 4)}).ok());
    ASSERT_TRUE(db->add_prekeys(id, 1, prekeys(1, 3), 100).ok());
    ASSERT_TRUE(db->create_invite(secret_hash(0xD1), 100000).ok());
  }
  auto db = open_db();
  auto a = db->find_account("pat");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->account_id, id);
  EXPECT_EQ(*db->prekey_count(id, 1), 3u);
  auto b = db->claim_bundles(id, {1});
  EXPECT_EQ((*b)[0].signed_prekey->key_id, 4u);
  EXPECT_TRUE(db->create_account("quinn", public_key(1), device_record(1, 1), secret_hash(0xD1), 5).ok());
}

TEST_F(DirectoryTest, TheDeviceSecretHashIsWhatIsStored) {
  // The Db only ever receives SHA-256(secret); what goes in comes out.
  auto db = open_db();
  make_account(*db, "rita", 0x33);
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM devices WHERE length(secret_hash) = 32 AND secret_hash = "
                          "x'3333333333333333333333333333333333333333333333333333333333333333'"),
            1);
}

}  // namespace
}  // namespace hush::server::test
