// fuzz_decrypt: Bob's SessionCipher::decrypt on a fixed, deterministic session
// with Alice (decrypt_fixture.hpp). Input: [type selector][body]; byte 0 even
// → type 2 (SignalMessage), odd → type 3 (PreKeySignalMessage), 7 → sender_key.
// Byte 0 in 0x40..0x7f → "forge": the harness builds a message with Alice's
// real keys and a valid MAC (byte 1 picks counter, PreKey wrapping and
// whether the rest is ciphertext or plaintext), so the fuzzer also reaches
// everything after the MAC check: CBC padding, skipped keys, duplicates.
//
// Invariants (abort on violation):
//   * a failed decrypt writes nothing to the store, and Bob's session record,
//     prekeys, signed prekeys and recorded identity are byte-identical after
//     it ("a failed decrypt changes nothing", session.hpp);
//   * a successful decrypt yields a plaintext Alice really sent, and a type-2
//     success was handed a SignalMessage Alice really sent (the MAC covers all
//     of it), i.e. no forgery gets through; a forged-with-Alice's-keys message
//     whose rest was encrypted decrypts to exactly that rest.
// After a success the store is rebuilt from the fixture, so every input runs
// against the same state and crashes reproduce from the input alone.
#include <algorithm>

#include "decrypt_fixture.hpp"
#include "fuzz_common.hpp"

namespace {

using namespace hush;

fuzz::DecryptFixture* g_fixture = nullptr;
std::unique_ptr<fuzz::WatchedStore> g_store;
Bytes g_digest;

bool contains(const std::vector<Bytes>& set, ByteView b) {
  return std::any_of(set.begin(), set.end(), [&](const Bytes& x) { return ct_equal(x, b); });
}

Result<SecretBytes> decrypt(MessageType type, ByteView body) {
  test::DeterministicRng rng(0xF022);  // fresh per input: the ratchet step's new key
  SessionCipher cipher(*g_store, g_fixture->alice, rng, g_fixture->clock);
  return cipher.decrypt(type, body);
}

// The fixture must behave before fuzzing means anything: every genuine
// message decrypts (to its plaintext) on its own, every duplicate fails, and
// a rebuilt store is identical to the first.
void self_test() {
  for (const auto& g : g_fixture->genuine) {
    g_store = g_fixture->make_bob_store();
    FUZZ_CHECK(g_fixture->digest(*g_store) == g_digest, "fixture store rebuilds differently");
    auto r = decrypt(g.type, g.body);
    if (r.ok() != g.decrypts) {
      std::fprintf(stderr, "fuzz_decrypt self-test: %s: expected %s, got %s\n", g.name.c_str(),
                   g.decrypts ? "success" : "failure", r.ok() ? "success" : "failure");
      if (!r.ok())
        std::fprintf(stderr, "  error: %s: %s\n", std::string(errc_name(r.code())).c_str(),
                     r.error().message.c_str());
      FUZZ_CHECK(false, "fixture self-test: a genuine message did not behave as scripted");
    }
    if (r.ok()) FUZZ_CHECK(ct_equal(r->view(), g.plaintext), "fixture self-test: wrong plaintext");
    else FUZZ_CHECK(g_fixture->digest(*g_store) == g_digest && g_store->writes() == 0,
                    "fixture self-test: a failed duplicate changed the store");
  }
  // Forged messages: counter 2 (Bob's next) and 0 (a skipped key) decrypt,
  // as type 2 and wrapped in a PreKey message; counter 1 is a duplicate.
  const Bytes text = {'f', 'o', 'r', 'g', 'e', 'd'};
  for (std::uint8_t flags : {0x22, 0x23, 0x02, 0x03, 0x12, 0x13}) {
    g_store = g_fixture->make_bob_store();
    auto r = decrypt(fuzz::forge_type(flags), g_fixture->forge(flags, text));
    const bool expect_ok = (flags >> 4) != 1;
    if (r.ok() != expect_ok && !r.ok())
      std::fprintf(stderr, "fuzz_decrypt self-test: forge flags %#x: %s: %s\n", flags,
                   std::string(errc_name(r.code())).c_str(), r.error().message.c_str());
    FUZZ_CHECK(r.ok() == expect_ok, "fixture self-test: a forged message did not behave as expected");
    if (r.ok()) FUZZ_CHECK(ct_equal(r->view(), text), "fixture self-test: forged message, wrong plaintext");
  }
  g_store = g_fixture->make_bob_store();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static fuzz::DecryptFixture fixture = fuzz::build_decrypt_fixture();
  g_fixture = &fixture;
  g_store = g_fixture->make_bob_store();
  g_digest = g_fixture->digest(*g_store);
  self_test();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool forged = fuzz::is_forge_selector(data[0]);
  if (forged && size < 2) return 0;
  const std::uint8_t flags = forged ? data[1] : 0;
  const MessageType type = forged ? fuzz::forge_type(flags) : fuzz::decrypt_type_for(data[0]);
  const ByteView rest(data + (forged ? 2 : 1), size - (forged ? 2 : 1));
  const Bytes forged_body = forged ? g_fixture->forge(flags, rest) : Bytes{};
  const ByteView body = forged ? ByteView(forged_body) : rest;

  auto r = decrypt(type, body);
  if (!r) {
    FUZZ_CHECK(r.code() != Errc::storage, "the in-memory store never fails, yet decrypt reported storage");
    if (g_store->writes() != 0) {
      std::fprintf(stderr, "==HUSH-FUZZ== failed decrypt (%s: %s) called %s\n",
                   std::string(errc_name(r.code())).c_str(), r.error().message.c_str(),
                   g_store->last_write().c_str());
    }
    FUZZ_CHECK(g_store->writes() == 0, "a failed decrypt wrote to the store");
    FUZZ_CHECK(g_fixture->digest(*g_store) == g_digest, "a failed decrypt changed the store");
    return 0;
  }
  FUZZ_CHECK(type != MessageType::sender_key, "decrypt accepted a sender-key message type");
  FUZZ_CHECK(g_store->writes() > 0, "a successful decrypt stored nothing");
  if (forged) {
    if (flags & fuzz::kForgeEncrypt) FUZZ_CHECK(ct_equal(r->view(), rest), "a forged message decrypted wrongly");
    g_store = g_fixture->make_bob_store();
    return 0;
  }
  FUZZ_CHECK(contains(g_fixture->plaintexts, r->view()), "decrypt produced a plaintext Alice never sent (forgery)");
  if (type == MessageType::whisper)
    FUZZ_CHECK(contains(g_fixture->signal_bodies, body), "a type-2 body Alice never sent decrypted (MAC bypass)");
  g_store = g_fixture->make_bob_store();
  return 0;
}
