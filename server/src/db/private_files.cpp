#include "private_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace hush::server::db_detail {

namespace {

constexpr mode_t kFileMode = 0600;
constexpr mode_t kDirMode = 0700;

Error io_error(std::string_view what, const std::filesystem::path& path, int err) {
  return make_error(Errc::storage, std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

// fchmod on the open descriptor, not chmod on the name, so a file swapped in
// under the name is never touched. A missing optional file is fine: SQLite
// creates -wal/-shm with the database file's mode.
Result<void> make_private(const std::filesystem::path& path, int open_flags) {
  int fd = ::open(path.c_str(), open_flags | O_CLOEXEC | O_NOFOLLOW, kFileMode);
  if (fd < 0) {
    if (errno == ENOENT && (open_flags & O_CREAT) == 0) return Ok{};
    return io_error("open", path, errno);
  }
  struct stat st {};
  Result<void> r;
  if (::fstat(fd, &st) != 0) {
    r = io_error("stat", path, errno);
  } else if (!S_ISREG(st.st_mode)) {
    r = make_error(Errc::storage, path.string() + " is not a regular file");
  } else if ((st.st_mode & 07777) != kFileMode && ::fchmod(fd, kFileMode) != 0) {
    r = io_error("chmod", path, errno);
  }
  ::close(fd);
  return r;
}

}  // namespace

Result<void> ensure_data_directory(const std::filesystem::path& requested) {
  if (requested.empty()) return make_error(Errc::bad_request, "data directory path is empty");
  auto dir = requested.has_filename() ? requested : requested.parent_path();  // "a/b/" names b
  std::error_code ec;
  auto status = std::filesystem::status(dir, ec);
  if (std::filesystem::exists(status)) {
    if (!std::filesystem::is_directory(status))
      return make_error(Errc::storage, dir.string() + " exists and is not a directory");
    return Ok{};
  }
  if (dir.has_parent_path()) {
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (ec) return io_error("create directory", dir.parent_path(), ec.value());
  }
  // mkdir with 0700 itself: the leaf is never wider, even for a moment.
  if (::mkdir(dir.c_str(), kDirMode) != 0 && errno != EEXIST) return io_error("create directory", dir, errno);
  return Ok{};
}

Result<void> ensure_private_file(const std::filesystem::path& file) {
  HUSH_TRY(make_private(file, O_RDWR | O_CREAT));
  HUSH_TRY(make_private(std::filesystem::path(file.string() + "-wal"), O_RDONLY));
  HUSH_TRY(make_private(std::filesystem::path(file.string() + "-shm"), O_RDONLY));
  return Ok{};
}

}  // namespace hush::server::db_detail
