// Which devices a send got wrong (409 MismatchedDevices): it must address
// every current device of the destination exactly once. When a device sends
// to its own account, it is not expected to address itself.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "db/db.hpp"

namespace hush::server {

struct DeviceMismatch {
  std::vector<std::uint32_t> missing;  // current devices not addressed (ascending)
  std::vector<std::uint32_t> extra;    // addressed devices that do not exist (ascending, unique)
  bool empty() const { return missing.empty() && extra.empty(); }
};

// `excluded`: the sender's own device when sending to its own account; it
// counts as extra if addressed.
DeviceMismatch compute_mismatch(const std::vector<DeviceRecord>& current, const std::vector<std::uint32_t>& addressed,
                                std::optional<std::uint32_t> excluded);

// True when some device id appears twice in `addressed`.
bool has_duplicates(std::vector<std::uint32_t> addressed);

}  // namespace hush::server
