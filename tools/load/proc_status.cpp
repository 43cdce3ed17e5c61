#include "proc_status.hpp"

#include <fstream>
#include <string>

namespace hush::load {

std::optional<std::uint64_t> vm_rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));  // "VmRSS:   12345 kB"
  }
  return std::nullopt;
}

}  // namespace hush::load
