// A profile directory as bytes on disk: every file's content and mode, to
// prove a refused command changed nothing and that the files are private.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>

namespace hush::e2e_cli {

struct FileState {
  std::string bytes;
  mode_t mode = 0;  // permission bits only
  bool operator==(const FileState&) const = default;
};

// Relative path -> state, for every entry under `dir` (recursively); a
// directory appears with empty bytes.
std::map<std::string, FileState> snapshot(const std::filesystem::path& dir);

// "a.db: 12345 bytes -> 12400 bytes; b-wal: appeared" (empty if equal).
std::string difference(const std::map<std::string, FileState>& before, const std::map<std::string, FileState>& after);

mode_t mode_of(const std::filesystem::path& path);

}  // namespace hush::e2e_cli
