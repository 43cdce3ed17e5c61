// X3DH initiator side: libsignal's process_prekey_bundle (facts §3 "Alice").
#include "hush/session.hpp"
#include "limits.hpp"
#include "state/session_record_impl.hpp"
#include "x3dh/x3dh.hpp"

namespace hush {

Result<void> SessionBuilder::process(const PreKeyBundle& bundle) {
  if (bundle.prekey_id.has_value() != bundle.prekey.has_value())
    return make_error(Errc::bad_request, "bundle has a one-time prekey id without a key, or a key without an id");
  HUSH_ASSIGN(bool trusted, store_.is_trusted_identity(remote_.name, bundle.identity_key, Direction::sending));
  if (!trusted) return make_error(Errc::untrusted_identity, "untrusted identity for address " + remote_.to_string());
  // The signature covers the 33-byte serialized signed prekey (facts §1).
  if (!bundle.identity_key.verify(bundle.signed_prekey.serialize(), bundle.signed_prekey_signature))
    return make_error(Errc::invalid_signature, "invalid signature detected on the signed prekey");

  HUSH_ASSIGN(auto existing, store_.load_session(remote_));
  SessionRecord record = existing ? std::move(*existing) : SessionRecord{};

  const KeyPair base_key = KeyPair::generate(rng_);
  auto state = x3dh::initialize_initiator(
      {store_.identity_key_pair(), base_key, bundle.identity_key, bundle.signed_prekey, bundle.prekey}, rng_);
  state.pending_prekey =
      state::PendingPreKey{bundle.prekey_id, bundle.signed_prekey_id, base_key.public_key, clock_.now_seconds()};
  state.local_registration_id = store_.local_registration_id();
  state.remote_registration_id = bundle.registration_id;
  // A new bundle always replaces the current session; the old one is archived.
  record.impl().promote(std::move(state));

  return store_.commit(SessionCommit{remote_, &record, bundle.identity_key, std::nullopt, true});
}

}  // namespace hush
