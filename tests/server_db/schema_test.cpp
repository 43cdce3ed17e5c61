// Schema versions and migrations: a fresh file, a reopen, a newer file
// refused untouched, a foreign file refused, and the migration runner on
// synthetic step lists (resume, failed step rolled back alone).
#include <array>
#include <fstream>

#include "db/schema.hpp"
#include "db_fixture.hpp"

namespace hush::server::test {
namespace {

using db_detail::kApplicationId;
using db_detail::kSchemaVersion;
using db_detail::Migration;

class SchemaTest : public DbTest {
 protected:
  // A raw hushd-less SQLite file in the data directory.
  void create_raw_file() {
    std::filesystem::create_directories(dir_);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_file().c_str(), &db), SQLITE_OK);
    sqlite3_close(db);
  }

  std::unique_ptr<db_detail::Connection> connect() {
    auto c = std::make_unique<db_detail::Connection>();
    auto r = c->open(db_file(), std::chrono::milliseconds(1000));
    EXPECT_TRUE(r.ok()) << describe(r.error());
    return c;
  }
};

TEST_F(SchemaTest, FreshDatabaseIsAtTheCurrentVersionWithEveryTable) {
  ASSERT_TRUE(open_db());
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(raw.query_int("PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(raw.query_text("PRAGMA journal_mode"), "wal");
  for (const char* table : {"invites", "accounts", "devices", "signed_prekeys", "prekeys", "queue", "queue_depth"})
    EXPECT_EQ(raw.query_int(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '") +
                            table + "'"),
              1)
        << table;
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'queue_by_destination'"), 1);
}

TEST_F(SchemaTest, FetchQueueUsesTheDestinationIndex) {
  ASSERT_TRUE(open_db());
  RawDb raw(db_file());
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw.get(),
                               "EXPLAIN QUERY PLAN SELECT seq, content FROM queue WHERE destination_user = 'a' AND "
                               "destination_device = 1 AND seq > 0 ORDER BY seq LIMIT 10",
                               -1, &s, nullptr),
            SQLITE_OK);
  std::string details;
  while (sqlite3_step(s) == SQLITE_ROW) {
    details += reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
    details += ';';
  }
  sqlite3_finalize(s);
  EXPECT_NE(details.find("queue_by_destination"), std::string::npos) << details;
  EXPECT_EQ(details.find("TEMP B-TREE"), std::string::npos) << details;  // no sort step
}

TEST_F(SchemaTest, ReopenKeepsDataAndRunsNoMigration) {
  std::int64_t cookie = 0;
  {
    auto db = open_db();
    make_account(*db, "bob");
  }
  {
    RawDb raw(db_file());
    cookie = raw.query_int("PRAGMA schema_version");  // bumped by any DDL
  }
  auto db = open_db();
  ASSERT_TRUE(db);
  EXPECT_TRUE(db->find_account("bob")->has_value());
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(raw.query_int("PRAGMA schema_version"), cookie);
}

TEST_F(SchemaTest, NewerSchemaIsRefusedAndLeftUntouched) {
  { ASSERT_TRUE(open_db()); }
  {
    RawDb raw(db_file());
    raw.exec("PRAGMA user_version = 99");
    raw.exec("PRAGMA journal_mode = DELETE");  // so an accidental WAL switch would show
  }
  auto r = SqliteDb::open(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_NE(r.error().message.find("newer than this build supports"), std::string::npos) << r.error().message;
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("PRAGMA user_version"), 99);
  EXPECT_EQ(raw.query_text("PRAGMA journal_mode"), "delete");
}

TEST_F(SchemaTest, AnotherApplicationsDatabaseIsRefused) {
  create_raw_file();
  {
    RawDb raw(db_file());
    raw.exec("CREATE TABLE t (x); PRAGMA user_version = 1; PRAGMA application_id = 1212");
  }
  auto r = SqliteDb::open(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not a hushd database"), std::string::npos) << r.error().message;
}

TEST_F(SchemaTest, TheClientStoreIsRefused) {
  create_raw_file();
  {
    RawDb raw(db_file());
    raw.exec("PRAGMA user_version = 1; PRAGMA application_id = 1213551432");  // "HUSH": libhush's store
  }
  auto r = SqliteDb::open(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
}

TEST_F(SchemaTest, AFileThatIsNotSQLiteIsRefused) {
  std::filesystem::create_directories(dir_);
  {
    std::ofstream f(db_file());
    f << std::string(8192, 'x');
  }
  auto r = SqliteDb::open(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
}

// --- The runner, on synthetic step lists ---

constexpr std::array kTwoSteps{
    Migration{1, "CREATE TABLE a (x INTEGER);"},
    Migration{2, "ALTER TABLE a ADD COLUMN y INTEGER; INSERT INTO a VALUES (1, 2);"},
};

TEST_F(SchemaTest, RunnerAppliesMissingStepsInOrderAndResumes) {
  create_raw_file();
  auto c = connect();
  ASSERT_TRUE(db_detail::migrate(*c, std::span(kTwoSteps).first(1)).ok());
  EXPECT_EQ(*c->query_int("v", "PRAGMA user_version"), 1);
  ASSERT_TRUE(db_detail::migrate(*c, kTwoSteps).ok());
  EXPECT_EQ(*c->query_int("v", "PRAGMA user_version"), 2);
  EXPECT_EQ(*c->query_int("row", "SELECT y FROM a"), 2);
  // Current: nothing runs again (the INSERT would add a second row).
  ASSERT_TRUE(db_detail::migrate(*c, kTwoSteps).ok());
  EXPECT_EQ(*c->query_int("rows", "SELECT count(*) FROM a"), 1);
  // An older build's list is refused.
  auto older = db_detail::migrate(*c, std::span(kTwoSteps).first(1));
  ASSERT_FALSE(older.ok());
  EXPECT_NE(older.error().message.find("newer than this build supports (1)"), std::string::npos);
}

TEST_F(SchemaTest, AFailedStepIsRolledBackAloneAndEarlierStepsStay) {
  constexpr std::array kBroken{
      Migration{1, "CREATE TABLE a (x INTEGER);"},
      Migration{2, "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);"},
  };
  create_raw_file();
  auto c = connect();
  auto r = db_detail::migrate(*c, kBroken);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_NE(r.error().message.find("version 2"), std::string::npos) << r.error().message;
  EXPECT_FALSE(c->in_transaction());
  EXPECT_EQ(*c->query_int("v", "PRAGMA user_version"), 1);
  EXPECT_EQ(*c->query_int("b", "SELECT count(*) FROM sqlite_schema WHERE name = 'b'"), 0);
  EXPECT_EQ(*c->query_int("a", "SELECT count(*) FROM sqlite_schema WHERE name = 'a'"), 1);
}

}  // namespace
}  // namespace hush::server::test
