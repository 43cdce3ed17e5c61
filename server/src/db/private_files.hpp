// hushd's data directory and database file are private to the server's user
// whatever the umask: the directory 0700, the database and its -wal/-shm
// companions 0600. They hold only public keys and ciphertext, but also the
// social graph (who queues messages for whom) and device-secret hashes.
#pragma once

#include <filesystem>

#include "hush/result.hpp"

namespace hush::server::db_detail {

// Creates `dir` (and missing parents) if needed; the leaf is created 0700.
// An existing directory is left as it is. Errc::storage if it is not a
// directory or cannot be created.
Result<void> ensure_data_directory(const std::filesystem::path& dir);

// Creates `file` if missing and sets it, and existing -wal/-shm files, to
// exactly 0600. Refuses symlinks and non-regular files (Errc::storage).
Result<void> ensure_private_file(const std::filesystem::path& file);

}  // namespace hush::server::db_detail
