// The protocol running on SqliteProtocolStore: two parties converse, close
// and reopen their stores mid-conversation, and carry on. A failed decrypt
// leaves the stored state byte-identical.
#include "hush/session.hpp"
#include "store_fixture.hpp"

namespace hush::test {
namespace {

using store::SqliteProtocolStore;

class SqliteSessionFlowTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    alice_dir_ = root_ / "alice";
    bob_dir_ = root_ / "bob";
    reopen();
  }

  void reopen() {
    alice_.reset();
    bob_.reset();
    auto a = SqliteProtocolStore::open(alice_dir_, store::OpenOptions{"alice", 1, 111, alice_rng_});
    auto b = SqliteProtocolStore::open(bob_dir_, store::OpenOptions{"bob", 1, 222, bob_rng_});
    ASSERT_TRUE(a.ok() && b.ok());
    alice_ = std::move(a).value();
    bob_ = std::move(b).value();
  }

  PreKeyBundle bob_bundle(std::uint32_t spk_id, std::uint32_t pk_id) {
    auto spk = generate_signed_prekey(bob_->identity_key_pair(), spk_id, clock_.now_seconds() * 1000, bob_rng_);
    auto opk = generate_prekey(pk_id, bob_rng_);
    EXPECT_TRUE(bob_->store_signed_prekey(spk).ok());
    EXPECT_TRUE(bob_->store_prekey(opk).ok());
    PreKeyBundle b;
    b.registration_id = bob_->local_registration_id();
    b.device_id = 1;
    b.identity_key = bob_->identity_key_pair().public_key;
    b.signed_prekey_id = spk_id;
    b.signed_prekey = spk.key_pair.public_key;
    b.signed_prekey_signature = spk.signature;
    b.prekey_id = pk_id;
    b.prekey = opk.key_pair.public_key;
    return b;
  }

  Result<CiphertextMessage> send(SqliteProtocolStore& from, const ProtocolAddress& to, std::string_view text) {
    Rng& rng = &from == alice_.get() ? static_cast<Rng&>(alice_rng_) : bob_rng_;
    return SessionCipher(from, to, rng, clock_).encrypt(as_bytes(text));
  }
  Result<std::string> receive(SqliteProtocolStore& at, const ProtocolAddress& from, const CiphertextMessage& m) {
    Rng& rng = &at == alice_.get() ? static_cast<Rng&>(alice_rng_) : bob_rng_;
    HUSH_ASSIGN(auto pt, SessionCipher(at, from, rng, clock_).decrypt(m.type, m.body));
    return std::string(reinterpret_cast<const char*>(pt.data()), pt.size());
  }

  FakeClock clock_;
  DeterministicRng alice_rng_{1};
  DeterministicRng bob_rng_{2};
  std::filesystem::path alice_dir_;
  std::filesystem::path bob_dir_;
  ProtocolAddress alice_addr_{"alice", 1};
  ProtocolAddress bob_addr_{"bob", 1};
  std::unique_ptr<SqliteProtocolStore> alice_;
  std::unique_ptr<SqliteProtocolStore> bob_;
};

TEST_F(SqliteSessionFlowTest, ConversationContinuesAcrossReopens) {
  auto bundle = bob_bundle(7, 31);
  reopen();  // the published prekeys must survive too
  ASSERT_TRUE(SessionBuilder(*alice_, bob_addr_, alice_rng_, clock_).process(bundle).ok());
  reopen();

  auto m1 = send(*alice_, bob_addr_, "hello bob");
  ASSERT_TRUE(m1.ok());
  EXPECT_EQ(m1->type, MessageType::prekey);
  reopen();
  auto p1 = receive(*bob_, alice_addr_, *m1);
  ASSERT_TRUE(p1.ok()) << p1.error().message;
  EXPECT_EQ(*p1, "hello bob");
  // The PreKey message's commit consumed the one-time prekey and recorded
  // alice's identity, together with the session.
  EXPECT_FALSE(*bob_->load_prekey(31));
  EXPECT_EQ(**bob_->get_identity("alice"), alice_->identity_key_pair().public_key);
  reopen();

  auto r1 = send(*bob_, alice_addr_, "hi alice");
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->type, MessageType::whisper);
  reopen();
  EXPECT_EQ(*receive(*alice_, bob_addr_, *r1), "hi alice");

  for (int i = 0; i < 5; ++i) {
    reopen();
    auto m = send(*alice_, bob_addr_, "ping " + std::to_string(i));
    ASSERT_TRUE(m.ok());
    reopen();
    EXPECT_EQ(*receive(*bob_, alice_addr_, *m), "ping " + std::to_string(i));
  }
}

TEST_F(SqliteSessionFlowTest, FailedDecryptLeavesTheStoreUnchanged) {
  ASSERT_TRUE(SessionBuilder(*alice_, bob_addr_, alice_rng_, clock_).process(bob_bundle(7, 31)).ok());
  auto m1 = send(*alice_, bob_addr_, "first");
  ASSERT_TRUE(m1.ok());
  ASSERT_TRUE(receive(*bob_, alice_addr_, *m1).ok());
  auto r1 = send(*bob_, alice_addr_, "reply");
  ASSERT_TRUE(r1.ok() && receive(*alice_, bob_addr_, *r1).ok());
  auto m2 = send(*alice_, bob_addr_, "second");
  ASSERT_TRUE(m2.ok());
  ASSERT_EQ(m2->type, MessageType::whisper);  // ends in its MAC

  auto before = serialized(**bob_->load_session(alice_addr_));
  auto tampered = *m2;
  tampered.body.back() ^= 1;  // breaks the MAC
  EXPECT_FALSE(receive(*bob_, alice_addr_, tampered).ok());
  reopen();
  EXPECT_EQ(serialized(**bob_->load_session(alice_addr_)), before);
  EXPECT_EQ(*receive(*bob_, alice_addr_, *m2), "second");
}

}  // namespace
}  // namespace hush::test
