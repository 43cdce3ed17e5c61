// What every hush command shares: exit codes, the global options, finding
// and opening the profile, the passphrase, and output helpers.
// docs/CLIENT.md is the user-facing description; the command-line contract
// (names, exit codes, formats) is fixed there.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "hush/client/client_state.hpp"
#include "hush/client/endpoint.hpp"
#include "hush/client/messenger.hpp"
#include "hush/result.hpp"

namespace hush::app {

enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,
  kExitUsage = 2,            // CLI11's parse errors
  kExitPassphrase = 3,       // wrong or no passphrase
  kExitIdentityChanged = 4,  // a contact's key changed: sending refused
  kExitUnreachable = 5,      // the server could not be reached
};

struct Globals {
  std::string profile = "default";
  bool json = false;
};

// `hush: <message>` on stderr (one line).
void print_error(std::string_view message);
// print_error, and the exit code for the error's Errc: wrong_passphrase 3
// ("hush: wrong passphrase"), untrusted_identity 4, anything else 1.
int fail(const Error& error);
// A line on stdout, flushed (other programs read hush through pipes).
void print_line(std::string_view line);
void print_json(const nlohmann::json& j);

// Profile names: [A-Za-z0-9._-]{1,64}, not starting with '.'.
bool valid_profile_name(std::string_view name);
// $HUSH_DATA_DIR, else $XDG_DATA_HOME/hush, else ~/.local/share/hush;
// then profiles/<NAME>.
std::filesystem::path profile_dir(const Globals& globals);

// $HUSH_PASSPHRASE, else a no-echo prompt on the terminal (twice when
// `confirm`). Errors: wrong_passphrase when there is neither (message says
// so), bad_request when the two entries differ or it is empty at init.
Result<std::string> read_passphrase(bool confirm);

// http://host:port or https://host:port (a trailing slash is fine).
Result<client::Endpoint> parse_server_url(std::string_view url, const std::string& ca_file);

// An opened, registered profile and its Messenger.
struct Session {
  std::filesystem::path dir;
  std::string profile;
  client::AccountRecord account;
  std::unique_ptr<client::Messenger> messenger;
};
// Opens the profile named by `globals`. Errors: bad_request (no profile:
// "no profile NAME; create it with hush init"), wrong_passphrase, storage.
Result<Session> open_session(const Globals& globals);

// Replaces what a terminal would interpret (control characters, escape
// sequences, invalid UTF-8) so a peer's text cannot drive the terminal.
std::string terminal_safe(std::string_view text);
// Local time "YYYY-MM-DD HH:MM:SS" of a ms timestamp.
std::string format_time(std::uint64_t ms);

// The line formats of listen and history.
std::string message_text(const client::StoredMessage& m);
nlohmann::json message_json(const client::StoredMessage& m, const std::string& own_name, bool with_direction);

// Prints a Messenger event as listen does; true for a new message.
bool print_event(const client::MessengerEvent& event, const Globals& globals);

// Whether a failed Messenger::connect() means "server unreachable" (exit 5)
// rather than a refusal (an HTTP status: bad credentials, rate limit).
bool connect_unreachable(const Error& error);

// Milliseconds since the Unix epoch.
std::uint64_t now_ms();

}  // namespace hush::app
