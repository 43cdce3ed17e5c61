// SqliteClientState on a real profile file (no server): the history keeps a
// (peer, id) once and returns the last N oldest first; a send moves from
// the outbox to the history in one step; sealed values are bound to their
// rows (a body copied into another row does not open) and to the
// passphrase; reading the owner writes nothing.
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "e2e_test.hpp"
#include "hush/client/profile.hpp"
#include "hush/client/sqlite_client_state.hpp"

namespace hush::e2e {
namespace {

using client::MessageDirection;
using client::StoredMessage;

class ClientStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "hush-state-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    auto p = client::Profile::create(dir(), "alice", "passphrase one", KdfParams::minimum());
    ASSERT_OK(p);
    profile_ = std::move(p).value();
    client::AccountRecord a;
    a.server = "http://127.0.0.1:1";
    a.username = "alice";
    a.device_id = 1;
    a.registration_id = profile_.store->local_registration_id();
    a.device_secret = Secret<32>(as_bytes("0123456789abcdef0123456789abcdef"));
    ASSERT_OK(profile_.state->save_account(a));
  }
  void TearDown() override {
    profile_ = {};
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  std::filesystem::path dir() const { return root_ / "profile"; }
  std::filesystem::path db() const { return dir() / "hush.db"; }
  client::ClientState& state() { return *profile_.state; }

  static StoredMessage message(std::uint8_t id, const std::string& body) {
    StoredMessage m;
    m.direction = MessageDirection::in;
    m.peer = "bob";
    m.device = 1;
    m.id.fill(id);
    m.sent_ms = 1000u + id;
    m.received_ms = 2000u + id;
    m.body = body;
    return m;
  }

  std::filesystem::path root_;
  client::Profile profile_;
};

TEST_F(ClientStateTest, HistoryKeepsEachIdOnceAndReturnsTheLastNOldestFirst) {
  for (std::uint8_t i = 1; i <= 5; ++i) {
    auto added = state().record_received(message(i, "m" + std::to_string(i)));
    ASSERT_OK(added);
    EXPECT_TRUE(*added);
  }
  auto again = state().record_received(message(3, "a different body, same id"));
  ASSERT_OK(again);
  EXPECT_FALSE(*again) << "a redelivered id is not stored twice";

  auto last = state().history("bob", 2);
  ASSERT_OK(last);
  ASSERT_EQ(last->size(), 2u);
  EXPECT_EQ((*last)[0].body, "m4");
  EXPECT_EQ((*last)[1].body, "m5");
  auto all = state().history("bob", 0);
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 5u);
  auto contact = state().contact("bob");
  ASSERT_OK(contact);
  ASSERT_TRUE(contact->has_value());
  EXPECT_EQ((*contact)->last_message_ms, std::optional<std::uint64_t>(2005u));
}

TEST_F(ClientStateTest, CompletedSendLeavesTheOutboxForTheHistoryOnce) {
  client::OutgoingRecord out;
  out.id.fill(9);
  out.peer = "bob";
  out.plaintext = client::encode_message(out.id, 1234, "hello");
  out.created_ms = 1234;
  ASSERT_OK(state().add_outgoing(out));
  auto queued = state().outbox();
  ASSERT_OK(queued);
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ((*queued)[0].plaintext, out.plaintext);

  StoredMessage sent{MessageDirection::out, "bob", 1, out.id, 1234, 1300, "hello"};
  ASSERT_OK(state().complete_send(sent));
  ASSERT_OK(state().complete_send(sent));  // a retry that raced another process
  auto size = state().outbox_size();
  ASSERT_OK(size);
  EXPECT_EQ(*size, 0u);
  auto history = state().history("bob", 0);
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].direction, MessageDirection::out);
  EXPECT_EQ((*history)[0].body, "hello");
}

TEST_F(ClientStateTest, SealedBodyCopiedToAnotherRowDoesNotOpen) {
  ASSERT_OK(state().record_received(message(1, "first secret")));
  ASSERT_OK(state().record_received(message(2, "second secret")));
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db().c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw,
                           "UPDATE messages SET sealed_body = (SELECT sealed_body FROM messages WHERE sent_at = 1001) "
                           "WHERE sent_at = 1002",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  auto history = state().history("bob", 0);
  ASSERT_FALSE(history.ok()) << "a body moved to another row opened";
  EXPECT_EQ(history.code(), Errc::storage);
}

TEST_F(ClientStateTest, BodiesAreNotInTheFileAndAnotherKeyOpensNothing) {
  ASSERT_OK(state().record_received(message(1, "MARKER-plaintext-body")));
  std::ifstream in(db(), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ifstream wal(db().string() + "-wal", std::ios::binary);
  const std::string wal_bytes((std::istreambuf_iterator<char>(wal)), std::istreambuf_iterator<char>());
  EXPECT_EQ((bytes + wal_bytes).find("MARKER-plaintext-body"), std::string::npos);

  auto other = client::SqliteClientState::open(db(), StorageKey::from_secret(Secret<32>()));
  ASSERT_OK(other);
  auto account = (*other)->load_account();
  EXPECT_FALSE(account.ok()) << "the device secret opened under another key";
  auto history = (*other)->history("bob", 0);
  EXPECT_FALSE(history.ok()) << "a body opened under another key";
}

TEST_F(ClientStateTest, ReadingTheOwnerWritesNothing) {
  profile_ = {};  // closed: no WAL left behind
  auto before = std::filesystem::last_write_time(db());
  struct stat st_before {};
  ASSERT_EQ(::stat(db().c_str(), &st_before), 0);
  auto owner = client::SqliteClientState::read_owner(db());
  ASSERT_OK(owner);
  ASSERT_TRUE(owner->has_value());
  EXPECT_EQ((*owner)->username, "alice");
  EXPECT_EQ((*owner)->device_id, 1u);
  struct stat st_after {};
  ASSERT_EQ(::stat(db().c_str(), &st_after), 0);
  EXPECT_EQ(std::filesystem::last_write_time(db()), before);
  EXPECT_EQ(st_after.st_size, st_before.st_size);
  EXPECT_FALSE(std::filesystem::exists(db().string() + "-wal"));

  auto wrong = client::Profile::open(dir(), "passphrase two");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.code(), Errc::wrong_passphrase);
  auto right = client::Profile::open(dir(), "passphrase one");
  ASSERT_OK(right);
  auto account = right->state->load_account();
  ASSERT_OK(account);
  ASSERT_TRUE(account->has_value());
  EXPECT_EQ((*account)->device_secret, Secret<32>(as_bytes("0123456789abcdef0123456789abcdef")));
}

}  // namespace
}  // namespace hush::e2e
