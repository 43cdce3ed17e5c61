// How the secret columns (private keys, session and sender-key records) sit
// in the file: as they are in a plaintext store, or sealed with the store's
// protocol key, each value bound to the table and row it belongs to.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hush/address.hpp"
#include "hush/group.hpp"
#include "hush/storage_key.hpp"

namespace hush::store::detail {

// The context of the store's own subkey of the passphrase key. Only the
// store holds it: application_key() refuses this name.
inline constexpr std::string_view kProtocolKeyContext = "hush.store.protocol";

// Associated data of each sealed value: the table and the row's key, so a
// value copied to another row (or another table) does not open. Only the
// last fields are numbers or UUIDs, which contain no '|', so a name that
// does contain one cannot make two rows' strings equal.
std::string ad_local_identity();
std::string ad_prekey(std::uint32_t id);
std::string ad_signed_prekey(std::uint32_t id);
std::string ad_session(const ProtocolAddress& address);
std::string ad_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id);

class Sealer {
 public:
  // A plaintext store.
  Sealer() = default;
  // A sealed store; `protocol_key` is the passphrase key's
  // kProtocolKeyContext subkey.
  explicit Sealer(StorageKey protocol_key) noexcept : key_(std::move(protocol_key)) {}

  bool sealed() const noexcept { return key_.has_value(); }

  // The column value for `plain`: `plain` itself in a plaintext store (no
  // copy), else `plain` sealed under `ad` into `out`. Valid while `plain`
  // and `out` are.
  ByteView seal(ByteView plain, std::string_view ad, Bytes& out);

  // The plaintext of a column value: `column` itself in a plaintext store,
  // else opened into `out` (a SecretBytes, wiped with it). Errc::storage
  // naming `what` when the value does not authenticate under `ad`.
  Result<ByteView> open(ByteView column, std::string_view ad, SecretBytes& out, std::string_view what) const;

 private:
  std::optional<StorageKey> key_;
  // Nonces come from the OS, not from OpenOptions::rng, which need not
  // outlive open().
  SystemRng rng_;
};

}  // namespace hush::store::detail
