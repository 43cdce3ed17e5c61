// One function per hush command (client/app/cmd_*.cpp); each returns the
// process exit code (app.hpp ExitCode). main.cpp parses the command line
// into these structs.
#pragma once

#include <optional>
#include <string>

#include "app.hpp"

namespace hush::app {

struct InitArgs {
  std::string server;
  std::string user;
  std::string invite;
  std::string ca_file;
};
int run_init(const Globals& globals, const InitArgs& args);

struct SendArgs {
  std::string user;
  std::string text;
};
int run_send(const Globals& globals, const SendArgs& args);

struct ListenArgs {
  bool once = false;
  std::optional<std::uint64_t> count;
  std::optional<double> timeout_seconds;
};
int run_listen(const Globals& globals, const ListenArgs& args);

struct ChatArgs {
  std::string user;
};
int run_chat(const Globals& globals, const ChatArgs& args);

int run_contacts(const Globals& globals);

struct VerifyArgs {
  std::string user;
  bool confirm = false;
  bool accept = false;
};
int run_verify(const Globals& globals, const VerifyArgs& args);

struct HistoryArgs {
  std::string user;
  std::size_t limit = 0;  // 0: all
};
int run_history(const Globals& globals, const HistoryArgs& args);

int run_status(const Globals& globals);

}  // namespace hush::app
