// Who is connected where: maps a device to its live connections so that an
// envelope committed for it is pushed at once. The relay and directory talk
// only to this interface; the in-process registry is the default and a
// Redis-backed one (many hushd processes) can be added without touching them.
#pragma once

#include <cstdint>
#include <memory>

#include "relay/delivery.hpp"

namespace hush::server {

// A live connection of one device (the WebSocket session implements it).
// Every method may be called from any thread and must not block: the
// session posts the work to its own executor.
class DeviceSink {
 public:
  virtual ~DeviceSink() = default;
  virtual void deliver(DeliveryPtr delivery) = 0;
  virtual void prekeys_low(std::uint32_t remaining) = 0;
  // The server is shutting down: close with 1001 going away.
  virtual void going_away() = 0;
};

class Fanout {
 public:
  virtual ~Fanout() = default;

  // Registers a live connection. False (and nothing registered) when the
  // device already has `max_connections` connections.
  virtual bool subscribe(const DeviceKey& device, const std::shared_ptr<DeviceSink>& sink,
                         std::uint32_t max_connections) = 0;
  // Removes a connection; unknown ones are ignored.
  virtual void unsubscribe(const DeviceKey& device, const DeviceSink* sink) = 0;
  // Hands a committed envelope to every live connection of its device.
  virtual void publish(const DeviceKey& device, const DeliveryPtr& delivery) = 0;
  virtual void publish_prekeys_low(const DeviceKey& device, std::uint32_t remaining) = 0;
  // Tells every local connection that the server is going away.
  virtual void shutdown_local() = 0;
  virtual std::size_t local_connections() const = 0;
};

}  // namespace hush::server
