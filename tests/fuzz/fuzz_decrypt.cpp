// fuzz_decrypt: Bob's SessionCipher::decrypt on a fixed, deterministic session
// with Alice (decrypt_fixture.hpp). Input: [type selector][body]; byte 0 even
// → type 2 (SignalMessage), odd → type 3 (PreKeySignalMessage), 7 → sender_key.
//
// Invariants (abort on violation):
//   * a failed decrypt writes nothing to the store, and Bob's session record,
//     prekeys, signed prekeys and recorded identity are byte-identical after
//     it ("a failed decrypt changes nothing", session.hpp);
//   * a successful decrypt yields a plaintext Alice really sent, and a type-2
//     success was handed a SignalMessage Alice really sent (the MAC covers all
//     of it), i.e. no forgery gets through.
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
  const MessageType type = fuzz::decrypt_type_for(data[0]);
  const ByteView body(data + 1, size - 1);

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
  FUZZ_CHECK(contains(g_fixture->plaintexts, r->view()), "decrypt produced a plaintext Alice never sent (forgery)");
  if (type == MessageType::whisper)
    FUZZ_CHECK(contains(g_fixture->signal_bodies, body), "a type-2 body Alice never sent decrypted (MAC bypass)");
  FUZZ_CHECK(g_store->writes() > 0, "a successful decrypt stored nothing");
  g_store = g_fixture->make_bob_store();
  return 0;
}
