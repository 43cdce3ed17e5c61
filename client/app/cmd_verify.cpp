// hush verify USER [--confirm] [--accept]: the safety number, and the two
// decisions a user makes about a contact's key.
//
// Safety numbers are libhush's displayable fingerprints (hush/fingerprint.hpp)
// as Signal shows them: version 2, 5200 iterations, each party identified by
// its username's bytes. Both sides compute the same 60 digits.
#include "commands.hpp"
#include "hush/fingerprint.hpp"

namespace hush::app {

namespace {

constexpr std::uint32_t kFingerprintVersion = 2;
constexpr std::uint32_t kFingerprintIterations = 5200;

// 12 groups of 5 digits, in 3 rows of 4 as Signal lays them out.
std::string grouped(const std::string& digits, bool rows) {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); i += 5) {
    if (i != 0) out += rows && i % 20 == 0 ? "\n" : " ";
    out += digits.substr(i, 5);
  }
  return out;
}

}  // namespace

int run_verify(const Globals& globals, const VerifyArgs& args) {
  auto session = open_session(globals);
  if (!session) return fail(session.error());
  auto& m = *session->messenger;

  auto contact = m.state().contact(args.user);
  if (!contact) return fail(contact.error());
  if (args.accept) {
    if (*contact && (*contact)->identity_changed) {
      if (auto accepted = m.accept_identity(args.user); !accepted) {
        if (accepted.code() == Errc::storage && m.directory().last_status() == 0) {
          print_error("cannot reach the server to fetch " + args.user + "'s new key: " + accepted.error().message);
          return kExitUnreachable;
        }
        return fail(accepted.error());
      }
    } else {
      print_error(args.user + "'s identity key has not changed; nothing to accept");
    }
  }
  auto key = m.peer_identity(args.user);
  if (!key) {
    if (key.code() == Errc::storage && m.directory().last_status() == 0) {
      print_error("cannot reach the server to fetch " + args.user + "'s key: " + key.error().message);
      return kExitUnreachable;
    }
    return fail(key.error());
  }
  if (args.confirm) {
    if (auto confirmed = m.set_verified(args.user, true); !confirmed) {
      if (confirmed.code() == Errc::bad_request) {
        print_error(args.user + "'s identity key changed: accept it first with `hush verify " + args.user +
                    " --accept`");
        return kExitIdentityChanged;
      }
      return fail(confirmed.error());
    }
  }
  const auto& own = m.username();
  auto fingerprint = compute_fingerprint(kFingerprintVersion, kFingerprintIterations, as_bytes(own),
                                         m.store().identity_key_pair().public_key, as_bytes(args.user), *key);
  if (!fingerprint) return fail(fingerprint.error());
  contact = m.state().contact(args.user);
  if (!contact) return fail(contact.error());
  const bool verified = *contact && (*contact)->verified;
  const bool changed = *contact && (*contact)->identity_changed;

  if (globals.json) {
    print_json({{"user", args.user},
                {"safety_number", fingerprint->displayable},
                {"verified", verified},
                {"identity_changed", changed}});
    return kExitOk;
  }
  const std::string state = changed ? "KEY CHANGED" : verified ? "verified" : "unverified";
  print_line("Safety number with " + terminal_safe(args.user) + " (" + state + "):");
  print_line(grouped(fingerprint->displayable, true));
  if (changed)
    print_line("This is the number for " + args.user + "'s NEW key. If it matches theirs, run `hush verify " +
               args.user + " --accept`.");
  else if (!verified)
    print_line("Compare it with " + args.user + "'s screen; if every digit matches, run `hush verify " + args.user +
               " --confirm`.");
  return kExitOk;
}

}  // namespace hush::app
