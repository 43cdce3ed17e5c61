// The fixture of every hush CLI end-to-end test: a temporary directory
// (mkdtemp) with a real hushd (invite-only registration, port 0) and one
// home per user; helpers to register users through `hush init` with invites
// from `hushd invite create`, to run hush commands in parallel, and to reset
// an account the way an operator does. The teardown stops hushd and checks
// that no marker plaintext reached the server's files or log; on failure the
// directory is kept and its path printed.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hush_cli.hpp"
#include "hushd_process.hpp"

namespace hush::e2e_cli {

class CliE2eTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path server_data_dir() const { return dir_ / "server" / "data"; }
  std::filesystem::path server_log() const { return dir_ / "server" / "hushd.log"; }
  std::string server_url() const;

  // (Re)starts hushd on the data dir; after the first start on the same
  // port, so clients find a restarted server. Fails the test on error.
  bool start_server();
  // SIGKILL, no chance to clean up.
  void kill_server();
  // SIGTERM and wait.
  void stop_server();

  // A user with a fresh home under this test's directory (not registered).
  // `home` defaults to the name; a second identity of one name needs another.
  HushUser make_user(const std::string& name, const std::string& home = "");
  // `hush init` for each user (in parallel), each with a fresh invite.
  // Fails the test unless every one prints `Registered NAME (device 1) on URL`.
  void init_users(const std::vector<HushUser*>& users);
  // The operator resets an account: stop hushd, `hushd account delete`,
  // start hushd again on the same port.
  void delete_account(const std::string& username);

  // A fresh marker plaintext ("MARKER-<hex>"); none may reach the server.
  std::string marker();
  const std::vector<std::string>& markers() const { return markers_; }

  // Runs the functions on threads of their own and waits for all of them.
  // Only for short-lived hush commands (run_hush waits for its child).
  static void in_parallel(const std::vector<std::function<void()>>& jobs);

  std::unique_ptr<e2e::HushdProcess> server_;

 private:
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  std::vector<std::string> markers_;
};

}  // namespace hush::e2e_cli
