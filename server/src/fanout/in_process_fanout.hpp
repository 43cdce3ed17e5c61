// The single-process Fanout: a sharded map from device to weak pointers of
// its connections. Lookups copy the pointers under the shard's mutex and
// call the sinks after releasing it (style §11), so a slow sink never holds
// up other publishers.
#pragma once

#include <array>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "fanout/fanout.hpp"

namespace hush::server {

class InProcessFanout final : public Fanout {
 public:
  bool subscribe(const DeviceKey& device, const std::shared_ptr<DeviceSink>& sink,
                 std::uint32_t max_connections) override;
  void unsubscribe(const DeviceKey& device, const DeviceSink* sink) override;
  void publish(const DeviceKey& device, const DeliveryPtr& delivery) override;
  void publish_prekeys_low(const DeviceKey& device, std::uint32_t remaining) override;
  void shutdown_local() override;
  std::size_t local_connections() const override { return connections_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    const DeviceSink* raw;  // identity for unsubscribe, valid while registered
    std::weak_ptr<DeviceSink> sink;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<DeviceKey, std::vector<Entry>, DeviceKeyHash> devices;  // guarded by mutex
  };
  static constexpr std::size_t kShards = 16;

  Shard& shard_for(const DeviceKey& device);
  std::vector<std::shared_ptr<DeviceSink>> sinks_of(const DeviceKey& device);

  std::array<Shard, kShards> shards_;
  std::atomic<std::size_t> connections_{0};
};

}  // namespace hush::server
