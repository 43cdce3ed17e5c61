// SqliteProtocolStore: every record kind survives a close and reopen, the
// store refuses to open as someone else, and its files are private.
#include <sys/stat.h>

#include "store_fixture.hpp"

namespace hush::test {
namespace {

using store::SqliteProtocolStore;

class SqliteRoundTripTest : public StoreTest {};

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

TEST_F(SqliteRoundTripTest, NewStoreRecordsItsOwnerAndIdentity) {
  auto s = open_store();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->address(), "alice");
  EXPECT_EQ(s->device_id(), 1u);
  EXPECT_EQ(s->local_registration_id(), 1234u);
  EXPECT_EQ(s->identity_key_pair().private_key.public_key(), s->identity_key_pair().public_key);
}

TEST_F(SqliteRoundTripTest, ReopenKeepsTheSameIdentity) {
  auto first = open_store();
  ASSERT_TRUE(first);
  auto pub = first->identity_key_pair().public_key;
  auto priv = Bytes(first->identity_key_pair().private_key.serialize().begin(),
                    first->identity_key_pair().private_key.serialize().end());
  first.reset();

  DeterministicRng other_rng(999);  // a reopen must not draw a new identity
  auto again = open_store(store::OpenOptions{"alice", 1, 1234, other_rng});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->identity_key_pair().public_key, pub);
  EXPECT_TRUE(ct_equal(again->identity_key_pair().private_key.serialize(), priv));
}

TEST_F(SqliteRoundTripTest, IdentitiesRoundTrip) {
  auto bob_key = KeyPair::generate(rng_).public_key;
  auto carol_key = KeyPair::generate(rng_).public_key;
  {
    auto s = open_store();
    ASSERT_TRUE(s);
    EXPECT_FALSE(*s->get_identity("bob"));
    ASSERT_TRUE(s->save_identity("bob", bob_key).ok());
    ASSERT_TRUE(s->save_identity("carol", bob_key).ok());
    ASSERT_TRUE(s->save_identity("carol", carol_key).ok());  // replaces
  }
  auto s = open_store();
  ASSERT_TRUE(s);
  EXPECT_EQ(**s->get_identity("bob"), bob_key);
  EXPECT_EQ(**s->get_identity("carol"), carol_key);
  EXPECT_FALSE(*s->get_identity("dave"));
}

TEST_F(SqliteRoundTripTest, TrustOnFirstUseUsesStoredIdentities) {
  auto s = open_store();
  ASSERT_TRUE(s);
  auto k1 = KeyPair::generate(rng_).public_key;
  auto k2 = KeyPair::generate(rng_).public_key;
  EXPECT_TRUE(*s->is_trusted_identity("bob", k1, Direction::sending));
  ASSERT_TRUE(s->save_identity("bob", k1).ok());
  EXPECT_TRUE(*s->is_trusted_identity("bob", k1, Direction::receiving));
  EXPECT_FALSE(*s->is_trusted_identity("bob", k2, Direction::sending));
}

TEST_F(SqliteRoundTripTest, PreKeysRoundTripAndRemove) {
  auto pk = generate_prekey(31, rng_);
  auto other = generate_prekey(32, rng_);
  {
    auto s = open_store();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->store_prekey(pk).ok());
    ASSERT_TRUE(s->store_prekey(other).ok());
  }
  auto s = open_store();
  ASSERT_TRUE(s);
  auto loaded = s->load_prekey(31);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ((*loaded)->id, 31u);
  EXPECT_EQ((*loaded)->key_pair.public_key, pk.key_pair.public_key);
  EXPECT_TRUE(ct_equal((*loaded)->key_pair.private_key.serialize(), pk.key_pair.private_key.serialize()));

  ASSERT_TRUE(s->remove_prekey(31).ok());
  EXPECT_TRUE(s->remove_prekey(31).ok());  // idempotent, as libsignal
  EXPECT_FALSE(*s->load_prekey(31));
  EXPECT_TRUE(*s->load_prekey(32));
  EXPECT_FALSE(*s->load_prekey(33));
}

TEST_F(SqliteRoundTripTest, StorePreKeyReplacesSameId) {
  auto s = open_store();
  ASSERT_TRUE(s);
  auto a = generate_prekey(5, rng_);
  auto b = generate_prekey(5, rng_);
  ASSERT_TRUE(s->store_prekey(a).ok());
  ASSERT_TRUE(s->store_prekey(b).ok());
  EXPECT_EQ((*s->load_prekey(5))->key_pair.public_key, b.key_pair.public_key);
}

TEST_F(SqliteRoundTripTest, SignedPreKeysRoundTrip) {
  IdentityKeyPair identity = KeyPair::generate(rng_);
  // A timestamp above INT64_MAX checks the unsigned round trip.
  auto spk = generate_signed_prekey(identity, 7, 0xF000'0000'0000'0001ull, rng_);
  {
    auto s = open_store();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->store_signed_prekey(spk).ok());
  }
  auto s = open_store();
  ASSERT_TRUE(s);
  auto loaded = s->load_signed_prekey(7);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  const auto& r = **loaded;
  EXPECT_EQ(r.id, 7u);
  EXPECT_EQ(r.timestamp, spk.timestamp);
  EXPECT_EQ(r.key_pair.public_key, spk.key_pair.public_key);
  EXPECT_TRUE(ct_equal(r.key_pair.private_key.serialize(), spk.key_pair.private_key.serialize()));
  EXPECT_EQ(r.signature, spk.signature);
  EXPECT_TRUE(identity.public_key.verify(r.key_pair.public_key.serialize(), r.signature));
  EXPECT_FALSE(*s->load_signed_prekey(8));
}

TEST_F(SqliteRoundTripTest, EmptySessionRecordRoundTrips) {
  ProtocolAddress bob{"bob", 2};
  {
    auto s = open_store();
    ASSERT_TRUE(s);
    EXPECT_FALSE(*s->load_session(bob));
    ASSERT_TRUE(s->store_session(bob, SessionRecord{}).ok());
  }
  auto s = open_store();
  ASSERT_TRUE(s);
  auto loaded = s->load_session(bob);
  ASSERT_TRUE(loaded.ok() && loaded->has_value()) << (loaded.ok() ? "absent" : loaded.error().message);
  EXPECT_FALSE((*loaded)->has_current_state());
  EXPECT_EQ(serialized(**loaded), serialized(SessionRecord{}));
}

TEST_F(SqliteRoundTripTest, RealSessionRecordRoundTripsByteForByte) {
  auto record = real_session_record();
  ASSERT_TRUE(record.has_current_state());
  ProtocolAddress bob{"bob", 2};
  {
    auto s = open_store();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->store_session(bob, record).ok());
  }
  auto s = open_store();
  ASSERT_TRUE(s);
  auto loaded = s->load_session(bob);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ(serialized(**loaded), serialized(record));
  // Sessions are per device: another device of bob has none.
  EXPECT_FALSE(*s->load_session(ProtocolAddress{"bob", 3}));
}

TEST_F(SqliteRoundTripTest, ReopenAsAnotherOwnerIsBadRequest) {
  ASSERT_TRUE(open_store());
  for (auto o : {options("mallory", 1, 1234), options("alice", 2, 1234), options("alice", 1, 4321)}) {
    auto r = SqliteProtocolStore::open(dir_, o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), Errc::bad_request);
    EXPECT_NE(r.error().message.find("alice.1 (registration id 1234)"), std::string::npos) << r.error().message;
  }
  EXPECT_TRUE(open_store());  // the refused opens changed nothing
}

TEST_F(SqliteRoundTripTest, EmptyAddressIsBadRequest) {
  auto r = SqliteProtocolStore::open(dir_, options(""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::bad_request);
}

TEST_F(SqliteRoundTripTest, CreatesMissingDirectoriesPrivately) {
  dir_ = root_ / "a" / "b" / "party";
  ASSERT_TRUE(open_store());
  EXPECT_TRUE(std::filesystem::is_directory(dir_));
  EXPECT_EQ(mode_of(dir_), 0700u);
}

TEST_F(SqliteRoundTripTest, DatabaseFilesAreOwnerOnlyWhateverTheUmask) {
  mode_t old = ::umask(0);  // the widest umask: nothing masked
  auto s = open_store();
  ::umask(old);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->save_identity("bob", KeyPair::generate(rng_).public_key).ok());
  EXPECT_EQ(mode_of(db_file()), 0600u);
  // SQLite gives the WAL and shared-memory files the database file's mode.
  EXPECT_EQ(mode_of(db_file().string() + "-wal"), 0600u);
  EXPECT_EQ(mode_of(db_file().string() + "-shm"), 0600u);
}

TEST_F(SqliteRoundTripTest, ExistingWideFileIsTightenedOnOpen) {
  ASSERT_TRUE(open_store());
  ASSERT_EQ(::chmod(db_file().c_str(), 0644), 0);
  ASSERT_TRUE(open_store());
  EXPECT_EQ(mode_of(db_file()), 0600u);
}

TEST_F(SqliteRoundTripTest, PathThatIsAFileIsAStorageError) {
  std::filesystem::create_directories(root_);
  {
    std::FILE* f = std::fopen(dir_.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  auto r = SqliteProtocolStore::open(dir_, options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
}

}  // namespace
}  // namespace hush::test
