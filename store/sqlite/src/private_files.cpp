#include "hush/sqlite/private_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace hush::sqlite {

namespace {

constexpr mode_t kPrivateFileMode = 0600;
constexpr mode_t kPrivateDirMode = 0700;

Error io_error(std::string_view what, const std::filesystem::path& path, int err) {
  return make_error(Errc::storage, std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

// Sets the mode of an open file to exactly 0600. fchmod on the descriptor
// (not chmod on the name) so a file swapped in under the name is not touched.
Result<void> make_private(int fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return io_error("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return make_error(Errc::storage, path.string() + " is not a regular file");
  if ((st.st_mode & 07777) != kPrivateFileMode && ::fchmod(fd, kPrivateFileMode) != 0)
    return io_error("chmod", path, errno);
  return Ok{};
}

// True when `path` is already a regular file of mode 0600, judged without
// opening it. Opening and closing a descriptor of a SQLite file drops every
// POSIX lock this process holds on it, SQLite's included: when another
// connection of this process has the database open, the only safe way to
// check its files is not to open them.
bool already_private(const std::filesystem::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == kPrivateFileMode;
}

// Tightens an existing companion file (-wal, -shm); a missing one is fine:
// SQLite creates them with the database file's mode.
Result<void> tighten_if_present(const std::filesystem::path& path) {
  if (already_private(path)) return Ok{};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return Ok{};
    return io_error("open", path, errno);
  }
  auto r = make_private(fd, path);
  ::close(fd);
  return r;
}

}  // namespace

Result<void> ensure_private_directory(const std::filesystem::path& requested) {
  if (requested.empty()) return make_error(Errc::bad_request, "directory path is empty");
  // "a/b/" names the directory b: drop the trailing separator so the leaf
  // is the one created 0700.
  auto dir = requested.has_filename() ? requested : requested.parent_path();
  std::error_code ec;
  auto status = std::filesystem::status(dir, ec);
  if (std::filesystem::exists(status)) {
    if (!std::filesystem::is_directory(status))
      return make_error(Errc::storage, dir.string() + " exists and is not a directory");
    return Ok{};
  }
  // Parents get the umask's default; the leaf, which holds the secrets, is
  // created 0700 by mkdir itself, never wider even for a moment.
  if (dir.has_parent_path()) {
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (ec) return io_error("create directory", dir.parent_path(), ec.value());
  }
  if (::mkdir(dir.c_str(), kPrivateDirMode) != 0 && errno != EEXIST) return io_error("create directory", dir, errno);
  return Ok{};
}

Result<void> ensure_private_file(const std::filesystem::path& file) {
  if (!already_private(file)) {
    // O_CREAT with 0600 means the umask can only narrow the mode; make_private
    // then sets it exactly, before SQLite has written a byte.
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, kPrivateFileMode);
    if (fd < 0) return io_error("open", file, errno);
    auto r = make_private(fd, file);
    ::close(fd);
    HUSH_TRY(r);
  }
  HUSH_TRY(tighten_if_present(std::filesystem::path(file.string() + "-wal")));
  return tighten_if_present(std::filesystem::path(file.string() + "-shm"));
}

}  // namespace hush::sqlite
