// SqliteProtocolStore::commit is all or nothing, and damaged rows come back
// as Errc::storage instead of crashing or being misread.
#include <chrono>

#include "store_fixture.hpp"

namespace hush::test {
namespace {

using namespace std::chrono_literals;

class SqliteCommitTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store_ = open_store();
    ASSERT_TRUE(store_);
    // The state every failure test expects to find unchanged: prekey 31, an
    // old (empty) session with bob, no identity on record for bob.
    ASSERT_TRUE(store_->store_prekey(generate_prekey(31, rng_)).ok());
    ASSERT_TRUE(store_->store_session(bob_, SessionRecord{}).ok());
    old_session_ = serialized(SessionRecord{});
  }

  SessionCommit full_commit() { return SessionCommit{bob_, &new_record_, bob_key_, 31u}; }

  void expect_unchanged(store::SqliteProtocolStore& s) {
    EXPECT_FALSE(*s.get_identity("bob"));
    auto session = s.load_session(bob_);
    ASSERT_TRUE(session.ok() && session->has_value());
    EXPECT_EQ(serialized(**session), old_session_);
    EXPECT_TRUE(*s.load_prekey(31));
  }

  void expect_committed(store::SqliteProtocolStore& s) {
    EXPECT_EQ(**s.get_identity("bob"), bob_key_);
    auto session = s.load_session(bob_);
    ASSERT_TRUE(session.ok() && session->has_value());
    EXPECT_EQ(serialized(**session), serialized(new_record_));
    EXPECT_FALSE(*s.load_prekey(31));
  }

  ProtocolAddress bob_{"bob", 1};
  IdentityKey bob_key_ = KeyPair::generate(rng_).public_key;
  SessionRecord new_record_ = real_session_record();
  Bytes old_session_;
  std::unique_ptr<store::SqliteProtocolStore> store_;
};

TEST_F(SqliteCommitTest, CommitAppliesEveryPartDurably) {
  ASSERT_TRUE(store_->commit(full_commit()).ok());
  expect_committed(*store_);
  store_.reset();
  auto reopened = open_store();
  ASSERT_TRUE(reopened);
  expect_committed(*reopened);
}

TEST_F(SqliteCommitTest, CommitWithOnlyASessionLeavesTheRestAlone) {
  ASSERT_TRUE(store_->commit(SessionCommit{bob_, &new_record_, std::nullopt, std::nullopt}).ok());
  EXPECT_FALSE(*store_->get_identity("bob"));
  EXPECT_TRUE(*store_->load_prekey(31));
  EXPECT_EQ(serialized(**store_->load_session(bob_)), serialized(new_record_));
}

TEST_F(SqliteCommitTest, CommitWithoutRecordIsBadRequestAndChangesNothing) {
  auto c = full_commit();
  c.record = nullptr;
  auto r = store_->commit(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::bad_request);
  expect_unchanged(*store_);
}

// A real mid-commit failure: a trigger (added behind the store's back) makes
// the last write, the prekey removal, fail after the identity and session
// writes have already run inside the transaction.
TEST_F(SqliteCommitTest, FailureAtTheLastStepRollsBackEarlierWrites) {
  RawDb raw(db_file());
  ASSERT_EQ(raw.exec("CREATE TRIGGER fail_prekey BEFORE DELETE ON prekeys "
                     "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"),
            SQLITE_OK);
  auto r = store_->commit(full_commit());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_NE(r.error().message.find("injected failure"), std::string::npos) << r.error().message;
  expect_unchanged(*store_);

  // The store stays usable: once the fault is gone the same commit succeeds.
  ASSERT_EQ(raw.exec("DROP TRIGGER fail_prekey"), SQLITE_OK);
  ASSERT_TRUE(store_->commit(full_commit()).ok());
  expect_committed(*store_);
}

TEST_F(SqliteCommitTest, FailureWritingTheSessionRollsBackTheIdentity) {
  RawDb raw(db_file());
  ASSERT_EQ(raw.exec("CREATE TRIGGER fail_session BEFORE UPDATE ON sessions "
                     "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"),
            SQLITE_OK);
  auto r = store_->commit(full_commit());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  expect_unchanged(*store_);
  store_.reset();
  auto reopened = open_store();
  ASSERT_TRUE(reopened);
  expect_unchanged(*reopened);
}

// Another connection holds the write lock: BEGIN IMMEDIATE gives up after the
// busy timeout, and nothing is written.
TEST_F(SqliteCommitTest, LockedDatabaseFailsAfterBusyTimeoutAndChangesNothing) {
  store_.reset();
  auto o = options();
  o.busy_timeout = 50ms;
  store_ = open_store(o);
  ASSERT_TRUE(store_);

  RawDb raw(db_file());
  ASSERT_EQ(raw.exec("BEGIN IMMEDIATE"), SQLITE_OK);
  auto start = std::chrono::steady_clock::now();
  auto r = store_->commit(full_commit());
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_NE(r.error().message.find("locked"), std::string::npos) << r.error().message;
  EXPECT_GE(waited, 40ms);
  EXPECT_LT(waited, 5s);
  // Single writes fail the same way while the lock is held.
  EXPECT_EQ(store_->save_identity("bob", bob_key_).code(), Errc::storage);
  ASSERT_EQ(raw.exec("ROLLBACK"), SQLITE_OK);

  expect_unchanged(*store_);
  ASSERT_TRUE(store_->commit(full_commit()).ok());
  expect_committed(*store_);
}

TEST_F(SqliteCommitTest, CorruptSessionBlobIsAStorageError) {
  RawDb raw(db_file());
  ASSERT_EQ(raw.exec("UPDATE sessions SET record = x'0affffffff0f01'"), SQLITE_OK);
  auto r = store_->load_session(bob_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_NE(r.error().message.find("bob.1"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("corrupt"), std::string::npos) << r.error().message;
  // A commit replaces the damaged record.
  ASSERT_TRUE(store_->commit(full_commit()).ok());
  expect_committed(*store_);
}

TEST_F(SqliteCommitTest, TruncatedSessionBlobIsAStorageError) {
  ASSERT_TRUE(store_->store_session(bob_, new_record_).ok());
  RawDb raw(db_file());
  ASSERT_EQ(raw.exec("UPDATE sessions SET record = substr(record, 1, length(record) / 2)"), SQLITE_OK);
  auto r = store_->load_session(bob_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
}

TEST_F(SqliteCommitTest, UnknownSessionFormatVersionIsAStorageError) {
  RawDb raw(db_file());
  ASSERT_EQ(raw.exec("UPDATE sessions SET format_version = 99"), SQLITE_OK);
  auto r = store_->load_session(bob_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::storage);
  EXPECT_NE(r.error().message.find("format version 99"), std::string::npos) << r.error().message;
}

TEST_F(SqliteCommitTest, CorruptKeyRowsAreStorageErrors) {
  ASSERT_TRUE(store_->save_identity("bob", bob_key_).ok());
  RawDb raw(db_file());
  // Right length (the schema's CHECKs hold), wrong key type byte.
  const std::string bad_key = "x'06" + std::string(64, '0') + "'";
  ASSERT_EQ(raw.exec("UPDATE prekeys SET public_key = " + bad_key), SQLITE_OK);
  ASSERT_EQ(raw.exec("UPDATE identities SET public_key = " + bad_key), SQLITE_OK);
  EXPECT_EQ(store_->load_prekey(31).code(), Errc::storage);
  EXPECT_EQ(store_->get_identity("bob").code(), Errc::storage);
}

}  // namespace
}  // namespace hush::test
