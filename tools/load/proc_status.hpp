// Reads a process's resident set size (VmRSS in /proc/PID/status) and CPU
// time (utime + stime in /proc/PID/stat).
#pragma once

#include <cstdint>
#include <optional>

namespace hush::load {

// VmRSS in KiB; nullopt if the process or the field is not there.
std::optional<std::uint64_t> vm_rss_kib(int pid);

// User plus system CPU seconds of every thread so far (clock-tick resolution,
// 10 ms here); nullopt if the process is not there.
std::optional<double> cpu_seconds(int pid);

}  // namespace hush::load
