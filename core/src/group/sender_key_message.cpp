#include "group/sender_key_message.hpp"

#include <algorithm>

#include "group/wire_common.hpp"
#include "wire.pb.h"

namespace hush::group {

Result<SenderKeyMessage> SenderKeyMessage::parse(ByteView bytes) {
  if (bytes.size() < 1 + kSignatureSize) return make_error(Errc::invalid_message, "ciphertext message too short");
  HUSH_ASSIGN(auto version, check_sender_key_version(bytes[0]));
  hush::wire::proto::SenderKeyMessage pb;
  HUSH_TRY(parse_strict(bytes.subspan(1, bytes.size() - 1 - kSignatureSize), pb, 4));
  if (!pb.has_distribution_uuid() || !pb.has_chain_id() || !pb.has_iteration() || !pb.has_ciphertext())
    return make_error(Errc::invalid_message, "protobuf encoding was invalid");
  SenderKeyMessage m;
  HUSH_ASSIGN(m.distribution_id, distribution_id_from(pb.distribution_uuid()));
  m.message_version = version;
  m.chain_id = pb.chain_id();
  m.iteration = pb.iteration();
  m.ciphertext.assign(pb.ciphertext().begin(), pb.ciphertext().end());
  m.serialized = bytes;
  return m;
}

bool SenderKeyMessage::verify_signature(const PublicKey& signing_key) const {
  return signing_key.verify(serialized.first(serialized.size() - kSignatureSize), serialized.last(kSignatureSize));
}

Bytes build_sender_key_message(std::uint32_t message_version, const DistributionId& distribution_id,
                               std::uint32_t chain_id, std::uint32_t iteration, ByteView ciphertext,
                               const PrivateKey& signing_key, Rng& rng) {
  hush::wire::proto::SenderKeyMessage pb;
  pb.set_distribution_uuid(distribution_id.bytes.data(), distribution_id.bytes.size());
  pb.set_chain_id(chain_id);
  pb.set_iteration(iteration);
  pb.set_ciphertext(ciphertext.data(), ciphertext.size());
  const std::size_t body_len = pb.ByteSizeLong();
  Bytes out(1 + body_len + kSignatureSize);
  out[0] = sender_key_version_byte(message_version);
  pb.SerializeWithCachedSizesToArray(out.data() + 1);
  auto signature = signing_key.sign(ByteView(out.data(), 1 + body_len), rng);
  std::copy(signature.begin(), signature.end(), out.begin() + static_cast<std::ptrdiff_t>(1 + body_len));
  return out;
}

}  // namespace hush::group
