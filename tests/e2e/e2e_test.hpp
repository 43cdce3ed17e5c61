// The fixture of every end-to-end test: a temporary directory (mkdtemp) with
// hushd's data dir and its captured stderr, helpers to start real hushd
// processes and register Messengers, and a teardown that stops the server
// and scans its files and logs for every marker plaintext the test sent.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hush/client/messenger.hpp"
#include "hushd_process.hpp"

// ASSERT_OK(expr) / EXPECT_OK(expr): a Result that must succeed; the failure
// shows its message.
#define ASSERT_OK(expr)                                                  \
  do {                                                                   \
    const auto& hush_ok_r_ = (expr);                                     \
    ASSERT_TRUE(hush_ok_r_.ok()) << #expr << ": " << hush_ok_r_.error().message; \
  } while (0)
#define EXPECT_OK(expr)                                                  \
  do {                                                                   \
    const auto& hush_ok_r_ = (expr);                                     \
    EXPECT_TRUE(hush_ok_r_.ok()) << #expr << ": " << hush_ok_r_.error().message; \
  } while (0)

namespace hush::e2e {

using namespace std::chrono_literals;

// Sanitizer builds run hushd and the clients several times slower.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr int kSlowdown = 4;
#else
inline constexpr int kSlowdown = 1;
#endif
constexpr milliseconds scaled(milliseconds t) { return t * kSlowdown; }

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  std::filesystem::path log_file() const { return dir_ / "hushd.log"; }

  // This test's data dir and log, open registration, debug logging (so the
  // marker scan also covers what hushd logs at its most verbose).
  HushdConfig server_config() const;
  // Starts hushd; after the first start the same port is reused, so clients
  // reconnect to a restarted server. Fails the test (and returns null) if it
  // does not come up.
  HushdProcess* start_server(HushdConfig config);
  HushdProcess* start_server() { return start_server(server_config()); }
  client::Endpoint endpoint() const { return server_->endpoint(); }

  // Registers `username` on the running server (in-memory store), optionally
  // connected; null (with a test failure) when that fails.
  std::unique_ptr<client::Messenger> register_messenger(const std::string& username, bool connect = true,
                                                        std::uint32_t prekeys = 20);
  client::MessengerOptions messenger_options(const std::string& username) const;

  // A fresh marker plaintext, remembered for the teardown scan.
  std::string marker();
  const std::vector<std::string>& markers() const { return markers_; }

  // A well-behaved client is still served: `from` sends a marker to `to`,
  // who receives it (both connected).
  void expect_served(client::Messenger& from, client::Messenger& to);

  std::unique_ptr<HushdProcess> server_;

 private:
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  std::vector<std::string> markers_;
};

}  // namespace hush::e2e
