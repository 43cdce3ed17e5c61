#include "fanout/in_process_fanout.hpp"

#include <algorithm>

namespace hush::server {

InProcessFanout::Shard& InProcessFanout::shard_for(const DeviceKey& device) {
  return shards_[DeviceKeyHash{}(device) % kShards];
}

bool InProcessFanout::subscribe(const DeviceKey& device, const std::shared_ptr<DeviceSink>& sink,
                                std::uint32_t max_connections) {
  Shard& shard = shard_for(device);
  std::lock_guard lock(shard.mutex);
  auto& entries = shard.devices[device];
  // Drop entries of connections that died without unsubscribing.
  std::erase_if(entries, [](const Entry& e) { return e.sink.expired(); });
  if (entries.size() >= max_connections) {
    if (entries.empty()) shard.devices.erase(device);
    return false;
  }
  entries.push_back(Entry{sink.get(), sink});
  connections_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void InProcessFanout::unsubscribe(const DeviceKey& device, const DeviceSink* sink) {
  Shard& shard = shard_for(device);
  std::lock_guard lock(shard.mutex);
  auto it = shard.devices.find(device);
  if (it == shard.devices.end()) return;
  const auto before = it->second.size();
  std::erase_if(it->second, [sink](const Entry& e) { return e.raw == sink; });
  connections_.fetch_sub(before - it->second.size(), std::memory_order_relaxed);
  if (it->second.empty()) shard.devices.erase(it);
}

std::vector<std::shared_ptr<DeviceSink>> InProcessFanout::sinks_of(const DeviceKey& device) {
  std::vector<std::shared_ptr<DeviceSink>> out;
  Shard& shard = shard_for(device);
  std::lock_guard lock(shard.mutex);
  auto it = shard.devices.find(device);
  if (it == shard.devices.end()) return out;
  out.reserve(it->second.size());
  for (const auto& e : it->second) {
    if (auto s = e.sink.lock()) out.push_back(std::move(s));
  }
  return out;
}

void InProcessFanout::publish(const DeviceKey& device, const DeliveryPtr& delivery) {
  for (auto& sink : sinks_of(device)) sink->deliver(delivery);
}

void InProcessFanout::publish_prekeys_low(const DeviceKey& device, std::uint32_t remaining) {
  for (auto& sink : sinks_of(device)) sink->prekeys_low(remaining);
}

void InProcessFanout::shutdown_local() {
  std::vector<std::shared_ptr<DeviceSink>> all;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (auto& [key, entries] : shard.devices) {
      for (auto& e : entries) {
        if (auto s = e.sink.lock()) all.push_back(std::move(s));
      }
    }
  }
  for (auto& sink : all) sink->going_away();
}

}  // namespace hush::server
