// Shared pieces of the sealed-store tests: options for a sealed store (the
// cheapest Argon2id cost, so tests stay fast), real records of every kind,
// and raw access to the store's files for the tests that look at or tamper
// with what is on disk.
#pragma once

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hush/group.hpp"
#include "hush/in_memory_store.hpp"
#include "hush/prekeys.hpp"
#include "hush/storage_key.hpp"
#include "store_fixture.hpp"

namespace hush::test {

inline constexpr std::string_view kPassphrase = "correct horse battery staple";

class SealedStoreTest : public StoreTest {
 protected:
  store::OpenOptions sealed(std::optional<std::string_view> passphrase = kPassphrase) {
    auto o = options();
    o.passphrase = passphrase;
    o.kdf = KdfParams::minimum();
    return o;
  }

  Result<std::unique_ptr<store::SqliteProtocolStore>> try_open(const store::OpenOptions& o) {
    return store::SqliteProtocolStore::open(dir_, o);
  }

  // Alice's own sender-key chain after two sends, made in memory.
  SenderKeyRecord sender_key_record() {
    InMemoryProtocolStore mem{KeyPair::generate(rng_), 1};
    EXPECT_TRUE(create_sender_key_distribution_message(mem, alice_, group_, rng_).ok());
    for (int i = 0; i < 2; ++i) EXPECT_TRUE(group_encrypt(mem, alice_, group_, as_bytes("x"), rng_).ok());
    auto r = mem.load_sender_key(alice_, group_);
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? std::move(**r) : SenderKeyRecord{};
  }

  ProtocolAddress alice_{"alice", 1};
  ProtocolAddress bob_{"bob", 1};
  ProtocolAddress carol_{"carol", 1};
  DistributionId group_ = *DistributionId::parse("d1d1d1d1-2222-4333-8444-555555555555");
  DistributionId other_group_ = *DistributionId::parse("e2e2e2e2-2222-4333-8444-555555555555");
};

inline Bytes bytes_of(const SenderKeyRecord& r) {
  auto s = r.serialize();
  return Bytes(s.view().begin(), s.view().end());
}

inline Bytes bytes_of(ByteView v) {
  return Bytes(v.begin(), v.end());
}

// A file's bytes; empty if it does not exist.
inline Bytes read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every file in `dir` with its bytes: what "the file did not change" compares.
inline std::map<std::string, Bytes> snapshot(const std::filesystem::path& dir) {
  std::map<std::string, Bytes> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file()) files[e.path().filename().string()] = read_file(e.path());
  return files;
}

inline bool contains(const Bytes& haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

// Runs `sql` with `blobs` bound to its parameters 1, 2, ...; SQLite's result
// code of the step.
inline int exec_with_blobs(sqlite3* db, const std::string& sql, std::initializer_list<ByteView> blobs) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
  if (rc != SQLITE_OK) return rc;
  int i = 1;
  for (auto b : blobs) sqlite3_bind_blob(st, i++, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
  rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc;
}

// The blob a one-row query returns (empty if none).
inline Bytes query_blob(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  Bytes out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st, 0));
    out.assign(p, p + sqlite3_column_bytes(st, 0));
  }
  sqlite3_finalize(st);
  return out;
}

}  // namespace hush::test
