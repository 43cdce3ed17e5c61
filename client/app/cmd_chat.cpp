// hush chat: the full-screen UI lands in the next commit.
#include "commands.hpp"

namespace hush::app {

int run_chat(const Globals& globals, const ChatArgs&) {
  auto session = open_session(globals);
  if (!session) return fail(session.error());
  print_error("hush chat is not built yet");
  return kExitError;
}

}  // namespace hush::app
