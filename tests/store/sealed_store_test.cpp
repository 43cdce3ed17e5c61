// A sealed store (OpenOptions::passphrase): every record kind survives a close
// and reopen; a missing or wrong passphrase is Errc::wrong_passphrase and
// leaves the file byte for byte as it was; a passphrase for a plaintext store
// is bad_request; the key cost is the one recorded in the file; application
// keys are stable and separate.
#include <sys/wait.h>
#include <unistd.h>

#include "sealed_fixture.hpp"

namespace hush::test {
namespace {

using store::SqliteProtocolStore;

TEST_F(SealedStoreTest, NewStoreRecordsSaltCostAndCheckValue) {
  auto s = open_store(sealed());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->path(), db_file());
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("PRAGMA user_version"), 3);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM encryption"), 1);
  EXPECT_EQ(raw.query_int("SELECT length(salt) FROM encryption"), 16);
  EXPECT_EQ(raw.query_int("SELECT opslimit FROM encryption"), static_cast<std::int64_t>(KdfParams::minimum().opslimit));
  EXPECT_EQ(raw.query_int("SELECT memlimit FROM encryption"), static_cast<std::int64_t>(KdfParams::minimum().memlimit));
  EXPECT_EQ(raw.query_int("SELECT length(private_key) FROM local_identity"),
            static_cast<std::int64_t>(32 + StorageKey::kOverhead));
}

TEST_F(SealedStoreTest, EveryRecordKindRoundTripsAcrossReopen) {
  auto pk = generate_prekey(17, rng_);
  auto consumed = generate_prekey(18, rng_);
  IdentityKeyPair signer = KeyPair::generate(rng_);
  auto spk = generate_signed_prekey(signer, 7, 0xF000'0000'0000'0001ull, rng_);
  auto bob_key = KeyPair::generate(rng_).public_key;
  auto carol_key = KeyPair::generate(rng_).public_key;
  auto session = real_session_record(7);
  auto committed = real_session_record(21);
  auto sender_key = sender_key_record();
  Bytes identity_priv;
  std::optional<PublicKey> identity_pub;
  {
    auto s = open_store(sealed());
    ASSERT_TRUE(s);
    identity_pub = s->identity_key_pair().public_key;
    identity_priv = bytes_of(s->identity_key_pair().private_key.serialize());
    ASSERT_TRUE(s->save_identity("bob", bob_key).ok());
    ASSERT_TRUE(s->store_prekey(pk).ok());
    ASSERT_TRUE(s->store_prekey(consumed).ok());
    ASSERT_TRUE(s->store_signed_prekey(spk).ok());
    ASSERT_TRUE(s->store_session(bob_, session).ok());
    ASSERT_TRUE(s->store_sender_key(alice_, group_, sender_key).ok());
    SessionRecord copy = committed.clone();
    ASSERT_TRUE(s->commit(SessionCommit{carol_, &copy, carol_key, 18u}).ok());
  }
  DeterministicRng other_rng(999);  // a reopen must not draw a new identity
  auto again =
      SqliteProtocolStore::open(dir_, store::OpenOptions{"alice", 1, 1234, other_rng, std::chrono::milliseconds(5000),
                                                         kPassphrase, KdfParams::minimum()});
  ASSERT_TRUE(again.ok()) << again.error().message;
  auto& s = *again;
  EXPECT_EQ(s->identity_key_pair().public_key, *identity_pub);
  EXPECT_TRUE(ct_equal(s->identity_key_pair().private_key.serialize(), identity_priv));
  EXPECT_EQ(**s->get_identity("bob"), bob_key);
  EXPECT_EQ(**s->get_identity("carol"), carol_key);

  auto loaded_pk = s->load_prekey(17);
  ASSERT_TRUE(loaded_pk.ok() && loaded_pk->has_value()) << (loaded_pk.ok() ? "absent" : loaded_pk.error().message);
  EXPECT_EQ((*loaded_pk)->key_pair.public_key, pk.key_pair.public_key);
  EXPECT_TRUE(ct_equal((*loaded_pk)->key_pair.private_key.serialize(), pk.key_pair.private_key.serialize()));
  EXPECT_FALSE(*s->load_prekey(18));  // consumed by the commit

  auto loaded_spk = s->load_signed_prekey(7);
  ASSERT_TRUE(loaded_spk.ok() && loaded_spk->has_value());
  EXPECT_EQ((*loaded_spk)->timestamp, spk.timestamp);
  EXPECT_EQ((*loaded_spk)->key_pair.public_key, spk.key_pair.public_key);
  EXPECT_TRUE(ct_equal((*loaded_spk)->key_pair.private_key.serialize(), spk.key_pair.private_key.serialize()));
  EXPECT_EQ((*loaded_spk)->signature, spk.signature);

  auto loaded_session = s->load_session(bob_);
  ASSERT_TRUE(loaded_session.ok() && loaded_session->has_value());
  EXPECT_EQ(serialized(**loaded_session), serialized(session));
  auto loaded_commit = s->load_session(carol_);
  ASSERT_TRUE(loaded_commit.ok() && loaded_commit->has_value());
  EXPECT_EQ(serialized(**loaded_commit), serialized(committed));

  auto loaded_sk = s->load_sender_key(alice_, group_);
  ASSERT_TRUE(loaded_sk.ok() && loaded_sk->has_value());
  EXPECT_EQ(bytes_of(**loaded_sk), bytes_of(sender_key));
  EXPECT_FALSE(*s->load_sender_key(alice_, other_group_));

  // Still writable after the reopen, with values sealed anew.
  ASSERT_TRUE(s->remove_prekey(17).ok());
  ASSERT_TRUE(s->store_session(bob_, committed).ok());
  EXPECT_EQ(serialized(**s->load_session(bob_)), serialized(committed));
}

TEST_F(SealedStoreTest, WrongOrMissingPassphraseIsRefusedAndChangesNothing) {
  {
    auto s = open_store(sealed());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->store_session(bob_, real_session_record()).ok());
    ASSERT_TRUE(s->store_prekey(generate_prekey(3, rng_)).ok());
  }
  const auto before = snapshot(dir_);
  ASSERT_TRUE(before.count(SqliteProtocolStore::kFileName));

  auto wrong = try_open(sealed("correct horse battery stapler"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.code(), Errc::wrong_passphrase);
  EXPECT_EQ(wrong.error().message, "wrong passphrase");
  EXPECT_EQ(snapshot(dir_), before);

  auto missing = try_open(sealed(std::nullopt));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), Errc::wrong_passphrase);
  EXPECT_EQ(missing.error().message, "the store is encrypted: a passphrase is needed");
  EXPECT_EQ(snapshot(dir_), before);

  auto empty = try_open(sealed(""));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.code(), Errc::wrong_passphrase);
  EXPECT_EQ(snapshot(dir_), before);

  auto right = open_store(sealed());
  ASSERT_TRUE(right);
  EXPECT_TRUE(*right->load_session(bob_));
}

// "Before any write" includes migrations: a sealed store that still has a
// migration to run (faked by setting its version back) is not migrated by an
// open with the wrong passphrase, and is by the right one, sealed values kept.
TEST_F(SealedStoreTest, WrongPassphraseDoesNotMigrate) {
  auto session = real_session_record();
  auto pk = generate_prekey(3, rng_);
  {
    auto s = open_store(sealed());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->store_session(bob_, session).ok());
    ASSERT_TRUE(s->store_prekey(pk).ok());
  }
  {
    RawDb raw(db_file());
    ASSERT_EQ(raw.exec("PRAGMA user_version = 2"), SQLITE_OK);
  }
  const auto before = snapshot(dir_);
  auto wrong = try_open(sealed("not it"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.code(), Errc::wrong_passphrase);
  EXPECT_EQ(snapshot(dir_), before);
  auto missing = try_open(sealed(std::nullopt));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), Errc::wrong_passphrase);
  EXPECT_EQ(snapshot(dir_), before);
  {
    RawDb raw(db_file());
    EXPECT_EQ(raw.query_int("PRAGMA user_version"), 2);
  }

  auto s = open_store(sealed());
  ASSERT_TRUE(s);
  EXPECT_EQ(serialized(**s->load_session(bob_)), serialized(session));
  EXPECT_TRUE(ct_equal((*s->load_prekey(3))->key_pair.private_key.serialize(), pk.key_pair.private_key.serialize()));
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("PRAGMA user_version"), 3);
}

TEST_F(SealedStoreTest, PassphraseForAPlaintextStoreIsBadRequest) {
  {
    auto s = open_store();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->store_session(bob_, real_session_record()).ok());
  }
  const auto before = snapshot(dir_);
  auto r = try_open(sealed());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::bad_request);
  EXPECT_NE(r.error().message.find("not encrypted"), std::string::npos) << r.error().message;
  EXPECT_EQ(snapshot(dir_), before);
  auto s = open_store();
  ASSERT_TRUE(s);
  EXPECT_TRUE(*s->load_session(bob_));
  EXPECT_FALSE(s->application_key("hush.client.messages"));
}

// The cost is read from the file: reopening with other KdfParams in the
// options (which would derive another key) still opens.
TEST_F(SealedStoreTest, ReopenUsesTheRecordedCost) {
  ASSERT_TRUE(open_store(sealed()));
  auto o = sealed();
  o.kdf = KdfParams{KdfParams::minimum().opslimit + 1, KdfParams::minimum().memlimit * 2};
  auto s = open_store(o);
  ASSERT_TRUE(s);
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_int("SELECT opslimit FROM encryption"), static_cast<std::int64_t>(KdfParams::minimum().opslimit));
}

TEST_F(SealedStoreTest, CostBelowTheMinimumIsBadRequestForANewStore) {
  auto o = sealed();
  o.kdf = KdfParams{0, 0};
  auto r = try_open(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::bad_request);
}

TEST_F(SealedStoreTest, ApplicationKeyIsStableAcrossReopenAndSeparatePerContext) {
  Bytes sealed_value;
  {
    auto s = open_store(sealed());
    ASSERT_TRUE(s);
    auto key = s->application_key("hush.client.messages");
    ASSERT_TRUE(key);
    sealed_value = key->seal(as_bytes("a message body"), as_bytes("messages|1"), rng_);
    // The store's own key is not handed out.
    EXPECT_FALSE(s->application_key("hush.store.protocol"));
  }
  auto s = open_store(sealed());
  ASSERT_TRUE(s);
  auto same = s->application_key("hush.client.messages");
  ASSERT_TRUE(same);
  auto opened = same->open(sealed_value, as_bytes("messages|1"));
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(ct_equal(opened->view(), as_bytes("a message body")));

  auto other = s->application_key("hush.client.drafts");
  ASSERT_TRUE(other);
  auto wrong = other->open(sealed_value, as_bytes("messages|1"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.code(), Errc::storage);
}

TEST_F(SealedStoreTest, AnotherStoreWithTheSamePassphraseHasOtherKeys) {
  Bytes sealed_value;
  {
    auto s = open_store(sealed());
    ASSERT_TRUE(s);
    sealed_value = s->application_key("ctx")->seal(as_bytes("x"), as_bytes("ad"), rng_);
  }
  dir_ = root_ / "other";
  auto s = open_store(sealed());  // same passphrase, new salt
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->application_key("ctx")->open(sealed_value, as_bytes("ad")).ok());
}

// Two processes creating the same new sealed store at once end up with one
// identity and one salt: the loser of the creation race unlocks the store the
// winner wrote.
TEST_F(SealedStoreTest, ConcurrentCreatorsAgreeOnOneIdentity) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    DeterministicRng child_rng(777);  // a different identity and salt if it wins
    auto s =
        SqliteProtocolStore::open(dir_, store::OpenOptions{"alice", 1, 1234, child_rng, std::chrono::milliseconds(5000),
                                                           kPassphrase, KdfParams::minimum()});
    if (!s) ::_exit(10);
    auto pub = (*s)->identity_key_pair().public_key.serialize();
    if (::write(fds[1], pub.data(), pub.size()) != static_cast<ssize_t>(pub.size())) ::_exit(11);
    ::_exit(0);
  }
  ::close(fds[1]);
  auto s = open_store(sealed());
  ASSERT_TRUE(s);
  std::array<std::uint8_t, kPublicKeySize> child_pub{};
  ASSERT_EQ(::read(fds[0], child_pub.data(), child_pub.size()), static_cast<ssize_t>(child_pub.size()));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child exit " << WEXITSTATUS(status);
  EXPECT_EQ(child_pub, s->identity_key_pair().public_key.serialize());
}

}  // namespace
}  // namespace hush::test
