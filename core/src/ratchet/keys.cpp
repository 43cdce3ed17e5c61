#include "ratchet/keys.hpp"

#include <algorithm>

namespace hush::ratchet {
namespace {

constexpr std::uint8_t kMessageKeySeed = 0x01;  // facts §4: KDF_CK inputs
constexpr std::uint8_t kChainKeySeed = 0x02;
constexpr std::string_view kMessageKeysInfo = "WhisperMessageKeys";
constexpr std::string_view kRatchetInfo = "WhisperRatchet";

}  // namespace

MessageKeys MessageKeys::derive(const crypto::Key32& seed, std::uint32_t counter) {
  Secret<80> okm;
  crypto::hkdf_sha256({}, seed.view(), as_bytes(kMessageKeysInfo), okm.mut());
  MessageKeys keys{crypto::Key32(okm.view().subspan(0, 32)), crypto::Key32(okm.view().subspan(32, 32)),
                   Secret<16>(okm.view().subspan(64, 16)), counter};
  return keys;
}

MessageKeys ChainKey::message_keys() const {
  crypto::HmacSha256 mac(key_.view());
  const std::uint8_t seed_input = kMessageKeySeed;
  return MessageKeys::derive(mac.mac_secret({&seed_input, 1}), index_);
}

ChainKey ChainKey::next() const {
  crypto::HmacSha256 mac(key_.view());
  const std::uint8_t chain_input = kChainKeySeed;
  return ChainKey(mac.mac_secret({&chain_input, 1}), index_ + 1);
}

std::pair<MessageKeys, ChainKey> ChainKey::step() const {
  crypto::HmacSha256 mac(key_.view());
  const std::uint8_t seed_input = kMessageKeySeed;
  const std::uint8_t chain_input = kChainKeySeed;
  auto seed = mac.mac_secret({&seed_input, 1});
  auto next_key = mac.mac_secret({&chain_input, 1});
  return {MessageKeys::derive(seed, index_), ChainKey(std::move(next_key), index_ + 1)};
}

std::pair<RootKey, ChainKey> RootKey::create_chain(const PublicKey& their_ratchet_key,
                                                   const PrivateKey& our_ratchet_key) const {
  auto shared = our_ratchet_key.agree(their_ratchet_key);
  Secret<64> okm;
  crypto::hkdf_sha256(key_.view(), shared.view(), as_bytes(kRatchetInfo), okm.mut());
  return {RootKey(crypto::Key32(okm.view().subspan(0, 32))),
          ChainKey(crypto::Key32(okm.view().subspan(32, 32)), 0)};
}

}  // namespace hush::ratchet
