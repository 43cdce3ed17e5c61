// Opening a second store on the same directory in one process (the hush
// client opens the profile's file through more than one connection) must
// not drop the first connection's SQLite locks: checking file modes by
// opening and closing a descriptor would.
#include <gtest/gtest.h>

#include "hush/store/sqlite_protocol_store.hpp"
#include "support/deterministic.hpp"
#include "support/posix_locks.hpp"

namespace hush::store {
namespace {

TEST(StoreFileLocks, SecondOpenKeepsTheFirstConnectionsLocks) {
  const auto dir = std::filesystem::temp_directory_path() / ("hush-locks-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  hush::test::DeterministicRng rng(7);
  auto first = SqliteProtocolStore::open(dir, {"alice", 1, 42, rng});
  ASSERT_TRUE(first.ok()) << first.error().message;
  const std::filesystem::path shm = dir / "hush.db-shm";
  ASSERT_TRUE(hush::test::holds_posix_lock(shm));
  {
    auto second = SqliteProtocolStore::open(dir, {"alice", 1, 42, rng});
    ASSERT_TRUE(second.ok()) << second.error().message;
  }
  EXPECT_TRUE(hush::test::holds_posix_lock(shm));
  first->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hush::store
