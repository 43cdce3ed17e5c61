#include "cli_test.hpp"

#include <stdlib.h>

#include <mutex>
#include <thread>

#include "markers.hpp"

namespace hush::e2e_cli {

void CliE2eTest::SetUp() {
  std::string pattern = (std::filesystem::temp_directory_path() / "hush-cli-e2e-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr) << "mkdtemp failed";
  dir_ = pattern;
  std::filesystem::create_directories(server_data_dir());
  ASSERT_TRUE(std::filesystem::exists(e2e::hushd_path())) << "hushd is not built: " << e2e::hushd_path();
  ASSERT_TRUE(std::filesystem::exists(hush_path())) << "hush is not built: " << hush_path();
  ASSERT_TRUE(start_server());
}

void CliE2eTest::TearDown() {
  if (server_) server_->terminate(scaled(15s));
  // The server relays ciphertext only: no text any user typed is in its
  // database, WAL or log.
  const auto hits = e2e::scan_for_markers({server_data_dir(), server_log()}, markers_);
  for (const auto& hit : hits) ADD_FAILURE() << "plaintext marker " << hit.marker << " found in " << hit.file;
  if (HasFailure()) {
    std::cerr << "kept " << dir_ << " for inspection (users' output under */out/); hushd log tail:\n"
              << e2e::tail_of(server_log(), 3000) << "\n";
  } else {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string CliE2eTest::server_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

bool CliE2eTest::start_server() {
  e2e::HushdConfig c;
  c.data_dir = server_data_dir();
  c.log_file = server_log();
  c.port = port_;
  c.open_registration = false;  // users register with invites, as in production
  c.extra_args = {"--log-level", "debug"};
  auto started = e2e::HushdProcess::start(c, scaled(20s));
  if (!started) {
    ADD_FAILURE() << "hushd did not start: " << started.error().message;
    return false;
  }
  server_ = std::move(started).value();
  port_ = server_->port();
  return true;
}

void CliE2eTest::kill_server() {
  if (server_) server_->kill9();
}

void CliE2eTest::stop_server() {
  if (server_) {
    EXPECT_EQ(server_->terminate(scaled(15s)), 0) << "hushd did not stop cleanly";
  }
}

HushUser CliE2eTest::make_user(const std::string& name, const std::string& home) {
  HushUser u;
  u.name = name;
  u.home = dir_ / (home.empty() ? name : home);
  u.passphrase = "correct horse " + name + " " + e2e::new_marker().substr(7, 8);
  std::filesystem::create_directories(u.data_dir());
  std::filesystem::create_directories(u.home / "out");
  return u;
}

void CliE2eTest::init_users(const std::vector<HushUser*>& users) {
  std::vector<std::string> invites;
  for (std::size_t i = 0; i < users.size(); ++i) {
    // One at a time: create_invite writes next to the data dir.
    auto invite = e2e::create_invite(server_data_dir(), scaled(10s));
    ASSERT_TRUE(invite.ok()) << invite.error().message;
    invites.push_back(*invite);
  }
  std::vector<CliResult> results(users.size());
  std::vector<std::function<void()>> jobs;
  for (std::size_t i = 0; i < users.size(); ++i)
    jobs.push_back([&, i] {
      results[i] = run_hush(*users[i], {"init", "--server", server_url(), "--user", users[i]->name, "--invite",
                                        invites[i]});
    });
  in_parallel(jobs);
  for (std::size_t i = 0; i < users.size(); ++i) {
    ASSERT_EQ(results[i].exit, 0) << results[i].describe();
    EXPECT_NE(results[i].out.find("Registered " + users[i]->name + " (device 1) on " + server_url()),
              std::string::npos)
        << results[i].describe();
  }
}

void CliE2eTest::delete_account(const std::string& username) {
  stop_server();
  const auto out = dir_ / "server" / "account-delete.out", err = dir_ / "server" / "account-delete.err";
  const auto status = e2e::run({e2e::hushd_path().string(), "account", "delete", username, "--data-dir",
                                server_data_dir().string()},
                               out, err, scaled(10s));
  EXPECT_EQ(status, 0) << "hushd account delete " << username << ": " << e2e::read_file(out)
                       << e2e::read_file(err);
  start_server();
}

std::string CliE2eTest::marker() {
  markers_.push_back(e2e::new_marker());
  return markers_.back();
}

void CliE2eTest::in_parallel(const std::vector<std::function<void()>>& jobs) {
  std::vector<std::thread> threads;
  for (const auto& job : jobs) threads.emplace_back(job);
  for (auto& t : threads) t.join();
}

}  // namespace hush::e2e_cli
