// The migration runner shared by every Hush SQLite file (hush/sqlite/
// migrations.hpp, file_schema.hpp), on synthetic step lists and real SQLite
// files: steps run in order and once, a newer file is refused untouched, a
// failed step is rolled back alone, and a migration another connection
// finished meanwhile is not run again.
#include <array>
#include <fstream>
#include <iterator>
#include <span>
#include <string>

#include "hush/sqlite/file_schema.hpp"
#include "hush/sqlite/migrations.hpp"
#include "hush/sqlite/private_files.hpp"
#include "store_fixture.hpp"

namespace hush::test {
namespace {

using sqlite::Connection;
using sqlite::Migration;

constexpr std::array kTwoSteps{
    Migration{1, "CREATE TABLE a (x INTEGER);"},
    Migration{2, "ALTER TABLE a ADD COLUMN y INTEGER; INSERT INTO a VALUES (1, 2);"},
};

static_assert(sqlite::numbered_from_one(kTwoSteps));
static_assert(sqlite::numbered_from_one(std::span<const Migration>{}));
static_assert(!sqlite::numbered_from_one(std::array{Migration{1, ""}, Migration{3, ""}}));
static_assert(!sqlite::numbered_from_one(std::array{Migration{2, ""}}));
static_assert(sqlite::last_version(kTwoSteps) == 2);

constexpr sqlite::FileSchema kSchema{0x54455354, "test file", "test schema"};

// StoreTest for its temporary directory; the file here is a bare SQLite
// file, not a store.
class MigrationsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ASSERT_TRUE(sqlite::ensure_private_directory(dir_).ok());
    ASSERT_TRUE(sqlite::ensure_private_file(file()).ok());
    ASSERT_TRUE(open(db_).ok());
  }

  std::filesystem::path file() const { return dir_ / "test.db"; }
  Result<void> open(Connection& c) { return c.open(file(), std::chrono::milliseconds(1000)); }
  std::int64_t query(Connection& c, const std::string& sql) {
    auto r = c.query_int(sql, sql);
    EXPECT_TRUE(r.ok()) << sql;
    return r.ok() ? *r : -1;
  }
  std::int64_t query(const std::string& sql) { return query(db_, sql); }
  bool has_table(const std::string& name) {
    return query("SELECT count(*) FROM sqlite_schema WHERE name = '" + name + "'") == 1;
  }
  std::string file_bytes() const {
    std::ifstream f(file(), std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  }

  Connection db_;
};

TEST_F(MigrationsTest, ANewFileGetsEveryStepInOrderAndTheApplicationId) {
  ASSERT_TRUE(sqlite::migrate_file_schema(db_, kTwoSteps, kSchema).ok());
  EXPECT_EQ(query("PRAGMA user_version"), 2);
  EXPECT_EQ(query("PRAGMA application_id"), kSchema.application_id);
  // Step 2 ran after step 1: its column exists and its row is there.
  EXPECT_EQ(query("SELECT y FROM a"), 2);
  EXPECT_TRUE(sqlite::check_file_schema(db_, kTwoSteps, kSchema).ok());
}

TEST_F(MigrationsTest, AppliedStepsAreSkippedAndTheMissingOnesRun) {
  ASSERT_TRUE(sqlite::migrate_file_schema(db_, std::span(kTwoSteps).first(1), kSchema).ok());
  EXPECT_EQ(query("PRAGMA user_version"), 1);
  EXPECT_FALSE(db_.in_transaction());
  // Step 1 again would fail (table a exists); step 2 adds the row.
  ASSERT_TRUE(sqlite::migrate_file_schema(db_, kTwoSteps, kSchema).ok());
  EXPECT_EQ(query("PRAGMA user_version"), 2);
  // Current: nothing runs (a second INSERT would add a row).
  ASSERT_TRUE(sqlite::migrate_file_schema(db_, kTwoSteps, kSchema).ok());
  EXPECT_EQ(query("SELECT count(*) FROM a"), 1);
}

TEST_F(MigrationsTest, ANewerFileIsRefusedAndLeftUntouched) {
  ASSERT_TRUE(sqlite::migrate_file_schema(db_, kTwoSteps, kSchema).ok());
  ASSERT_TRUE(db_.exec("fake a newer build", "PRAGMA user_version = 5").ok());
  const auto before = file_bytes();

  auto checked = sqlite::check_file_schema(db_, kTwoSteps, kSchema);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.code(), Errc::storage);
  auto r = sqlite::migrate_file_schema(db_, kTwoSteps, kSchema);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_EQ(r.error().message, "test schema version 5 is newer than this build supports (2); refusing to open it");

  EXPECT_FALSE(db_.in_transaction());
  EXPECT_EQ(query("PRAGMA user_version"), 5);
  EXPECT_EQ(file_bytes(), before);
}

TEST_F(MigrationsTest, AFileOfAnotherApplicationIsRefusedUnmigrated) {
  ASSERT_TRUE(db_.exec("foreign file", "CREATE TABLE t (x); PRAGMA user_version = 1").ok());
  auto r = sqlite::migrate_file_schema(db_, kTwoSteps, kSchema);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_EQ(r.error().message, "the database is not a test file (application id)");
  EXPECT_FALSE(has_table("a"));
}

TEST_F(MigrationsTest, AFailedStepIsRolledBackWholeAndEarlierStepsStay) {
  constexpr std::array kBroken{
      Migration{1, "CREATE TABLE a (x INTEGER);"},
      Migration{2, "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);"},
  };
  auto r = sqlite::migrate_file_schema(db_, kBroken, kSchema);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_NE(r.error().message.find("migrate test schema to version 2"), std::string::npos) << r.error().message;
  EXPECT_FALSE(db_.in_transaction());
  EXPECT_EQ(query("PRAGMA user_version"), 1);
  EXPECT_TRUE(has_table("a"));
  EXPECT_FALSE(has_table("b"));  // the step's first statement went with it
}

// A version kept in a table (as the client's tables keep theirs): the runner
// reads and writes it only through SchemaVersion, and the first write sees
// from == 0, inside the first step's transaction.
TEST_F(MigrationsTest, AVersionKeptElsewhereIsReadAndWrittenThroughTheCallbacks) {
  auto read = [](Connection& c) -> Result<std::int64_t> {
    HUSH_ASSIGN(auto present, c.query_int("find", "SELECT count(*) FROM sqlite_schema WHERE name = 'v'"));
    if (present == 0) return std::int64_t{0};
    return c.query_int("read", "SELECT n FROM v");
  };
  auto write = [](Connection& c, const std::string& step, std::int64_t from, std::int64_t to) -> Result<void> {
    if (from == 0) HUSH_TRY(c.exec(step, "CREATE TABLE v (n INTEGER); INSERT INTO v VALUES (0)"));
    return c.exec(step, "UPDATE v SET n = " + std::to_string(to));
  };
  const sqlite::SchemaVersion version{"table schema", read, write};

  ASSERT_TRUE(sqlite::migrate(db_, kTwoSteps, version).ok());
  EXPECT_EQ(query("SELECT n FROM v"), 2);
  EXPECT_EQ(query("PRAGMA user_version"), 0);  // left to the file's owner
  ASSERT_TRUE(sqlite::migrate(db_, kTwoSteps, version).ok());
  EXPECT_EQ(query("SELECT count(*) FROM a"), 1);

  auto older = sqlite::migrate(db_, std::span(kTwoSteps).first(1), version);
  ASSERT_FALSE(older.ok());
  EXPECT_EQ(older.error().message, "table schema version 2 is newer than this build supports (1); refusing to open it");
}

// Two processes opening one new file: the one that reads version 0 but gets
// the write lock second must see the other's work under the lock and not run
// the steps again (their CREATE TABLE would fail, their INSERT repeat).
TEST_F(MigrationsTest, AMigrationFinishedByAnotherConnectionMeanwhileIsNotRunAgain) {
  Connection other;
  ASSERT_TRUE(open(other).ok());
  int reads = 0;
  const sqlite::SchemaVersion version{
      "test schema",
      [&](Connection& c) -> Result<std::int64_t> {
        HUSH_ASSIGN(auto v, c.query_int("read", "PRAGMA user_version"));
        // Between the lock-free first read and the transaction, the other
        // connection migrates the whole file.
        if (++reads == 1) {
          auto r = sqlite::migrate_file_schema(other, kTwoSteps, kSchema);
          EXPECT_TRUE(r.ok()) << r.error().message;
        }
        return v;
      },
      [](Connection& c, const std::string& step, std::int64_t, std::int64_t to) -> Result<void> {
        return c.exec(step, "PRAGMA user_version = " + std::to_string(to));
      }};

  ASSERT_TRUE(sqlite::migrate(db_, kTwoSteps, version).ok());
  EXPECT_EQ(reads, 2);  // the first read, then one under the lock for step 1
  EXPECT_FALSE(db_.in_transaction());
  EXPECT_EQ(query("PRAGMA user_version"), 2);
  EXPECT_EQ(query("SELECT count(*) FROM a"), 1);
}

}  // namespace
}  // namespace hush::test
