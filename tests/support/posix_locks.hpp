// Whether this process holds a POSIX (fcntl) lock on a file, from
// /proc/locks. SQLite holds one on a WAL database's -shm file for as long as
// a connection is open; the tests use it to catch code that drops SQLite's
// locks by opening and closing a descriptor of the same file.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace hush::test {

inline bool holds_posix_lock(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return false;
  const std::string inode_suffix = ":" + std::to_string(st.st_ino);
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream fields(line);
    std::string id, kind, advisory, mode, pid, dev_inode;
    fields >> id >> kind;
    if (kind == "->") fields >> kind;  // a waiter's line: "-> POSIX ..."
    fields >> advisory >> mode >> pid >> dev_inode;
    if (kind != "POSIX" || pid != std::to_string(::getpid())) continue;
    if (dev_inode.size() > inode_suffix.size() &&
        dev_inode.compare(dev_inode.size() - inode_suffix.size(), inode_suffix.size(), inode_suffix) == 0)
      return true;
  }
  return false;
}

}  // namespace hush::test
