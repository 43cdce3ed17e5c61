// What a sealed store's file holds, looked at and tampered with from outside:
// no private key or record plaintext in the database or its WAL; a sealed
// value moved to another row, or altered, is Errc::storage; a store written
// by schema version 2 migrates to version 3 and keeps its data.
#include "sealed_fixture.hpp"

namespace hush::test {
namespace {

using store::SqliteProtocolStore;

class SealedStoreFileTest : public SealedStoreTest {
 protected:
  // Writes one record of every secret kind into `s`.
  void fill(SqliteProtocolStore& s) {
    ASSERT_TRUE(s.save_identity("bob", KeyPair::generate(rng_).public_key).ok());
    ASSERT_TRUE(s.store_prekey(prekey_).ok());
    ASSERT_TRUE(s.store_signed_prekey(signed_prekey_).ok());
    ASSERT_TRUE(s.store_session(bob_, session_).ok());
    ASSERT_TRUE(s.store_sender_key(alice_, group_, sender_key_).ok());
  }

  // Secret byte strings the file must not contain in a sealed store: the
  // private keys, and every 32-byte window of the serialized records (the
  // records come from parties unrelated to this store, so none of their
  // bytes belongs in its plaintext columns).
  std::vector<Bytes> secrets(const SqliteProtocolStore& s) const {
    std::vector<Bytes> out{bytes_of(s.identity_key_pair().private_key.serialize()),
                           bytes_of(prekey_.key_pair.private_key.serialize()),
                           bytes_of(signed_prekey_.key_pair.private_key.serialize())};
    for (const Bytes& record : {serialized(session_), bytes_of(sender_key_)})
      for (std::size_t i = 0; i + 32 <= record.size(); i += 8)
        out.emplace_back(record.begin() + i, record.begin() + i + 32);
    return out;
  }

  // How many of `secrets` appear in the database, WAL or shared-memory file.
  static std::size_t found_in_files(const std::filesystem::path& db, const std::vector<Bytes>& secrets) {
    std::size_t found = 0;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      Bytes file = read_file(db.string() + suffix);
      for (const auto& secret : secrets) found += contains(file, secret) ? 1 : 0;
    }
    return found;
  }

  PreKeyRecord prekey_ = generate_prekey(17, rng_);
  SignedPreKeyRecord signed_prekey_ = generate_signed_prekey(KeyPair::generate(rng_), 7, 1234, rng_);
  SessionRecord session_ = real_session_record(7);
  SenderKeyRecord sender_key_ = sender_key_record();
};

TEST_F(SealedStoreFileTest, FileAndWalHoldNoPlaintextSecrets) {
  std::vector<Bytes> sealed_secrets;
  {
    auto s = open_store(sealed());
    ASSERT_TRUE(s);
    fill(*s);
    sealed_secrets = secrets(*s);
    // While open, the latest writes are in the WAL.
    ASSERT_FALSE(read_file(db_file().string() + "-wal").empty());
    EXPECT_EQ(found_in_files(db_file(), sealed_secrets), 0u);
  }
  EXPECT_EQ(found_in_files(db_file(), sealed_secrets), 0u);

  // The same scan finds them in a plaintext store: the check can fail.
  dir_ = root_ / "plaintext";
  auto p = open_store();
  ASSERT_TRUE(p);
  fill(*p);
  auto plain_secrets = secrets(*p);
  EXPECT_EQ(found_in_files(db_file(), plain_secrets), plain_secrets.size());
}

TEST_F(SealedStoreFileTest, ValueMovedToAnotherRowDoesNotOpen) {
  {
    auto s = open_store(sealed());
    ASSERT_TRUE(s);
    fill(*s);
    ASSERT_TRUE(s->store_prekey(generate_prekey(18, rng_)).ok());
    ASSERT_TRUE(s->store_signed_prekey(generate_signed_prekey(KeyPair::generate(rng_), 8, 1, rng_)).ok());
    ASSERT_TRUE(s->store_session(carol_, real_session_record(31)).ok());
  }
  {
    RawDb raw(db_file());
    // Swap two prekeys' and two signed prekeys' private keys, put bob's
    // session under carol, and file a sender key under another group.
    for (const char* table : {"prekeys", "signed_prekeys"}) {
      std::string t(table);
      std::string a = t == "prekeys" ? "17" : "7", b = t == "prekeys" ? "18" : "8";
      Bytes ka = query_blob(raw.get(), "SELECT private_key FROM " + t + " WHERE id = " + a);
      Bytes kb = query_blob(raw.get(), "SELECT private_key FROM " + t + " WHERE id = " + b);
      ASSERT_EQ(ka.size(), 72u);
      ASSERT_EQ(exec_with_blobs(raw.get(), "UPDATE " + t + " SET private_key = ? WHERE id = " + a, {kb}), SQLITE_DONE);
      ASSERT_EQ(exec_with_blobs(raw.get(), "UPDATE " + t + " SET private_key = ? WHERE id = " + b, {ka}), SQLITE_DONE);
    }
    ASSERT_EQ(raw.exec("UPDATE sessions SET record = (SELECT record FROM sessions WHERE name = 'bob') "
                       "WHERE name = 'carol'"),
              SQLITE_OK);
    ASSERT_EQ(exec_with_blobs(raw.get(), "UPDATE sender_keys SET distribution_id = ?", {other_group_.bytes}),
              SQLITE_DONE);
  }
  auto s = open_store(sealed());
  ASSERT_TRUE(s);
  auto expect_storage = [](const auto& r, std::string_view what) {
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.code(), Errc::storage) << what;
    EXPECT_NE(r.error().message.find("does not authenticate"), std::string::npos) << r.error().message;
  };
  expect_storage(s->load_prekey(17), "prekey 17");
  expect_storage(s->load_prekey(18), "prekey 18");
  expect_storage(s->load_signed_prekey(7), "signed prekey 7");
  expect_storage(s->load_signed_prekey(8), "signed prekey 8");
  expect_storage(s->load_session(carol_), "carol's session");
  expect_storage(s->load_sender_key(alice_, other_group_), "sender key");
  // The row that was only read from still opens.
  EXPECT_EQ(serialized(**s->load_session(bob_)), serialized(session_));
}

TEST_F(SealedStoreFileTest, PrekeyMovedIntoTheLocalIdentityFailsOpenAsStorage) {
  {
    auto s = open_store(sealed());
    ASSERT_TRUE(s);
    fill(*s);
  }
  {
    RawDb raw(db_file());
    ASSERT_EQ(raw.exec("UPDATE local_identity SET private_key = (SELECT private_key FROM prekeys WHERE id = 17)"),
              SQLITE_OK);
  }
  auto r = try_open(sealed());
  ASSERT_FALSE(r.ok());
  // The passphrase is right (the check value opens): this is corruption.
  EXPECT_EQ(r.code(), Errc::storage);
}

TEST_F(SealedStoreFileTest, TamperedValueIsStorageError) {
  {
    auto s = open_store(sealed());
    ASSERT_TRUE(s);
    fill(*s);
  }
  {
    RawDb raw(db_file());
    Bytes record = query_blob(raw.get(), "SELECT record FROM sessions WHERE name = 'bob'");
    ASSERT_GT(record.size(), 100u);
    record[record.size() / 2] ^= 0x01;
    ASSERT_EQ(exec_with_blobs(raw.get(), "UPDATE sessions SET record = ? WHERE name = 'bob'", {record}), SQLITE_DONE);
    ASSERT_EQ(raw.exec("UPDATE sender_keys SET record = substr(record, 1, 30)"), SQLITE_OK);
    Bytes key = query_blob(raw.get(), "SELECT private_key FROM prekeys WHERE id = 17");
    key[0] ^= 0x80;  // the nonce
    ASSERT_EQ(exec_with_blobs(raw.get(), "UPDATE prekeys SET private_key = ? WHERE id = 17", {key}), SQLITE_DONE);
  }
  auto s = open_store(sealed());
  ASSERT_TRUE(s);
  auto session = s->load_session(bob_);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.code(), Errc::storage);
  EXPECT_NE(session.error().message.find("session for bob.1"), std::string::npos) << session.error().message;
  auto sender_key = s->load_sender_key(alice_, group_);
  ASSERT_FALSE(sender_key.ok());
  EXPECT_EQ(sender_key.code(), Errc::storage);
  auto prekey = s->load_prekey(17);
  ASSERT_FALSE(prekey.ok());
  EXPECT_EQ(prekey.code(), Errc::storage);
  // Untouched rows still load.
  EXPECT_TRUE(*s->load_signed_prekey(7));
}

TEST_F(SealedStoreFileTest, TamperedLocalIdentityIsStorageNotWrongPassphrase) {
  ASSERT_TRUE(open_store(sealed()));
  {
    RawDb raw(db_file());
    Bytes key = query_blob(raw.get(), "SELECT private_key FROM local_identity");
    key.back() ^= 0x01;
    ASSERT_EQ(exec_with_blobs(raw.get(), "UPDATE local_identity SET private_key = ?", {key}), SQLITE_DONE);
  }
  auto r = try_open(sealed());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_NE(r.error().message.find("local identity"), std::string::npos) << r.error().message;
}

TEST_F(SealedStoreFileTest, ImpossibleCostInTheHeaderIsStorage) {
  ASSERT_TRUE(open_store(sealed()));
  {
    RawDb raw(db_file());
    ASSERT_EQ(raw.exec("UPDATE encryption SET memlimit = 1"), SQLITE_OK);
  }
  auto r = try_open(sealed());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_NE(r.error().message.find("encryption header is corrupt"), std::string::npos) << r.error().message;
}

// Schema version 2 exactly as migrations 1 and 2 created it (store/src/schema.cpp).
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE local_identity (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  address         TEXT    NOT NULL,
  device_id       INTEGER NOT NULL,
  registration_id INTEGER NOT NULL,
  public_key      BLOB    NOT NULL CHECK (length(public_key) = 33),
  private_key     BLOB    NOT NULL CHECK (length(private_key) = 32)
) STRICT;
CREATE TABLE identities (
  name       TEXT PRIMARY KEY NOT NULL,
  public_key BLOB NOT NULL CHECK (length(public_key) = 33)
) STRICT;
CREATE TABLE prekeys (
  id          INTEGER PRIMARY KEY,
  public_key  BLOB NOT NULL CHECK (length(public_key) = 33),
  private_key BLOB NOT NULL CHECK (length(private_key) = 32)
) STRICT;
CREATE TABLE signed_prekeys (
  id          INTEGER PRIMARY KEY,
  timestamp   INTEGER NOT NULL,
  public_key  BLOB    NOT NULL CHECK (length(public_key) = 33),
  private_key BLOB    NOT NULL CHECK (length(private_key) = 32),
  signature   BLOB    NOT NULL CHECK (length(signature) = 64)
) STRICT;
CREATE TABLE sessions (
  name           TEXT    NOT NULL,
  device_id      INTEGER NOT NULL,
  format_version INTEGER NOT NULL,
  record         BLOB    NOT NULL,
  PRIMARY KEY (name, device_id)
) STRICT;
CREATE TABLE sender_keys (
  name            TEXT    NOT NULL,
  device_id       INTEGER NOT NULL,
  distribution_id BLOB    NOT NULL CHECK (length(distribution_id) = 16),
  format_version  INTEGER NOT NULL,
  record          BLOB    NOT NULL,
  PRIMARY KEY (name, device_id, distribution_id)
) STRICT;
PRAGMA journal_mode = WAL;
PRAGMA application_id = 1213551432;
PRAGMA user_version = 2;
)sql";

TEST_F(SealedStoreFileTest, VersionTwoStoreMigratesAndKeepsItsData) {
  IdentityKeyPair identity = KeyPair::generate(rng_);
  auto bob_key = KeyPair::generate(rng_).public_key;
  std::filesystem::create_directories(dir_);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(db_file().c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, kSchemaV2, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    auto pub = identity.public_key.serialize();
    ASSERT_EQ(exec_with_blobs(db, "INSERT INTO local_identity VALUES (1, 'alice', 1, 1234, ?, ?)",
                              {pub, identity.private_key.serialize()}),
              SQLITE_DONE);
    auto bob_pub = bob_key.serialize();
    ASSERT_EQ(exec_with_blobs(db, "INSERT INTO identities VALUES ('bob', ?)", {bob_pub}), SQLITE_DONE);
    auto pk_pub = prekey_.key_pair.public_key.serialize();
    ASSERT_EQ(exec_with_blobs(db, "INSERT INTO prekeys VALUES (17, ?, ?)",
                              {pk_pub, prekey_.key_pair.private_key.serialize()}),
              SQLITE_DONE);
    auto spk_pub = signed_prekey_.key_pair.public_key.serialize();
    ASSERT_EQ(exec_with_blobs(db, "INSERT INTO signed_prekeys VALUES (7, 1234, ?, ?, ?)",
                              {spk_pub, signed_prekey_.key_pair.private_key.serialize(), signed_prekey_.signature}),
              SQLITE_DONE);
    auto session = serialized(session_);
    ASSERT_EQ(exec_with_blobs(db, "INSERT INTO sessions VALUES ('bob', 1, 1, ?)", {session}), SQLITE_DONE);
    auto sender_key = bytes_of(sender_key_);
    ASSERT_EQ(exec_with_blobs(db, "INSERT INTO sender_keys VALUES ('alice', 1, ?, 1, ?)", {group_.bytes, sender_key}),
              SQLITE_DONE);
    sqlite3_close_v2(db);
  }

  // A passphrase does not turn a plaintext store into a sealed one, and the
  // refusal comes before the migration.
  const auto before = snapshot(dir_);
  auto r = try_open(sealed());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::bad_request);
  EXPECT_EQ(snapshot(dir_), before);

  auto s = open_store();
  ASSERT_TRUE(s);
  {
    RawDb raw(db_file());
    EXPECT_EQ(raw.query_int("PRAGMA user_version"), 3);
    EXPECT_EQ(raw.query_int("SELECT count(*) FROM encryption"), 0);  // still plaintext
  }
  EXPECT_EQ(s->identity_key_pair().public_key, identity.public_key);
  EXPECT_TRUE(ct_equal(s->identity_key_pair().private_key.serialize(), identity.private_key.serialize()));
  EXPECT_EQ(**s->get_identity("bob"), bob_key);
  auto pk = s->load_prekey(17);
  ASSERT_TRUE(pk.ok() && pk->has_value());
  EXPECT_TRUE(ct_equal((*pk)->key_pair.private_key.serialize(), prekey_.key_pair.private_key.serialize()));
  auto spk = s->load_signed_prekey(7);
  ASSERT_TRUE(spk.ok() && spk->has_value());
  EXPECT_EQ((*spk)->timestamp, 1234u);
  EXPECT_EQ((*spk)->signature, signed_prekey_.signature);
  EXPECT_TRUE(ct_equal((*spk)->key_pair.private_key.serialize(), signed_prekey_.key_pair.private_key.serialize()));
  EXPECT_EQ(serialized(**s->load_session(bob_)), serialized(session_));
  EXPECT_EQ(bytes_of(**s->load_sender_key(alice_, group_)), bytes_of(sender_key_));
  // The rebuilt tables still refuse a malformed key.
  RawDb raw(db_file());
  EXPECT_NE(raw.exec("INSERT INTO prekeys VALUES (99, zeroblob(33), zeroblob(40))"), SQLITE_OK);
}

}  // namespace
}  // namespace hush::test
