// fuzz_record_decrypt: a stored session record is untrusted input too (a
// corrupted or tampered database). Input: [selector][SessionRecord bytes].
// If the record deserializes, it becomes Bob's session with Alice in the
// fuzz_decrypt fixture's store, and then
//   selector bit 7 set → Bob encrypts a fixed message to Alice with it;
//   otherwise        → Bob decrypts fixture message (selector % count).
// Besides "no crash, no UB, no leak": a failed call writes nothing to the
// store, a success writes, and a successful encrypt's output parses.
#include "decrypt_fixture.hpp"
#include "fuzz_common.hpp"
#include "wire/prekey_signal_message.hpp"

namespace {

using namespace hush;
const fuzz::DecryptFixture* g_fixture = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static const fuzz::DecryptFixture fixture = fuzz::build_decrypt_fixture();
  g_fixture = &fixture;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || g_fixture->genuine.empty()) return 0;
  auto record = SessionRecord::deserialize(ByteView(data + 1, size - 1));
  if (!record) return 0;
  auto store = g_fixture->make_bob_store();
  FUZZ_CHECK(store->inner().store_session(g_fixture->alice, *record).ok(), "in-memory store_session failed");
  store->reset_writes();
  const Bytes before = g_fixture->digest(*store);

  test::DeterministicRng rng(0x7EC0);
  SessionCipher cipher(*store, g_fixture->alice, rng, g_fixture->clock);
  bool ok = false;
  if (data[0] & 0x80) {
    auto r = cipher.encrypt(as_bytes("fuzz_record_decrypt"));
    ok = r.ok();
    if (ok) {
      if (r->type == MessageType::prekey)
        FUZZ_CHECK(wire::PreKeySignalMessage::parse(r->body).ok(), "encrypt produced an unparsable PreKey message");
      else
        FUZZ_CHECK(wire::SignalMessage::parse(r->body).ok(), "encrypt produced an unparsable SignalMessage");
    }
  } else {
    const auto& g = g_fixture->genuine[data[0] % g_fixture->genuine.size()];
    ok = cipher.decrypt(g.type, g.body).ok();
  }
  if (ok) {
    FUZZ_CHECK(store->writes() > 0, "a successful call stored nothing");
  } else {
    FUZZ_CHECK(store->writes() == 0, "a failed call wrote to the store");
    FUZZ_CHECK(g_fixture->digest(*store) == before, "a failed call changed the store");
  }
  return 0;
}
