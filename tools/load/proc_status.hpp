// Reads a process's resident set size (VmRSS in /proc/PID/status).
#pragma once

#include <cstdint>
#include <optional>

namespace hush::load {

// VmRSS in KiB; nullopt if the process or the field is not there.
std::optional<std::uint64_t> vm_rss_kib(int pid);

}  // namespace hush::load
