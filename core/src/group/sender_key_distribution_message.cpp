#include "group/sender_key_distribution_message.hpp"

#include <string>

#include "group/wire_common.hpp"
#include "wire.pb.h"

namespace hush::group {
namespace {

// libsignal: "the message contains at least a X25519 key and a chain key".
constexpr std::size_t kMinLength = 1 + 32 + 32;

// The protobuf's chain key string is wiped whatever happens to the parse.
struct WipedSkdm {
  hush::wire::proto::SenderKeyDistributionMessage pb;
  ~WipedSkdm() {
    if (pb.has_chain_key() && !pb.chain_key().empty())
      secure_wipe(pb.mutable_chain_key()->data(), pb.chain_key().size());
  }
};

Error invalid_protobuf() {
  return make_error(Errc::invalid_message, "protobuf encoding was invalid");
}

}  // namespace

Result<SenderKeyDistributionMessage> SenderKeyDistributionMessage::parse(ByteView bytes) {
  if (bytes.size() < kMinLength) return make_error(Errc::invalid_message, "ciphertext message too short");
  HUSH_ASSIGN(auto version, check_sender_key_version(bytes[0]));
  WipedSkdm w;
  const auto& pb = w.pb;
  HUSH_TRY(parse_strict(bytes.subspan(1), w.pb, 5));
  if (!pb.has_distribution_uuid() || !pb.has_chain_id() || !pb.has_iteration() || !pb.has_chain_key() ||
      !pb.has_signing_key())
    return invalid_protobuf();
  SenderKeyDistributionMessage m;
  HUSH_ASSIGN(m.distribution_id, distribution_id_from(pb.distribution_uuid()));
  if (pb.chain_key().size() != 32 || pb.signing_key().size() != kPublicKeySize) return invalid_protobuf();
  auto key = PublicKey::deserialize(as_bytes(pb.signing_key()));
  if (!key) return make_error(Errc::invalid_message, "invalid signing key: " + key.error().message);
  m.message_version = version;
  m.chain_id = pb.chain_id();
  m.iteration = pb.iteration();
  m.chain_key = crypto::Key32(as_bytes(pb.chain_key()));
  m.signing_key = *key;
  return m;
}

SecretBytes build_sender_key_distribution_message(std::uint32_t message_version, const DistributionId& distribution_id,
                                                  std::uint32_t chain_id, std::uint32_t iteration,
                                                  const crypto::Key32& chain_key, const PublicKey& signing_key) {
  WipedSkdm w;
  auto& pb = w.pb;
  pb.set_distribution_uuid(distribution_id.bytes.data(), distribution_id.bytes.size());
  pb.set_chain_id(chain_id);
  pb.set_iteration(iteration);
  pb.set_chain_key(chain_key.data(), chain_key.size());
  auto sk = signing_key.serialize();
  pb.set_signing_key(sk.data(), sk.size());
  SecretBytes out(1 + pb.ByteSizeLong());
  out.data()[0] = sender_key_version_byte(message_version);
  pb.SerializeWithCachedSizesToArray(out.data() + 1);
  return out;
}

}  // namespace hush::group
