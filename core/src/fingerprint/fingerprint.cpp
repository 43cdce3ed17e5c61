// Safety numbers (libsignal rust/protocol/src/fingerprint.rs, facts §8).
#include "hush/fingerprint.hpp"

#include <string>

#include "crypto/crypto.hpp"
#include "fingerprint.pb.h"

namespace hush {

namespace {

// fingerprint.rs get_fingerprint bounds.
constexpr std::uint32_t kMaxIterations = 1'000'000;
// The fixed "fingerprint version" 0x0000 that starts the first hash input.
constexpr std::array<std::uint8_t, 2> kHashVersion = {0x00, 0x00};
// Bytes of each side's hash used by the scannable form.
constexpr std::size_t kScannableBytes = 32;

using Hash = std::array<std::uint8_t, 64>;

// H_0 = SHA-512(0x0000 || key || id || key); H_i = SHA-512(H_{i-1} || key),
// `iterations` hashes in all. One Sha512 object is reused (finish() re-inits),
// so the 5 200-round loop allocates nothing; each round is a single
// compression (64 + 33 bytes plus padding fit one 128-byte block).
Hash iterated_hash(std::uint32_t iterations, ByteView id, const IdentityKey& key) {
  const auto key33 = key.serialize();
  crypto::Sha512 sha;
  sha.update(kHashVersion);
  sha.update(key33);
  sha.update(id);
  sha.update(key33);
  Hash h = sha.finish();
  for (std::uint32_t i = 1; i < iterations; ++i) {
    sha.update(h);
    sha.update(key33);
    h = sha.finish();
  }
  return h;
}

// Thirty digits: the first 30 bytes as six big-endian 40-bit numbers, each
// mod 100 000 and printed with leading zeros (fingerprint.rs
// get_encoded_string).
std::string displayable_half(const Hash& h) {
  std::string out;
  out.reserve(30);
  for (std::size_t chunk = 0; chunk < 6; ++chunk) {
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < 5; ++i) x = x << 8 | h[chunk * 5 + i];
    auto n = static_cast<std::uint32_t>(x % 100'000);
    char digits[5];
    for (int d = 4; d >= 0; --d) {
      digits[d] = static_cast<char>('0' + n % 10);
      n /= 10;
    }
    out.append(digits, 5);
  }
  return out;
}

}  // namespace

Result<Fingerprint> compute_fingerprint(std::uint32_t version, std::uint32_t iterations, ByteView local_id,
                                        const IdentityKey& local_key, ByteView remote_id,
                                        const IdentityKey& remote_key) {
  if (iterations <= 1 || iterations > kMaxIterations) {
    return make_error(Errc::bad_request, "invalid fingerprint iterations " + std::to_string(iterations));
  }
  const Hash local = iterated_hash(iterations, local_id, local_key);
  const Hash remote = iterated_hash(iterations, remote_id, remote_key);

  // The smaller half first, so both parties print the same 60 digits.
  std::string local_digits = displayable_half(local);
  std::string remote_digits = displayable_half(remote);
  Fingerprint fp;
  fp.displayable = local_digits < remote_digits ? local_digits + remote_digits : remote_digits + local_digits;

  // CombinedFingerprints{version, local{content}, remote{content}}. The schema
  // is proto2 like libsignal's, so the version is written even when 0.
  fingerprint::CombinedFingerprints combined;
  combined.set_version(version);
  combined.mutable_local_fingerprint()->set_content(local.data(), kScannableBytes);
  combined.mutable_remote_fingerprint()->set_content(remote.data(), kScannableBytes);
  fp.scannable.resize(combined.ByteSizeLong());
  if (!combined.SerializeToArray(fp.scannable.data(), static_cast<int>(fp.scannable.size()))) {
    return make_error(Errc::bad_request, "fingerprint encoding failed");
  }
  return fp;
}

}  // namespace hush
