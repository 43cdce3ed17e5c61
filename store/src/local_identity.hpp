// The store's owner: address, device id, registration id and identity key
// pair, one row written when the store is created and checked on every open.
// In a sealed store the private key is sealed (associated data
// "local_identity|1").
#pragma once

#include <optional>
#include <string>

#include "at_rest.hpp"
#include "hush/keys.hpp"
#include "hush/store/sqlite_protocol_store.hpp"
#include "sealing.hpp"
#include "sqlite_names.hpp"

namespace hush::store::detail {

struct LocalIdentity {
  std::string address;
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  IdentityKeyPair key_pair;
};

// Loads the owner row of an existing store, opening its private key with
// `sealer`.
// Errors: bad_request if the row names a different address, device id or
// registration id than `options`; storage on SQLite failure, no owner row, or
// a row whose keys do not open, do not parse or do not match each other.
Result<LocalIdentity> load_local_identity(Connection& db, const OpenOptions& options, const Sealer& sealer);

// Creates the owner row of a new store with a new identity from options.rng,
// its private key sealed by `sealer`, together with `header` (the
// `encryption` row of a sealed store) in one transaction. nullopt, with
// nothing written, if another process created the store first: the caller
// must then unlock the store afresh, since it may be sealed differently.
Result<std::optional<LocalIdentity>> create_local_identity(Connection& db, const OpenOptions& options, Sealer& sealer,
                                                           const std::optional<EncryptionHeader>& header);

}  // namespace hush::store::detail
