// Protocol-level benchmarks over libhush's public API (docs/BENCHMARKS.md).
//
// Every benchmark uses SystemRng (libsodium randombytes_buf, i.e. getrandom)
// and SystemClock, as a real client would; libsignal-client does the same
// (OsRng, SystemTime). Stores are InMemoryProtocolStore unless the name says
// SQLite. What each timed region contains is written above each benchmark;
// bench/primitives_bench.cpp has, for each one, a "primitive cost" twin that
// makes exactly the crypto-seam calls the operation makes.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hush/fingerprint.hpp"
#include "hush/in_memory_store.hpp"
#include "hush/session.hpp"
#include "hush/store/sqlite_protocol_store.hpp"

namespace {

using namespace hush;

const ProtocolAddress kAlice{"alice", 1};
const ProtocolAddress kBob{"bob", 1};
constexpr std::uint32_t kAliceRegId = 1111;
constexpr std::uint32_t kBobRegId = 2222;

[[noreturn]] void die(const char* what, const Error& e) {
  std::fprintf(stderr, "benchmark setup failed: %s: %s\n", what, e.message.c_str());
  std::abort();
}

template <typename R>
void check(const R& r, const char* what) {
  if (!r.ok()) die(what, r.error());
}

// Bob publishes a bundle from `store`: a new signed prekey (keygen + XEdDSA
// signature) and a one-time prekey (keygen), both kept in the store.
PreKeyBundle publish_bundle(ProtocolStore& store, Rng& rng, std::uint32_t id) {
  auto spk = generate_signed_prekey(store.identity_key_pair(), id, 1'700'000'000'000ull, rng);
  auto opk = generate_prekey(id, rng);
  PreKeyBundle b;
  b.registration_id = store.local_registration_id();
  b.device_id = kBob.device_id;
  b.prekey_id = opk.id;
  b.prekey = opk.key_pair.public_key;
  b.signed_prekey_id = spk.id;
  b.signed_prekey = spk.key_pair.public_key;
  b.signed_prekey_signature = spk.signature;
  b.identity_key = store.identity_key_pair().public_key;
  check(store.store_signed_prekey(spk), "store_signed_prekey");
  check(store.store_prekey(opk), "store_prekey");
  return b;
}

// Two parties with an established, acknowledged session: Alice processed
// Bob's bundle, sent a PreKey message, Bob decrypted it and replied, Alice
// decrypted the reply. From here on both send type-2 (whisper) messages.
struct Pair {
  SystemRng rng;
  SystemClock clock;
  std::unique_ptr<ProtocolStore> alice;
  std::unique_ptr<ProtocolStore> bob;
  std::unique_ptr<SessionCipher> a2b;  // Alice's cipher for Bob
  std::unique_ptr<SessionCipher> b2a;  // Bob's cipher for Alice

  explicit Pair(std::unique_ptr<ProtocolStore> bob_store = nullptr) {
    alice = std::make_unique<InMemoryProtocolStore>(KeyPair::generate(rng), kAliceRegId);
    bob = bob_store ? std::move(bob_store)
                    : std::make_unique<InMemoryProtocolStore>(KeyPair::generate(rng), kBobRegId);
    a2b = std::make_unique<SessionCipher>(*alice, kBob, rng, clock);
    b2a = std::make_unique<SessionCipher>(*bob, kAlice, rng, clock);
    const auto bundle = publish_bundle(*bob, rng, 1);
    check(SessionBuilder(*alice, kBob, rng, clock).process(bundle), "process bundle");
    send(*a2b, *b2a, Bytes(16, 'h'), MessageType::prekey);
    send(*b2a, *a2b, Bytes(16, 'r'), MessageType::whisper);
  }

  static void send(SessionCipher& from, SessionCipher& to, const Bytes& pt, MessageType expect) {
    auto m = from.encrypt(pt);
    check(m, "encrypt");
    if (m->type != expect) std::abort();
    auto p = to.decrypt(m->type, m->body);
    check(p, "decrypt");
    if (p->size() != pt.size()) std::abort();
  }
};

// --- Session setup -------------------------------------------------------------
// Timed, per iteration (one new session):
//   1. Bob publishes a bundle: generates a signed prekey (X25519 keygen +
//      XEdDSA sign) and a one-time prekey (keygen), stores both, builds the
//      PreKeyBundle;
//   2. Alice processes the bundle (SessionBuilder::process: signature check,
//      X3DH, first sending chain, commit);
//   3. Alice encrypts a 100-byte first message (PreKey message, type 3);
//   4. Bob decrypts it (X3DH responder, DH ratchet step, commit).
// Not timed: creating the two empty in-memory stores around pre-generated
// identity key pairs (identity generation is account creation, not session
// setup), and destroying them afterwards.
void BM_SessionSetup(benchmark::State& st) {
  SystemRng rng;
  SystemClock clock;
  const KeyPair alice_identity = KeyPair::generate(rng);
  const KeyPair bob_identity = KeyPair::generate(rng);
  const Bytes pt(100, 'x');
  std::unique_ptr<InMemoryProtocolStore> alice;
  std::unique_ptr<InMemoryProtocolStore> bob;
  for (auto _ : st) {
    st.PauseTiming();
    alice = std::make_unique<InMemoryProtocolStore>(alice_identity.clone(), kAliceRegId);
    bob = std::make_unique<InMemoryProtocolStore>(bob_identity.clone(), kBobRegId);
    st.ResumeTiming();

    const PreKeyBundle bundle = publish_bundle(*bob, rng, 7);
    check(SessionBuilder(*alice, kBob, rng, clock).process(bundle), "process");
    auto m = SessionCipher(*alice, kBob, rng, clock).encrypt(pt);
    check(m, "encrypt");
    auto p = SessionCipher(*bob, kAlice, rng, clock).decrypt(m->type, m->body);
    check(p, "decrypt");
    benchmark::DoNotOptimize(p->data());
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_SessionSetup)->Unit(benchmark::kMicrosecond);

// --- One-way -------------------------------------------------------------------
// Timed, per iteration: Alice encrypts one message of range(0) bytes (type 2,
// same sending chain every time) and Bob decrypts it (same receiving chain: a
// symmetric-ratchet step, no DH). Both sides load and commit their session
// through the in-memory store.
void BM_OneWay(benchmark::State& st) {
  Pair pair;
  const Bytes pt(static_cast<std::size_t>(st.range(0)), 'x');
  for (auto _ : st) {
    auto m = pair.a2b->encrypt(pt);
    auto p = pair.b2a->decrypt(m->type, m->body);
    if (!p.ok()) die("one-way decrypt", p.error());
    benchmark::DoNotOptimize(p->data());
  }
  st.SetItemsProcessed(st.iterations());
  st.SetBytesProcessed(st.iterations() * st.range(0));
}
BENCHMARK(BM_OneWay)->Arg(100)->Arg(1024);

// The two halves of BM_OneWay, for attributing cost.
// BM_Encrypt: timed: one SessionCipher::encrypt (type 2) of range(0) bytes.
void BM_Encrypt(benchmark::State& st) {
  Pair pair;
  const Bytes pt(static_cast<std::size_t>(st.range(0)), 'x');
  for (auto _ : st) {
    auto m = pair.a2b->encrypt(pt);
    benchmark::DoNotOptimize(m->body.data());
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Encrypt)->Arg(100);

// BM_Decrypt: timed: one SessionCipher::decrypt (type 2); the messages are
// encrypted before the timed loop (one per iteration, in chain order).
void BM_Decrypt(benchmark::State& st) {
  Pair pair;
  const Bytes pt(static_cast<std::size_t>(st.range(0)), 'x');
  std::vector<Bytes> batch;
  batch.reserve(static_cast<std::size_t>(st.max_iterations));
  for (benchmark::IterationCount i = 0; i < st.max_iterations; ++i) batch.push_back(pair.a2b->encrypt(pt)->body);
  std::size_t next = 0;
  for (auto _ : st) {
    auto p = pair.b2a->decrypt(MessageType::whisper, batch[next++]);
    if (!p.ok()) die("decrypt", p.error());
    benchmark::DoNotOptimize(p->data());
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Decrypt)->Arg(100);

// --- Ping-pong -------------------------------------------------------------------
// Timed, per iteration: Alice -> Bob, then Bob -> Alice, 100 bytes each. Every
// message is the first on a new sending chain, so every decrypt performs a DH
// ratchet step (two X25519 agreements, a new ratchet key pair, two root-KDFs).
// The "messages" counter is 2: compare.sh reports time per message.
void BM_PingPong(benchmark::State& st) {
  Pair pair;
  const Bytes pt(100, 'x');
  for (auto _ : st) {
    auto m1 = pair.a2b->encrypt(pt);
    auto p1 = pair.b2a->decrypt(m1->type, m1->body);
    if (!p1.ok()) die("ping", p1.error());
    auto m2 = pair.b2a->encrypt(pt);
    auto p2 = pair.a2b->decrypt(m2->type, m2->body);
    if (!p2.ok()) die("pong", p2.error());
    benchmark::DoNotOptimize(p2->data());
  }
  st.SetItemsProcessed(2 * st.iterations());
  st.counters["messages"] = 2;
}
BENCHMARK(BM_PingPong);

// --- Fingerprint -------------------------------------------------------------------
// Timed: one compute_fingerprint(version 2, 5200 iterations): 2 x 5200
// SHA-512 compressions, the displayable digits and the scannable protobuf.
void BM_Fingerprint(benchmark::State& st) {
  SystemRng rng;
  const auto a = KeyPair::generate(rng).public_key;
  const auto b = KeyPair::generate(rng).public_key;
  const Bytes a_id(16, 0xA1);  // 16-byte identifiers (a ServiceId's UUID bytes)
  const Bytes b_id(16, 0xB2);
  for (auto _ : st) {
    auto fp = compute_fingerprint(2, 5200, a_id, a, b_id, b);
    check(fp, "fingerprint");
    benchmark::DoNotOptimize(fp->displayable.data());
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Fingerprint)->Unit(benchmark::kMicrosecond);

// --- Decrypt with SQLite commit ----------------------------------------------------
// Bob's store is a SqliteProtocolStore in a fresh mkdtemp directory (WAL,
// synchronous=FULL: every commit fsyncs the WAL). Timed, per iteration: one
// SessionCipher::decrypt of a 100-byte type-2 message, i.e. load_session
// (SELECT + parse), the ratchet step, serialize, BEGIN IMMEDIATE, UPSERT,
// COMMIT (fsync). The messages are encrypted by Alice (in memory) before the
// timed loop.
std::filesystem::path make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "hush-bench-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

void BM_DecryptWithSqliteCommit(benchmark::State& st) {
  const auto dir = make_temp_dir();
  {
    SystemRng open_rng;
    auto opened = store::SqliteProtocolStore::open(dir / "bob", {"bob", 1, kBobRegId, open_rng});
    check(opened, "open SQLite store");
    Pair pair(std::move(opened).value());
    const Bytes pt(100, 'x');
    std::vector<Bytes> batch;
    batch.reserve(static_cast<std::size_t>(st.max_iterations));
    for (benchmark::IterationCount i = 0; i < st.max_iterations; ++i)
      batch.push_back(pair.a2b->encrypt(pt)->body);
    std::size_t next = 0;
    for (auto _ : st) {
      auto p = pair.b2a->decrypt(MessageType::whisper, batch[next++]);
      if (!p.ok()) die("decrypt (SQLite)", p.error());
      benchmark::DoNotOptimize(p->data());
    }
    st.SetItemsProcessed(st.iterations());
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_DecryptWithSqliteCommit)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
