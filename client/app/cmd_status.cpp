// hush status: the profile and what the server says about it.
#include "commands.hpp"

namespace hush::app {

int run_status(const Globals& globals) {
  auto session = open_session(globals);
  if (!session) return fail(session.error());
  auto& m = *session->messenger;
  const bool reachable = m.directory().healthz().ok();
  std::optional<std::uint32_t> prekeys;
  if (reachable) {
    auto count = m.directory().prekey_count(m.credentials());
    if (count) prekeys = *count;
  }
  auto outbox = m.state().outbox_size();
  if (!outbox) return fail(outbox.error());
  auto contacts = m.state().contacts();
  if (!contacts) return fail(contacts.error());
  const auto& a = session->account;
  if (globals.json) {
    nlohmann::json j{{"profile", session->profile}, {"user", a.username},     {"device", a.device_id},
                     {"server", a.server},          {"reachable", reachable}, {"outbox", *outbox},
                     {"contacts", contacts->size()}};
    j["prekeys_on_server"] = prekeys ? nlohmann::json(*prekeys) : nlohmann::json(nullptr);
    print_json(j);
    return kExitOk;
  }
  print_line("Profile:   " + session->profile + " (" + session->dir.string() + ")");
  print_line("User:      " + a.username + " (device " + std::to_string(a.device_id) + ")");
  print_line("Server:    " + a.server + (reachable ? " (reachable)" : " (unreachable)"));
  print_line("Prekeys:   " +
             (prekeys ? std::to_string(*prekeys) + " one-time prekeys left on the server" : std::string("unknown")));
  print_line("Outbox:    " + std::to_string(*outbox) + " queued");
  print_line("Contacts:  " + std::to_string(contacts->size()));
  return kExitOk;
}

}  // namespace hush::app
