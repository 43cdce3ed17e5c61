#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace hush {

// A device of an account: libsignal's ProtocolAddress ("name.device").
struct ProtocolAddress {
  std::string name;
  std::uint32_t device_id = 0;

  std::string to_string() const { return name + "." + std::to_string(device_id); }
  friend auto operator<=>(const ProtocolAddress&, const ProtocolAddress&) = default;
};

}  // namespace hush
