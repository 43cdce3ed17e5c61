// The relay's logic, free of sockets: validates a send, commits its
// envelopes through the AsyncStore (group commit), and only after the commit
// answers and hands them to the Fanout; deletes acknowledged envelopes;
// reads queue pages for replay. Every completion runs exactly once on some
// storage or pool thread; the caller moves it to its own executor.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/blocking_pool.hpp"
#include "common/clock.hpp"
#include "config/server_config.hpp"
#include "directory/account_cache.hpp"
#include "fanout/fanout.hpp"
#include "metrics/metrics.hpp"
#include "relay/async_store.hpp"
#include "relay/mismatched_devices.hpp"

namespace hush::server {

struct OutgoingCommand {
  std::uint32_t device = 0;
  std::uint32_t type = 0;
  Bytes content;
  std::uint32_t registration_id = 0;  // the sender's view of the device's; 0: not checked
};

struct SendCommand {
  std::string destination_user;
  std::uint64_t client_timestamp = 0;
  std::vector<OutgoingCommand> messages;
};

struct SendOutcome {
  std::uint32_t status = 200;  // 200, 400, 404, 409, 410, 413, 500, 507
  std::string message;
  std::vector<EnvelopeId> ids;  // in the order of SendCommand::messages
  std::uint64_t server_timestamp = 0;
  DeviceMismatch mismatch;           // status 409
  std::vector<std::uint32_t> stale;  // status 410, ascending
};

struct StatusOutcome {
  std::uint32_t status = 200;
  std::string message;
};

class RelayService {
 public:
  RelayService(const Limits& limits, AsyncStore& store, AccountCache& accounts, BlockingPool& pool, Fanout& fanout,
               Metrics& metrics)
      : limits_(limits), store_(store), accounts_(accounts), pool_(pool), fanout_(fanout), metrics_(metrics) {}

  // `received`: when the request was read (delivery latency metric).
  void send(const DeviceKey& sender, SendCommand command, SteadyTime received,
            std::function<void(SendOutcome)> done);
  void ack(const DeviceKey& device, std::vector<EnvelopeId> ids, std::function<void(StatusOutcome)> done);
  void fetch_page(const DeviceKey& device, std::uint64_t after_seq, AsyncStore::FetchDone done);

  // Checks a command before any lookup; a non-200 outcome is the answer.
  SendOutcome validate(const SendCommand& command) const;

 private:
  void send_to(const DeviceKey& sender, SendCommand command, const AccountPtr& account, SteadyTime received,
               std::function<void(SendOutcome)> done);

  const Limits& limits_;
  AsyncStore& store_;
  AccountCache& accounts_;
  BlockingPool& pool_;
  Fanout& fanout_;
  Metrics& metrics_;
};

}  // namespace hush::server
