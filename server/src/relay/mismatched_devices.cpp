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

bool has_duplicates(std::vector<std::uint32_t> addressed) {
  std::sort(addressed.begin(), addressed.end());
  return std::adjacent_find(addressed.begin(), addressed.end()) != addressed.end();
}

}  // namespace hush::server
