// A wrong passphrase opens nothing and changes nothing: every command exits 3
// with `hush: wrong passphrase`, and every file of the profile is
// byte-identical afterwards (no WAL, no journal, no new file). Without a
// passphrase variable and without a terminal, hush also exits 3 instead of
// waiting for a prompt. `hush chat` (which needs a terminal) is checked in a
// tmux pane.
#include "cli_test.hpp"
#include "profile_files.hpp"
#include "tmux_session.hpp"

namespace hush::e2e_cli {
namespace {

using CliPassphraseTest = CliE2eTest;

const std::vector<std::vector<std::string>> kEveryCommand = {
    {"send", "bob", "refused"},  {"send", "bob", "refused", "--json"},
    {"listen", "--once"},        {"listen", "--count", "1", "--timeout", "5"},
    {"contacts"},
    {"contacts", "--json"},      {"verify", "bob"},
    {"verify", "bob", "--confirm"}, {"verify", "bob", "--accept"},
    {"history", "bob"},          {"history", "bob", "--json"},
    {"status"},                  {"status", "--json"},
};

std::string joined(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

TEST_F(CliPassphraseTest, WrongOrMissingPassphraseExits3AndChangesNoFile) {
  auto alice = make_user("alice");
  auto bob = make_user("bob");
  init_users({&alice, &bob});
  ASSERT_FALSE(HasFatalFailure());
  // Something in every table: a contact, a session, messages both ways.
  const std::string to_bob = marker();
  auto sent = run_hush(alice, {"send", "bob", to_bob});
  ASSERT_EQ(sent.exit, 0) << sent.describe();
  sent = run_hush(bob, {"send", "alice", marker()});
  ASSERT_EQ(sent.exit, 0) << sent.describe();
  const auto got = run_hush(alice, {"listen", "--once"});
  ASSERT_EQ(got.exit, 0) << got.describe();

  const auto before = snapshot(alice.profile_dir());
  ASSERT_FALSE(before.empty()) << "no files in " << alice.profile_dir();

  const std::vector<std::pair<std::string, std::optional<std::string>>> wrong = {
      {"HUSH_PASSPHRASE", alice.passphrase + "x"}};
  for (const auto& args : kEveryCommand) {
    const auto r = run_hush(alice, args, kCommandTimeout, wrong);
    EXPECT_EQ(r.exit, 3) << joined(args) << ": " << r.describe();
    EXPECT_NE(r.err.find("hush: wrong passphrase"), std::string::npos) << joined(args) << ": " << r.describe();
    EXPECT_EQ(difference(before, snapshot(alice.profile_dir())), "") << "after `hush " << joined(args) << "`";
  }
  {
    ASSERT_TRUE(TmuxSession::tmux_path()) << "tmux is not installed: tools/install-deps.sh installs it";
    TmuxSession tmux(dir() / "tmux");
    ASSERT_EQ(tmux.start(alice.shell_command({"chat", "bob"}, wrong), 100, 30), "");
    EXPECT_EQ(tmux.wait_exit(kCommandTimeout), 3) << "hush chat with a wrong passphrase; screen:\n"
                                                  << tmux.last_capture();
    EXPECT_NE(tmux.last_capture().find("hush: wrong passphrase"), std::string::npos) << tmux.last_capture();
    EXPECT_EQ(difference(before, snapshot(alice.profile_dir())), "") << "after `hush chat bob`";
  }
  // Other wrong ones: empty, and the right one with different case.
  for (const std::string& other : {std::string(), std::string("CORRECT") + alice.passphrase.substr(7)}) {
    const auto r = run_hush(alice, {"status"}, kCommandTimeout, {{"HUSH_PASSPHRASE", other}});
    EXPECT_EQ(r.exit, 3) << "passphrase \"" << other << "\": " << r.describe();
  }

  // No variable and no terminal (setsid, stdin /dev/null): exit 3, no prompt.
  for (const auto& args : std::vector<std::vector<std::string>>{{"status"}, {"send", "bob", "refused"}}) {
    const auto r = run_hush(alice, args, kCommandTimeout, {{"HUSH_PASSPHRASE", std::nullopt}});
    EXPECT_EQ(r.exit, 3) << "without HUSH_PASSPHRASE: " << r.describe();
    EXPECT_TRUE(r.err.rfind("hush: ", 0) == 0) << r.describe();
  }
  EXPECT_EQ(difference(before, snapshot(alice.profile_dir())), "");

  // Nothing was sent, and the profile still opens with the right passphrase.
  const auto bob_got = run_hush(bob, {"listen", "--once", "--json"});
  ASSERT_EQ(bob_got.exit, 0) << bob_got.describe();
  EXPECT_EQ(bodies_of(messages_in(bob_got.json_lines())), std::vector<std::string>{to_bob}) << bob_got.describe();
  const auto status = run_hush(alice, {"status", "--json"});
  EXPECT_EQ(status.exit, 0) << status.describe();
  EXPECT_EQ(status.json().value("outbox", -1), 0) << status.describe();
  EXPECT_EQ(status.json().value("contacts", -1), 1) << status.describe();
}

}  // namespace
}  // namespace hush::e2e_cli
