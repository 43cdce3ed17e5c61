// Prekey generation (X3DH §3.2; facts §1, §3).
#include "hush/prekeys.hpp"

namespace hush {

// The signature covers the 33-byte serialized public key, type byte
// included, exactly as libsignal signs and checks it (facts §1).
SignedPreKeyRecord generate_signed_prekey(const IdentityKeyPair& identity, std::uint32_t id,
                                          std::uint64_t timestamp_ms, Rng& rng) {
  KeyPair kp = KeyPair::generate(rng);
  const auto spk = kp.public_key.serialize();
  auto sig = identity.private_key.sign(spk, rng);
  return SignedPreKeyRecord{id, timestamp_ms, std::move(kp), sig};
}

PreKeyRecord generate_prekey(std::uint32_t id, Rng& rng) { return PreKeyRecord{id, KeyPair::generate(rng)}; }

}  // namespace hush
