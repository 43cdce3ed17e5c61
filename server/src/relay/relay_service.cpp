#include "relay/relay_service.hpp"

#include <memory>

#include "common/encoding.hpp"
#include "common/log.hpp"
#include "directory/username.hpp"

namespace hush::server {

SendOutcome RelayService::validate(const SendCommand& command) const {
  SendOutcome out;
  if (!validate_username(command.destination_user).ok()) {
    out.status = 404;
    out.message = "unknown user";
    return out;
  }
  std::vector<std::uint32_t> devices;
  devices.reserve(command.messages.size());
  for (const auto& m : command.messages) {
    if (m.content.size() > limits_.max_envelope_bytes) {
      out.status = 413;
      out.message = "envelope content over " + std::to_string(limits_.max_envelope_bytes) + " bytes";
      return out;
    }
    if (m.content.empty()) {
      out.status = 400;
      out.message = "empty envelope content";
      return out;
    }
    if (m.type == 0) {
      out.status = 400;
      out.message = "envelope type must be set";
      return out;
    }
    devices.push_back(m.device);
  }
  if (has_duplicates(std::move(devices))) {
    out.status = 400;
    out.message = "a device is addressed twice";
  }
  return out;
}

void RelayService::send(const DeviceKey& sender, SendCommand command, SteadyTime received,
                        std::function<void(SendOutcome)> done) {
  if (auto invalid = validate(command); invalid.status != 200) {
    done(std::move(invalid));
    return;
  }
  if (auto account = accounts_.peek(command.destination_user)) {
    send_to(sender, std::move(command), account, received, std::move(done));
    return;
  }
  // Not cached: the lookup may block, so it runs on the pool.
  pool_.post([this, sender, command = std::move(command), received, done = std::move(done)]() mutable {
    auto account = accounts_.get(command.destination_user);
    if (!account.ok()) {
      log::error("account_lookup_failed", {{"error", account.error().message}});
      done(SendOutcome{500, "storage failure", {}, 0, {}, {}});
      return;
    }
    send_to(sender, std::move(command), *account, received, std::move(done));
  });
}

void RelayService::send_to(const DeviceKey& sender, SendCommand command, const AccountPtr& account,
                           SteadyTime received, std::function<void(SendOutcome)> done) {
  if (!account) {
    done(SendOutcome{404, "unknown user", {}, 0, {}, {}});
    return;
  }
  std::vector<std::uint32_t> addressed;
  std::vector<AddressedDevice> registrations;
  addressed.reserve(command.messages.size());
  registrations.reserve(command.messages.size());
  for (const auto& m : command.messages) {
    addressed.push_back(m.device);
    registrations.push_back(AddressedDevice{m.device, m.registration_id});
  }
  const std::optional<std::uint32_t> excluded =
      sender.user == command.destination_user ? std::optional<std::uint32_t>(sender.device) : std::nullopt;
  if (auto mismatch = compute_mismatch(account->devices, addressed, excluded); !mismatch.empty()) {
    SendOutcome out{409, "mismatched devices", {}, 0, std::move(mismatch), {}};
    done(std::move(out));
    return;
  }
  // After 409: a device list that is wrong is answered first, so a 410
  // names only devices the sender addresses rightly but with an old session.
  if (auto stale = compute_stale(account->devices, registrations); !stale.empty()) {
    done(SendOutcome{410, "stale devices", {}, 0, {}, std::move(stale)});
    return;
  }
  if (command.messages.empty()) {
    // Only possible when a device sends to its own single-device account.
    done(SendOutcome{400, "no messages", {}, 0, {}, {}});
    return;
  }

  const std::uint64_t now_ms = unix_now_ms();
  auto envelopes = std::make_shared<std::vector<StoredEnvelope>>();
  envelopes->reserve(command.messages.size());
  std::vector<EnvelopeId> ids;
  ids.reserve(command.messages.size());
  for (auto& m : command.messages) {
    StoredEnvelope& e = envelopes->emplace_back();
    random_fill_buffered(e.id);
    e.type = m.type;
    e.source_user = sender.user;
    e.source_device = sender.device;
    e.destination_user = command.destination_user;
    e.destination_device = m.device;
    e.client_timestamp = command.client_timestamp;
    e.server_timestamp = now_ms;
    e.content = std::move(m.content);
    ids.push_back(e.id);
  }

  const auto commit_start = SteadyClock::now();
  store_.enqueue(envelopes, limits_.queue,
                 [this, envelopes, ids = std::move(ids), now_ms, received, commit_start,
                  done = std::move(done)](Result<Db::EnqueueOutcome> r) mutable {
                   metrics_.commit_latency.observe(SteadyClock::now() - commit_start);
                   if (!r.ok()) {
                     log::error("enqueue_failed", {{"error", r.error().message}});
                     done(SendOutcome{500, "storage failure", {}, 0, {}, {}});
                     return;
                   }
                   if (r->queue_full) {
                     log::info("queue_full", {{"user", r->full_user}, {"device", r->full_device}});
                     done(SendOutcome{507, "destination queue is full", {}, 0, {}, {}});
                     return;
                   }
                   const auto n = static_cast<std::int64_t>(envelopes->size());
                   metrics_.envelopes_in.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
                   metrics_.queue_depth.fetch_add(n, std::memory_order_relaxed);
                   // Answer first: the sender's latency is the commit, the pushes follow at once.
                   done(SendOutcome{200, {}, std::move(ids), now_ms, {}, {}});
                   for (auto& e : *envelopes) {
                     DeviceKey key{e.destination_user, e.destination_device};
                     auto delivery = std::make_shared<Delivery>(Delivery{std::move(e), received});
                     fanout_.publish(key, delivery);
                   }
                 });
}

void RelayService::ack(const DeviceKey& device, std::vector<EnvelopeId> ids, std::function<void(StatusOutcome)> done) {
  if (ids.size() > limits_.max_acks_per_request) {
    done(StatusOutcome{400, "too many ids in one ack"});
    return;
  }
  if (ids.empty()) {
    done(StatusOutcome{});
    return;
  }
  const auto n = static_cast<std::int64_t>(ids.size());
  store_.delete_envelopes(device.user, device.device, std::move(ids),
                          [this, n, done = std::move(done)](Result<void> r) {
                            if (!r.ok()) {
                              log::error("ack_failed", {{"error", r.error().message}});
                              done(StatusOutcome{500, "storage failure"});
                              return;
                            }
                            metrics_.envelopes_acked.fetch_add(static_cast<std::uint64_t>(n),
                                                               std::memory_order_relaxed);
                            metrics_.queue_depth.fetch_sub(n, std::memory_order_relaxed);
                            done(StatusOutcome{});
                          });
}

void RelayService::fetch_page(const DeviceKey& device, std::uint64_t after_seq, AsyncStore::FetchDone done) {
  store_.fetch_queue(device.user, device.device, after_seq, limits_.replay_page, std::move(done));
}

}  // namespace hush::server
