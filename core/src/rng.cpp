// Injected randomness (style §6).
#include "hush/rng.hpp"

#include <array>

#include "crypto/crypto.hpp"

namespace hush {

// Four bytes from the stream, little endian. libsignal draws its sender-key
// chain id this way (random u32, then >> 1; facts §7).
std::uint32_t Rng::next_u32() {
  std::array<std::uint8_t, 4> b{};
  fill(b);
  return static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
         static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24;
}

void SystemRng::fill(MutableByteView out) { crypto::random_fill(out); }

}  // namespace hush
