// A hush profile on disk: one directory (mode 0700) holding one SQLite file
// (mode 0600) with the sealed protocol store (hush::store) and the client
// tables (SqliteClientState), both under keys derived from one passphrase.
// docs/CLIENT.md "Profile layout" describes the file.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "hush/client/client_state.hpp"
#include "hush/result.hpp"
#include "hush/storage_key.hpp"
#include "hush/store/sqlite_protocol_store.hpp"

namespace hush::client {

// The key context of the client tables (SqliteProtocolStore::application_key).
inline constexpr std::string_view kClientKeyContext = "hush.client.v1";

struct Profile {
  std::unique_ptr<store::SqliteProtocolStore> store;
  std::unique_ptr<ClientState> state;

  // Creates `dir` (which must not exist) with a new identity for `username`
  // as device 1 and empty client tables; registering is Messenger's job.
  // `kdf` is the passphrase stretching cost recorded in the file. On failure
  // nothing is left behind. Errors: bad_request (dir exists), storage.
  static Result<Profile> create(const std::filesystem::path& dir, const std::string& username,
                                std::string_view passphrase, const KdfParams& kdf);

  // Opens an existing profile. Errors: bad_request (no profile in `dir`),
  // wrong_passphrase (nothing in the profile was changed), storage
  // (unreadable, or a profile whose creation never finished).
  static Result<Profile> open(const std::filesystem::path& dir, std::string_view passphrase);

  // Whether `dir` holds a profile's database file.
  static bool exists(const std::filesystem::path& dir);
};

}  // namespace hush::client
