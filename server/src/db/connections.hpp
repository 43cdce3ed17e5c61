// Opening and configuring hushd's SQLite connections: one writer (owned by
// the group-commit thread) and any number of readers. Settings and their
// reasons are in connections.cpp and docs/SERVER_STORAGE.md ("Settings").
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "statements.hpp"

namespace hush::server::db_detail {

struct ConnectionSettings {
  std::chrono::milliseconds busy_timeout{5000};
  // Page cache per connection, KiB (PRAGMA cache_size = -N).
  int cache_kib = 16 * 1024;
};

// Opens the writer: checks the schema before writing anything (a foreign or
// newer file is refused untouched), switches to WAL, applies the durability
// settings, migrates and prepares the writer statements.
Result<std::unique_ptr<WriterConnection>> open_writer(const std::filesystem::path& file,
                                                      const ConnectionSettings& settings);

// Opens a read connection (query_only) on a database the writer has already
// migrated, and prepares the reader statements.
Result<std::unique_ptr<ReaderConnection>> open_reader(const std::filesystem::path& file,
                                                      const ConnectionSettings& settings);

}  // namespace hush::server::db_detail
