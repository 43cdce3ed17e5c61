#include "relay/mismatched_devices.hpp"

#include <algorithm>

namespace hush::server {

DeviceMismatch compute_mismatch(const std::vector<DeviceRecord>& current, const std::vector<std::uint32_t>& addressed,
                                std::optional<std::uint32_t> excluded) {
  std::vector<std::uint32_t> expected;
  expected.reserve(current.size());
  for (const auto& d : current) {
    if (d.device_id != excluded) expected.push_back(d.device_id);
  }
  std::sort(expected.begin(), expected.end());
  std::vector<std::uint32_t> got = addressed;
  std::sort(got.begin(), got.end());
  got.erase(std::unique(got.begin(), got.end()), got.end());

  DeviceMismatch m;
  std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(), std::back_inserter(m.missing));
  std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(), std::back_inserter(m.extra));
  return m;
}

std::vector<std::uint32_t> compute_stale(const std::vector<DeviceRecord>& current,
                                         const std::vector<AddressedDevice>& addressed) {
  std::vector<std::uint32_t> stale;
  for (const auto& a : addressed) {
    if (a.registration_id == 0) continue;
    auto it =
        std::find_if(current.begin(), current.end(), [&](const DeviceRecord& d) { return d.device_id == a.device; });
    if (it != current.end() && it->registration_id != a.registration_id) stale.push_back(a.device);
  }
  std::sort(stale.begin(), stale.end());
  return stale;
}

bool has_duplicates(std::vector<std::uint32_t> addressed) {
  std::sort(addressed.begin(), addressed.end());
  return std::adjacent_find(addressed.begin(), addressed.end()) != addressed.end();
}

}  // namespace hush::server
