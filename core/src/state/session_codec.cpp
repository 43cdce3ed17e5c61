#include "state/session_codec.hpp"

#include <algorithm>
#include <string>

namespace hush::state {
namespace {

void wipe_string(std::string* s) {
  if (!s->empty()) secure_wipe(s->data(), s->size());
}

std::string to_string(ByteView b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

std::string public_key_string(const PublicKey& k) {
  auto ser = k.serialize();
  return to_string(ser);
}

ByteView view_of(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

Result<PublicKey> decode_public(const std::string& s, const char* what) {
  auto k = PublicKey::deserialize(view_of(s));
  if (!k) return make_error(Errc::invalid_message, std::string("session record: bad ") + what);
  return k;
}

Result<crypto::Key32> decode_key32(const std::string& s, const char* what) {
  if (s.size() != 32) return make_error(Errc::invalid_message, std::string("session record: bad ") + what);
  return crypto::Key32(view_of(s));
}

void encode_chain_key(const ratchet::ChainKey& ck, storage::SessionStructure::Chain& out) {
  auto* k = out.mutable_chain_key();
  k->set_index(ck.index());
  k->set_key(to_string(ck.key().view()));
}

Result<ratchet::ChainKey> decode_chain_key(const storage::SessionStructure::Chain& c) {
  HUSH_ASSIGN(auto key, decode_key32(c.chain_key().key(), "chain key"));
  return ratchet::ChainKey(std::move(key), c.chain_key().index());
}

}  // namespace

void encode_state(const SessionState& s, storage::SessionStructure& out) {
  out.set_session_version(s.session_version);
  out.set_local_identity_public(public_key_string(s.local_identity));
  out.set_remote_identity_public(public_key_string(s.remote_identity));
  out.set_root_key(to_string(s.root_key.key().view()));
  out.set_previous_counter(s.previous_counter);
  if (s.sender_chain) {
    auto* c = out.mutable_sender_chain();
    c->set_sender_ratchet_key(public_key_string(s.sender_chain->ratchet_key.public_key));
    c->set_sender_ratchet_key_private(to_string(s.sender_chain->ratchet_key.private_key.serialize()));
    encode_chain_key(s.sender_chain->chain_key, *c);
  }
  for (const auto& rc : s.receiver_chains) {
    auto* c = out.add_receiver_chains();
    c->set_sender_ratchet_key(public_key_string(rc.ratchet_key));
    encode_chain_key(rc.chain_key, *c);
    // libsignal stores them newest first.
    for (auto it = rc.message_keys.rbegin(); it != rc.message_keys.rend(); ++it) {
      const auto& mk = *it;
      auto* m = c->add_message_keys();
      m->set_index(mk.counter);
      m->set_cipher_key(to_string(mk.cipher_key.view()));
      m->set_mac_key(to_string(mk.mac_key.view()));
      m->set_iv(to_string(mk.iv.view()));
    }
  }
  if (s.pending_prekey) {
    auto* p = out.mutable_pending_pre_key();
    if (s.pending_prekey->prekey_id) p->set_pre_key_id(*s.pending_prekey->prekey_id);
    p->set_signed_pre_key_id(static_cast<std::int32_t>(s.pending_prekey->signed_prekey_id));
    p->set_base_key(public_key_string(s.pending_prekey->base_key));
    p->set_timestamp(s.pending_prekey->timestamp);
  }
  out.set_remote_registration_id(s.remote_registration_id);
  out.set_local_registration_id(s.local_registration_id);
  if (s.alice_base_key) out.set_alice_base_key(public_key_string(*s.alice_base_key));
}

Result<SessionState> decode_state(const storage::SessionStructure& in) {
  SessionState s;
  // libsignal reads a missing (0) version as 2; such states never match a
  // version-3 message, which is what we want.
  s.session_version = in.session_version() == 0 ? 2 : in.session_version();
  HUSH_ASSIGN(s.local_identity, decode_public(in.local_identity_public(), "local identity"));
  HUSH_ASSIGN(s.remote_identity, decode_public(in.remote_identity_public(), "remote identity"));
  HUSH_ASSIGN(auto root, decode_key32(in.root_key(), "root key"));
  s.root_key = ratchet::RootKey(std::move(root));
  s.previous_counter = in.previous_counter();
  if (in.has_sender_chain()) {
    const auto& c = in.sender_chain();
    HUSH_ASSIGN(auto pub, decode_public(c.sender_ratchet_key(), "sender ratchet key"));
    auto priv = PrivateKey::deserialize(view_of(c.sender_ratchet_key_private()));
    if (!priv) return make_error(Errc::invalid_message, "session record: bad sender ratchet private key");
    HUSH_ASSIGN(auto ck, decode_chain_key(c));
    s.sender_chain = SenderChain{KeyPair{pub, std::move(priv).value()}, std::move(ck)};
  }
  for (const auto& c : in.receiver_chains()) {
    HUSH_ASSIGN(auto pub, decode_public(c.sender_ratchet_key(), "receiver ratchet key"));
    HUSH_ASSIGN(auto ck, decode_chain_key(c));
    ReceiverChain rc{pub, std::move(ck), {}};
    for (const auto& m : c.message_keys()) {
      if (m.cipher_key().size() != 32 || m.mac_key().size() != 32 || m.iv().size() != 16)
        return make_error(Errc::invalid_message, "session record: bad message keys");
      rc.message_keys.push_back(ratchet::MessageKeys{crypto::Key32(view_of(m.cipher_key())),
                                                     crypto::Key32(view_of(m.mac_key())),
                                                     Secret<16>(view_of(m.iv())), m.index()});
    }
    std::reverse(rc.message_keys.begin(), rc.message_keys.end());  // stored newest first
    s.receiver_chains.push_back(std::move(rc));
  }
  if (in.has_pending_pre_key()) {
    const auto& p = in.pending_pre_key();
    PendingPreKey pp;
    if (p.has_pre_key_id()) pp.prekey_id = p.pre_key_id();
    pp.signed_prekey_id = static_cast<std::uint32_t>(p.signed_pre_key_id());
    HUSH_ASSIGN(pp.base_key, decode_public(p.base_key(), "pending base key"));
    pp.timestamp = p.timestamp();
    s.pending_prekey = pp;
  }
  s.remote_registration_id = in.remote_registration_id();
  s.local_registration_id = in.local_registration_id();
  if (!in.alice_base_key().empty()) {
    HUSH_ASSIGN(auto base, decode_public(in.alice_base_key(), "alice base key"));
    s.alice_base_key = base;
  }
  return s;
}

void wipe_secrets(storage::SessionStructure& s) {
  wipe_string(s.mutable_root_key());
  if (s.has_sender_chain()) {
    wipe_string(s.mutable_sender_chain()->mutable_sender_ratchet_key_private());
    wipe_string(s.mutable_sender_chain()->mutable_chain_key()->mutable_key());
  }
  for (auto& c : *s.mutable_receiver_chains()) {
    wipe_string(c.mutable_chain_key()->mutable_key());
    for (auto& m : *c.mutable_message_keys()) {
      wipe_string(m.mutable_cipher_key());
      wipe_string(m.mutable_mac_key());
      wipe_string(m.mutable_iv());
    }
  }
}

void wipe_secrets(storage::RecordStructure& r) {
  if (r.has_current_session()) wipe_secrets(*r.mutable_current_session());
  for (auto& p : *r.mutable_previous_sessions()) wipe_string(&p);
}

}  // namespace hush::state
