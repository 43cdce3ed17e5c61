#include "local_identity.hpp"

#include <limits>

namespace hush::store::detail {

namespace {

Error corrupt(std::string_view what) {
  return make_error(Errc::storage, "local identity is corrupt: " + std::string(what));
}

bool fits_u32(std::int64_t v) {
  return v >= 0 && v <= std::numeric_limits<std::uint32_t>::max();
}

std::string describe(std::string_view address, std::int64_t device_id, std::int64_t registration_id) {
  return std::string(address) + "." + std::to_string(device_id) + " (registration id " +
         std::to_string(registration_id) + ")";
}

// Reads the row the cursor is on. The private key goes from SQLite's buffer
// (plaintext store) or from the wiped buffer it is opened into (sealed store)
// straight into PrivateKey's Secret.
Result<LocalIdentity> read_row(const StatementUse& row, const Sealer& sealer) {
  auto device_id = row.column_int(1);
  auto registration_id = row.column_int(2);
  if (!fits_u32(device_id) || !fits_u32(registration_id)) return corrupt("device or registration id out of range");
  auto pub = PublicKey::deserialize(row.column_blob(3));
  if (!pub) return corrupt("public key does not parse");
  SecretBytes opened;
  HUSH_ASSIGN(ByteView priv_bytes, sealer.open(row.column_blob(4), ad_local_identity(), opened, "local identity key"));
  auto priv = PrivateKey::deserialize(priv_bytes);
  if (!priv) return corrupt("private key does not parse");
  // The pair must belong together: a mismatch would make every session we
  // build unusable, so fail loudly at open instead.
  if (!(priv->public_key() == *pub)) return corrupt("public key does not match private key");
  return LocalIdentity{std::string(row.column_text(0)), static_cast<std::uint32_t>(device_id),
                       static_cast<std::uint32_t>(registration_id), KeyPair{*pub, std::move(*priv)}};
}

Result<void> check_owner(const LocalIdentity& stored, const OpenOptions& options) {
  if (stored.address == options.address && stored.device_id == options.device_id &&
      stored.registration_id == options.registration_id)
    return Ok{};
  return make_error(Errc::bad_request,
                    "store belongs to " + describe(stored.address, stored.device_id, stored.registration_id) +
                        ", not " + describe(options.address, options.device_id, options.registration_id));
}

constexpr const char* kSelectOwner =
    "SELECT address, device_id, registration_id, public_key, private_key FROM local_identity WHERE id = 1";

}  // namespace

Result<LocalIdentity> load_local_identity(Connection& db, const OpenOptions& options, const Sealer& sealer) {
  Statement select;
  HUSH_TRY(select.prepare(db.get(), "load local identity", kSelectOwner));
  StatementUse use(select);
  HUSH_ASSIGN(bool found, use.step());
  // Owner rows are never deleted: unlock() saw this one.
  if (!found) return corrupt("the owner row is missing");
  HUSH_ASSIGN(auto stored, read_row(use, sealer));
  HUSH_TRY(check_owner(stored, options));
  return stored;
}

Result<std::optional<LocalIdentity>> create_local_identity(Connection& db, const OpenOptions& options, Sealer& sealer,
                                                           const std::optional<EncryptionHeader>& header) {
  Transaction tx(db);
  HUSH_TRY(tx.begin());
  {
    // Another process may have created the store while we waited for the
    // lock, perhaps sealed differently: leave it to unlock() again.
    Statement select;
    HUSH_TRY(select.prepare(db.get(), "load local identity", kSelectOwner));
    StatementUse use(select);
    HUSH_ASSIGN(bool found, use.step());
    if (found) return std::optional<LocalIdentity>{};
  }

  if (header) HUSH_TRY(write_encryption_header(db, *header));
  LocalIdentity created{options.address, options.device_id, options.registration_id,
                        IdentityKeyPair::generate(options.rng)};
  Statement insert;
  HUSH_TRY(insert.prepare(db.get(), "create local identity",
                          "INSERT INTO local_identity "
                          "(id, address, device_id, registration_id, public_key, private_key) "
                          "VALUES (1, ?, ?, ?, ?, ?)"));
  {
    auto pub = created.key_pair.public_key.serialize();
    Bytes sealed;
    StatementUse use(insert);
    use.bind_text(1, created.address)
        .bind_int(2, created.device_id)
        .bind_int(3, created.registration_id)
        .bind_blob(4, pub)
        .bind_blob(5, sealer.seal(created.key_pair.private_key.serialize(), ad_local_identity(), sealed));
    HUSH_TRY(use.run());
  }
  HUSH_TRY(tx.commit());
  return std::optional<LocalIdentity>{std::move(created)};
}

}  // namespace hush::store::detail
