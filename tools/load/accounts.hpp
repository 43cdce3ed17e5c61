// Registering the load tool's devices on hushd.
#pragma once

#include <string>
#include <vector>

#include "hush/client/endpoint.hpp"
#include "hush/result.hpp"

namespace hush::load {

// Registers `count` accounts named "<prefix>-<i>", each with a fresh
// identity key and device secret, in parallel over `threads` HTTP
// connections. No prekeys are published: the load tool never starts
// sessions. invites: empty (open registration) or one per account.
// Returns each device's Authorization header value, in order.
Result<std::vector<std::string>> register_devices(const client::Endpoint& endpoint, unsigned count,
                                                  const std::string& prefix, const std::vector<std::string>& invites,
                                                  unsigned threads);

std::string load_username(const std::string& prefix, unsigned index);

}  // namespace hush::load
