// hush-interop: newline-delimited JSON requests on stdin, one response line
// each on stdout, flushed after every line; logs (none by default) go to
// stderr. End of input: exit 0.
#include <iostream>
#include <string>

#include "driver.hpp"

int main() {
  std::ios::sync_with_stdio(false);
  hush::interop::Driver driver;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    nlohmann::json response;
    try {
      response = driver.handle(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      // Only JSON parsing or a JSON type error reaches here; the library
      // itself reports errors as values.
      response = {{"ok", false}, {"error", "bad_request"}, {"message", std::string("not JSON: ") + e.what()}};
    }
    std::cout << response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n' << std::flush;
  }
  return 0;
}
