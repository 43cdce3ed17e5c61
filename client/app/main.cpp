// hush: the terminal client. Parses the command line (CLI11) and runs one
// command; docs/CLIENT.md describes them.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"

namespace {

using namespace hush::app;

// Global options are accepted before or after the subcommand: each
// subcommand falls through to the top-level app for options it lacks.
CLI::App* add_command(CLI::App& app, const std::string& name, const std::string& description) {
  auto* sub = app.add_subcommand(name, description);
  sub->fallthrough();
  return sub;
}

}  // namespace

int main(int argc, char** argv) {
  // Everything hush creates is for the user alone (the stores also set
  // their modes explicitly; this covers anything else).
  ::umask(077);

  CLI::App app{
      "hush: end-to-end encrypted chat in the terminal.\n"
      "Messages are encrypted on this machine (the Signal protocol); the server sees only ciphertext.\n"
      "Start with `hush init`, then `hush send`, `hush listen` or `hush chat`.\n"
      "Environment: HUSH_DATA_DIR (profiles' home), HUSH_PROFILE, HUSH_PASSPHRASE (for scripts).\n"
      "Exit codes: 0 ok, 1 error, 2 usage, 3 wrong or no passphrase, 4 a contact's key changed,\n"
      "5 server unreachable.",
      "hush"};
  app.require_subcommand(1);
  Globals globals;
  if (const char* env = std::getenv("HUSH_PROFILE"); env != nullptr && *env != '\0') globals.profile = env;
  app.add_option("--profile", globals.profile, "Profile to use (default: $HUSH_PROFILE, else \"default\")")
      ->check([](const std::string& name) {
        return valid_profile_name(name) ? std::string()
                                        : std::string("profile names are [A-Za-z0-9._-]{1,64}, not starting with '.'");
      });
  app.add_flag("--json", globals.json, "Machine-readable output (JSON)");

  InitArgs init;
  auto* init_cmd = add_command(app, "init",
                               "Create a profile and register a new account on a server.\n"
                               "Asks for a passphrase twice (or reads HUSH_PASSPHRASE); it encrypts the profile.");
  init_cmd->add_option("--server", init.server, "Server URL, http://host:port or https://host:port")->required();
  init_cmd->add_option("--user", init.user, "Username to register (3-32 of a-z 0-9 _ . -, starting with a letter)")
      ->required();
  init_cmd->add_option("--invite", init.invite, "Invite token from the server's operator (hushd invite create)");
  init_cmd->add_option("--ca-file", init.ca_file, "PEM certificate to trust for https (e.g. a self-signed server's)")
      ->check(CLI::ExistingFile);

  SendArgs send;
  auto* send_cmd =
      add_command(app, "send",
                  "Send one message. Waits for the server's acknowledgement; if the server cannot be\n"
                  "reached the message stays queued (exit 5) and goes out with the next send, listen or chat.");
  send_cmd->add_option("USER", send.user, "Recipient")->required();
  send_cmd->add_option("TEXT", send.text, "Message text")->required();

  ListenArgs listen;
  std::uint64_t count = 0;
  double timeout = 0;
  auto* listen_cmd = add_command(app, "listen",
                                 "Receive messages and print them, one line each. Sends queued messages first.\n"
                                 "Runs until interrupted (Ctrl-C) unless --once, --count or --timeout says otherwise;\n"
                                 "reconnects by itself when the connection drops.");
  listen_cmd->add_flag("--once", listen.once, "Exit once the server's queue for this device is drained");
  auto* count_opt = listen_cmd->add_option("--count", count, "Exit after N new messages")
                        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  auto* timeout_opt =
      listen_cmd->add_option("--timeout", timeout, "Exit (0) after SECONDS")->check(CLI::NonNegativeNumber);

  ChatArgs chat;
  auto* chat_cmd = add_command(app, "chat",
                               "Full-screen conversation with USER: history, live messages, an input line.\n"
                               "Enter sends; /quit or Ctrl-D exits.");
  chat_cmd->add_option("USER", chat.user, "Who to talk to")->required();

  auto* contacts_cmd = add_command(app, "contacts", "List contacts: verification state and last message time.");

  VerifyArgs verify;
  auto* verify_cmd = add_command(app, "verify",
                                 "Show the safety number shared with USER. Compare it with theirs (in person or on a\n"
                                 "call); if it matches, run again with --confirm. After USER's key changed, sending\n"
                                 "stays refused until you run it with --accept.");
  verify_cmd->add_option("USER", verify.user, "Contact")->required();
  verify_cmd->add_flag("--confirm", verify.confirm, "Mark USER as verified (after comparing the numbers)");
  verify_cmd->add_flag("--accept", verify.accept, "Accept USER's changed identity key (USER becomes unverified)");

  HistoryArgs history;
  auto* history_cmd = add_command(app, "history", "Show the stored messages with USER, oldest first.");
  history_cmd->add_option("USER", history.user, "Contact")->required();
  history_cmd->add_option("--limit", history.limit, "Only the last N messages")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));

  auto* status_cmd = add_command(app, "status",
                                 "Show the profile, account and server, whether the server is reachable, one-time\n"
                                 "prekeys left on the server, queued messages and contacts.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  if (!valid_profile_name(globals.profile)) {
    print_error("bad profile name \"" + globals.profile + "\" (from HUSH_PROFILE): use [A-Za-z0-9._-]{1,64}");
    return kExitUsage;
  }
  if (count_opt->count() > 0) listen.count = count;
  if (timeout_opt->count() > 0) listen.timeout_seconds = timeout;

  if (init_cmd->parsed()) return run_init(globals, init);
  if (send_cmd->parsed()) return run_send(globals, send);
  if (listen_cmd->parsed()) return run_listen(globals, listen);
  if (chat_cmd->parsed()) return run_chat(globals, chat);
  if (contacts_cmd->parsed()) return run_contacts(globals);
  if (verify_cmd->parsed()) return run_verify(globals, verify);
  if (history_cmd->parsed()) return run_history(globals, history);
  if (status_cmd->parsed()) return run_status(globals);
  return kExitUsage;
}
