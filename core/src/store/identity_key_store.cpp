// The default trust policy of IdentityKeyStore (libsignal's in-memory store
// behaves the same way): trust on first use.
#include "hush/stores.hpp"

namespace hush {

Result<bool> IdentityKeyStore::is_trusted_identity(std::string_view name, const IdentityKey& key,
                                                   Direction /*direction*/) const {
  HUSH_ASSIGN(auto existing, get_identity(name));
  // No record: the first key we see for a name is trusted. A recorded key is
  // trusted only if it is the same one; a changed key needs save_identity
  // (the user's explicit acceptance) first.
  if (!existing) return true;
  return *existing == key;
}

}  // namespace hush
