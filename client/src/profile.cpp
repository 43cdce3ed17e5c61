#include "hush/client/profile.hpp"

#include "hush/client/sqlite_client_state.hpp"
#include "hush/rng.hpp"

namespace hush::client {

namespace {

std::filesystem::path db_file(const std::filesystem::path& dir) {
  return dir / store::SqliteProtocolStore::kFileName;
}

Result<std::unique_ptr<ClientState>> open_state(const store::SqliteProtocolStore& store) {
  auto key = store.application_key(kClientKeyContext);
  if (!key) return make_error(Errc::storage, "the profile's store is not sealed");
  return SqliteClientState::open(store.path(), std::move(*key));
}

Result<Profile> create_in(const std::filesystem::path& dir, const std::string& username, std::string_view passphrase,
                          const KdfParams& kdf) {
  SystemRng rng;
  // libsignal's range for registration ids (14 bits, never 0).
  const std::uint32_t registration_id = rng.next_u32() % 16380 + 1;
  store::OpenOptions options{.address = username, .device_id = 1, .registration_id = registration_id, .rng = rng};
  options.passphrase = passphrase;
  options.kdf = kdf;
  Profile p;
  HUSH_ASSIGN(p.store, store::SqliteProtocolStore::open(dir, options));
  HUSH_ASSIGN(p.state, open_state(*p.store));
  return p;
}

}  // namespace

bool Profile::exists(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(db_file(dir), ec);
}

Result<Profile> Profile::create(const std::filesystem::path& dir, const std::string& username,
                                std::string_view passphrase, const KdfParams& kdf) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) return make_error(Errc::bad_request, "profile " + dir.string() + " exists");
  auto created = create_in(dir, username, passphrase, kdf);
  if (!created) std::filesystem::remove_all(dir, ec);
  return created;
}

Result<Profile> Profile::open(const std::filesystem::path& dir, std::string_view passphrase) {
  if (!exists(dir)) return make_error(Errc::bad_request, "no profile in " + dir.string());
  // The store must be opened with its owner's names; they are plaintext in
  // the client tables, so reading them needs no passphrase and writes nothing.
  HUSH_ASSIGN(auto owner, SqliteClientState::read_owner(db_file(dir)));
  if (!owner) return make_error(Errc::storage, "the profile in " + dir.string() + " was never completed");
  SystemRng rng;  // unused: the identity exists
  store::OpenOptions options{
      .address = owner->username, .device_id = owner->device_id, .registration_id = owner->registration_id, .rng = rng};
  options.passphrase = passphrase;
  Profile p;
  HUSH_ASSIGN(p.store, store::SqliteProtocolStore::open(dir, options));
  HUSH_ASSIGN(p.state, open_state(*p.store));
  return p;
}

}  // namespace hush::client
