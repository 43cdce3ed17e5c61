#include "e2e_test.hpp"

#include <cstdlib>

#include "markers.hpp"

namespace hush::e2e {

void E2eTest::SetUp() {
  std::string pattern = (std::filesystem::temp_directory_path() / "hush-e2e-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr) << "mkdtemp failed";
  dir_ = pattern;
  std::filesystem::create_directories(data_dir());
  ASSERT_TRUE(std::filesystem::exists(hushd_path())) << "hushd is not built: " << hushd_path();
}

void E2eTest::TearDown() {
  if (server_) {
    // A clean stop, so the scan below sees what a stopped server leaves.
    server_->terminate(scaled(15s));
  }
  const auto hits = scan_for_markers({data_dir(), log_file()}, markers_);
  for (const auto& hit : hits) ADD_FAILURE() << "plaintext marker " << hit.marker << " found in " << hit.file;
  if (HasFailure()) {
    std::cerr << "kept " << dir_ << " for inspection; hushd log tail:\n" << tail_of(log_file(), 3000) << "\n";
  } else {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

HushdConfig E2eTest::server_config() const {
  HushdConfig c;
  c.data_dir = data_dir();
  c.log_file = log_file();
  c.open_registration = true;
  c.extra_args = {"--log-level", "debug"};
  return c;
}

HushdProcess* E2eTest::start_server(HushdConfig config) {
  if (config.port == 0) config.port = port_;
  auto started = HushdProcess::start(config, scaled(20s));
  if (!started) {
    ADD_FAILURE() << "hushd did not start: " << started.error().message;
    return nullptr;
  }
  server_ = std::move(started).value();
  port_ = server_->port();
  return server_.get();
}

client::MessengerOptions E2eTest::messenger_options(const std::string& username) const {
  client::MessengerOptions o;
  o.endpoint = endpoint();
  o.endpoint.timeout = scaled(5s);
  o.username = username;
  o.request_timeout = scaled(5s);
  return o;
}

std::unique_ptr<client::Messenger> E2eTest::register_messenger(const std::string& username, bool connect,
                                                               std::uint32_t prekeys) {
  auto options = messenger_options(username);
  options.prekey_batch = prekeys;
  auto m = client::Messenger::register_account(options);
  if (!m) {
    ADD_FAILURE() << "registering " << username << ": " << m.error().message;
    return nullptr;
  }
  if (connect) {
    if (auto c = (*m)->connect(); !c) {
      ADD_FAILURE() << "connecting " << username << ": " << c.error().message;
      return nullptr;
    }
  }
  return std::move(m).value();
}

std::string E2eTest::marker() {
  markers_.push_back(new_marker());
  return markers_.back();
}

void E2eTest::expect_served(client::Messenger& from, client::Messenger& to) {
  const std::string text = marker();
  const std::size_t before = to.inbox().size();
  EXPECT_OK(from.send(to.username(), text));
  EXPECT_OK(to.wait_for_inbox(before + 1, scaled(5s)));
  if (to.inbox().size() > before) {
    EXPECT_EQ(to.inbox().back().body, text);
  }
}

}  // namespace hush::e2e
