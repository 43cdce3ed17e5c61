#include "app.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "hush/client/profile.hpp"

namespace hush::app {

void print_error(std::string_view message) {
  std::string line = "hush: " + terminal_safe(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

int fail(const Error& error) {
  switch (error.code) {
    case Errc::wrong_passphrase:
      // The store's own message may name internals; the user needs one fact.
      print_error(error.message.rfind("no passphrase", 0) == 0 ? error.message : "wrong passphrase");
      return kExitPassphrase;
    case Errc::untrusted_identity:
      print_error(error.message);
      return kExitIdentityChanged;
    default:
      print_error(error.message);
      return kExitError;
  }
}

void print_line(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void print_json(const nlohmann::json& j) {
  // A peer's text may be invalid UTF-8: replaced, never a throw.
  print_line(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

bool valid_profile_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.') return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::filesystem::path profile_dir(const Globals& globals) {
  std::filesystem::path base;
  if (const char* d = std::getenv("HUSH_DATA_DIR"); d != nullptr && *d != '\0') {
    base = d;
  } else if (const char* x = std::getenv("XDG_DATA_HOME"); x != nullptr && *x != '\0') {
    base = std::filesystem::path(x) / "hush";
  } else {
    const char* home = std::getenv("HOME");
    base = std::filesystem::path(home != nullptr ? home : ".") / ".local" / "share" / "hush";
  }
  return base / "profiles" / globals.profile;
}

Result<client::Endpoint> parse_server_url(std::string_view url, const std::string& ca_file) {
  client::Endpoint e;
  std::string_view rest = url;
  if (rest.rfind("https://", 0) == 0) {
    e.tls = true;
    rest.remove_prefix(8);
  } else if (rest.rfind("http://", 0) == 0) {
    rest.remove_prefix(7);
  } else {
    return make_error(Errc::bad_request, "server URL must start with http:// or https://: " + std::string(url));
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::string_view host = rest, port;
  if (!rest.empty() && rest.front() == '[') {  // [v6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return make_error(Errc::bad_request, "bad server URL: " + std::string(url));
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return make_error(Errc::bad_request, "bad server URL: " + std::string(url));
      port = rest.substr(close + 2);
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty() || host.find('/') != std::string_view::npos)
    return make_error(Errc::bad_request, "bad server URL: " + std::string(url));
  unsigned long p = e.tls ? 443 : 80;
  if (!port.empty()) {
    char* end = nullptr;
    const std::string port_text(port);
    p = std::strtoul(port_text.c_str(), &end, 10);
    if (*end != '\0' || p == 0 || p > 65535)
      return make_error(Errc::bad_request, "bad port in server URL: " + std::string(url));
  }
  e.host = std::string(host);
  e.port = static_cast<std::uint16_t>(p);
  e.server_name = e.host;
  e.ca_file = ca_file;
  e.timeout = std::chrono::seconds(10);
  return e;
}

Result<Session> open_session(const Globals& globals) {
  Session s;
  s.profile = globals.profile;
  s.dir = profile_dir(globals);
  if (!client::Profile::exists(s.dir))
    return make_error(Errc::bad_request,
                      "no profile " + globals.profile + " (" + s.dir.string() + "); create it with hush init");
  HUSH_ASSIGN(std::string passphrase, read_passphrase(false));
  HUSH_ASSIGN(client::Profile profile, client::Profile::open(s.dir, passphrase));
  HUSH_ASSIGN(auto account, profile.state->load_account());
  if (!account) return make_error(Errc::storage, "profile " + globals.profile + " has no account");
  HUSH_ASSIGN(client::Endpoint endpoint, parse_server_url(account->server, account->ca_file));
  client::MessengerOptions options;
  options.endpoint = endpoint;
  options.server = account->server;
  options.keep_inbox = false;
  options.request_timeout = std::chrono::seconds(10);
  s.account = std::move(*account);
  auto opened = client::Messenger::open(std::move(options), std::move(profile.store), std::move(profile.state));
  if (!opened) {
    if (!s.account.registered)
      return make_error(Errc::storage, "profile " + globals.profile + " never finished registering; remove " +
                                           s.dir.string() + " and run hush init again");
    return std::move(opened).error();
  }
  s.messenger = std::move(*opened);
  return s;
}

bool connect_unreachable(const Error& error) {
  // RelayClient::connect: a refused upgrade's message starts "HTTP <status>".
  // A certificate that does not verify is a configuration error, not an
  // outage: waiting will not fix it.
  return error.code == Errc::storage && error.message.rfind("HTTP ", 0) != 0 &&
         error.message.find("certificate verify failed") == std::string::npos;
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::string format_time(std::uint64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// UTF-8 decoding by the table of RFC 3629 §4; anything else is one '?'.
std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      // C0 controls and DEL would move the cursor or start escapes.
      out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len != 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) ok = false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    // Overlong forms, surrogates, beyond U+10FFFF, and the C1 controls
    // (U+0080..U+009F: some terminals treat them as CSI and friends).
    if (ok && ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
               (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f)))
      ok = false;
    if (!ok) {
      out.push_back('?');
      ++i;
      continue;
    }
    out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

std::string message_text(const client::StoredMessage& m) {
  const std::string who = m.direction == client::MessageDirection::out ? "me" : m.peer;
  return "[" + format_time(m.sent_ms) + "] " + terminal_safe(who) + ": " + terminal_safe(m.body);
}

nlohmann::json message_json(const client::StoredMessage& m, const std::string& own_name, bool with_direction) {
  nlohmann::json j{{"type", "message"},    {"from", m.direction == client::MessageDirection::out ? own_name : m.peer},
                   {"device", m.device},   {"id", client::to_hex(m.id)},
                   {"sent_at", m.sent_ms}, {"received_at", m.received_ms},
                   {"body", m.body}};
  if (with_direction) {
    j["direction"] = m.direction == client::MessageDirection::out ? "out" : "in";
    if (m.direction == client::MessageDirection::out) j["to"] = m.peer;
  }
  return j;
}

bool print_event(const client::MessengerEvent& e, const Globals& globals) {
  using Type = client::MessengerEvent::Type;
  switch (e.type) {
    case Type::message:
      if (globals.json)
        print_json(message_json(e.message, "", false));
      else
        print_line(message_text(e.message));
      return true;
    case Type::undecryptable:
      if (globals.json)
        print_json({{"type", "undecryptable"},
                    {"from", e.peer},
                    {"device", e.device},
                    {"reason", std::string(errc_name(e.reason))}});
      else
        print_error("a message from " + e.peer + " (device " + std::to_string(e.device) + ") could not be decrypted (" +
                    std::string(errc_name(e.reason)) + "); it was recorded and dropped");
      return false;
    case Type::identity_changed:
      if (globals.json)
        print_json({{"type", "identity_changed"}, {"user", e.peer}});
      else
        print_error(e.peer + "'s identity key changed; compare safety numbers with `hush verify " + e.peer +
                    "`, then accept it with `hush verify " + e.peer + " --accept`");
      return false;
    case Type::warning:
      print_error("warning: " + e.text);
      return false;
  }
  return false;
}

}  // namespace hush::app
