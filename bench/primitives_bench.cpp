// Primitive-cost benchmarks (docs/BENCHMARKS.md).
//
// For every protocol benchmark in protocol_bench.cpp there is a BM_Prim_*
// twin that makes exactly the crypto-seam calls (core/src/crypto/crypto.hpp)
// that the operation makes, with the same argument sizes, and nothing else:
// no protobuf, no store, no session-state copies. The ratio
// protocol / primitives is therefore the library's overhead factor.
//
// The call lists were counted from the code (core/src/ratchet/keys.cpp,
// double_ratchet.cpp, wire/signal_message.cpp, x3dh/x3dh.cpp,
// session/*.cpp, keys.cpp, prekeys.cpp, fingerprint/fingerprint.cpp); each
// twin's comment lists them. Individual primitives follow, then OpenSSL's
// one-shot HMAC() and EVP_KDF HKDF for reference (the per-call overhead the
// seam avoids).
#include <benchmark/benchmark.h>
// OpenSSL's low-level SHA512_* is deprecated in 3.0 (still shipped); used
// here only for a reference number, as core/src/crypto/hmac.cpp does for
// SHA-256.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <array>
#include <cstdlib>
#include <string_view>

#include "crypto/crypto.hpp"

namespace {

using namespace hush;
using crypto::Key32;

// Individual primitives and references run shorter than the protocol
// benchmarks and their twins (which use --benchmark_min_time), so that
// bench/compare.sh stays within a few minutes.
constexpr double kShortMinTime = 0.1;

constexpr std::string_view kMessageKeysInfo = "WhisperMessageKeys";
constexpr std::string_view kRatchetInfo = "WhisperRatchet";
constexpr std::string_view kX3dhInfo = "WhisperText";

Key32 random_key() {
  Key32 k;
  crypto::random_fill(k.mut());
  crypto::clamp(k.mut());
  return k;
}

// --- Building blocks: one protocol step each, as the library calls the seam ----

// ChainKey::step() + MessageKeys::derive() (ratchet/keys.cpp):
//   HmacSha256(ck) [key preparation], mac_secret(0x01), mac_secret(0x02),
//   hkdf_sha256(salt none, ikm 32, "WhisperMessageKeys", 80).
struct Step {
  Key32 seed_next;
  Secret<80> okm;
};
inline void chain_step(const Key32& ck, Step& out) {
  crypto::HmacSha256 mac(ck.view());
  const std::uint8_t one = 0x01;
  const std::uint8_t two = 0x02;
  auto seed = mac.mac_secret({&one, 1});
  out.seed_next = mac.mac_secret({&two, 1});
  crypto::hkdf_sha256({}, seed.view(), as_bytes(kMessageKeysInfo), out.okm.mut());
}

// The SignalMessage MAC (wire/signal_message.cpp mac_over):
//   HmacSha256(mac_key), reset, update(sender 33), update(receiver 33),
//   update(version byte + protobuf), finish.
inline void message_mac(const Key32& mac_key, const std::array<std::uint8_t, 33>& ik1,
                        const std::array<std::uint8_t, 33>& ik2, ByteView covered, std::uint8_t out[32]) {
  crypto::HmacSha256 mac(mac_key.view());
  mac.reset();
  mac.update(ik1);
  mac.update(ik2);
  mac.update(covered);
  mac.finish(out);
}

// Bytes covered by the MAC: version byte + SignalMessage protobuf
//   ratchet_key (1+1+33) + counter (1+varint) + previous_counter (1+1)
//   + ciphertext (1+varint(len)+len).
// The counter is taken as a 2-byte varint (counters 128..16383); the long
// one-way runs reach 3 bytes, which changes no SHA-256 block count here.
constexpr std::size_t varint_len(std::size_t v) { return v < 128 ? 1 : v < 16384 ? 2 : 3; }
constexpr std::size_t padded(std::size_t n) { return n + 16 - n % 16; }
constexpr std::size_t covered_len(std::size_t plaintext, std::size_t counter_varint) {
  const std::size_t ct = padded(plaintext);
  return 1 + 35 + (1 + counter_varint) + 2 + (1 + varint_len(ct) + ct);
}

// Shared fixture data: keys and inputs of the right sizes.
struct Inputs {
  Key32 ck = random_key();
  Key32 mac_key = random_key();
  Key32 root = random_key();
  std::array<std::uint8_t, 32> aes_key{};
  std::array<std::uint8_t, 16> iv{};
  std::array<std::uint8_t, 33> ik1{};
  std::array<std::uint8_t, 33> ik2{};
  Bytes covered;
  Bytes plaintext;
  Bytes ciphertext;

  Inputs(std::size_t pt_len, std::size_t counter_varint)
      : covered(covered_len(pt_len, counter_varint), 0x42), plaintext(pt_len, 'x') {
    crypto::random_fill(aes_key);
    crypto::random_fill(iv);
    crypto::random_fill(ik1);
    crypto::random_fill(ik2);
    ik1[0] = ik2[0] = 0x05;
    ciphertext = crypto::aes256_cbc_encrypt(aes_key, iv, plaintext);
  }
};

// SessionCipher::encrypt of a type-2 message (ratchet::encrypt_with_state +
// wire::build_signal_message): chain step, AES-256-CBC encrypt, message MAC.
inline void prim_encrypt(Inputs& in, Step& step, std::uint8_t mac_out[32]) {
  chain_step(in.ck, step);
  Bytes ct = crypto::aes256_cbc_encrypt(in.aes_key, in.iv, in.plaintext);
  benchmark::DoNotOptimize(ct.data());
  message_mac(in.mac_key, in.ik1, in.ik2, in.covered, mac_out);
}

// SessionCipher::decrypt of a type-2 message on a known receiving chain
// (ratchet::message_keys_for + SignalMessage::verify_mac + AES decrypt).
inline void prim_decrypt(Inputs& in, Step& step, std::uint8_t mac_out[32]) {
  chain_step(in.ck, step);
  message_mac(in.mac_key, in.ik2, in.ik1, in.covered, mac_out);
  auto pt = crypto::aes256_cbc_decrypt(in.aes_key, in.iv, in.ciphertext);
  if (!pt.ok()) std::abort();
  benchmark::DoNotOptimize(pt->data());
}

// RootKey::create_chain (ratchet/keys.cpp): X25519 agreement, then
// hkdf_sha256(salt = root key 32, ikm 32, "WhisperRatchet", 64).
inline void create_chain(const Key32& root, const Key32& ours, const crypto::PublicU& theirs) {
  auto shared = crypto::x25519(ours, theirs);
  Secret<64> okm;
  crypto::hkdf_sha256(root.view(), shared.view(), as_bytes(kRatchetInfo), okm.mut());
  benchmark::DoNotOptimize(okm.data());
}

// KeyPair::generate (keys.cpp): random_fill(32), clamp, x25519_base.
inline crypto::PublicU keygen(Key32& priv) {
  crypto::random_fill(priv.mut());
  crypto::clamp(priv.mut());
  return crypto::x25519_base(priv);
}

// PrivateKey::sign (keys.cpp): random_fill(64) for Z, xeddsa_sign.
inline std::array<std::uint8_t, 64> sign(const Key32& k, ByteView msg) {
  std::array<std::uint8_t, 64> z{};
  crypto::random_fill(z);
  return crypto::xeddsa_sign(k, msg, z);
}

// ratchet.cpp dh_ratchet: create_chain, keygen, create_chain.
inline void dh_ratchet(const Key32& root, Key32& ours, const crypto::PublicU& theirs) {
  create_chain(root, ours, theirs);
  Key32 next;
  benchmark::DoNotOptimize(keygen(next));
  create_chain(root, next, theirs);
}

// --- Twins of the protocol benchmarks ---------------------------------------------

// Twin of BM_OneWay/N: prim_encrypt + prim_decrypt.
//   HMAC key preps 4, MACs of 1 byte 4, HKDF-80 2, message MACs 2 (66 +
//   covered bytes), AES-256-CBC encrypt N and decrypt pad(N).
void BM_Prim_OneWay(benchmark::State& st) {
  Inputs in(static_cast<std::size_t>(st.range(0)), 2);
  Step step;
  std::uint8_t mac[32];
  for (auto _ : st) {
    prim_encrypt(in, step, mac);
    prim_decrypt(in, step, mac);
    benchmark::DoNotOptimize(mac);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Prim_OneWay)->Arg(100)->Arg(1024);

void BM_Prim_Encrypt(benchmark::State& st) {
  Inputs in(static_cast<std::size_t>(st.range(0)), 2);
  Step step;
  std::uint8_t mac[32];
  for (auto _ : st) {
    prim_encrypt(in, step, mac);
    benchmark::DoNotOptimize(mac);
  }
}
BENCHMARK(BM_Prim_Encrypt)->Arg(100);

void BM_Prim_Decrypt(benchmark::State& st) {
  Inputs in(static_cast<std::size_t>(st.range(0)), 2);
  Step step;
  std::uint8_t mac[32];
  for (auto _ : st) {
    prim_decrypt(in, step, mac);
    benchmark::DoNotOptimize(mac);
  }
}
BENCHMARK(BM_Prim_Decrypt)->Arg(100);

// Twin of BM_PingPong (per iteration = two messages, like the protocol
// benchmark): per message, prim_encrypt + prim_decrypt on a 100-byte message
// with counter 0, plus the receiver's DH ratchet step: keygen (random 32 +
// x25519_base), 2 X25519 agreements, 2 HKDF-64 (root KDF). The sender makes
// no DH call: its new sending chain was created when it last received.
void BM_Prim_PingPong(benchmark::State& st) {
  Inputs in(100, 1);
  Step step;
  std::uint8_t mac[32];
  Key32 ours = random_key();
  crypto::PublicU theirs = crypto::x25519_base(random_key());
  for (auto _ : st) {
    for (int msg = 0; msg < 2; ++msg) {
      prim_encrypt(in, step, mac);
      dh_ratchet(in.root, ours, theirs);
      prim_decrypt(in, step, mac);
    }
    benchmark::DoNotOptimize(mac);
  }
  st.SetItemsProcessed(2 * st.iterations());
  st.counters["messages"] = 2;
}
BENCHMARK(BM_Prim_PingPong);

// Twin of BM_SessionSetup, in the order the library makes the calls:
// Bob's bundle (prekeys.cpp): keygen SPK, sign(SPK 33 bytes), keygen OPK.
// Alice SessionBuilder::process: xeddsa_verify(SPK 33 bytes), keygen base
//   key, X3DH initiator 4 X25519 + HKDF-64 (ikm 32 x 5 = 160, "WhisperText"),
//   keygen sending ratchet key, create_chain (X25519 + HKDF-64).
// Alice encrypt (PreKey message, counter 0): prim_encrypt.
// Bob decrypt_prekey_message: X3DH responder 4 X25519 + HKDF-64(160), then
//   the DH ratchet on Alice's ratchet key (create_chain, keygen,
//   create_chain) and prim_decrypt.
// Totals: 5 keygens (5 random_fill(32) + 5 x25519_base), 1 sign (random 64),
// 1 verify, 11 X25519, 5 HKDF-64, 2 chain steps, 2 message MACs, AES enc+dec.
void BM_Prim_SessionSetup(benchmark::State& st) {
  Inputs in(100, 1);
  Step step;
  std::uint8_t mac[32];
  const Key32 alice_ik = random_key();
  const Key32 bob_ik = random_key();
  const crypto::PublicU alice_ik_pub = crypto::x25519_base(alice_ik);
  const crypto::PublicU bob_ik_pub = crypto::x25519_base(bob_ik);
  Secret<160> secrets;
  for (auto _ : st) {
    // Bob publishes a bundle.
    Key32 spk;
    const auto spk_pub = keygen(spk);
    std::array<std::uint8_t, 33> spk33{0x05};
    std::copy(spk_pub.begin(), spk_pub.end(), spk33.begin() + 1);
    const auto sig = sign(bob_ik, spk33);
    Key32 opk;
    const auto opk_pub = keygen(opk);

    // Alice processes it.
    if (!crypto::xeddsa_verify(bob_ik_pub, spk33, sig)) std::abort();
    Key32 base;
    const auto base_pub = keygen(base);
    {
      auto d1 = crypto::x25519(alice_ik, spk_pub);
      auto d2 = crypto::x25519(base, bob_ik_pub);
      auto d3 = crypto::x25519(base, spk_pub);
      auto d4 = crypto::x25519(base, opk_pub);
      benchmark::DoNotOptimize(d4.data());
      Secret<64> okm;
      crypto::hkdf_sha256({}, secrets.view(), as_bytes(kX3dhInfo), okm.mut());
    }
    Key32 sending;
    const auto sending_pub = keygen(sending);
    create_chain(in.root, sending, spk_pub);

    // Alice encrypts the first message.
    prim_encrypt(in, step, mac);

    // Bob decrypts it.
    {
      auto d1 = crypto::x25519(spk, alice_ik_pub);
      auto d2 = crypto::x25519(bob_ik, base_pub);
      auto d3 = crypto::x25519(spk, base_pub);
      auto d4 = crypto::x25519(opk, base_pub);
      benchmark::DoNotOptimize(d4.data());
      Secret<64> okm;
      crypto::hkdf_sha256({}, secrets.view(), as_bytes(kX3dhInfo), okm.mut());
    }
    dh_ratchet(in.root, spk, sending_pub);
    prim_decrypt(in, step, mac);
    benchmark::DoNotOptimize(mac);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Prim_SessionSetup)->Unit(benchmark::kMicrosecond);

// Twin of BM_Fingerprint (fingerprint.cpp iterated_hash, twice): one Sha512
// object; H0 = update(2) update(33) update(id 16) update(33) finish, then
// 5199 x (update(64) update(33) finish).
void BM_Prim_Fingerprint(benchmark::State& st) {
  std::array<std::uint8_t, 33> key{0x05};
  crypto::random_fill(std::span(key).subspan(1));
  const std::array<std::uint8_t, 2> version{};
  const std::array<std::uint8_t, 16> id{};
  for (auto _ : st) {
    for (int side = 0; side < 2; ++side) {
      crypto::Sha512 sha;
      sha.update(version);
      sha.update(key);
      sha.update(id);
      sha.update(key);
      auto h = sha.finish();
      for (int i = 1; i < 5200; ++i) {
        sha.update(h);
        sha.update(key);
        h = sha.finish();
      }
      benchmark::DoNotOptimize(h.data());
    }
  }
}
BENCHMARK(BM_Prim_Fingerprint)->Unit(benchmark::kMicrosecond);

// --- Individual primitives ----------------------------------------------------------

void BM_HmacKeyPrep(benchmark::State& st) {
  const Key32 k = random_key();
  for (auto _ : st) {
    crypto::HmacSha256 mac(k.view());
    benchmark::DoNotOptimize(&mac);
  }
}
BENCHMARK(BM_HmacKeyPrep)->MinTime(kShortMinTime);

// One MAC under an already prepared key.
void BM_HmacPrepared(benchmark::State& st) {
  const Key32 k = random_key();
  crypto::HmacSha256 mac(k.view());
  const Bytes data(static_cast<std::size_t>(st.range(0)), 0x01);
  for (auto _ : st) benchmark::DoNotOptimize(mac.mac(data));
}
BENCHMARK(BM_HmacPrepared)->Arg(1)->Arg(221)->MinTime(kShortMinTime);

// Key preparation + one MAC: the cost of an HMAC with a fresh key.
void BM_HmacFresh(benchmark::State& st) {
  const Key32 k = random_key();
  const Bytes data(static_cast<std::size_t>(st.range(0)), 0x01);
  for (auto _ : st) {
    crypto::HmacSha256 mac(k.view());
    benchmark::DoNotOptimize(mac.mac(data));
  }
}
BENCHMARK(BM_HmacFresh)->Arg(1)->Arg(221)->MinTime(kShortMinTime);

void BM_Hkdf(benchmark::State& st) {
  const Key32 ikm = random_key();
  const Key32 salt = random_key();
  const bool with_salt = st.range(1) != 0;
  Bytes out(static_cast<std::size_t>(st.range(0)));
  for (auto _ : st) {
    crypto::hkdf_sha256(with_salt ? salt.view() : ByteView{}, ikm.view(), as_bytes(kMessageKeysInfo), out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Hkdf)->ArgNames({"len", "salt"})->Args({80, 0})->Args({64, 1})->MinTime(kShortMinTime);

void BM_AesCbcEncrypt(benchmark::State& st) {
  Inputs in(static_cast<std::size_t>(st.range(0)), 2);
  for (auto _ : st) benchmark::DoNotOptimize(crypto::aes256_cbc_encrypt(in.aes_key, in.iv, in.plaintext));
}
BENCHMARK(BM_AesCbcEncrypt)->Arg(100)->Arg(1024)->MinTime(kShortMinTime);

void BM_AesCbcDecrypt(benchmark::State& st) {
  Inputs in(static_cast<std::size_t>(st.range(0)), 2);
  for (auto _ : st) {
    auto pt = crypto::aes256_cbc_decrypt(in.aes_key, in.iv, in.ciphertext);
    benchmark::DoNotOptimize(pt->data());
  }
}
BENCHMARK(BM_AesCbcDecrypt)->Arg(100)->Arg(1024)->MinTime(kShortMinTime);

void BM_X25519Base(benchmark::State& st) {
  const Key32 k = random_key();
  for (auto _ : st) benchmark::DoNotOptimize(crypto::x25519_base(k));
}
BENCHMARK(BM_X25519Base)->MinTime(kShortMinTime);

void BM_X25519Agree(benchmark::State& st) {
  const Key32 k = random_key();
  const auto u = crypto::x25519_base(random_key());
  for (auto _ : st) benchmark::DoNotOptimize(crypto::x25519(k, u));
}
BENCHMARK(BM_X25519Agree)->MinTime(kShortMinTime);

void BM_XeddsaSign(benchmark::State& st) {
  const Key32 k = random_key();
  const std::array<std::uint8_t, 33> msg{0x05};
  std::array<std::uint8_t, 64> z{};
  for (auto _ : st) benchmark::DoNotOptimize(crypto::xeddsa_sign(k, msg, z));
}
BENCHMARK(BM_XeddsaSign)->MinTime(kShortMinTime);

void BM_XeddsaVerify(benchmark::State& st) {
  const Key32 k = random_key();
  const auto u = crypto::x25519_base(k);
  const std::array<std::uint8_t, 33> msg{0x05};
  const std::array<std::uint8_t, 64> z{};
  const auto sig = crypto::xeddsa_sign(k, msg, z);
  for (auto _ : st)
    if (!crypto::xeddsa_verify(u, msg, sig)) std::abort();
}
BENCHMARK(BM_XeddsaVerify)->MinTime(kShortMinTime);

void BM_Sha512(benchmark::State& st) {
  const std::array<std::uint8_t, 64> data{};
  for (auto _ : st) benchmark::DoNotOptimize(crypto::sha512(data));
}
BENCHMARK(BM_Sha512)->MinTime(kShortMinTime);

void BM_RandomFill(benchmark::State& st) {
  Bytes out(static_cast<std::size_t>(st.range(0)));
  for (auto _ : st) {
    crypto::random_fill(out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_RandomFill)->Arg(32)->Arg(64)->MinTime(kShortMinTime);

// --- OpenSSL per-call references (not used by libhush) ------------------------------

// OpenSSL 3 one-shot HMAC(): builds and frees an EVP_MAC context per call.
void BM_OpenSSL_HMAC_OneShot(benchmark::State& st) {
  const Key32 k = random_key();
  const Bytes data(static_cast<std::size_t>(st.range(0)), 0x01);
  unsigned char out[32];
  unsigned int len = 0;
  for (auto _ : st) {
    if (HMAC(EVP_sha256(), k.data(), 32, data.data(), data.size(), out, &len) == nullptr) std::abort();
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_OpenSSL_HMAC_OneShot)->Arg(1)->MinTime(kShortMinTime);

// EVP_KDF HKDF-SHA256, 80 bytes, no salt. range(0) = 1: EVP_KDF_fetch per
// call as well; 0: the EVP_KDF fetched once, a new EVP_KDF_CTX per call.
void BM_OpenSSL_EVP_KDF_Hkdf(benchmark::State& st) {
  const bool fetch_each = st.range(0) != 0;
  const Key32 ikm = random_key();
  unsigned char out[80];
  char digest[] = "SHA256";
  std::string info(kMessageKeysInfo);
  EVP_KDF* cached = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (cached == nullptr) std::abort();
  for (auto _ : st) {
    EVP_KDF* kdf = fetch_each ? EVP_KDF_fetch(nullptr, "HKDF", nullptr) : cached;
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(ikm.data()), 32),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
        OSSL_PARAM_construct_end()};
    if (ctx == nullptr || EVP_KDF_derive(ctx, out, sizeof out, params) != 1) std::abort();
    EVP_KDF_CTX_free(ctx);
    if (fetch_each) EVP_KDF_free(kdf);
    benchmark::DoNotOptimize(out);
  }
  EVP_KDF_free(cached);
}
BENCHMARK(BM_OpenSSL_EVP_KDF_Hkdf)->ArgName("fetch_each_call")->Arg(1)->Arg(0)->MinTime(kShortMinTime);

// --- Reference numbers for the optimization notes in docs/BENCHMARKS.md -----------

// The fingerprint loop (BM_Prim_Fingerprint) on OpenSSL's SHA-512 instead of
// libsodium's: the same 2 x 5200 hashes of 64 + 33 bytes.
void BM_Ref_Fingerprint_OpenSSL_SHA512(benchmark::State& st) {
  std::array<std::uint8_t, 33> key{0x05};
  crypto::random_fill(std::span(key).subspan(1));
  const std::array<std::uint8_t, 2> version{};
  const std::array<std::uint8_t, 16> id{};
  for (auto _ : st) {
    for (int side = 0; side < 2; ++side) {
      SHA512_CTX c;
      std::array<std::uint8_t, 64> h{};
      SHA512_Init(&c);
      SHA512_Update(&c, version.data(), version.size());
      SHA512_Update(&c, key.data(), key.size());
      SHA512_Update(&c, id.data(), id.size());
      SHA512_Update(&c, key.data(), key.size());
      SHA512_Final(h.data(), &c);
      for (int i = 1; i < 5200; ++i) {
        SHA512_Init(&c);
        SHA512_Update(&c, h.data(), h.size());
        SHA512_Update(&c, key.data(), key.size());
        SHA512_Final(h.data(), &c);
      }
      benchmark::DoNotOptimize(h.data());
    }
  }
}
BENCHMARK(BM_Ref_Fingerprint_OpenSSL_SHA512)->Unit(benchmark::kMicrosecond)->MinTime(kShortMinTime);

// One SHA-512 of 97 bytes (one fingerprint round): libsodium (the seam's
// backend), OpenSSL low-level, OpenSSL EVP with a reused context.
void BM_Ref_Sha512_97B(benchmark::State& st) {
  const int backend = static_cast<int>(st.range(0));
  std::array<std::uint8_t, 97> data{};
  std::array<std::uint8_t, 64> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  for (auto _ : st) {
    if (backend == 0) {
      crypto_hash_sha512(out.data(), data.data(), data.size());
    } else if (backend == 1) {
      SHA512(data.data(), data.size(), out.data());
    } else {
      unsigned int n = 0;
      if (EVP_DigestInit_ex2(ctx, md, nullptr) != 1 || EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
          EVP_DigestFinal_ex(ctx, out.data(), &n) != 1)
        std::abort();
    }
    benchmark::DoNotOptimize(out.data());
  }
  EVP_MD_free(md);
  EVP_MD_CTX_free(ctx);
}
BENCHMARK(BM_Ref_Sha512_97B)->ArgName("libsodium0_openssl1_evp2")->Arg(0)->Arg(1)->Arg(2)->MinTime(kShortMinTime);

// Pieces of xeddsa_verify (core/src/crypto/xeddsa.cpp) and libsodium's
// Ed25519 verification, which does the same equation with one variable-time
// double-base multiplication.
void BM_Ref_Ed25519_IsValidPoint(benchmark::State& st) {
  std::array<std::uint8_t, 32> a{};
  std::array<std::uint8_t, 32> n{};
  crypto_core_ed25519_scalar_random(n.data());
  crypto_scalarmult_ed25519_base_noclamp(a.data(), n.data());
  for (auto _ : st) benchmark::DoNotOptimize(crypto_core_ed25519_is_valid_point(a.data()));
}
BENCHMARK(BM_Ref_Ed25519_IsValidPoint)->MinTime(kShortMinTime);

void BM_Ref_Ed25519_ScalarmultNoclamp(benchmark::State& st) {
  std::array<std::uint8_t, 32> a{};
  std::array<std::uint8_t, 32> n{};
  std::array<std::uint8_t, 32> out{};
  crypto_core_ed25519_scalar_random(n.data());
  crypto_scalarmult_ed25519_base_noclamp(a.data(), n.data());
  for (auto _ : st) {
    if (crypto_scalarmult_ed25519_noclamp(out.data(), n.data(), a.data()) != 0) std::abort();
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Ref_Ed25519_ScalarmultNoclamp)->MinTime(kShortMinTime);

void BM_Ref_Ed25519_BaseNoclamp(benchmark::State& st) {
  std::array<std::uint8_t, 32> n{};
  std::array<std::uint8_t, 32> out{};
  crypto_core_ed25519_scalar_random(n.data());
  for (auto _ : st) {
    if (crypto_scalarmult_ed25519_base_noclamp(out.data(), n.data()) != 0) std::abort();
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Ref_Ed25519_BaseNoclamp)->MinTime(kShortMinTime);

void BM_Ref_Ed25519_VerifyDetached(benchmark::State& st) {
  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> pk{};
  std::array<std::uint8_t, crypto_sign_SECRETKEYBYTES> sk{};
  std::array<std::uint8_t, 64> sig{};
  const std::array<std::uint8_t, 33> msg{0x05};
  crypto_sign_keypair(pk.data(), sk.data());
  crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk.data());
  for (auto _ : st)
    if (crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), pk.data()) != 0) std::abort();
}
BENCHMARK(BM_Ref_Ed25519_VerifyDetached)->MinTime(kShortMinTime);

// The Montgomery-u -> Edwards-y map as xeddsa.cpp computes it (OpenSSL BN,
// a BN_CTX allocated per call), the part of xeddsa_verify outside libsodium.
void BM_Ref_XeddsaUToY_BN(benchmark::State& st) {
  BIGNUM* p = BN_new();
  if (p == nullptr || BN_set_bit(p, 255) != 1 || BN_sub_word(p, 19) != 1) std::abort();
  const auto u_bytes = crypto::x25519_base(random_key());
  std::array<std::uint8_t, 32> y_out{};
  for (auto _ : st) {
    BN_CTX* ctx = BN_CTX_new();
    BN_CTX_start(ctx);
    BIGNUM* u = BN_CTX_get(ctx);
    BIGNUM* num = BN_CTX_get(ctx);
    BIGNUM* den = BN_CTX_get(ctx);
    BIGNUM* y = BN_CTX_get(ctx);
    auto masked = u_bytes;
    masked[31] &= 0x7F;
    bool ok = BN_lebin2bn(masked.data(), 32, u) != nullptr && BN_nnmod(u, u, p, ctx) == 1 &&
              BN_copy(den, u) != nullptr && BN_add_word(den, 1) == 1 && BN_cmp(den, p) != 0 &&
              BN_mod_sub(num, u, BN_value_one(), p, ctx) == 1 && BN_mod_inverse(den, den, p, ctx) != nullptr &&
              BN_mod_mul(y, num, den, p, ctx) == 1 && BN_bn2lebinpad(y, y_out.data(), 32) == 32;
    BN_CTX_end(ctx);
    BN_CTX_free(ctx);
    if (!ok) std::abort();
    benchmark::DoNotOptimize(y_out.data());
  }
  BN_free(p);
}
BENCHMARK(BM_Ref_XeddsaUToY_BN)->MinTime(kShortMinTime);

}  // namespace
