// Shared fixture for the hushd storage tests: a fresh temporary data
// directory per test, SqliteDb open helpers, builders for envelopes, keys and
// accounts, and a raw SQLite handle for tests that reach under the Db
// (schema versions, counters, locks).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "db/sqlite_db.hpp"

namespace hush::server::test {

inline std::string describe(const Error& e) {
  return std::string(errc_name(e.code)) + ": " + e.message;
}

// An envelope id that encodes (a, b) so tests can name envelopes.
inline EnvelopeId envelope_id(std::uint64_t a, std::uint32_t b = 0) {
  EnvelopeId id{};
  std::memcpy(id.data(), &a, sizeof a);
  std::memcpy(id.data() + 8, &b, sizeof b);
  id[15] = 0xE7;
  return id;
}

// Content derived from the id, so a reader can check every byte it gets.
inline Bytes envelope_content(const EnvelopeId& id, std::size_t size) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(id[i % id.size()] * 31 + i);
  return out;
}

inline StoredEnvelope make_envelope(const std::string& to, std::uint32_t device, const EnvelopeId& id,
                                    std::size_t size = 64) {
  StoredEnvelope e;
  e.id = id;
  e.type = 3;
  e.source_user = "alice";
  e.source_device = 2;
  e.destination_user = to;
  e.destination_device = device;
  e.client_timestamp = 1'700'000'000'123ull;
  e.server_timestamp = 1'700'000'000'456ull;
  e.content = envelope_content(id, size);
  return e;
}

inline Bytes public_key(std::uint8_t seed) {
  Bytes k(33, seed);
  k[0] = 0x05;
  return k;
}

inline SecretHash secret_hash(std::uint8_t seed) {
  SecretHash h{};
  h.fill(seed);
  return h;
}

inline DeviceRecord device_record(std::uint32_t registration_id, std::uint8_t secret_seed) {
  DeviceRecord d;
  d.registration_id = registration_id;
  d.secret_hash = secret_hash(secret_seed);
  return d;
}

inline std::vector<PreKeyEntry> prekeys(std::uint32_t first_id, std::uint32_t count) {
  std::vector<PreKeyEntry> out;
  for (std::uint32_t i = 0; i < count; ++i)
    out.push_back(PreKeyEntry{first_id + i, public_key(static_cast<std::uint8_t>(first_id + i))});
  return out;
}

class DbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hushd-db-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ / "data";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  std::unique_ptr<SqliteDb> open_db(const SqliteDbOptions& options = {}) {
    auto r = SqliteDb::open(dir_, options);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : describe(r.error()));
    return r.ok() ? std::move(r).value() : nullptr;
  }

  std::filesystem::path db_file() const { return dir_ / SqliteDb::kFileName; }

  // Creates `username` with device 1 and returns its account id.
  std::int64_t make_account(Db& db, const std::string& username, std::uint8_t seed = 1) {
    auto r = db.create_account(username, public_key(seed), device_record(1000 + seed, seed), std::nullopt, 1000);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : describe(r.error()));
    return r.ok() ? r->account_id : 0;
  }

  std::filesystem::path root_;
  std::filesystem::path dir_;
};

// A raw connection to the database file, for checks under the Db.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& file) {
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) ADD_FAILURE() << "open";
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (err ? err : "?");
      sqlite3_free(err);
    }
  }
  // The first column of the first row (0 when there is none).
  std::int64_t query_int(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return -1;
    }
    std::int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return v;
  }
  std::string query_text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return "prepare failed";
    std::string v;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr)
      v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
  }
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// Holds SQLite's write lock from a second connection, so the writer
// thread blocks in BEGIN IMMEDIATE and everything submitted meanwhile piles
// up for its next batch.
class WriteLockHolder {
 public:
  explicit WriteLockHolder(const std::filesystem::path& file) : raw_(file) { raw_.exec("BEGIN IMMEDIATE"); }
  void release() {
    if (held_) raw_.exec("COMMIT");
    held_ = false;
  }
  ~WriteLockHolder() { release(); }
  WriteLockHolder(const WriteLockHolder&) = delete;
  WriteLockHolder& operator=(const WriteLockHolder&) = delete;

 private:
  RawDb raw_;
  bool held_ = true;
};

// queue_depth must equal what the queue holds, for every device. A device
// whose queue emptied keeps a row of zeros.
inline void expect_depth_counters_exact(const std::filesystem::path& file) {
  RawDb raw(file);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM ("
                          " SELECT destination_user, destination_device, count(*) AS n, sum(length(content)) AS b"
                          " FROM queue GROUP BY 1, 2"
                          " EXCEPT SELECT destination_user, destination_device, envelopes, bytes FROM queue_depth)"),
            0);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM ("
                          " SELECT destination_user, destination_device, envelopes, bytes FROM queue_depth"
                          " WHERE envelopes <> 0 OR bytes <> 0"
                          " EXCEPT SELECT destination_user, destination_device, count(*), sum(length(content))"
                          " FROM queue GROUP BY 1, 2)"),
            0);
}

}  // namespace hush::server::test
