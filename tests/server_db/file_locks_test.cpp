// Opening the Db must leave SQLite's POSIX locks in place: hushd once
// re-checked its files' modes after SQLite had opened them, and closing that
// extra descriptor dropped SQLite's locks, so `hushd invite create` in
// another process checkpointed and deleted the WAL under the running server.
#include "db_fixture.hpp"
#include "support/posix_locks.hpp"

namespace hush::server::test {
namespace {

class FileLocksTest : public DbTest {};

TEST_F(FileLocksTest, OpenKeepsSqliteLocksOnTheSharedMemoryFile) {
  auto db = open_db();
  ASSERT_TRUE(db);
  const std::filesystem::path shm = db_file().string() + "-shm";
  ASSERT_TRUE(std::filesystem::exists(shm));
  EXPECT_TRUE(hush::test::holds_posix_lock(shm));
}

}  // namespace
}  // namespace hush::server::test
