// SenderKeyMessage (CiphertextMessageType 7), facts §6:
//   0x33 || SenderKeyMessage protobuf || XEdDSA signature (64 bytes),
// the signature by the chain's signing key over everything before it.
#pragma once

#include <cstdint>

#include "hush/group.hpp"
#include "hush/keys.hpp"

namespace hush::group {

struct SenderKeyMessage {
  std::uint8_t message_version = 0;  // high nibble of the version byte
  DistributionId distribution_id;
  std::uint32_t chain_id = 0;
  std::uint32_t iteration = 0;
  Bytes ciphertext;
  ByteView serialized;  // the whole input, for the signature check (not owned)

  // Parses without checking the signature. invalid_message on anything
  // malformed: under 65 bytes, a version nibble other than 3, bad protobuf, a
  // missing field, a distribution id that is not 16 bytes.
  static Result<SenderKeyMessage> parse(ByteView bytes);

  // XEdDSA verification of the trailing 64 bytes over the rest.
  bool verify_signature(const PublicKey& signing_key) const;
};

// Serializes and signs a new SenderKeyMessage (fields 1-4, all written).
Bytes build_sender_key_message(std::uint32_t message_version, const DistributionId& distribution_id,
                               std::uint32_t chain_id, std::uint32_t iteration, ByteView ciphertext,
                               const PrivateKey& signing_key, Rng& rng);

}  // namespace hush::group
