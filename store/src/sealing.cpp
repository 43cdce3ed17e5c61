#include "sealing.hpp"

namespace hush::store::detail {

std::string ad_local_identity() {
  return "local_identity|1";
}

std::string ad_prekey(std::uint32_t id) {
  return "prekeys|" + std::to_string(id);
}

std::string ad_signed_prekey(std::uint32_t id) {
  return "signed_prekeys|" + std::to_string(id);
}

std::string ad_session(const ProtocolAddress& address) {
  return "sessions|" + address.name + "|" + std::to_string(address.device_id);
}

std::string ad_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id) {
  return "sender_keys|" + sender.name + "|" + std::to_string(sender.device_id) + "|" + distribution_id.to_string();
}

ByteView Sealer::seal(ByteView plain, std::string_view ad, Bytes& out) {
  if (!key_) return plain;
  out = key_->seal(plain, as_bytes(ad), rng_);
  return out;
}

Result<ByteView> Sealer::open(ByteView column, std::string_view ad, SecretBytes& out, std::string_view what) const {
  if (!key_) return column;
  auto opened = key_->open(column, as_bytes(ad));
  if (!opened)
    return make_error(Errc::storage,
                      "stored " + std::string(what) + " does not authenticate (tampered, or moved from another row)");
  out = std::move(*opened);
  return out.view();
}

}  // namespace hush::store::detail
