// Safety numbers (facts §8, libsignal fingerprint.rs): the published vector,
// comparison semantics, argument bounds, and every libsignal case in
// interop/vectors/fingerprints.json.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "crypto/crypto.hpp"
#include "hush/fingerprint.hpp"
#include "support/deterministic.hpp"
#include "support/hex.hpp"
#include "support/vectors.hpp"

namespace hush::test {
namespace {


PublicKey key(std::string_view hex) {
  auto r = PublicKey::deserialize(from_hex(hex));
  if (!r.ok()) throw std::runtime_error("bad test key");
  return *r;
}

const PublicKey kAlice = key("0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868");
const PublicKey kBob = key("05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b");
constexpr std::string_view kAliceId = "+14152222222";
constexpr std::string_view kBobId = "+14153333333";
constexpr std::string_view kDisplay = "300354477692869396892869876765458257569162576843440918079131";
constexpr std::string_view kAliceContent = "1e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df";
constexpr std::string_view kBobContent = "d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d";

std::string scannable_hex(std::uint32_t version, std::string_view local, std::string_view remote) {
  return "080" + std::to_string(version) + "12220a20" + std::string(local) + "1a220a20" + std::string(remote);
}

Fingerprint compute(std::uint32_t version, std::string_view local_id, const PublicKey& local,
                    std::string_view remote_id, const PublicKey& remote, std::uint32_t iterations = 5200) {
  auto r = compute_fingerprint(version, iterations, as_bytes(local_id), local, as_bytes(remote_id), remote);
  if (!r.ok()) throw std::runtime_error("fingerprint failed");
  return std::move(r).value();
}

TEST(FingerprintTest, FactsVectorVersion2) {
  auto a = compute(2, kAliceId, kAlice, kBobId, kBob);
  auto b = compute(2, kBobId, kBob, kAliceId, kAlice);
  EXPECT_EQ(a.displayable, kDisplay);
  EXPECT_EQ(b.displayable, kDisplay);
  EXPECT_EQ(to_hex(a.scannable), scannable_hex(2, kAliceContent, kBobContent));
  EXPECT_EQ(to_hex(b.scannable), scannable_hex(2, kBobContent, kAliceContent));
}

TEST(FingerprintTest, FactsVectorVersion1Prefix) {
  auto a = compute(1, kAliceId, kAlice, kBobId, kBob);
  auto b = compute(1, kBobId, kBob, kAliceId, kAlice);
  EXPECT_EQ(a.displayable, kDisplay);  // the version does not enter the digits
  EXPECT_EQ(to_hex(a.scannable).substr(0, 6), "080112");
  EXPECT_EQ(to_hex(a.scannable), scannable_hex(1, kAliceContent, kBobContent));
  EXPECT_EQ(to_hex(b.scannable), scannable_hex(1, kBobContent, kAliceContent));
}

// The definition spelled out with one-shot SHA-512, for the smallest legal
// iteration count.
TEST(FingerprintTest, TwoIterationsFollowTheDefinition) {
  auto fp = compute(2, "a", kAlice, "b", kBob, 2);
  auto side = [](std::string_view id, const PublicKey& k) {
    auto k33 = k.serialize();
    Bytes in{0x00, 0x00};
    in.insert(in.end(), k33.begin(), k33.end());
    in.insert(in.end(), id.begin(), id.end());
    in.insert(in.end(), k33.begin(), k33.end());
    auto h0 = crypto::sha512(in);
    Bytes in1(h0.begin(), h0.end());
    in1.insert(in1.end(), k33.begin(), k33.end());
    return crypto::sha512(in1);
  };
  auto digits = [](const std::array<std::uint8_t, 64>& h) {
    std::string s;
    for (int c = 0; c < 6; ++c) {
      std::uint64_t x = 0;
      for (int i = 0; i < 5; ++i) x = x << 8 | h[static_cast<std::size_t>(c * 5 + i)];
      char buf[8];
      std::snprintf(buf, sizeof buf, "%05u", static_cast<unsigned>(x % 100000));
      s += buf;
    }
    return s;
  };
  auto la = side("a", kAlice);
  auto lb = side("b", kBob);
  std::string da = digits(la), db = digits(lb);
  EXPECT_EQ(fp.displayable, da < db ? da + db : db + da);
  EXPECT_EQ(to_hex(fp.scannable),
            scannable_hex(2, to_hex(ByteView(la).first(32)), to_hex(ByteView(lb).first(32))));
}

TEST(FingerprintTest, IterationBounds) {
  for (std::uint32_t it : {0u, 1u, 1'000'001u, 0xFFFFFFFFu}) {
    auto r = compute_fingerprint(2, it, as_bytes(kAliceId), kAlice, as_bytes(kBobId), kBob);
    ASSERT_FALSE(r.ok()) << it;
    EXPECT_EQ(r.code(), Errc::bad_request);
  }
  EXPECT_TRUE(compute_fingerprint(2, 2, as_bytes(kAliceId), kAlice, as_bytes(kBobId), kBob).ok());
}

TEST(FingerprintTest, CompareAcceptsOnlyTheMirrorImage) {
  auto a = compute(2, kAliceId, kAlice, kBobId, kBob, 1024);
  auto b = compute(2, kBobId, kBob, kAliceId, kAlice, 1024);
  auto ab = compare_scannable(a.scannable, b.scannable);
  auto ba = compare_scannable(b.scannable, a.scannable);
  ASSERT_TRUE(ab.ok() && ba.ok());
  EXPECT_TRUE(*ab);
  EXPECT_TRUE(*ba);
  // Our own bytes are not the peer's view.
  auto aa = compare_scannable(a.scannable, a.scannable);
  ASSERT_TRUE(aa.ok());
  EXPECT_FALSE(*aa);
  // A man in the middle: Alice sees Mallory's key as Bob's.
  DeterministicRng rng(8);
  auto mallory = KeyPair::generate(rng).public_key;
  auto a_mitm = compute(2, kAliceId, kAlice, kBobId, mallory, 1024);
  EXPECT_NE(a_mitm.displayable, b.displayable);
  auto r = compare_scannable(a_mitm.scannable, b.scannable);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  // A different identifier changes both forms as well.
  auto a_other_id = compute(2, "+141512222222", kAlice, kBobId, kBob, 1024);
  auto r2 = compare_scannable(a_other_id.scannable, b.scannable);
  ASSERT_TRUE(r2.ok());
  EXPECT_FALSE(*r2);
}

TEST(FingerprintTest, CompareVersionMismatchIsInvalidMessage) {
  auto a1 = compute(1, kAliceId, kAlice, kBobId, kBob, 2);
  auto b2 = compute(2, kBobId, kBob, kAliceId, kAlice, 2);
  auto r = compare_scannable(a1.scannable, b2.scannable);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::invalid_message);
}

// libsignal reads a missing version as 0 and checks it first; missing
// fingerprints or contents are parsing errors; bytes are compared as given.
TEST(FingerprintTest, CompareMalformedInputs) {
  auto ours = compute(2, kAliceId, kAlice, kBobId, kBob, 2);
  const std::string content32(64, 'a');
  struct Case {
    const char* name;
    std::string theirs_hex;
    bool ok;
  };
  const Case cases[] = {
      {"garbage", "ffffffff", false},
      {"truncated", to_hex(ByteView(ours.scannable).first(20)), false},
      {"empty (version 0 != 2)", "", false},
      {"no version", "12220a20" + content32 + "1a220a20" + content32, false},
      {"no local", "08021a220a20" + content32, false},
      {"no remote", "080212220a20" + content32, false},
      {"local without content", "080212001a220a20" + content32, false},
      {"remote without content", "080212220a20" + content32 + "1a00", false},
      {"short contents compare unequal", "080212020a001a020a00", true},
  };
  for (const auto& c : cases) {
    auto r = compare_scannable(ours.scannable, from_hex(c.theirs_hex));
    EXPECT_EQ(r.ok(), c.ok) << c.name;
    if (r.ok()) {
      EXPECT_FALSE(*r) << c.name;
    } else {
      EXPECT_EQ(r.code(), Errc::invalid_message) << c.name;
    }
  }
  // Version 0 is written (proto2, as libsignal) and an absent version equals it.
  auto zero = compute(0, kAliceId, kAlice, kBobId, kBob, 2);
  EXPECT_EQ(to_hex(zero.scannable).substr(0, 4), "0800");
  auto r = compare_scannable(zero.scannable, from_hex("12220a20" + content32 + "1a220a20" + content32));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  // Unparsable bytes on our own side are refused too.
  auto bad_ours = compare_scannable(from_hex("ff"), ours.scannable);
  ASSERT_FALSE(bad_ours.ok());
  EXPECT_EQ(bad_ours.code(), Errc::invalid_message);
}

TEST(FingerprintTest, IdentitiesOfAnyLength) {
  auto empty = compute(2, "", kAlice, "", kBob, 2);
  EXPECT_EQ(empty.displayable.size(), 60u);
  std::string long_id(1000, 'x');
  auto big = compute(2, long_id, kAlice, long_id, kBob, 2);
  EXPECT_EQ(big.displayable.size(), 60u);
  EXPECT_NE(big.displayable, empty.displayable);
}

// --- libsignal's answers (interop/vectors/fingerprints.json) -----------------------------------

TEST(FingerprintVectorsTest, EveryCaseMatchesLibsignalByteForByte) {
  auto v = load_vectors("fingerprints.json");
  const auto& cases = v.at("cases");
  ASSERT_EQ(cases.size(), 33u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto version = c.at("version").get<std::uint32_t>();
    const auto iterations = c.at("iterations").get<std::uint32_t>();
    auto local_key = PublicKey::deserialize(hex_field(c, "local_key"));
    auto remote_key = PublicKey::deserialize(hex_field(c, "remote_key"));
    ASSERT_TRUE(local_key.ok() && remote_key.ok());
    Bytes local_id = hex_field(c, "local_id");
    Bytes remote_id = hex_field(c, "remote_id");
    auto mine = compute_fingerprint(version, iterations, local_id, *local_key, remote_id, *remote_key);
    auto theirs = compute_fingerprint(version, iterations, remote_id, *remote_key, local_id, *local_key);
    ASSERT_TRUE(mine.ok() && theirs.ok());
    EXPECT_EQ(mine->displayable, c.at("displayable").get<std::string>());
    EXPECT_EQ(theirs->displayable, c.at("displayable").get<std::string>());
    EXPECT_EQ(to_hex(mine->scannable), c.at("scannable").get<std::string>());
    EXPECT_EQ(to_hex(theirs->scannable), c.at("remote_scannable").get<std::string>());
    auto same = compare_scannable(mine->scannable, hex_field(c, "remote_scannable"));
    ASSERT_TRUE(same.ok());
    // identical_sides: libsignal's own compare is true there as well (local ==
    // remote on both sides).
    EXPECT_TRUE(*same);
  }
}

TEST(FingerprintVectorsTest, ArgumentErrorsMatchLibsignal) {
  auto v = load_vectors("fingerprints.json");
  const auto& errs = v.at("argument_errors");
  ASSERT_EQ(errs.size(), 3u);
  for (const auto& e : errs) {
    auto r = compute_fingerprint(e.at("version").get<std::uint32_t>(), e.at("iterations").get<std::uint32_t>(),
                                 as_bytes(kAliceId), kAlice, as_bytes(kBobId), kBob);
    EXPECT_EQ(r.ok(), e.at("accepted").get<bool>()) << e.at("iterations");
    if (!r.ok()) {
      EXPECT_EQ(r.code(), Errc::bad_request);
    }
  }
}

}  // namespace
}  // namespace hush::test
