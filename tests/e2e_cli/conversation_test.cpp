// Two people talk through real hush processes and a real hushd: alice sends,
// bob's `listen --once` prints it (JSON and text), bob answers, alice gets
// it, and both histories show the conversation in order with directions. A
// second `listen --once` prints nothing again.
#include <regex>

#include "cli_test.hpp"

namespace hush::e2e_cli {
namespace {

using CliConversationTest = CliE2eTest;

const std::regex kHex32("[0-9a-f]{32}");

TEST_F(CliConversationTest, MessagesBothWaysAndHistoriesInOrder) {
  auto alice = make_user("alice");
  auto bob = make_user("bob");
  init_users({&alice, &bob});
  ASSERT_FALSE(HasFatalFailure());
  const auto started_ms = now_ms();

  const std::string first = marker();
  const auto sent1 = run_hush(alice, {"send", "bob", first});
  ASSERT_EQ(sent1.exit, 0) << sent1.describe();
  const std::string id1 = sent_id(sent1.out, "bob");
  ASSERT_FALSE(id1.empty()) << "no `sent to bob (id HEX32)`: " << sent1.describe();

  const auto got1 = run_hush(bob, {"listen", "--once", "--json"});
  ASSERT_EQ(got1.exit, 0) << got1.describe();
  const auto in1 = messages_in(got1.json_lines());
  ASSERT_EQ(in1.size(), 1u) << got1.describe();
  EXPECT_EQ(in1[0].value("from", ""), "alice");
  EXPECT_EQ(in1[0].value("body", ""), first);
  EXPECT_EQ(in1[0].value("id", ""), id1);
  EXPECT_EQ(in1[0].value("device", 0), 1);
  ASSERT_TRUE(in1[0].contains("sent_at") && in1[0]["sent_at"].is_number_integer()) << in1[0].dump();
  ASSERT_TRUE(in1[0].contains("received_at") && in1[0]["received_at"].is_number_integer()) << in1[0].dump();
  const auto sent_at = in1[0]["sent_at"].get<std::int64_t>(), received_at = in1[0]["received_at"].get<std::int64_t>();
  EXPECT_GE(sent_at, started_ms - 1000);
  EXPECT_LE(sent_at, received_at + 1000);
  EXPECT_LE(received_at, now_ms() + 1000);

  const std::string reply = marker();
  const auto sent2 = run_hush(bob, {"send", "alice", reply, "--json"});
  ASSERT_EQ(sent2.exit, 0) << sent2.describe();
  const auto sent2_json = sent2.json();
  ASSERT_TRUE(sent2_json.is_object()) << sent2.describe();
  EXPECT_EQ(sent2_json.value("to", ""), "alice");
  EXPECT_EQ(sent2_json.value("status", ""), "sent");
  const std::string id2 = sent2_json.value("id", "");
  EXPECT_TRUE(std::regex_match(id2, kHex32)) << sent2.describe();

  const auto got2 = run_hush(alice, {"listen", "--once", "--json"});
  ASSERT_EQ(got2.exit, 0) << got2.describe();
  const auto in2 = messages_in(got2.json_lines());
  ASSERT_EQ(in2.size(), 1u) << got2.describe();
  EXPECT_EQ(in2[0].value("from", ""), "bob");
  EXPECT_EQ(in2[0].value("body", ""), reply);
  EXPECT_EQ(in2[0].value("id", ""), id2);

  // The text line format, on a third message.
  const std::string third = marker();
  const auto sent3 = run_hush(alice, {"send", "bob", third});
  ASSERT_EQ(sent3.exit, 0) << sent3.describe();
  const auto got3 = run_hush(bob, {"listen", "--once"});
  ASSERT_EQ(got3.exit, 0) << got3.describe();
  EXPECT_TRUE(std::regex_search(got3.out, std::regex(R"((^|\n)\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] alice: )" + third +
                                                     "\n")))
      << got3.describe();
  EXPECT_EQ(got3.out.find(first), std::string::npos) << "an old message printed again: " << got3.describe();

  // Nothing is printed twice: the queue is drained.
  const auto again = run_hush(bob, {"listen", "--once", "--json"});
  ASSERT_EQ(again.exit, 0) << again.describe();
  EXPECT_TRUE(messages_in(again.json_lines()).empty()) << again.describe();

  // Both histories: oldest first, with directions.
  CliResult alice_history, bob_history, alice_text;
  in_parallel({[&] { alice_history = run_hush(alice, {"history", "bob", "--json"}); },
               [&] { bob_history = run_hush(bob, {"history", "alice", "--json"}); },
               [&] { alice_text = run_hush(alice, {"history", "bob"}); }});
  ASSERT_EQ(alice_history.exit, 0) << alice_history.describe();
  ASSERT_EQ(bob_history.exit, 0) << bob_history.describe();
  ASSERT_EQ(alice_text.exit, 0) << alice_text.describe();

  const auto a = messages_in(alice_history.json_lines());
  ASSERT_EQ(a.size(), 3u) << alice_history.describe();
  EXPECT_EQ(bodies_of(a), (std::vector<std::string>{first, reply, third}));
  EXPECT_EQ(ids_of(a), (std::vector<std::string>{id1, id2, sent_id(sent3.out, "bob")}));
  EXPECT_EQ(a[0].value("direction", ""), "out");
  EXPECT_EQ(a[1].value("direction", ""), "in");
  EXPECT_EQ(a[1].value("from", ""), "bob");
  EXPECT_EQ(a[2].value("direction", ""), "out");

  const auto b = messages_in(bob_history.json_lines());
  ASSERT_EQ(b.size(), 3u) << bob_history.describe();
  EXPECT_EQ(bodies_of(b), (std::vector<std::string>{first, reply, third}));
  EXPECT_EQ(b[0].value("direction", ""), "in");
  EXPECT_EQ(b[0].value("from", ""), "alice");
  EXPECT_EQ(b[1].value("direction", ""), "out");
  EXPECT_EQ(b[2].value("direction", ""), "in");

  const std::string ts = R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] )";
  EXPECT_TRUE(std::regex_search(alice_text.out, std::regex(ts + "me: " + first + "\n" + ts + "bob: " + reply +
                                                           "\n" + ts + "me: " + third + "\n")))
      << alice_text.describe();
}

}  // namespace
}  // namespace hush::e2e_cli
