// Schema versioning: a new store is at the current version and marked as a
// Hush store; reopening runs no migration again; a store written by a newer
// build, or a file that is not a Hush store, is refused with a clear error.
#include <fstream>

#include "store_fixture.hpp"

namespace hush::test {
namespace {

using store::SqliteProtocolStore;

// The version this build's migrations end at (store/src/schema.hpp).
constexpr std::int64_t kCurrentSchemaVersion = 3;
constexpr std::int64_t kHushApplicationId = 0x48555348;

class SqliteSchemaTest : public StoreTest {};

TEST_F(SqliteSchemaTest, NewStoreIsAtTheCurrentVersionInWalMode) {
  ASSERT_TRUE(open_store());
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("PRAGMA user_version"), kCurrentSchemaVersion);
  EXPECT_EQ(raw.query_int("PRAGMA application_id"), kHushApplicationId);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
  for (const char* table : {"local_identity", "identities", "prekeys", "signed_prekeys", "sessions"}) {
    EXPECT_EQ(raw.query_int(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '") +
                            table + "'"),
              1)
        << table;
  }
}

TEST_F(SqliteSchemaTest, ReopeningDoesNotRerunMigrations) {
  {
    auto s = open_store();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->save_identity("bob", KeyPair::generate(rng_).public_key).ok());
  }
  // A marker table that migration 1 would not expect: if it ran again its
  // CREATE TABLEs would fail; if the schema were rebuilt the marker would go.
  {
    RawDb raw(db_file());
    ASSERT_EQ(raw.exec("CREATE TABLE marker (x INTEGER)"), SQLITE_OK);
  }
  auto s = open_store();
  ASSERT_TRUE(s);
  EXPECT_TRUE(*s->get_identity("bob"));
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("PRAGMA user_version"), kCurrentSchemaVersion);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM marker"), 0);
}

TEST_F(SqliteSchemaTest, StoreFromANewerBuildIsRefused) {
  ASSERT_TRUE(open_store());
  {
    RawDb raw(db_file());
    ASSERT_EQ(raw.exec("PRAGMA user_version = 99"), SQLITE_OK);
  }
  auto r = SqliteProtocolStore::open(dir_, options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_NE(r.error().message.find("schema version 99 is newer"), std::string::npos) << r.error().message;
  // Refusing did not touch the file.
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("PRAGMA user_version"), 99);
}

TEST_F(SqliteSchemaTest, SqliteFileOfAnotherApplicationIsRefused) {
  std::filesystem::create_directories(dir_);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_file().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x); PRAGMA user_version = 1;", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto r = SqliteProtocolStore::open(dir_, options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_NE(r.error().message.find("not a Hush store"), std::string::npos) << r.error().message;
  // Refused before any setting was written: the file is not switched to WAL.
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'delete'"), 1);
}

TEST_F(SqliteSchemaTest, FileThatIsNotSqliteIsAStorageError) {
  std::filesystem::create_directories(dir_);
  {
    std::ofstream f(db_file(), std::ios::binary);
    f << std::string(4096, 'x');
  }
  auto r = SqliteProtocolStore::open(dir_, options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
}

TEST_F(SqliteSchemaTest, DamagedLocalIdentityIsAStorageError) {
  ASSERT_TRUE(open_store());
  {
    RawDb raw(db_file());
    // Keep the lengths (the CHECKs hold) but break the pair: the public key
    // no longer belongs to the private key.
    ASSERT_EQ(raw.exec("UPDATE local_identity SET public_key = x'05" + std::string(64, '0') + "'"), SQLITE_OK);
  }
  auto r = SqliteProtocolStore::open(dir_, options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_NE(r.error().message.find("local identity"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace hush::test
