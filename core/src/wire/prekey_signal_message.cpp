#include "wire/prekey_signal_message.hpp"

#include "wire.pb.h"

namespace hush::wire {

Result<PreKeySignalMessage> PreKeySignalMessage::parse(ByteView bytes) {
  if (bytes.empty()) return make_error(Errc::invalid_message, "ciphertext message too short");
  HUSH_ASSIGN(auto version, check_version_byte(bytes[0]));
  hush::wire::proto::PreKeySignalMessage pb;
  if (!pb.ParseFromArray(bytes.data() + 1, static_cast<int>(bytes.size() - 1)) || !pb.has_base_key() ||
      !pb.has_identity_key() || !pb.has_message() || !pb.has_signed_pre_key_id())
    return make_error(Errc::invalid_message, "protobuf encoding was invalid");
  if (pb.has_kyber_pre_key_id() != pb.has_kyber_ciphertext())
    return make_error(Errc::invalid_message, "protobuf encoding was invalid");
  if (pb.has_kyber_pre_key_id())
    return make_error(Errc::invalid_message, "Kyber prekeys (PQXDH) are not supported");
  if (version > 3)
    return make_error(Errc::invalid_message, "Kyber pre key must be present for this session version");
  auto base = PublicKey::deserialize(as_bytes(pb.base_key()));
  auto identity = PublicKey::deserialize(as_bytes(pb.identity_key()));
  if (!base || !identity) return make_error(Errc::invalid_message, "invalid key in PreKey message");

  PreKeySignalMessage m;
  m.message_version = version;
  m.registration_id = pb.registration_id();
  if (pb.has_pre_key_id()) m.prekey_id = pb.pre_key_id();
  m.signed_prekey_id = pb.signed_pre_key_id();
  m.base_key = *base;
  m.identity_key = *identity;
  m.message_bytes.assign(pb.message().begin(), pb.message().end());
  HUSH_ASSIGN(m.message, SignalMessage::parse(m.message_bytes));
  return m;
}

Bytes build_prekey_signal_message(std::uint32_t session_version, std::uint32_t registration_id,
                                  std::optional<std::uint32_t> prekey_id, std::uint32_t signed_prekey_id,
                                  const PublicKey& base_key, const IdentityKey& identity_key,
                                  ByteView signal_message) {
  hush::wire::proto::PreKeySignalMessage pb;
  pb.set_registration_id(registration_id);
  if (prekey_id) pb.set_pre_key_id(*prekey_id);
  pb.set_signed_pre_key_id(signed_prekey_id);
  auto bk = base_key.serialize();
  auto ik = identity_key.serialize();
  pb.set_base_key(bk.data(), bk.size());
  pb.set_identity_key(ik.data(), ik.size());
  pb.set_message(signal_message.data(), signal_message.size());
  Bytes out(1 + pb.ByteSizeLong());
  out[0] = version_byte(session_version);
  pb.SerializeWithCachedSizesToArray(out.data() + 1);
  return out;
}

}  // namespace hush::wire
