// hush init: a new profile and a new account (device 1) on a server.
#include <system_error>

#include "commands.hpp"
#include "hush/client/profile.hpp"

namespace hush::app {

int run_init(const Globals& globals, const InitArgs& args) {
  const auto dir = profile_dir(globals);
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    print_error("profile " + globals.profile + " already exists (" + dir.string() + ")");
    return kExitError;
  }
  std::string ca_file;
  if (!args.ca_file.empty()) ca_file = std::filesystem::absolute(args.ca_file, ec).string();
  auto endpoint = parse_server_url(args.server, ca_file);
  if (!endpoint) return fail(endpoint.error());
  auto passphrase = read_passphrase(true);
  if (!passphrase) return fail(passphrase.error());

  auto profile = client::Profile::create(dir, args.user, *passphrase, KdfParams::interactive());
  if (!profile) return fail(profile.error());
  client::MessengerOptions options;
  options.endpoint = *endpoint;
  options.server = args.server;
  options.username = args.user;
  if (!args.invite.empty()) options.invite = args.invite;
  options.prekey_batch = 100;
  auto created = client::Messenger::create_account(options, std::move(profile->store), std::move(profile->state));
  if (!created) {
    std::filesystem::remove_all(dir, ec);
    return fail(created.error());
  }
  auto& messenger = **created;
  if (auto registered = messenger.register_on_server(); !registered) {
    if (!messenger.registered()) {
      // The server has no account: leave nothing behind, so init can be
      // run again (with another name, or once the server is up).
      const bool unreachable = messenger.directory().last_status() == 0 && connect_unreachable(registered.error());
      created->reset();
      std::filesystem::remove_all(dir, ec);
      print_error("registration failed: " + registered.error().message);
      return unreachable ? kExitUnreachable : kExitError;
    }
    // Registered, but the keys did not all reach the server: the profile
    // is kept; the next connect finishes the signed prekey.
    print_error("registered, but publishing keys failed (retried when hush next connects): " +
                registered.error().message);
  }
  if (globals.json) {
    print_json({{"user", args.user}, {"device", 1}, {"server", args.server}, {"profile", globals.profile}});
  } else {
    print_line("Registered " + args.user + " (device 1) on " + args.server);
  }
  return kExitOk;
}

}  // namespace hush::app
