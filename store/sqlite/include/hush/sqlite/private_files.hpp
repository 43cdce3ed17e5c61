// Hush's SQLite files (a profile's store, hushd's database) are private to
// their owner whatever the process umask: the directory 0700, the database
// and its -wal/-shm companions 0600, set before SQLite writes a byte.
//
// Call these before the process opens the database with SQLite, never after:
// opening and closing a descriptor of a database file drops every POSIX lock
// the process holds on it, SQLite's included (ensure_private_file() does not
// open files that are already private, so a second open of one store is safe).
#pragma once

#include <filesystem>

#include "hush/result.hpp"

namespace hush::sqlite {

// Creates `dir` and any missing parents; a directory created here gets mode
// 0700. An existing directory is left as it is. Errc::storage if `dir` exists
// but is not a directory, or cannot be created.
Result<void> ensure_private_directory(const std::filesystem::path& dir);

// Creates `file` if missing and sets its mode to exactly 0600, also tightening
// an existing file and its -wal/-shm companions. Refuses symlinks and
// non-regular files (Errc::storage).
Result<void> ensure_private_file(const std::filesystem::path& file);

}  // namespace hush::sqlite
