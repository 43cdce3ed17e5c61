// Library initialisation for the crypto seam (style §9).
//
// libsodium must be initialised before randombytes_buf and before its
// scalar-multiplication back ends are selected; sodium_init() is itself
// idempotent but takes a lock, so the first call is guarded by call_once and
// later calls cost one atomic load. Every seam entry point that reaches
// libsodium's stateful parts calls init() itself, so a caller that forgets it
// is still correct.
#include <sodium.h>

#include <cstdlib>
#include <mutex>

#include "crypto/crypto.hpp"

namespace hush::crypto {

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    // -1 means the library could not initialise (e.g. no entropy source);
    // continuing would hand out predictable keys, so stop here.
    if (sodium_init() < 0) std::abort();
  });
}

}  // namespace hush::crypto
