// Acknowledged means durable: a process killed with SIGKILL, without closing
// the store, loses nothing that commit() had returned for.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <set>

#include "store_fixture.hpp"

namespace hush::test {
namespace {

class SqliteDurabilityTest : public StoreTest {
 protected:
  // Waits for the child and checks it died of SIGKILL, not an early exit
  // (an exit code names the step that failed in the child).
  static void expect_killed(pid_t pid) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with code " << WEXITSTATUS(status);
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
  }
};

TEST_F(SqliteDurabilityTest, CommitSurvivesSigkillWithoutClose) {
  auto record = real_session_record();
  auto bob_key = KeyPair::generate(rng_).public_key;
  {
    auto s = open_store();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->store_prekey(generate_prekey(31, rng_)).ok());
  }

  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: no gtest assertions here; exit codes report failures.
    auto s = store::SqliteProtocolStore::open(dir_, options());
    if (!s) ::_exit(10);
    if (!(*s)->commit(SessionCommit{{"bob", 1}, &record, bob_key, 31u})) ::_exit(11);
    ::raise(SIGKILL);  // no destructor, no sqlite3_close, no checkpoint
    ::_exit(12);
  }
  expect_killed(pid);

  auto s = open_store();
  ASSERT_TRUE(s);
  EXPECT_EQ(**s->get_identity("bob"), bob_key);
  auto loaded = s->load_session(ProtocolAddress{"bob", 1});
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ(serialized(**loaded), serialized(record));
  EXPECT_FALSE(*s->load_prekey(31));
}

// The child commits one session after another and reports each device id on
// a pipe once commit() has returned; the parent kills it mid-stream. Every
// reported commit must be there after reopening.
TEST_F(SqliteDurabilityTest, EveryAcknowledgedCommitSurvivesAKillMidStream) {
  auto record = real_session_record();
  ASSERT_TRUE(open_store());

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    auto s = store::SqliteProtocolStore::open(dir_, options());
    if (!s) ::_exit(10);
    for (std::uint32_t device = 1;; ++device) {
      if (!(*s)->commit(SessionCommit{{"bob", device}, &record, std::nullopt, std::nullopt})) ::_exit(11);
      if (::write(fds[1], &device, sizeof device) != sizeof device) ::_exit(12);
    }
  }
  ::close(fds[1]);

  std::set<std::uint32_t> acknowledged;
  std::uint32_t device = 0;
  while (acknowledged.size() < 25 && ::read(fds[0], &device, sizeof device) == sizeof device)
    acknowledged.insert(device);
  ::kill(pid, SIGKILL);
  expect_killed(pid);
  while (::read(fds[0], &device, sizeof device) == sizeof device) acknowledged.insert(device);
  ::close(fds[0]);
  ASSERT_GE(acknowledged.size(), 25u);

  auto s = open_store();
  ASSERT_TRUE(s);
  for (auto d : acknowledged) {
    auto loaded = s->load_session(ProtocolAddress{"bob", d});
    ASSERT_TRUE(loaded.ok() && loaded->has_value()) << "device " << d;
    EXPECT_EQ(serialized(**loaded), serialized(record));
  }
}

// Two processes creating the same new store at once end up with one identity
// (creation happens under the write lock, re-checked inside it).
TEST_F(SqliteDurabilityTest, ConcurrentCreatorsAgreeOnOneIdentity) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    DeterministicRng child_rng(777);  // a different identity if it wins
    auto s = store::SqliteProtocolStore::open(dir_, store::OpenOptions{"alice", 1, 1234, child_rng});
    if (!s) ::_exit(10);
    auto pub = (*s)->identity_key_pair().public_key.serialize();
    if (::write(fds[1], pub.data(), pub.size()) != static_cast<ssize_t>(pub.size())) ::_exit(11);
    ::_exit(0);
  }
  ::close(fds[1]);
  auto s = open_store();
  ASSERT_TRUE(s);
  std::array<std::uint8_t, kPublicKeySize> child_pub{};
  ASSERT_EQ(::read(fds[0], child_pub.data(), child_pub.size()), static_cast<ssize_t>(child_pub.size()));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(child_pub, s->identity_key_pair().public_key.serialize());
}

}  // namespace
}  // namespace hush::test
