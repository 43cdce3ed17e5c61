// SenderKeyDistributionMessage, facts §6: 0x33 || protobuf, no signature and
// no MAC (it travels inside a 1:1 encrypted message).
#pragma once

#include <cstdint>

#include "crypto/crypto.hpp"
#include "hush/group.hpp"
#include "hush/keys.hpp"

namespace hush::group {

struct SenderKeyDistributionMessage {
  std::uint8_t message_version = 0;  // high nibble of the version byte
  DistributionId distribution_id;
  std::uint32_t chain_id = 0;
  std::uint32_t iteration = 0;
  crypto::Key32 chain_key;
  PublicKey signing_key;

  // invalid_message on anything malformed: under 65 bytes, a version nibble
  // other than 3, bad protobuf, any of the five fields missing, a
  // distribution id that is not 16 bytes, a chain key that is not 32 bytes, a
  // signing key that is not 33 bytes or does not parse.
  static Result<SenderKeyDistributionMessage> parse(ByteView bytes);
};

// Fields 1-5, all written; the result holds the chain key.
SecretBytes build_sender_key_distribution_message(std::uint32_t message_version, const DistributionId& distribution_id,
                                                  std::uint32_t chain_id, std::uint32_t iteration,
                                                  const crypto::Key32& chain_key, const PublicKey& signing_key);

}  // namespace hush::group
