// hush contacts: one line per contact, from the profile alone.
#include "commands.hpp"

namespace hush::app {

int run_contacts(const Globals& globals) {
  auto session = open_session(globals);
  if (!session) return fail(session.error());
  auto contacts = session->messenger->state().contacts();
  if (!contacts) return fail(contacts.error());
  if (globals.json) {
    auto out = nlohmann::json::array();
    for (const auto& c : *contacts) {
      nlohmann::json j{{"user", c.name}, {"verified", c.verified}, {"identity_changed", c.identity_changed}};
      j["last_message_at"] = c.last_message_ms ? nlohmann::json(*c.last_message_ms) : nlohmann::json(nullptr);
      out.push_back(std::move(j));
    }
    print_json(out);
    return kExitOk;
  }
  for (const auto& c : *contacts) {
    const std::string state = c.identity_changed ? "KEY CHANGED" : c.verified ? "verified" : "unverified";
    const std::string last = c.last_message_ms ? format_time(*c.last_message_ms) : "-";
    print_line(terminal_safe(c.name) + "  " + state + "  " + last);
  }
  return kExitOk;
}

}  // namespace hush::app
