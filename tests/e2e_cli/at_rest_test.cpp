// The profile at rest: after a conversation with marker texts, no file in
// either profile directory (the database, its -wal and -shm, while hush runs
// and after it stopped) holds a marker or the passphrase in plain bytes,
// though `history` shows every marker (so they are stored, encrypted). Every
// file is mode 0600 and the profile directory 0700.
#include <signal.h>

#include "cli_test.hpp"
#include "markers.hpp"
#include "profile_files.hpp"

namespace hush::e2e_cli {
namespace {

using CliAtRestTest = CliE2eTest;

// Fails the test for each secret found in a file of `profile_dir` and for
// each file not 0600 (the directory itself 0700).
void expect_private(const std::filesystem::path& profile_dir, const std::vector<std::string>& secrets,
                    const std::string& when) {
  ASSERT_TRUE(std::filesystem::is_directory(profile_dir)) << profile_dir;
  EXPECT_EQ(mode_of(profile_dir), 0700u) << profile_dir << " " << when;
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(profile_dir)) {
    if (entry.is_directory()) {
      EXPECT_EQ(mode_of(entry.path()), 0700u) << entry.path() << " " << when;
      continue;
    }
    ++files;
    EXPECT_EQ(mode_of(entry.path()), 0600u) << entry.path() << " " << when;
  }
  EXPECT_GT(files, 0u) << "nothing to scan in " << profile_dir;
  for (const auto& hit : e2e::scan_for_markers({profile_dir}, secrets))
    ADD_FAILURE() << "plaintext \"" << hit.marker << "\" in " << hit.file << " " << when;
}

TEST_F(CliAtRestTest, ProfileFilesHoldNoPlaintextAndArePrivate) {
  auto alice = make_user("alice");
  auto bob = make_user("bob");
  init_users({&alice, &bob});
  ASSERT_FALSE(HasFatalFailure());

  auto listener = HushProcess::start(bob, {"listen", "--json"});
  ASSERT_TRUE(listener);
  std::vector<std::string> to_bob, to_alice;
  for (int i = 0; i < 3; ++i) {
    to_bob.push_back(marker());
    const auto r = run_hush(alice, {"send", "bob", to_bob.back()});
    ASSERT_EQ(r.exit, 0) << r.describe();
  }
  ASSERT_TRUE(listener->wait_for([&](const auto& lines) { return bodies_of(messages_in(lines)) == to_bob; },
                                 scaled(20s)))
      << listener->describe();
  // While bob's listen holds the database open (its WAL is live).
  std::vector<std::string> secrets = markers();
  secrets.push_back(alice.passphrase);
  secrets.push_back(bob.passphrase);
  expect_private(bob.profile_dir(), secrets, "while hush listen runs");
  EXPECT_TRUE(listener->stop(SIGTERM, scaled(10s)).has_value()) << listener->describe();

  for (int i = 0; i < 2; ++i) {
    to_alice.push_back(marker());
    const auto r = run_hush(bob, {"send", "alice", to_alice.back()});
    ASSERT_EQ(r.exit, 0) << r.describe();
  }
  const auto got = run_hush(alice, {"listen", "--once", "--json"});
  ASSERT_EQ(got.exit, 0) << got.describe();
  EXPECT_EQ(bodies_of(messages_in(got.json_lines())), to_alice) << got.describe();

  // The markers are in the profiles (history decrypts them)...
  const auto history = run_hush(alice, {"history", "bob", "--json"});
  ASSERT_EQ(history.exit, 0) << history.describe();
  EXPECT_EQ(messages_in(history.json_lines()).size(), to_bob.size() + to_alice.size()) << history.describe();
  // ...but not in their bytes.
  secrets = markers();
  secrets.push_back(alice.passphrase);
  secrets.push_back(bob.passphrase);
  expect_private(alice.profile_dir(), secrets, "after hush exited");
  expect_private(bob.profile_dir(), secrets, "after hush exited");
  // Everything hush keeps is inside the profile directory.
  for (const auto* user : {&alice, &bob})
    for (const auto& entry : std::filesystem::directory_iterator(user->data_dir()))
      EXPECT_EQ(entry.path().filename(), "profiles") << "hush wrote outside profiles/: " << entry.path();
}

}  // namespace
}  // namespace hush::e2e_cli
