#include "support/party.hpp"

namespace hush::test {

Party::Party(std::string name, std::uint64_t seed, FakeClock& clock)
    : name_(name), address_{std::move(name), 1}, rng_(seed), clock_(clock) {
  store_ = std::make_unique<InMemoryProtocolStore>(KeyPair::generate(rng_), static_cast<std::uint32_t>(seed & 0x3FFF));
}

PreKeyBundle Party::bundle(std::uint32_t signed_prekey_id, std::optional<std::uint32_t> prekey_id) {
  auto spk = generate_signed_prekey(store_->identity_key_pair(), signed_prekey_id, clock_.now_seconds() * 1000, rng_);
  PreKeyBundle b;
  b.registration_id = store_->local_registration_id();
  b.device_id = address_.device_id;
  b.identity_key = store_->identity_key_pair().public_key;
  b.signed_prekey_id = spk.id;
  b.signed_prekey = spk.key_pair.public_key;
  b.signed_prekey_signature = spk.signature;
  if (prekey_id) {
    auto opk = generate_prekey(*prekey_id, rng_);
    b.prekey_id = opk.id;
    b.prekey = opk.key_pair.public_key;
    (void)store_->store_prekey(opk);
  }
  (void)store_->store_signed_prekey(spk);
  return b;
}

Result<void> Party::process(const Party& peer, const PreKeyBundle& bundle) {
  return SessionBuilder(*store_, peer.address(), rng_, clock_).process(bundle);
}

Result<CiphertextMessage> Party::encrypt(const Party& peer, std::string_view text) {
  return SessionCipher(*store_, peer.address(), rng_, clock_).encrypt(as_bytes(text));
}

Result<std::string> Party::decrypt(const Party& peer, const CiphertextMessage& m) {
  HUSH_ASSIGN(auto pt, SessionCipher(*store_, peer.address(), rng_, clock_).decrypt(m.type, m.body));
  return std::string(reinterpret_cast<const char*>(pt.data()), pt.size());
}

Bytes Party::session_bytes(const Party& peer) {
  auto r = store_->load_session(peer.address());
  if (!r || !*r) return {};
  auto s = (*r)->serialize();
  return Bytes(s.view().begin(), s.view().end());
}

}  // namespace hush::test
