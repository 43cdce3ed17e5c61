// Shared fixture for the SQLite store tests: a fresh temporary directory per
// test, helpers to open the store in it, and a raw SQLite handle for tests
// that reach under the store (corrupting rows, injecting failures, holding
// locks).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "hush/store/sqlite_protocol_store.hpp"
#include "support/deterministic.hpp"
#include "support/party.hpp"

namespace hush::test {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hush-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ / "party";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  store::OpenOptions options(std::string address = "alice", std::uint32_t device_id = 1,
                             std::uint32_t registration_id = 1234) {
    return store::OpenOptions{std::move(address), device_id, registration_id, rng_};
  }

  std::unique_ptr<store::SqliteProtocolStore> open_store() { return open_store(options()); }
  std::unique_ptr<store::SqliteProtocolStore> open_store(const store::OpenOptions& o) {
    auto r = store::SqliteProtocolStore::open(dir_, o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r).value() : nullptr;
  }

  std::filesystem::path db_file() const { return dir_ / store::SqliteProtocolStore::kFileName; }

  DeterministicRng rng_{42};
  std::filesystem::path root_;
  std::filesystem::path dir_;
};

inline Bytes serialized(const SessionRecord& record) {
  auto s = record.serialize();
  return Bytes(s.view().begin(), s.view().end());
}

// A session record with real content (current state, a receiver chain, a
// skipped message key), made by a short in-memory conversation.
inline SessionRecord real_session_record(std::uint64_t seed = 7) {
  FakeClock clock;
  Party a{"a", seed, clock};
  Party b{"b", seed + 1, clock};
  EXPECT_TRUE(a.process(b, b.bundle(1, 2)).ok());
  auto m = a.encrypt(b, "hello");
  EXPECT_TRUE(m.ok() && b.decrypt(a, *m).ok());
  auto skipped = b.encrypt(a, "skipped");
  auto reply = b.encrypt(a, "reply");
  EXPECT_TRUE(skipped.ok() && reply.ok() && a.decrypt(b, *reply).ok());
  auto r = a.store().load_session(b.address());
  EXPECT_TRUE(r.ok() && r->has_value());
  return r.ok() && r->has_value() ? std::move(**r) : SessionRecord{};
}

// A raw connection to the store's file, closed on scope exit.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& file) {
    EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Runs SQL, returning SQLite's result code.
  int exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }
  std::int64_t query_int(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    std::int64_t v = -1;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  }
  sqlite3* get() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace hush::test
