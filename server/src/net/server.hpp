// hushd's network front: one port serving HTTP(S) and WS(S). This header is
// free of Beast/Asio so main.cpp and tests need not compile them.
#pragma once

#include <functional>

#include "auth/authenticator.hpp"
#include "common/blocking_pool.hpp"
#include "config/server_config.hpp"
#include "directory/directory_service.hpp"
#include "fanout/fanout.hpp"
#include "http/http_api.hpp"
#include "metrics/metrics.hpp"
#include "relay/async_store.hpp"
#include "relay/relay_service.hpp"

namespace hush::server {

// Everything the sessions use; owned by main() and outliving run_server().
struct Services {
  const ServerConfig& config;
  Metrics& metrics;
  BlockingPool& pool;
  AsyncStore& store;
  Fanout& fanout;
  Authenticator& auth;
  DirectoryService& directory;
  RelayService& relay;
  HttpApi& api;
};

// Listens, serves until SIGTERM/SIGINT, then shuts down gracefully: stops
// accepting, closes WebSockets with 1001, waits (up to the grace period) for
// in-flight commits, stops the I/O threads, drains the pool, and finally
// calls `close_storage` (which must flush the Db) while completions can
// still be posted. Returns the process exit code (0 on a clean shutdown).
int run_server(Services& services, const std::function<void()>& close_storage);

}  // namespace hush::server
