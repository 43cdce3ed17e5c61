// A committed envelope on its way to live connections. Shared (not copied)
// between every connection of the destination device; the ciphertext is
// copied once more only when a connection serializes its Push.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "db/db.hpp"

namespace hush::server {

struct Delivery {
  StoredEnvelope envelope;
  SteadyTime received{};  // when the SendRequest was read (delivery latency)
};
using DeliveryPtr = std::shared_ptr<const Delivery>;

// A device as the relay addresses it.
struct DeviceKey {
  std::string user;
  std::uint32_t device = 0;
  friend bool operator==(const DeviceKey&, const DeviceKey&) = default;
};

struct DeviceKeyHash {
  std::size_t operator()(const DeviceKey& k) const noexcept {
    return std::hash<std::string>{}(k.user) * 31u + k.device;
  }
};

// Envelope ids are random, so their first bytes are already a good hash.
struct EnvelopeIdHash {
  std::size_t operator()(const EnvelopeId& id) const noexcept {
    std::size_t h = 0;
    for (std::size_t i = 0; i < sizeof h; ++i) h = (h << 8) | id[i];
    return h;
  }
};

}  // namespace hush::server
