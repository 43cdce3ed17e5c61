// hush-demo: Alice and Bob hold a short conversation through libhush, each
// with a persistent SQLite store, and print what crosses the wire. This is
// the README's run command until the server exists.
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "hush/session.hpp"
#include "hush/store/sqlite_protocol_store.hpp"

namespace {

struct Party {
  std::string name;
  std::unique_ptr<hush::store::SqliteProtocolStore> store;
};

int fail(std::string_view what, const hush::Error& e) {
  std::fprintf(stderr, "hush-demo: %.*s: %.*s (%.*s)\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(e.message.size()), e.message.data(),
               static_cast<int>(hush::errc_name(e.code).size()), hush::errc_name(e.code).data());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::temp_directory_path() / "hush-demo";
  fs::remove_all(dir);
  hush::SystemRng rng;
  hush::SystemClock clock;

  auto open = [&](const std::string& name, std::uint32_t reg) -> hush::Result<Party> {
    hush::store::OpenOptions opts{name, 1, reg, rng};
    HUSH_ASSIGN(auto s, hush::store::SqliteProtocolStore::open(dir / name, opts));
    return Party{name, std::move(s)};
  };
  auto alice_r = open("alice", 1111);
  if (!alice_r) return fail("open alice's store", alice_r.error());
  auto bob_r = open("bob", 2222);
  if (!bob_r) return fail("open bob's store", bob_r.error());
  Party& alice = *alice_r;
  Party& bob = *bob_r;
  std::printf("stores in %s\n", dir.c_str());

  // Bob publishes a bundle: a signed prekey and one one-time prekey.
  auto spk = hush::generate_signed_prekey(bob.store->identity_key_pair(), 1, clock.now_seconds() * 1000, rng);
  auto opk = hush::generate_prekey(31, rng);
  if (auto r = bob.store->store_signed_prekey(spk); !r) return fail("store signed prekey", r.error());
  if (auto r = bob.store->store_prekey(opk); !r) return fail("store prekey", r.error());
  hush::PreKeyBundle bundle{2222, 1, opk.id, opk.key_pair.public_key, spk.id, spk.key_pair.public_key,
                            spk.signature, bob.store->identity_key_pair().public_key};

  const hush::ProtocolAddress alice_addr{"alice", 1};
  const hush::ProtocolAddress bob_addr{"bob", 1};
  if (auto r = hush::SessionBuilder(*alice.store, bob_addr, rng, clock).process(bundle); !r)
    return fail("X3DH with bob's bundle", r.error());
  std::printf("alice: X3DH with bob's bundle (signed prekey %u, one-time prekey %u)\n", spk.id, opk.id);

  hush::SessionCipher to_bob(*alice.store, bob_addr, rng, clock);
  hush::SessionCipher to_alice(*bob.store, alice_addr, rng, clock);
  const char* script[][2] = {{"alice", "Hi Bob, this is end-to-end encrypted."},
                             {"bob", "Hi Alice. The server only ever sees ciphertext."},
                             {"alice", "Each message gets its own key."},
                             {"alice", "And a reply ratchets the keys forward."},
                             {"bob", "Safety first."}};
  for (const auto& [from, text] : script) {
    const bool from_alice = std::string_view(from) == "alice";
    auto& sender = from_alice ? to_bob : to_alice;
    auto& receiver = from_alice ? to_alice : to_bob;
    auto ct = sender.encrypt(hush::as_bytes(text));
    if (!ct) return fail("encrypt", ct.error());
    auto pt = receiver.decrypt(ct->type, ct->body);
    if (!pt) return fail("decrypt", pt.error());
    std::printf("%-5s -> %-5s type %d, %3zu bytes on the wire: \"%.*s\"\n", from, from_alice ? "bob" : "alice",
                static_cast<int>(ct->type), ct->body.size(), static_cast<int>(pt->size()),
                reinterpret_cast<const char*>(pt->data()));
  }
  // A replayed message is refused: its keys were used once and are gone.
  auto ct = to_bob.encrypt(hush::as_bytes("once only"));
  if (!ct) return fail("encrypt", ct.error());
  if (auto pt = to_alice.decrypt(ct->type, ct->body); !pt) return fail("decrypt", pt.error());
  auto replay = to_alice.decrypt(ct->type, ct->body);
  std::printf("replayed message: %s\n", replay ? "ACCEPTED (bug)" : std::string(hush::errc_name(replay.code())).c_str());
  return replay ? 1 : 0;
}
