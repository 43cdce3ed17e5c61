#include "profile_files.hpp"

#include <sys/stat.h>

#include "child_process.hpp"

namespace hush::e2e_cli {

mode_t mode_of(const std::filesystem::path& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

std::map<std::string, FileState> snapshot(const std::filesystem::path& dir) {
  std::map<std::string, FileState> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    FileState s;
    s.mode = mode_of(entry.path());
    if (entry.is_regular_file()) s.bytes = e2e::read_file(entry.path());
    files[std::filesystem::relative(entry.path(), dir).string()] = std::move(s);
  }
  return files;
}

std::string difference(const std::map<std::string, FileState>& before, const std::map<std::string, FileState>& after) {
  std::string out;
  auto note = [&out](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
  for (const auto& [name, state] : before) {
    auto it = after.find(name);
    if (it == after.end()) note(name + ": disappeared");
    else if (it->second.mode != state.mode) note(name + ": mode changed");
    else if (it->second.bytes != state.bytes)
      note(name + ": content changed (" + std::to_string(state.bytes.size()) + " -> " +
           std::to_string(it->second.bytes.size()) + " bytes)");
  }
  for (const auto& [name, state] : after)
    if (!before.count(name)) note(name + ": appeared (" + std::to_string(state.bytes.size()) + " bytes)");
  return out;
}

}  // namespace hush::e2e_cli
