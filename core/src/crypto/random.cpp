// Randomness for the crypto seam: the operating system's CSPRNG through
// libsodium (getrandom(2) on Linux).
#include <sodium.h>

#include "crypto/crypto.hpp"

namespace hush::crypto {

void random_fill(MutableByteView out) {
  init();
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

}  // namespace hush::crypto
