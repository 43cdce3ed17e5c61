// The store's owner: address, device id, registration id and identity key
// pair, one row written when the store is created and checked on every open.
#pragma once

#include <string>

#include "hush/keys.hpp"
#include "hush/store/sqlite_protocol_store.hpp"
#include "sqlite.hpp"

namespace hush::store::detail {

struct LocalIdentity {
  std::string address;
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  IdentityKeyPair key_pair;
};

// Loads the owner row, or creates it with a new identity from options.rng if
// the store has none (in one transaction, so two processes creating the same
// store agree on one identity).
// Errors: bad_request if the row names a different address, device id or
// registration id than `options`; storage on SQLite failure or a row whose
// keys do not parse or do not match each other.
Result<LocalIdentity> load_or_create_local_identity(Connection& db, const OpenOptions& options);

}  // namespace hush::store::detail
