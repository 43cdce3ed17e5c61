#include "decrypt_fixture.hpp"

#include <cstdio>
#include <cstdlib>

#include "crypto/crypto.hpp"
#include "state/session_record_impl.hpp"
#include "support/party.hpp"
#include "wire/prekey_signal_message.hpp"

namespace hush::fuzz {
namespace {

constexpr std::uint64_t kAliceSeed = 0xA11CE;
constexpr std::uint64_t kBobSeed = 0xB0B;
// Bob's one-time prekeys: 100 is used by the first session, 101 stays unused
// until the second session's PreKey message; 102 is never used by anyone.
constexpr std::uint32_t kPrekeyIds[] = {100, 101, 102};
// Signed prekeys: 1 (first session), 2 (second, with OPK 101), 3 (third,
// without a one-time prekey).
constexpr std::uint32_t kSignedPrekeyIds[] = {1, 2, 3};

[[noreturn]] void die(const char* step, const Error& e) {
  std::fprintf(stderr, "decrypt fixture: %s failed: %s (%s)\n", step, std::string(errc_name(e.code)).c_str(),
               e.message.c_str());
  std::abort();
}

template <typename T>
T must(Result<T> r, const char* step) {
  if (!r) die(step, r.error());
  return std::move(r).value();
}
void must(Result<void> r, const char* step) {
  if (!r) die(step, r.error());
}

void put_u32(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_bytes(Bytes& out, ByteView b) {
  put_u32(out, static_cast<std::uint32_t>(b.size()));
  out.insert(out.end(), b.begin(), b.end());
}

}  // namespace

std::unique_ptr<WatchedStore> DecryptFixture::make_bob_store() const {
  auto store = std::make_unique<WatchedStore>(bob_identity->clone(), bob_registration_id);
  auto& s = store->inner();
  for (const auto& p : prekeys) must(s.store_prekey(p), "restore prekey");
  for (const auto& p : signed_prekeys) must(s.store_signed_prekey(p), "restore signed prekey");
  if (alice_identity) must(s.save_identity(alice.name, *alice_identity), "restore identity");
  auto record = must(SessionRecord::deserialize(session.view()), "restore session record");
  must(s.store_session(alice, record), "restore session");
  store->reset_writes();
  return store;
}

Bytes DecryptFixture::digest(const ProtocolStore& store) const {
  Bytes out;
  auto session_r = store.load_session(alice);
  if (!session_r) {
    out.push_back(0xEE);
  } else if (!*session_r) {
    out.push_back(0);
  } else {
    out.push_back(1);
    put_bytes(out, (*session_r)->serialize().view());
  }
  for (auto id : kPrekeyIds) {
    auto r = store.load_prekey(id);
    put_u32(out, id);
    if (!r || !*r) {
      out.push_back(r ? 0 : 0xEE);
      continue;
    }
    out.push_back(1);
    put_u32(out, (*r)->id);
    put_bytes(out, (*r)->key_pair.public_key.serialize());
    put_bytes(out, (*r)->key_pair.private_key.serialize());
  }
  for (auto id : kSignedPrekeyIds) {
    auto r = store.load_signed_prekey(id);
    put_u32(out, id);
    if (!r || !*r) {
      out.push_back(r ? 0 : 0xEE);
      continue;
    }
    out.push_back(1);
    put_u32(out, (*r)->id);
    put_u32(out, static_cast<std::uint32_t>((*r)->timestamp));
    put_u32(out, static_cast<std::uint32_t>((*r)->timestamp >> 32));
    put_bytes(out, (*r)->key_pair.public_key.serialize());
    put_bytes(out, (*r)->key_pair.private_key.serialize());
    put_bytes(out, (*r)->signature);
  }
  auto id_r = store.get_identity(alice.name);
  if (!id_r || !*id_r) {
    out.push_back(id_r ? 0 : 0xEE);
  } else {
    out.push_back(1);
    put_bytes(out, (*id_r)->serialize());
  }
  put_bytes(out, store.identity_key_pair().private_key.serialize());
  put_u32(out, store.local_registration_id());
  return out;
}

Bytes DecryptFixture::forge(std::uint8_t flags, ByteView rest) const {
  const auto& s = *alice_sender.impl().current;
  auto chain = s.sender_chain->chain_key.clone();
  for (unsigned i = 0; i < (flags >> 4); ++i) chain = chain.next();
  const auto keys = chain.message_keys();
  const Bytes ciphertext = (flags & kForgeEncrypt)
                               ? crypto::aes256_cbc_encrypt(keys.cipher_key.view(), keys.iv.view(), rest)
                               : Bytes(rest.begin(), rest.end());
  Bytes inner = wire::build_signal_message(s.session_version, s.sender_chain->ratchet_key.public_key, keys.counter,
                                           s.previous_counter, ciphertext, keys.mac_key, s.local_identity,
                                           s.remote_identity);
  if (!(flags & kForgeWrapPreKey)) return inner;
  auto p = must(wire::PreKeySignalMessage::parse(first_prekey_body), "parse the first PreKey message");
  return wire::build_prekey_signal_message(p.message_version, p.registration_id, p.prekey_id, p.signed_prekey_id,
                                           p.base_key, p.identity_key, inner);
}

DecryptFixture build_decrypt_fixture() {
  DecryptFixture f;
  test::Party alice("alice", kAliceSeed, f.clock);
  test::Party bob("bob", kBobSeed, f.clock);
  f.alice = alice.address();

  auto b1 = bob.bundle(1, 100u);
  auto b2 = bob.bundle(2, 101u);
  auto b3 = bob.bundle(3, std::nullopt);
  {
    // One more one-time prekey that nobody's bundle names.
    auto opk = generate_prekey(102, bob.rng());
    must(bob.store().store_prekey(opk), "store prekey 102");
  }

  std::vector<GenuineMessage> sent;  // every message Alice sent, in order
  auto send = [&](const char* name, std::string text) -> GenuineMessage {
    auto m = must(alice.encrypt(bob, text), name);
    GenuineMessage g{name, m.type, m.body, Bytes(text.begin(), text.end()), true};
    sent.push_back(g);
    f.plaintexts.push_back(g.plaintext);
    if (m.type == MessageType::prekey) {
      auto p = must(wire::PreKeySignalMessage::parse(m.body), "parse own PreKey message");
      f.signal_bodies.push_back(p.message_bytes);
    } else {
      f.signal_bodies.push_back(m.body);
    }
    return g;
  };
  auto deliver = [&](const GenuineMessage& g) {
    (void)must(bob.decrypt(alice, CiphertextMessage{g.type, g.body}), g.name.c_str());
  };

  // First session (SPK 1, OPK 100): three PreKey messages; Bob reads only the
  // first, so the other two still decrypt (same base key, counters 1 and 2).
  must(alice.process(bob, b1), "alice processes bundle 1");
  auto m0 = send("prekey_opk100_counter0", "first message, creates the session");
  auto m1 = send("prekey_opk100_counter1", "second PreKey message");
  auto m2 = send("prekey_opk100_counter2", "third PreKey message, longer than one AES block");
  deliver(m0);
  // Bob answers; Alice's reply starts her second sending chain.
  auto r0 = must(bob.encrypt(alice, "reply from bob"), "bob replies");
  (void)must(alice.decrypt(bob, r0), "alice reads the reply");
  {
    auto rec = must(alice.store().load_session(bob.address()), "alice's session");
    if (!rec) die("alice's session", make_error(Errc::no_session, "alice has no session with bob"));
    f.alice_sender = std::move(*rec);
    f.first_prekey_body = m0.body;
  }
  auto m3 = send("whisper_chain2_counter0", "skipped by bob");
  auto m4 = send("whisper_chain2_counter1", "delivered");
  auto m5 = send("whisper_chain2_counter2", std::string(300, 'x'));
  deliver(m4);  // m3's key is now a skipped message key in Bob's record

  // Bob's state for the fuzzer: everything above, nothing below.
  const auto& bs = bob.store();
  f.bob_identity = bs.identity_key_pair().clone();
  f.bob_registration_id = bs.local_registration_id();
  for (auto id : kPrekeyIds)
    if (auto p = must(bs.load_prekey(id), "load prekey"); p) f.prekeys.push_back(std::move(*p));
  for (auto id : kSignedPrekeyIds)
    if (auto p = must(bs.load_signed_prekey(id), "load signed prekey"); p) f.signed_prekeys.push_back(std::move(*p));
  f.alice_identity = must(bs.get_identity(f.alice.name), "load identity");
  {
    auto rec = must(bs.load_session(f.alice), "load session");
    if (!rec) die("load session", make_error(Errc::no_session, "bob has no session with alice"));
    f.session = rec->serialize();
  }

  // New sessions that replace the current one when Bob reads them: one with
  // OPK 101, one without a one-time prekey.
  must(alice.process(bob, b2), "alice processes bundle 2");
  auto n0 = send("prekey_opk101_new_session", "a second session");
  must(alice.process(bob, b3), "alice processes bundle 3");
  auto k0 = send("prekey_no_opk_new_session", "a third session, no one-time prekey");

  // What decrypts in the fixture state, each message on its own.
  f.genuine = {m1, m2, m3, m5, n0, k0};
  // The inner SignalMessages of the pending PreKey messages decrypt as type 2.
  for (const auto* g : {&m1, &m2}) {
    auto p = must(wire::PreKeySignalMessage::parse(g->body), "parse own PreKey message");
    f.genuine.push_back(GenuineMessage{g->name + "_inner_as_whisper", MessageType::whisper, p.message_bytes,
                                       g->plaintext, true});
  }
  // Already delivered ones, for duplicate detection paths.
  for (const auto* g : {&m0, &m4}) {
    auto d = *g;
    d.name += "_duplicate";
    d.decrypts = false;
    f.genuine.push_back(std::move(d));
  }
  (void)sent;
  return f;
}

}  // namespace hush::fuzz
