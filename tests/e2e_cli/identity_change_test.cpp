// bob loses his device: the operator deletes his account (`hushd account
// delete`) and bob registers again with a new identity key. alice's client
// must notice: her `send` to bob is refused (exit 4, a warning naming bob,
// nothing delivered), `contacts` says KEY CHANGED, and only after
// `verify bob --accept` does sending work again. A message from bob's new
// key is reported to alice as identity_changed.
#include "cli_test.hpp"

namespace hush::e2e_cli {
namespace {

// alice sends bob `body` and bob receives it: each has the other as a contact.
void talk(const HushUser& alice, const HushUser& bob, const std::string& body) {
  auto sent = run_hush(alice, {"send", "bob", body});
  ASSERT_EQ(sent.exit, 0) << sent.describe();
  auto got = run_hush(bob, {"listen", "--once", "--json"});
  ASSERT_EQ(got.exit, 0) << got.describe();
  ASSERT_EQ(bodies_of(messages_in(got.json_lines())), std::vector<std::string>{body}) << got.describe();
}

std::optional<nlohmann::json> contact(const CliResult& contacts, const std::string& user) {
  const auto j = contacts.json();
  if (!j.is_array()) return std::nullopt;
  for (const auto& c : j)
    if (c.is_object() && c.value("user", "") == user) return c;
  return std::nullopt;
}

// alice and bob have talked; then bob's account is reset and `new_bob_`
// (same name, another home, so a new identity key) registers.
class CliIdentityChangeTest : public CliE2eTest {
 protected:
  void SetUp() override {
    CliE2eTest::SetUp();
    if (HasFatalFailure()) return;
    alice_ = make_user("alice");
    bob_ = make_user("bob");
    init_users({&alice_, &bob_});
    if (HasFatalFailure()) return;
    talk(alice_, bob_, marker());
    if (HasFatalFailure()) return;
    delete_account("bob");
    new_bob_ = make_user("bob", "bob-new-device");
    init_users({&new_bob_});
  }

  HushUser alice_, bob_, new_bob_;
};

TEST_F(CliIdentityChangeTest, SendRefusedUntilAcceptedThenDelivered) {
  ASSERT_FALSE(HasFatalFailure());

  const std::string refused = marker();
  const auto send = run_hush(alice_, {"send", "bob", refused});
  EXPECT_EQ(send.exit, 4) << send.describe();
  EXPECT_NE(send.err.find("bob"), std::string::npos) << "the warning does not name bob: " << send.describe();
  EXPECT_EQ(send.out.find("sent to"), std::string::npos) << send.describe();

  const auto contacts_text = run_hush(alice_, {"contacts"});
  EXPECT_EQ(contacts_text.exit, 0) << contacts_text.describe();
  bool flagged = false;
  for (const auto& line : contacts_text.lines())
    flagged = flagged || (line.rfind("bob", 0) == 0 && line.find("KEY CHANGED") != std::string::npos);
  EXPECT_TRUE(flagged) << contacts_text.describe();
  const auto contacts_json = run_hush(alice_, {"contacts", "--json"});
  const auto changed = contact(contacts_json, "bob");
  ASSERT_TRUE(changed) << contacts_json.describe();
  EXPECT_EQ(changed->value("identity_changed", false), true) << contacts_json.describe();

  // Still refused on a second try: the refusal is not a one-off warning.
  const auto again = run_hush(alice_, {"send", "bob", refused + " again"});
  EXPECT_EQ(again.exit, 4) << again.describe();

  const auto accept = run_hush(alice_, {"verify", "bob", "--accept", "--json"});
  ASSERT_EQ(accept.exit, 0) << accept.describe();
  EXPECT_EQ(accept.json().value("identity_changed", true), false) << accept.describe();
  EXPECT_EQ(accept.json().value("verified", true), false) << accept.describe();
  const auto accepted = contact(run_hush(alice_, {"contacts", "--json"}), "bob");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->value("identity_changed", true), false) << accepted->dump();
  EXPECT_EQ(accepted->value("verified", true), false) << accepted->dump();

  const std::string delivered = marker();
  const auto send_after = run_hush(alice_, {"send", "bob", delivered});
  ASSERT_EQ(send_after.exit, 0) << send_after.describe();

  // The new bob gets exactly the message sent after the accept: the refused
  // ones were never sent (not even queued for later).
  const auto got = run_hush(new_bob_, {"listen", "--once", "--json"});
  ASSERT_EQ(got.exit, 0) << got.describe();
  EXPECT_EQ(bodies_of(messages_in(got.json_lines())), std::vector<std::string>{delivered}) << got.describe();
  EXPECT_EQ(got.out.find(refused), std::string::npos) << got.describe();
  const auto status = run_hush(alice_, {"status", "--json"});
  EXPECT_EQ(status.json().value("outbox", -1), 0) << status.describe();
}

TEST_F(CliIdentityChangeTest, MessageFromTheNewKeyIsReportedAsIdentityChanged) {
  ASSERT_FALSE(HasFatalFailure());

  const auto sent = run_hush(new_bob_, {"send", "alice", marker()});
  ASSERT_EQ(sent.exit, 0) << sent.describe();

  const auto got = run_hush(alice_, {"listen", "--once", "--json"});
  ASSERT_EQ(got.exit, 0) << got.describe();
  bool reported = false;
  for (const auto& j : got.json_lines())
    reported = reported || (j.value("type", "") == "identity_changed" && j.value("user", "") == "bob");
  EXPECT_TRUE(reported) << "no {\"type\":\"identity_changed\",\"user\":\"bob\"}: " << got.describe();

  const auto contacts = run_hush(alice_, {"contacts", "--json"});
  const auto bob = contact(contacts, "bob");
  ASSERT_TRUE(bob) << contacts.describe();
  EXPECT_EQ(bob->value("identity_changed", false), true) << contacts.describe();
  // And alice cannot answer until she accepts.
  const auto answer = run_hush(alice_, {"send", "bob", marker()});
  EXPECT_EQ(answer.exit, 4) << answer.describe();
}

}  // namespace
}  // namespace hush::e2e_cli
