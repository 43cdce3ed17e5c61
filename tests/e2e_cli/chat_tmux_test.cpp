// `hush chat` as a person uses it, in a real terminal (a tmux pane of
// 100x30): the UI comes up with the history, a message bob sends with
// `hush send` appears live, a line typed and sent with Enter reaches bob's
// `listen`, and `/quit` ends it with exit 0. The final screen is saved as
// chat-pane.txt (a test artifact, printed on failure). No tmux is a failure:
// tools/install-deps.sh installs it.
#include <fstream>

#include "cli_test.hpp"
#include "tmux_session.hpp"

namespace hush::e2e_cli {
namespace {

using ChatTest = CliE2eTest;

// The pane's command: hush chat with the user's environment.
std::string chat_command(const HushUser& user, const std::string& peer) {
  return "env HUSH_DATA_DIR=" + shell_quote(user.data_dir().string()) +
         " HUSH_PASSPHRASE=" + shell_quote(user.passphrase) + " HUSH_PROFILE=" + shell_quote(user.profile) +
         " HOME=" + shell_quote(user.home.string()) + " " + shell_quote(hush_path().string()) + " chat " +
         shell_quote(peer);
}

TEST_F(ChatTest, ChatInTmuxShowsLiveMessagesSendsTypedLinesAndQuits) {
  ASSERT_TRUE(TmuxSession::tmux_path()) << "tmux is not installed: tools/install-deps.sh installs it";
  auto alice = make_user("alice");
  auto bob = make_user("bob");
  init_users({&alice, &bob});
  ASSERT_FALSE(HasFatalFailure());
  // Some history for the chat to show, already received by bob.
  const std::string earlier = marker();
  const auto sent = run_hush(alice, {"send", "bob", earlier});
  ASSERT_EQ(sent.exit, 0) << sent.describe();
  const auto drained = run_hush(bob, {"listen", "--once"});
  ASSERT_EQ(drained.exit, 0) << drained.describe();

  const auto artifact = dir() / "chat-pane.txt";
  TmuxSession tmux(dir() / "tmux");
  // Saved and, on failure, printed whatever way the test ends.
  struct SaveScreen {
    TmuxSession& tmux;
    std::filesystem::path file;
    ~SaveScreen() {
      std::ofstream(file) << tmux.last_capture();
      if (::testing::Test::HasFailure())
        std::cerr << "final hush chat screen (" << file << "):\n" << tmux.last_capture() << "\n";
    }
  } save{tmux, artifact};

  const std::string started = tmux.start(chat_command(alice, "bob"), 100, 30);
  ASSERT_EQ(started, "");
  ASSERT_TRUE(tmux.wait_for_text("me: " + earlier, scaled(20s)))
      << "the chat UI with the history did not come up"
      << (tmux.exit_status() ? "; hush chat exited with " + std::to_string(*tmux.exit_status()) : "");
  const std::string header = tmux.last_capture();
  EXPECT_NE(header.find("bob"), std::string::npos) << "no peer in the header";
  EXPECT_NE(header.find("unverified"), std::string::npos) << "no verification state shown";

  // bob writes: it appears live in alice's pane.
  const std::string incoming = marker();
  const auto bob_sent = run_hush(bob, {"send", "alice", incoming});
  ASSERT_EQ(bob_sent.exit, 0) << bob_sent.describe();
  EXPECT_TRUE(tmux.wait_for_text("bob: " + incoming, scaled(20s))) << "bob's message did not appear";

  // alice types a line and presses Enter: bob receives it.
  const std::string typed = marker() + " typed in chat";
  ASSERT_TRUE(tmux.type(typed));
  EXPECT_TRUE(tmux.wait_for_text("me: " + typed, scaled(20s))) << "the sent line is not shown";
  const auto got = run_hush(bob, {"listen", "--count", "1", "--timeout", std::to_string(scaled(20s).count() / 1000),
                                  "--json"},
                            scaled(30s));
  ASSERT_EQ(got.exit, 0) << got.describe();
  EXPECT_EQ(bodies_of(messages_in(got.json_lines())), std::vector<std::string>{typed}) << got.describe();

  // /quit ends hush chat with exit 0.
  ASSERT_TRUE(tmux.type("/quit"));
  EXPECT_EQ(tmux.wait_exit(scaled(10s)), 0) << "hush chat did not exit 0 on /quit";

  // What alice saw is stored: history has all three, in order.
  const auto history = run_hush(alice, {"history", "bob", "--json"});
  ASSERT_EQ(history.exit, 0) << history.describe();
  EXPECT_EQ(bodies_of(messages_in(history.json_lines())), (std::vector<std::string>{earlier, incoming, typed}))
      << history.describe();
}

}  // namespace
}  // namespace hush::e2e_cli
