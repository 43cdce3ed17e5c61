// fuzz_seed_writer VECTORS_DIR OUT_DIR
//
// Writes the seed corpus of every fuzz target into OUT_DIR/<target>/, one file
// per seed named by a hash of its bytes (so rewriting is idempotent), from:
//   * interop/vectors/*.json — genuine libsignal messages and the malformed
//     ones, session records, keys and XEdDSA cases, scannable fingerprints;
//   * the fuzz_decrypt fixture — Alice's messages that decrypt in Bob's state.
// Prints one line per target with its seed count. Nothing is written into the
// repository: tools/fuzz.sh points OUT_DIR into the build tree.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>

#include "decrypt_fixture.hpp"
#include "fuzz_common.hpp"
#include "support/hex.hpp"

namespace {

using hush::Bytes;
using hush::ByteView;
using nlohmann::json;
namespace fs = std::filesystem;

class Corpus {
 public:
  explicit Corpus(fs::path root) : root_(std::move(root)) {}

  void add(const std::string& target, ByteView seed) {
    auto& seen = seeds_[target];
    Bytes b(seed.begin(), seed.end());
    if (!seen.insert(b).second) return;
    fs::create_directories(root_ / target);
    std::ofstream out(root_ / target / name(seed), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    if (!out) throw std::runtime_error("cannot write a seed under " + (root_ / target).string());
  }

  // [first byte][bytes]
  void add_prefixed(const std::string& target, std::uint8_t first, ByteView seed) {
    Bytes b{first};
    b.insert(b.end(), seed.begin(), seed.end());
    add(target, b);
  }

  void report() const {
    for (const auto& [target, seen] : seeds_) std::printf("%-28s %zu seeds\n", target.c_str(), seen.size());
  }

 private:
  static std::string name(ByteView b) {
    std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64
    for (auto x : b) h = (h ^ x) * 0x100000001b3ull;
    char buf[32];
    std::snprintf(buf, sizeof buf, "seed-%016llx", static_cast<unsigned long long>(h));
    return buf;
  }
  fs::path root_;
  std::map<std::string, std::set<Bytes>> seeds_;
};

json load(const fs::path& dir, const char* file) {
  std::ifstream in(dir / file);
  if (!in) throw std::runtime_error("missing vector file " + (dir / file).string());
  return json::parse(in);
}

Bytes hex(const json& j) { return hush::test::from_hex(j.get<std::string>()); }

Bytes cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes length_prefixed(ByteView a, ByteView b) {
  const auto n = static_cast<std::uint16_t>(a.size());
  Bytes out{static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8)};
  return cat({out, a, b});
}

const char* kSignal = "fuzz_signal_message";
const char* kPreKey = "fuzz_prekey_signal_message";
const char* kPublicKey = "fuzz_public_key";
const char* kRecord = "fuzz_session_record";
const char* kDecrypt = "fuzz_decrypt";
const char* kFingerprint = "fuzz_fingerprint_compare";
const char* kRecordUse = "fuzz_record_decrypt";

void from_messages(Corpus& c, const json& j) {
  for (const auto& g : j.at("genuine")) {
    const Bytes body = hex(g.at("body"));
    const int type = g.at("type").get<int>();
    c.add(type == 2 ? kSignal : kPreKey, body);
    c.add_prefixed(kDecrypt, static_cast<std::uint8_t>(type), body);
    if (!g.at("pre_key").is_null()) c.add(kSignal, hex(g.at("pre_key").at("message")));
  }
  for (const auto& m : j.at("malformed")) {
    const bool signal = m.at("kind").get<std::string>() == "signal";
    const Bytes in = hex(m.at("input"));
    c.add(signal ? kSignal : kPreKey, in);
    c.add_prefixed(kDecrypt, signal ? 2 : 3, in);
  }
}

void from_transcripts(Corpus& c, const json& j) {
  for (const auto& t : j.at("transcripts")) {
    c.add(kRecord, hex(t.at("alice_session_after_bundle")));
    for (const auto& s : t.at("steps")) {
      const Bytes body = hex(s.at("body"));
      const int type = s.at("type").get<int>();
      c.add(type == 2 ? kSignal : kPreKey, body);
      c.add_prefixed(kDecrypt, static_cast<std::uint8_t>(type), body);
      c.add(kRecord, hex(s.at("sender_session_before")));
      if (!s.at("receiver_session_before").is_null()) c.add(kRecord, hex(s.at("receiver_session_before")));
    }
  }
}

void from_sessions(Corpus& c, const json& j) {
  for (const auto& r : j.at("records")) {
    c.add(kRecord, hex(r.at("record")));
    c.add_prefixed(kRecordUse, 0, hex(r.at("record")));
    c.add_prefixed(kRecordUse, 0x80, hex(r.at("record")));
    for (const auto& m : r.at("pending_messages")) {
      const int type = m.at("type").get<int>();
      c.add(type == 2 ? kSignal : kPreKey, hex(m.at("body")));
    }
  }
}

void from_keys(Corpus& c, const json& keys, const json& xeddsa) {
  for (const auto& k : keys.at("public_key_parsing")) c.add(kPublicKey, hex(k.at("input")));
  for (const auto& k : keys.at("private_keys")) c.add(kPublicKey, hex(k.at("public_key")));
  for (const auto& x : xeddsa.at("cases"))
    c.add(kPublicKey, cat({hex(x.at("public_key")), hex(x.at("signature")), hex(x.at("message"))}));
  // A genuine signature over fuzz_public_key's fixed message, and the fixed
  // key in the key || signature || message layout.
  const auto fixed = hush::fuzz::fixed_signing_key();
  hush::test::DeterministicRng rng(0x5EED);
  const auto sig = fixed.private_key.sign(hush::as_bytes(hush::fuzz::kSignedMessage), rng);
  c.add(kPublicKey, sig);
  c.add(kPublicKey, cat({fixed.public_key.serialize(), sig, hush::as_bytes(hush::fuzz::kSignedMessage)}));
}

void from_fingerprints(Corpus& c, const json& j) {
  const auto& cases = j.at("cases");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Bytes ours = hex(cases[i].at("scannable"));
    const Bytes theirs = hex(cases[i].at("remote_scannable"));
    c.add(kFingerprint, length_prefixed(ours, theirs));  // compares true
    c.add(kFingerprint, length_prefixed(theirs, ours));
    if (i < 4) c.add(kFingerprint, length_prefixed(ours, ours));  // same side: false
    if (i + 1 < cases.size() && i < 4)                            // unrelated: false or version mismatch
      c.add(kFingerprint, length_prefixed(ours, hex(cases[i + 1].at("remote_scannable"))));
  }
}

void from_fixture(Corpus& c) {
  const auto f = hush::fuzz::build_decrypt_fixture();
  for (const auto& g : f.genuine) {
    c.add_prefixed(kDecrypt, static_cast<std::uint8_t>(g.type), g.body);
    c.add(g.type == hush::MessageType::whisper ? kSignal : kPreKey, g.body);
  }
  // Forged-with-Alice's-keys messages (fuzz_decrypt's 0x40 selector): each
  // counter class, raw and encrypted rest, whisper and PreKey.
  const Bytes text = {'s', 'e', 'e', 'd', ' ', 'p', 'l', 'a', 'i', 'n', 't', 'e', 'x', 't'};
  for (std::uint8_t counter : {0, 1, 2, 3, 15})
    for (std::uint8_t low : {0, 1, 2, 3}) {
      Bytes seed{hush::fuzz::kForgeSelector, static_cast<std::uint8_t>(counter << 4 | low)};
      seed.insert(seed.end(), text.begin(), text.end());
      if (!(low & hush::fuzz::kForgeEncrypt)) seed.resize(2 + 32);  // two AES blocks of "ciphertext"
      c.add(kDecrypt, seed);
    }
  // The sender-key selector, once.
  if (!f.genuine.empty()) c.add_prefixed(kDecrypt, 7, f.genuine.front().body);
  c.add(kRecord, f.session.view());
  // Bob's own record with every message selector, and with encrypt.
  for (std::size_t i = 0; i < f.genuine.size(); ++i)
    c.add_prefixed(kRecordUse, static_cast<std::uint8_t>(i), f.session.view());
  c.add_prefixed(kRecordUse, 0x80, f.session.view());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s VECTORS_DIR OUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    const fs::path vectors = argv[1];
    Corpus corpus{fs::path(argv[2])};
    from_messages(corpus, load(vectors, "messages.json"));
    from_transcripts(corpus, load(vectors, "transcripts.json"));
    from_sessions(corpus, load(vectors, "sessions.json"));
    from_keys(corpus, load(vectors, "keys.json"), load(vectors, "xeddsa.json"));
    from_fingerprints(corpus, load(vectors, "fingerprints.json"));
    from_fixture(corpus);
    corpus.report();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_seed_writer: %s\n", e.what());
    return 1;
  }
  return 0;
}
