// fuzz_public_key: PublicKey::deserialize and XEdDSA verify.
//   * The whole input is deserialized; if accepted, it re-serializes to its
//     first 33 bytes (trailing bytes are ignored, as libsignal does).
//   * The whole input is verified as a signature over a fixed message under a
//     fixed key (the seed writer puts a genuine signature in the corpus).
//   * If accepted and at least 97 bytes long, the input is read as
//     key(33) || signature(64) || message and that signature is verified
//     (xeddsa.json cases are seeds in this layout).
#include <algorithm>

#include "fuzz_common.hpp"

using namespace hush;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const KeyPair fixed = fuzz::fixed_signing_key();
  const ByteView in = fuzz::input(data, size);

  const bool fixed_ok = fixed.public_key.verify(as_bytes(fuzz::kSignedMessage), in);
  if (fixed_ok) FUZZ_CHECK(size == kSignatureSize, "a signature that is not 64 bytes verified");

  auto key = PublicKey::deserialize(in);
  if (!key) {
    FUZZ_CHECK(key.code() == Errc::invalid_key, "deserialize failed with a code other than invalid_key");
    FUZZ_CHECK(size < kPublicKeySize || data[0] != kDjbKeyType, "rejected a well-formed key");
    return 0;
  }
  FUZZ_CHECK(size >= kPublicKeySize && data[0] == kDjbKeyType, "accepted a malformed key");
  const auto ser = key->serialize();
  FUZZ_CHECK(std::equal(ser.begin(), ser.end(), data), "serialize is not the first 33 input bytes");
  auto again = PublicKey::deserialize(ser);
  FUZZ_CHECK(again.ok() && *again == *key && (*again <=> *key) == 0, "re-deserialized key differs");

  if (size >= kPublicKeySize + kSignatureSize) {
    const auto sig = in.subspan(kPublicKeySize, kSignatureSize);
    const auto msg = in.subspan(kPublicKeySize + kSignatureSize);
    const bool ok = key->verify(msg, sig);
    // Verification is a pure function of its inputs.
    FUZZ_CHECK(ok == key->verify(msg, sig), "verify is not deterministic");
  }
  return 0;
}
