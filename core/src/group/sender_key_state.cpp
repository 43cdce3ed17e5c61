#include "group/sender_key_state.hpp"

#include <algorithm>
#include <limits>
#include <string_view>

#include "limits.hpp"

namespace hush::group {
namespace {

constexpr std::uint8_t kMessageKeySeed = 0x01;  // facts §7 "Chain"
constexpr std::uint8_t kChainKeySeed = 0x02;
constexpr std::string_view kGroupInfo = "WhisperGroup";  // facts §7 "Message key"

crypto::Key32 derivative(const crypto::Key32& key, std::uint8_t label) {
  crypto::HmacSha256 mac(key.view());
  return mac.mac_secret({&label, 1});
}

}  // namespace

SenderMessageKeys SenderMessageKey::derive() const {
  Secret<48> okm;
  crypto::hkdf_sha256({}, seed_.view(), as_bytes(kGroupInfo), okm.mut());
  return SenderMessageKeys{Secret<16>(okm.view().subspan(0, 16)), crypto::Key32(okm.view().subspan(16, 32))};
}

SenderMessageKey SenderChainKey::message_key() const {
  return SenderMessageKey(iteration_, derivative(key_, kMessageKeySeed));
}

Result<SenderChainKey> SenderChainKey::next() const {
  if (iteration_ == std::numeric_limits<std::uint32_t>::max())
    return make_error(Errc::invalid_message, "sender chain is too long");
  return SenderChainKey(iteration_ + 1, derivative(key_, kChainKeySeed));
}

SenderKeyState SenderKeyState::clone() const {
  SenderKeyState s;
  s.stored_version = stored_version;
  s.chain_id = chain_id;
  s.chain_key = chain_key.clone();
  s.signing_public = signing_public;
  if (signing_private) s.signing_private = signing_private->clone();
  for (const auto& k : message_keys) s.message_keys.push_back(k.clone());
  return s;
}

// libsignal appends, then drops from the front while over the limit: the
// newest 2,000 skipped keys survive (facts §7 "Limits").
void SenderKeyState::add_message_key(SenderMessageKey key) {
  message_keys.push_back(std::move(key));
  while (message_keys.size() > limits::kMaxMessageKeys) message_keys.pop_front();
}

std::optional<SenderMessageKey> SenderKeyState::take_message_key(std::uint32_t iteration) {
  auto it = std::find_if(message_keys.begin(), message_keys.end(),
                         [&](const SenderMessageKey& k) { return k.iteration() == iteration; });
  if (it == message_keys.end()) return std::nullopt;
  SenderMessageKey key = std::move(*it);
  message_keys.erase(it);
  return key;
}

}  // namespace hush::group
