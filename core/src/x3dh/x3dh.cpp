#include "x3dh/x3dh.hpp"

#include <algorithm>
#include <vector>

#include "limits.hpp"

namespace hush::x3dh {
namespace {

constexpr std::string_view kX3dhInfo = "WhisperText";
constexpr std::size_t kMaxSecrets = 32 * 5;

// Accumulates 0xFF×32 || DH1 || DH2 || DH3 [|| DH4] (X3DH §2.2 "F").
class Secrets {
 public:
  Secrets() { std::fill_n(buf_.data(), 32, std::uint8_t{0xFF}); }
  void add(const Secret<32>& dh) {
    std::copy_n(dh.data(), 32, buf_.data() + len_);
    len_ += 32;
  }
  // HKDF(salt = none, secrets, "WhisperText", 64) → (root key, chain key 0).
  std::pair<ratchet::RootKey, ratchet::ChainKey> derive() const {
    Secret<64> okm;
    crypto::hkdf_sha256({}, buf_.view().first(len_), as_bytes(kX3dhInfo), okm.mut());
    return {ratchet::RootKey(crypto::Key32(okm.view().first(32))),
            ratchet::ChainKey(crypto::Key32(okm.view().subspan(32, 32)), 0)};
  }

 private:
  Secret<kMaxSecrets> buf_;
  std::size_t len_ = 32;
};

}  // namespace

state::SessionState initialize_initiator(const InitiatorParams& p, Rng& rng) {
  Secrets secrets;
  secrets.add(p.our_identity.private_key.agree(p.their_signed_prekey));
  secrets.add(p.our_base_key.private_key.agree(p.their_identity));
  secrets.add(p.our_base_key.private_key.agree(p.their_signed_prekey));
  if (p.their_one_time_prekey) secrets.add(p.our_base_key.private_key.agree(*p.their_one_time_prekey));
  auto [root, chain] = secrets.derive();

  // Bob's first ratchet key is his signed prekey (facts §3 step 5).
  KeyPair sending = KeyPair::generate(rng);
  auto [sending_root, sending_chain] = root.create_chain(p.their_signed_prekey, sending.private_key);

  state::SessionState s;
  s.session_version = limits::kSessionVersion;
  s.local_identity = p.our_identity.public_key;
  s.remote_identity = p.their_identity;
  s.root_key = std::move(sending_root);
  s.previous_counter = 0;
  s.add_receiver_chain(p.their_signed_prekey, std::move(chain));
  s.sender_chain = state::SenderChain{std::move(sending), std::move(sending_chain)};
  s.alice_base_key = p.our_base_key.public_key;
  return s;
}

state::SessionState initialize_responder(const ResponderParams& p) {
  Secrets secrets;
  secrets.add(p.our_signed_prekey.private_key.agree(p.their_identity));
  secrets.add(p.our_identity.private_key.agree(p.their_base_key));
  secrets.add(p.our_signed_prekey.private_key.agree(p.their_base_key));
  if (p.our_one_time_prekey) secrets.add(p.our_one_time_prekey->private_key.agree(p.their_base_key));
  auto [root, chain] = secrets.derive();

  state::SessionState s;
  s.session_version = limits::kSessionVersion;
  s.local_identity = p.our_identity.public_key;
  s.remote_identity = p.their_identity;
  s.root_key = std::move(root);
  s.previous_counter = 0;
  s.sender_chain = state::SenderChain{p.our_signed_prekey.clone(), std::move(chain)};
  s.alice_base_key = p.their_base_key;
  return s;
}

}  // namespace hush::x3dh
