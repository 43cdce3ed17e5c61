// Comparing safety numbers: after alice and bob have talked, `verify` shows
// both of them the same 60 digits (12 groups of 5 in text), and
// `verify --confirm` marks the contact verified on that side only.
#include <regex>

#include "cli_test.hpp"

namespace hush::e2e_cli {
namespace {

using CliVerifyTest = CliE2eTest;

TEST_F(CliVerifyTest, BothSidesSeeTheSameSafetyNumberAndConfirmMarksVerified) {
  auto alice = make_user("alice");
  auto bob = make_user("bob");
  init_users({&alice, &bob});
  ASSERT_FALSE(HasFatalFailure());
  const auto sent = run_hush(alice, {"send", "bob", marker()});
  ASSERT_EQ(sent.exit, 0) << sent.describe();
  const auto got = run_hush(bob, {"listen", "--once"});
  ASSERT_EQ(got.exit, 0) << got.describe();

  CliResult alice_json, bob_json, alice_text;
  in_parallel({[&] { alice_json = run_hush(alice, {"verify", "bob", "--json"}); },
               [&] { bob_json = run_hush(bob, {"verify", "alice", "--json"}); },
               [&] { alice_text = run_hush(alice, {"verify", "bob"}); }});
  ASSERT_EQ(alice_json.exit, 0) << alice_json.describe();
  ASSERT_EQ(bob_json.exit, 0) << bob_json.describe();
  ASSERT_EQ(alice_text.exit, 0) << alice_text.describe();
  const std::string number = alice_json.json().value("safety_number", "");
  EXPECT_TRUE(std::regex_match(number, std::regex("[0-9]{60}"))) << alice_json.describe();
  EXPECT_EQ(bob_json.json().value("safety_number", ""), number) << bob_json.describe();
  EXPECT_EQ(alice_json.json().value("user", ""), "bob");
  EXPECT_EQ(alice_json.json().value("verified", true), false);
  EXPECT_EQ(alice_json.json().value("identity_changed", true), false);
  // Text: the same digits as 12 groups of 5 (lines may hold several groups).
  const std::regex group(R"((^|\s)([0-9]{5})(?=\s|$))");
  std::vector<std::string> groups;
  for (auto it = std::sregex_iterator(alice_text.out.begin(), alice_text.out.end(), group); it != std::sregex_iterator();
       ++it)
    groups.push_back((*it)[2]);
  std::string joined;
  for (const auto& g : groups) joined += g;
  EXPECT_EQ(groups.size(), 12u) << alice_text.describe();
  EXPECT_EQ(joined, number) << alice_text.describe();

  const auto confirm = run_hush(alice, {"verify", "bob", "--confirm", "--json"});
  ASSERT_EQ(confirm.exit, 0) << confirm.describe();
  EXPECT_EQ(confirm.json().value("verified", false), true) << confirm.describe();
  EXPECT_EQ(confirm.json().value("safety_number", ""), number);

  CliResult alice_contacts, bob_contacts;
  in_parallel({[&] { alice_contacts = run_hush(alice, {"contacts"}); },
               [&] { bob_contacts = run_hush(bob, {"contacts", "--json"}); }});
  EXPECT_TRUE(std::regex_search(alice_contacts.out, std::regex(R"((^|\n)bob +verified)"))) << alice_contacts.describe();
  ASSERT_TRUE(bob_contacts.json().is_array() && bob_contacts.json().size() == 1) << bob_contacts.describe();
  EXPECT_EQ(bob_contacts.json()[0].value("user", ""), "alice");
  EXPECT_EQ(bob_contacts.json()[0].value("verified", true), false) << "confirming is per side";
}

}  // namespace
}  // namespace hush::e2e_cli
