// The command line itself: --help everywhere (exit 0, naming the command),
// usage errors exit 2, init refuses an existing profile with exit 1 and a
// `hush: ` line (and leaves it untouched), global options work before and
// after the subcommand, and profiles are chosen by --profile / HUSH_PROFILE.
#include "cli_test.hpp"
#include "profile_files.hpp"

namespace hush::e2e_cli {
namespace {

using CliUsageTest = CliE2eTest;

const std::vector<std::string> kSubcommands = {"init",     "send",   "listen",  "chat",
                                               "contacts", "verify", "history", "status"};

TEST_F(CliUsageTest, HelpForEveryCommandAndUsageErrorsExit2) {
  auto nobody = make_user("nobody");  // no profile: help and usage errors need none
  std::vector<CliResult> helps(kSubcommands.size());
  CliResult top;
  std::vector<std::function<void()>> jobs{[&] { top = run_hush(nobody, {"--help"}); }};
  for (std::size_t i = 0; i < kSubcommands.size(); ++i)
    jobs.push_back([&, i] { helps[i] = run_hush(nobody, {kSubcommands[i], "--help"}); });
  in_parallel(jobs);

  EXPECT_EQ(top.exit, 0) << top.describe();
  for (const auto& sub : kSubcommands)
    EXPECT_NE(top.out.find(sub), std::string::npos) << "hush --help does not list " << sub << ": " << top.describe();
  for (std::size_t i = 0; i < kSubcommands.size(); ++i) {
    EXPECT_EQ(helps[i].exit, 0) << helps[i].describe();
    EXPECT_NE(helps[i].out.find(kSubcommands[i]), std::string::npos) << helps[i].describe();
  }

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"send"}, {"send", "bob"}, {"frobnicate"}, {"init", "--user", "x"}, {"listen", "--count", "many"}}) {
    const auto r = run_hush(nobody, args);
    EXPECT_EQ(r.exit, 2) << r.describe();
  }
  // Nothing was created by any of that.
  EXPECT_FALSE(std::filesystem::exists(nobody.profile_dir())) << nobody.profile_dir();
}

TEST_F(CliUsageTest, InitRefusesAnExistingProfileAndProfilesAreSelectable) {
  auto alice = make_user("alice");
  init_users({&alice});
  ASSERT_FALSE(HasFatalFailure());
  const auto before = snapshot(alice.profile_dir());

  auto invite = e2e::create_invite(server_data_dir(), scaled(10s));
  ASSERT_TRUE(invite.ok()) << invite.error().message;
  const auto again = run_hush(alice, {"init", "--server", server_url(), "--user", "alice2", "--invite", *invite});
  EXPECT_EQ(again.exit, 1) << again.describe();
  EXPECT_EQ(again.err.rfind("hush: ", 0), 0u) << again.describe();
  EXPECT_EQ(difference(before, snapshot(alice.profile_dir())), "");

  // A second profile in the same data dir, chosen with --profile; the invite
  // was not used up by the refused init.
  const auto work =
      run_hush(alice, {"--profile", "work", "init", "--server", server_url(), "--user", "alice2", "--invite", *invite, "--json"});
  ASSERT_EQ(work.exit, 0) << work.describe();
  EXPECT_EQ(work.json(), (nlohmann::json{{"user", "alice2"}, {"device", 1}, {"server", server_url()}, {"profile", "work"}}))
      << work.describe();
  EXPECT_TRUE(std::filesystem::is_directory(alice.data_dir() / "profiles" / "work"));

  CliResult by_env, by_flag_after, default_profile;
  in_parallel({[&] { by_env = run_hush(alice, {"status", "--json"}, kCommandTimeout, {{"HUSH_PROFILE", "work"}}); },
               [&] { by_flag_after = run_hush(alice, {"status", "--profile", "work", "--json"}); },
               [&] { default_profile = run_hush(alice, {"--json", "status"}); }});
  for (const auto* r : {&by_env, &by_flag_after}) {
    EXPECT_EQ(r->exit, 0) << r->describe();
    EXPECT_EQ(r->json().value("user", ""), "alice2") << r->describe();
    EXPECT_EQ(r->json().value("profile", ""), "work") << r->describe();
  }
  EXPECT_EQ(default_profile.exit, 0) << default_profile.describe();
  const auto status = default_profile.json();
  EXPECT_EQ(status.value("user", ""), "alice") << default_profile.describe();
  EXPECT_EQ(status.value("profile", ""), "default");
  EXPECT_EQ(status.value("device", 0), 1);
  EXPECT_EQ(status.value("server", ""), server_url());
  EXPECT_EQ(status.value("reachable", false), true);
  EXPECT_EQ(status.value("prekeys_on_server", -1), 100) << "init uploads 100 one-time prekeys";
  EXPECT_EQ(status.value("outbox", -1), 0);
  EXPECT_EQ(status.value("contacts", -1), 0);

  const auto init_json = run_hush(alice, {"--profile", "work", "init", "--server", server_url(), "--user", "x3",
                                          "--invite", "unused", "--json"});
  EXPECT_EQ(init_json.exit, 1) << "init of the existing work profile: " << init_json.describe();
}

}  // namespace
}  // namespace hush::e2e_cli
