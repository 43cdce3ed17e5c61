// CapturingStore: a ProtocolStore decorator that reads through to the real
// store but keeps the SessionCommit of a decrypt instead of applying it.
//
// Why: SessionCipher commits the advanced session inside decrypt(). If the
// process died between that commit and storing the decrypted message, the
// message would be lost: the redelivered envelope would then fail with
// duplicate_message. Decrypting against this decorator lets Messenger store
// the message first, then apply() the session, then acknowledge (the order
// and its crash cases are in messenger.hpp).
//
// Writes other than commit() go straight to the real store (libhush's
// decrypt makes none). Thread safety: none, like the store it wraps.
#pragma once

#include <optional>

#include "hush/stores.hpp"

namespace hush::client::detail {

class CapturingStore final : public ProtocolStore {
 public:
  explicit CapturingStore(ProtocolStore& inner) : inner_(inner) {}

  const IdentityKeyPair& identity_key_pair() const override { return inner_.identity_key_pair(); }
  std::uint32_t local_registration_id() const override { return inner_.local_registration_id(); }
  Result<std::optional<IdentityKey>> get_identity(std::string_view name) const override {
    return inner_.get_identity(name);
  }
  Result<void> save_identity(std::string_view name, const IdentityKey& key) override {
    return inner_.save_identity(name, key);
  }
  Result<bool> is_trusted_identity(std::string_view name, const IdentityKey& key, Direction direction) const override {
    return inner_.is_trusted_identity(name, key, direction);
  }
  Result<std::optional<PreKeyRecord>> load_prekey(std::uint32_t id) const override { return inner_.load_prekey(id); }
  Result<void> store_prekey(const PreKeyRecord& record) override { return inner_.store_prekey(record); }
  Result<void> remove_prekey(std::uint32_t id) override { return inner_.remove_prekey(id); }
  Result<std::optional<SignedPreKeyRecord>> load_signed_prekey(std::uint32_t id) const override {
    return inner_.load_signed_prekey(id);
  }
  Result<void> store_signed_prekey(const SignedPreKeyRecord& record) override {
    return inner_.store_signed_prekey(record);
  }
  Result<std::optional<SessionRecord>> load_session(const ProtocolAddress& address) const override {
    return inner_.load_session(address);
  }
  Result<void> store_session(const ProtocolAddress& address, const SessionRecord& record) override {
    return inner_.store_session(address, record);
  }

  // Keeps a copy of the commit (moving the record when libhush says it is
  // disposable). A second commit replaces the first: one decrypt makes one.
  Result<void> commit(const SessionCommit& commit) override {
    if (commit.record == nullptr) return make_error(Errc::bad_request, "commit without a session record");
    captured_.emplace(Captured{commit.address,
                               commit.record_disposable ? std::move(*commit.record) : commit.record->clone(),
                               commit.identity, commit.consumed_prekey});
    return Ok{};
  }

  bool has_capture() const noexcept { return captured_.has_value(); }

  // Applies the captured commit to the real store (one transaction there).
  // bad_request when nothing was captured.
  Result<void> apply() {
    if (!captured_) return make_error(Errc::bad_request, "no captured session commit");
    SessionCommit c{captured_->address, &captured_->record, captured_->identity, captured_->consumed_prekey, true};
    auto r = inner_.commit(c);
    captured_.reset();
    return r;
  }

 private:
  struct Captured {
    ProtocolAddress address;
    SessionRecord record;
    std::optional<IdentityKey> identity;
    std::optional<std::uint32_t> consumed_prekey;
  };

  ProtocolStore& inner_;
  std::optional<Captured> captured_;
};

}  // namespace hush::client::detail
