// A test party: an in-memory store plus builders for bundles and ciphers, so
// scenario tests read as conversations (style §12).
#pragma once

#include <string>

#include "hush/in_memory_store.hpp"
#include "hush/session.hpp"
#include "support/deterministic.hpp"

namespace hush::test {

class Party {
 public:
  Party(std::string name, std::uint64_t seed, FakeClock& clock);

  const ProtocolAddress& address() const { return address_; }
  InMemoryProtocolStore& store() { return *store_; }
  Rng& rng() { return rng_; }

  // Publishes a bundle: a new signed prekey and, if prekey_id is set, a
  // one-time prekey, both kept in the store.
  PreKeyBundle bundle(std::uint32_t signed_prekey_id, std::optional<std::uint32_t> prekey_id);

  Result<void> process(const Party& peer, const PreKeyBundle& bundle);
  Result<CiphertextMessage> encrypt(const Party& peer, std::string_view text);
  Result<std::string> decrypt(const Party& peer, const CiphertextMessage& m);
  // The peer's serialized session record (for "nothing changed" checks).
  Bytes session_bytes(const Party& peer);

 private:
  std::string name_;
  ProtocolAddress address_;
  DeterministicRng rng_;
  FakeClock& clock_;
  std::unique_ptr<InMemoryProtocolStore> store_;
};

}  // namespace hush::test
