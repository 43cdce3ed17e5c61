// StorageKey (hush/storage_key.hpp) over the crypto seam.
#include "hush/storage_key.hpp"

#include "crypto/crypto.hpp"

namespace hush {

KdfParams KdfParams::interactive() noexcept {
  return {crypto::argon2id_opslimit_interactive(), crypto::argon2id_memlimit_interactive()};
}

KdfParams KdfParams::minimum() noexcept { return {crypto::argon2id_opslimit_min(), crypto::argon2id_memlimit_min()}; }

Result<StorageKey> StorageKey::derive(std::string_view passphrase, ByteView salt, const KdfParams& params) {
  if (salt.size() != kSaltBytes) return make_error(Errc::bad_request, "storage key salt must be 16 bytes");
  if (params.opslimit < crypto::argon2id_opslimit_min() || params.memlimit < crypto::argon2id_memlimit_min())
    return make_error(Errc::bad_request, "Argon2id parameters below libsodium's minimum");
  // The cost comes from the store's file; whoever can write the file must not
  // be able to stall every open for hours or exhaust memory.
  if (params.opslimit > KdfParams::kMaxOpslimit || params.memlimit > KdfParams::kMaxMemlimit)
    return make_error(Errc::bad_request, "Argon2id parameters above Hush's maximum (16 passes, 1 GiB)");
  Secret<32> key;
  if (!crypto::argon2id(passphrase, salt, params.opslimit, params.memlimit, key.mut()))
    return make_error(Errc::storage, "Argon2id failed (parameters refused or out of memory)");
  return StorageKey(std::move(key));
}

Bytes StorageKey::new_salt(Rng& rng) {
  Bytes salt(kSaltBytes);
  rng.fill(salt);
  return salt;
}

StorageKey StorageKey::subkey(std::string_view context) const {
  return StorageKey(crypto::blake2b_keyed(key_, as_bytes(context)));
}

Bytes StorageKey::seal(ByteView plaintext, ByteView associated_data, Rng& rng) const {
  Bytes out(kNonceBytes + plaintext.size() + kTagBytes);
  MutableByteView nonce{out.data(), kNonceBytes};
  rng.fill(nonce);
  crypto::xchacha_seal(key_, nonce, plaintext, associated_data, {out.data() + kNonceBytes, out.size() - kNonceBytes});
  return out;
}

Result<SecretBytes> StorageKey::open(ByteView sealed, ByteView associated_data) const {
  if (sealed.size() < kOverhead) return make_error(Errc::storage, "sealed value is too short");
  SecretBytes plain(sealed.size() - kOverhead);
  if (!crypto::xchacha_open(key_, sealed.first(kNonceBytes), sealed.subspan(kNonceBytes), associated_data, plain.mut()))
    return make_error(Errc::storage, "sealed value does not authenticate (wrong key, or tampered or moved)");
  return plain;
}

}  // namespace hush
