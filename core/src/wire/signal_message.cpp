#include "wire/signal_message.hpp"

#include <algorithm>
#include <string>

#include "limits.hpp"
#include "wire.pb.h"

namespace hush::wire {
namespace {

void mac_over(crypto::HmacSha256& mac, const IdentityKey& sender, const IdentityKey& receiver, ByteView covered,
              std::uint8_t out[32]) {
  mac.reset();
  auto s = sender.serialize();
  auto r = receiver.serialize();
  mac.update(s);
  mac.update(r);
  mac.update(covered);
  mac.finish(out);
}

// One message object per thread, reused: protobuf keeps its strings'
// capacity across Clear(), so parsing and building a message allocate nothing
// in the steady state (every field is public: keys, counters, ciphertext).
hush::wire::proto::SignalMessage& scratch_message() {
  thread_local hush::wire::proto::SignalMessage pb;
  pb.Clear();
  return pb;
}

}  // namespace

std::uint8_t version_byte(std::uint32_t session_version) noexcept {
  return static_cast<std::uint8_t>(((session_version & 0xF) << 4) | limits::kCurrentWireVersion);
}

Result<std::uint8_t> check_version_byte(std::uint8_t byte) {
  const std::uint8_t v = byte >> 4;
  if (v < 3) return make_error(Errc::invalid_message, "legacy ciphertext version " + std::to_string(v));
  if (v > 4) return make_error(Errc::invalid_message, "unrecognized ciphertext version " + std::to_string(v));
  return v;
}

Result<SignalMessage> SignalMessage::parse(ByteView bytes) {
  if (bytes.size() < 1 + limits::kMacLength)
    return make_error(Errc::invalid_message, "ciphertext message too short");
  HUSH_ASSIGN(auto version, check_version_byte(bytes[0]));
  auto& pb = scratch_message();
  const auto body = bytes.subspan(1, bytes.size() - 1 - limits::kMacLength);
  if (!pb.ParseFromArray(body.data(), static_cast<int>(body.size())) || !pb.has_ratchet_key() ||
      !pb.has_counter() || !pb.has_ciphertext())
    return make_error(Errc::invalid_message, "protobuf encoding was invalid");
  auto key = PublicKey::deserialize(as_bytes(pb.ratchet_key()));
  if (!key) return make_error(Errc::invalid_message, "invalid ratchet key in message");
  SignalMessage m;
  m.message_version = version;
  m.ratchet_key = *key;
  m.counter = pb.counter();
  m.previous_counter = pb.previous_counter();
  m.ciphertext.assign(pb.ciphertext().begin(), pb.ciphertext().end());
  m.serialized = bytes;
  return m;
}

bool SignalMessage::verify_mac(const IdentityKey& sender_identity, const IdentityKey& receiver_identity,
                               const crypto::Key32& mac_key) const {
  crypto::HmacSha256 mac(mac_key.view());
  std::uint8_t full[32];
  const auto covered = serialized.first(serialized.size() - limits::kMacLength);
  mac_over(mac, sender_identity, receiver_identity, covered, full);
  return ct_equal(ByteView(full, limits::kMacLength), serialized.last(limits::kMacLength));
}

Bytes build_signal_message(std::uint32_t session_version, const PublicKey& ratchet_key, std::uint32_t counter,
                           std::uint32_t previous_counter, ByteView ciphertext, const crypto::Key32& mac_key,
                           const IdentityKey& sender_identity, const IdentityKey& receiver_identity) {
  auto& pb = scratch_message();
  auto rk = ratchet_key.serialize();
  pb.set_ratchet_key(rk.data(), rk.size());
  pb.set_counter(counter);
  pb.set_previous_counter(previous_counter);
  pb.set_ciphertext(ciphertext.data(), ciphertext.size());
  const std::size_t body_len = pb.ByteSizeLong();
  Bytes out(1 + body_len + limits::kMacLength);
  out[0] = version_byte(session_version);
  pb.SerializeWithCachedSizesToArray(out.data() + 1);
  crypto::HmacSha256 mac(mac_key.view());
  std::uint8_t full[32];
  mac_over(mac, sender_identity, receiver_identity, ByteView(out.data(), 1 + body_len), full);
  std::copy_n(full, limits::kMacLength, out.data() + 1 + body_len);
  return out;
}

}  // namespace hush::wire
