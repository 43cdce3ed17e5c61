// `hush chat` as a person uses it, in a real terminal (a tmux pane of
// 100x30): the UI comes up with the history, a message bob sends with
// `hush send` appears live, a line typed and sent with Enter reaches bob's
// `listen`, and `/quit` ends it with exit 0. The final screens are saved as
// Testing/Temporary/hush_cli_e2e_chat_screen.txt in the build tree and as the
// test property chat_screen (printed on failure). No tmux is a failure:
// tools/install-deps.sh installs it.
#include <fstream>

#include "cli_test.hpp"
#include "tmux_session.hpp"

namespace hush::e2e_cli {
namespace {

using CliChatTest = CliE2eTest;

TEST_F(CliChatTest, ChatInTmuxShowsLiveMessagesSendsTypedLinesAndQuits) {
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

  // Kept after the test (the test's directory goes when it passes), where
  // ctest keeps its own logs.
  const auto artifact =
      std::filesystem::path(HUSH_BIN_DIR).parent_path() / "Testing" / "Temporary" / "hush_cli_e2e_chat_screen.txt";
  std::filesystem::create_directories(artifact.parent_path());
  TmuxSession tmux(dir() / "tmux");
  // The last screen of the chat UI and, once it has exited, what the
  // terminal showed: saved and, on failure, printed whatever way the test ends.
  std::string ui_screen;
  struct SaveScreen {
    TmuxSession& tmux;
    const std::string& ui_screen;
    std::filesystem::path file;
    ~SaveScreen() {
      const std::string text = "--- hush chat, last screen:\n" + (ui_screen.empty() ? tmux.last_capture() : ui_screen) +
                               "--- the terminal at the end:\n" + tmux.last_capture();
      std::ofstream(file) << text;
      ::testing::Test::RecordProperty("chat_screen", text);
      if (::testing::Test::HasFailure()) std::cerr << "hush chat screens (" << file << "):\n" << text << "\n";
    }
  } save{tmux, ui_screen, artifact};

  const std::string started = tmux.start(alice.shell_command({"chat", "bob"}), 100, 30);
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
  ui_screen = tmux.capture().value_or("");
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
