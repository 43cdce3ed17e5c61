// The store's directory and database file are created private to the owner
// before any secret is written, whatever the process umask.
#pragma once

#include <filesystem>

#include "hush/result.hpp"

namespace hush::store::detail {

// Creates `dir` and any missing parents; a directory created here gets mode
// 0700. An existing directory is left as it is. Errc::storage if `dir` exists
// but is not a directory, or cannot be created.
Result<void> ensure_store_directory(const std::filesystem::path& dir);

// Creates `file` if missing and sets its mode to exactly 0600, also tightening
// an existing file and its -wal/-shm companions. Refuses symlinks and
// non-regular files (Errc::storage).
Result<void> ensure_private_file(const std::filesystem::path& file);

}  // namespace hush::store::detail
