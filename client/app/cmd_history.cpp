// hush history USER: the stored conversation, oldest first.
#include "commands.hpp"

namespace hush::app {

int run_history(const Globals& globals, const HistoryArgs& args) {
  auto session = open_session(globals);
  if (!session) return fail(session.error());
  auto messages = session->messenger->state().history(args.user, args.limit);
  if (!messages) return fail(messages.error());
  for (const auto& m : *messages) {
    if (globals.json)
      print_json(message_json(m, session->account.username, true));
    else
      print_line(message_text(m));
  }
  return kExitOk;
}

}  // namespace hush::app
