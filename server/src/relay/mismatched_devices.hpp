// Which devices a send got wrong (409 MismatchedDevices): it must address
// every current device of the destination exactly once. When a device sends
// to its own account, it is not expected to address itself. Then (410
// StaleDevices) each message's registration id, when given, must be the
// device's current one: a device id alone does not tell a re-registered
// device from the one the sender's session was built with.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "db/db.hpp"

namespace hush::server {

// One message's destination device and the registration id the sender
// believes it has (0: not given).
struct AddressedDevice {
  std::uint32_t device = 0;
  std::uint32_t registration_id = 0;
};

struct DeviceMismatch {
  std::vector<std::uint32_t> missing;  // current devices not addressed (ascending)
  std::vector<std::uint32_t> extra;    // addressed devices that do not exist (ascending, unique)
  bool empty() const { return missing.empty() && extra.empty(); }
};

// `excluded`: the sender's own device when sending to its own account; it
// counts as extra if addressed.
DeviceMismatch compute_mismatch(const std::vector<DeviceRecord>& current, const std::vector<std::uint32_t>& addressed,
                                std::optional<std::uint32_t> excluded);

// Addressed devices whose registration id is given (not 0) and differs from
// the current one (ascending). Devices not in `current` are skipped: they are
// compute_mismatch's.
std::vector<std::uint32_t> compute_stale(const std::vector<DeviceRecord>& current,
                                         const std::vector<AddressedDevice>& addressed);

// True when some device id appears twice in `addressed`.
bool has_duplicates(std::vector<std::uint32_t> addressed);

}  // namespace hush::server
