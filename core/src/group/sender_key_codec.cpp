#include "group/sender_key_codec.hpp"

#include <string>

namespace hush::group {
namespace {

void wipe_string(std::string* s) {
  if (!s->empty()) secure_wipe(s->data(), s->size());
}

ByteView view_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void set_bytes(std::string* out, ByteView b) {
  out->assign(reinterpret_cast<const char*>(b.data()), b.size());
}

Error bad(const char* what) {
  return make_error(Errc::invalid_message, std::string("sender key record: bad ") + what);
}

Result<crypto::Key32> decode_key32(const std::string& s, const char* what) {
  if (s.size() != 32) return bad(what);
  return crypto::Key32(view_of(s));
}

}  // namespace

void encode_state(const SenderKeyState& s, storage::SenderKeyStateStructure& out) {
  out.set_message_version(s.stored_version);
  out.set_chain_id(s.chain_id);
  auto* ck = out.mutable_sender_chain_key();
  ck->set_iteration(s.chain_key.iteration());
  set_bytes(ck->mutable_seed(), s.chain_key.key().view());
  auto* sk = out.mutable_sender_signing_key();
  auto pub = s.signing_public.serialize();
  set_bytes(sk->mutable_public_(), pub);
  if (s.signing_private) set_bytes(sk->mutable_private_(), s.signing_private->serialize());
  for (const auto& k : s.message_keys) {
    auto* m = out.add_sender_message_keys();
    m->set_iteration(k.iteration());
    set_bytes(m->mutable_seed(), k.seed().view());
  }
}

// libsignal keeps the raw protobuf and fails only when a broken field is
// used; Hush checks every field once, here.
Result<SenderKeyState> decode_state(const storage::SenderKeyStateStructure& in) {
  SenderKeyState s;
  s.stored_version = in.message_version();
  s.chain_id = in.chain_id();
  if (!in.has_sender_chain_key()) return bad("state: missing chain key");
  HUSH_ASSIGN(auto ck, decode_key32(in.sender_chain_key().seed(), "chain key"));
  s.chain_key = SenderChainKey(in.sender_chain_key().iteration(), std::move(ck));
  if (!in.has_sender_signing_key()) return bad("state: missing signing key");
  auto pub = PublicKey::deserialize(view_of(in.sender_signing_key().public_()));
  if (!pub) return bad("public signing key");
  s.signing_public = *pub;
  if (!in.sender_signing_key().private_().empty()) {
    auto priv = PrivateKey::deserialize(view_of(in.sender_signing_key().private_()));
    if (!priv) return bad("private signing key");
    s.signing_private = std::move(priv).value();
  }
  for (const auto& m : in.sender_message_keys()) {
    HUSH_ASSIGN(auto seed, decode_key32(m.seed(), "message key seed"));
    s.message_keys.emplace_back(m.iteration(), std::move(seed));
  }
  return s;
}

void wipe_secrets(storage::SenderKeyRecordStructure& r) {
  for (auto& s : *r.mutable_sender_key_states()) {
    if (s.has_sender_chain_key()) wipe_string(s.mutable_sender_chain_key()->mutable_seed());
    if (s.has_sender_signing_key()) wipe_string(s.mutable_sender_signing_key()->mutable_private_());
    for (auto& m : *s.mutable_sender_message_keys()) wipe_string(m.mutable_seed());
  }
}

}  // namespace hush::group
