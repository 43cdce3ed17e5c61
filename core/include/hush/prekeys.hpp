// Prekeys and bundles (X3DH §3.2, facts §3).
#pragma once

#include <array>
#include <optional>

#include "hush/keys.hpp"

namespace hush {

struct PreKeyRecord {
  std::uint32_t id = 0;
  KeyPair key_pair;

  PreKeyRecord clone() const { return PreKeyRecord{id, key_pair.clone()}; }
};

struct SignedPreKeyRecord {
  std::uint32_t id = 0;
  std::uint64_t timestamp = 0;  // milliseconds, as libsignal stores it
  KeyPair key_pair;
  std::array<std::uint8_t, kSignatureSize> signature{};

  SignedPreKeyRecord clone() const { return SignedPreKeyRecord{id, timestamp, key_pair.clone(), signature}; }
};

// What a party publishes so others can start sessions with it.
struct PreKeyBundle {
  std::uint32_t registration_id = 0;
  std::uint32_t device_id = 0;
  std::optional<std::uint32_t> prekey_id;
  std::optional<PublicKey> prekey;
  std::uint32_t signed_prekey_id = 0;
  PublicKey signed_prekey;
  std::array<std::uint8_t, kSignatureSize> signed_prekey_signature{};
  IdentityKey identity_key;
};

// Makes a signed prekey: XEdDSA(identity, serialize(spk_pub)) over the 33-byte
// form (facts §1).
SignedPreKeyRecord generate_signed_prekey(const IdentityKeyPair& identity, std::uint32_t id,
                                          std::uint64_t timestamp_ms, Rng& rng);
PreKeyRecord generate_prekey(std::uint32_t id, Rng& rng);

}  // namespace hush
