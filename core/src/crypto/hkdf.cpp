// HKDF-SHA256 (RFC 5869) over the prepared-key HMAC in hmac.cpp. Used for
// every derivation in the protocol: X3DH secrets ("WhisperText"), the root
// ratchet ("WhisperRatchet"), message keys ("WhisperMessageKeys") and sender
// keys ("WhisperGroup") (facts §3, §4, §7).
#include <cstdlib>

#include "crypto/crypto.hpp"

namespace hush::crypto {

namespace {
constexpr std::size_t kHashLen = 32;
constexpr std::size_t kMaxOutput = 255 * kHashLen;  // RFC 5869 §2.3: L <= 255*HashLen
}  // namespace

void hkdf_sha256(ByteView salt, ByteView ikm, ByteView info, MutableByteView out) {
  // A contract violation, not a runtime condition: every caller asks for a
  // fixed 32..80 bytes. Continuing would silently truncate key material.
  if (out.size() > kMaxOutput) std::abort();

  // RFC 5869 §2.2 Extract: PRK = HMAC(salt, IKM). "If not provided, [salt] is
  // set to a string of HashLen zeros"; libsignal passes none (facts §3, §4).
  static constexpr std::array<std::uint8_t, kHashLen> kZeroSalt{};
  Key32 prk;
  {
    HmacSha256 extract(salt.empty() ? ByteView(kZeroSalt) : salt);
    extract.update(ikm);
    extract.finish(prk.data());
  }

  // RFC 5869 §2.3 Expand: T(i) = HMAC(PRK, T(i-1) || info || i), i from 1;
  // OKM is the first L bytes of T(1) || T(2) || ...
  HmacSha256 expand(prk.view());
  Key32 t;
  std::size_t done = 0;
  for (std::uint8_t i = 1; done < out.size(); ++i) {
    if (i > 1) expand.update(t.view());
    expand.update(info);
    expand.update(ByteView(&i, 1));
    expand.finish(t.data());
    std::size_t n = out.size() - done < kHashLen ? out.size() - done : kHashLen;
    for (std::size_t j = 0; j < n; ++j) out[done + j] = t.data()[j];
    done += n;
  }
  // prk and t wipe themselves (Secret<32>); expand wipes its states.
}

}  // namespace hush::crypto
