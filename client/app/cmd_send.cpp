// hush send USER TEXT: queue the message, connect, send everything queued
// (older messages first), and report what became of this one.
#include "commands.hpp"

namespace hush::app {

namespace {

std::string changed_warning(const std::string& user) {
  return user + "'s identity key changed: message not sent. Compare safety numbers with `hush verify " + user +
         "`, then accept the new key with `hush verify " + user + " --accept`";
}

int report_queued(const Globals& globals, const std::string& user, const client::MessageId& id, const Error& why) {
  if (globals.json)
    print_json({{"id", client::to_hex(id)}, {"to", user}, {"status", "queued"}});
  else
    print_line("queued for " + user + " (id " + client::to_hex(id) + ")");
  print_error("server unreachable (" + why.message +
              "); the message is queued and goes out with the next send, listen or chat");
  return kExitUnreachable;
}

}  // namespace

int run_send(const Globals& globals, const SendArgs& args) {
  auto session = open_session(globals);
  if (!session) return fail(session.error());
  auto& m = *session->messenger;

  auto queued = m.enqueue(args.user, args.text);
  if (!queued) {
    if (queued.code() == Errc::untrusted_identity) {
      print_error(changed_warning(args.user));
      return kExitIdentityChanged;
    }
    return fail(queued.error());
  }
  const client::MessageId id = *queued;

  if (auto connected = m.connect(); !connected) {
    if (connect_unreachable(connected.error())) return report_queued(globals, args.user, id, connected.error());
    return fail(connected.error());
  }
  for (const auto& e : m.take_events()) print_event(e, globals);

  auto outcomes = m.flush_report();
  for (const auto& e : m.take_events()) print_event(e, globals);
  if (!outcomes) {
    // Still queued when the send did not complete; a server refusal of
    // another kind (a status) is an error, the message stays queued.
    if (outcomes.code() == Errc::storage) return report_queued(globals, args.user, id, outcomes.error());
    print_error(outcomes.error().message + " (the message stays queued)");
    return kExitError;
  }
  int exit = kExitOk;
  bool mine_sent = false;
  for (const auto& o : *outcomes) {
    const bool mine = o.id == id;
    switch (o.status) {
      case client::SendOutcome::Status::sent:
        mine_sent = mine_sent || mine;
        break;
      case client::SendOutcome::Status::unknown_user:
        print_error((mine ? "" : "queued message: ") + std::string("unknown user ") + o.peer + "; not sent");
        if (mine) exit = kExitError;
        break;
      case client::SendOutcome::Status::identity_changed:
        print_error(changed_warning(o.peer));
        if (mine) exit = kExitIdentityChanged;
        break;
      case client::SendOutcome::Status::rejected:
        print_error("the server refused the message to " + o.peer + "; not sent");
        if (mine) exit = kExitError;
        break;
    }
  }
  // Not among the outcomes at all: another hush process on this profile
  // sent it meanwhile (both saw it in the outbox). Sent either way.
  if (mine_sent || exit == kExitOk) {
    if (globals.json)
      print_json({{"id", client::to_hex(id)}, {"to", args.user}, {"status", "sent"}});
    else
      print_line("sent to " + args.user + " (id " + client::to_hex(id) + ")");
  }
  return exit;
}

}  // namespace hush::app
