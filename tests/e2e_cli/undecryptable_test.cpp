// A message that cannot be decrypted is reported to the user, recorded and
// acknowledged (issue 4: "not dropped silently ... so it does not loop").
// Mallory, a registered user who is not using hush, puts forged envelopes in
// bob's queue through the relay API directly: a whisper message for a
// session that does not exist and a PreKey message that does not parse.
// Bob's `listen` reports both, a second `listen` finds the queue empty, and
// a real message after them still arrives.
#include <sqlite3.h>

#include "cli_test.hpp"
#include "hush/client/directory_api.hpp"
#include "hush/client/relay_client.hpp"
#include "hush/keys.hpp"

namespace hush::e2e_cli {
namespace {

using CliUndecryptableTest = CliE2eTest;

// Registers `name` with an invite through the client library and returns
// its credentials.
client::Credentials register_raw(e2e::HushdProcess& server, const std::string& name, const std::string& invite) {
  SystemRng rng;
  auto identity = IdentityKeyPair::generate(rng);
  client::Credentials credentials{name, 1, Secret<32>()};
  rng.fill(credentials.secret.mut());
  client::DirectoryApi directory(server.endpoint());
  auto registered =
      directory.register_account({name, invite, identity.public_key, 4242}, credentials.secret);
  EXPECT_TRUE(registered.ok()) << (registered.ok() ? "" : registered.error().message);
  return credentials;
}

// Rows in the profile's undecryptable table (plaintext columns: who, when,
// why; read straight from the file, which needs no passphrase).
std::int64_t undecryptable_rows(const HushUser& user) {
  sqlite3* db = nullptr;
  const auto file = user.profile_dir() / "hush.db";
  std::int64_t n = -1;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM undecryptable WHERE sender = 'mallory'", -1, &st, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close_v2(db);
  return n;
}

api::SendRequest forged(const std::string& to, std::uint32_t type, const Bytes& content) {
  api::SendRequest send;
  send.set_destination_user(to);
  send.set_client_timestamp(static_cast<std::uint64_t>(now_ms()));
  auto* m = send.add_messages();
  m->set_destination_device(1);
  m->set_type(type);
  m->set_content(std::string(content.begin(), content.end()));
  return send;
}

TEST_F(CliUndecryptableTest, ReportedRecordedAcknowledgedAndTheQueueMovesOn) {
  auto alice = make_user("alice");
  auto bob = make_user("bob");
  init_users({&alice, &bob});
  ASSERT_FALSE(HasFatalFailure());

  auto invite = e2e::create_invite(server_data_dir(), scaled(10s));
  ASSERT_TRUE(invite.ok()) << invite.error().message;
  const auto mallory = register_raw(*server_, "mallory", *invite);
  ASSERT_FALSE(HasFailure());
  {
    auto relay = client::RelayClient::connect(server_->endpoint(), &mallory);
    ASSERT_TRUE(relay.ok()) << relay.error().message;
    // A version-3 whisper message header with a body no session can open.
    Bytes whisper(80, 0x5a);
    whisper[0] = 0x33;
    auto first = (*relay)->send(forged("bob", 1, whisper), scaled(5s));
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first->status(), 200u);
    auto second = (*relay)->send(forged("bob", 3, Bytes{0x33, 0x01, 0x02}), scaled(5s));
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(second->status(), 200u);
  }
  const std::string body = marker();
  const auto sent = run_hush(alice, {"send", "bob", body});
  ASSERT_EQ(sent.exit, 0) << sent.describe();

  const auto got = run_hush(bob, {"listen", "--once", "--json"});
  ASSERT_EQ(got.exit, 0) << got.describe();
  std::vector<nlohmann::json> reports;
  for (const auto& line : got.json_lines())
    if (line.value("type", "") == "undecryptable") reports.push_back(line);
  ASSERT_EQ(reports.size(), 2u) << got.describe();
  for (const auto& r : reports) {
    EXPECT_EQ(r.value("from", ""), "mallory") << r.dump();
    EXPECT_EQ(r.value("device", 0), 1) << r.dump();
    EXPECT_FALSE(r.value("reason", "").empty()) << r.dump();
  }
  EXPECT_EQ(bodies_of(messages_in(got.json_lines())), std::vector<std::string>{body}) << got.describe();

  EXPECT_EQ(undecryptable_rows(bob), 2) << "reported but not recorded";

  // Acknowledged: nothing comes back, so nothing loops.
  const auto again = run_hush(bob, {"listen", "--once", "--json"});
  ASSERT_EQ(again.exit, 0) << again.describe();
  EXPECT_TRUE(again.json_lines().empty()) << again.describe();

  // The text form tells the user too (on stderr, naming the sender).
  auto relay = client::RelayClient::connect(server_->endpoint(), &mallory);
  ASSERT_TRUE(relay.ok()) << relay.error().message;
  ASSERT_TRUE((*relay)->send(forged("bob", 1, Bytes(80, 0x33)), scaled(5s)).ok());
  (*relay)->close();
  const auto text = run_hush(bob, {"listen", "--once"});
  ASSERT_EQ(text.exit, 0) << text.describe();
  EXPECT_NE(text.err.find("mallory"), std::string::npos) << text.describe();
  EXPECT_NE(text.err.find("could not be decrypted"), std::string::npos) << text.describe();
}

}  // namespace
}  // namespace hush::e2e_cli
