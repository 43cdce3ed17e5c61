// Randomness is injected so that every transcript can be replayed in tests.
#pragma once

#include "hush/bytes.hpp"

namespace hush {

// Source of cryptographic randomness. Implementations must be safe to call
// from the thread that owns the party; libhush never shares one across threads.
class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(MutableByteView out) = 0;
  std::uint32_t next_u32();
};

// The operating system's CSPRNG through libsodium (randombytes_buf).
class SystemRng final : public Rng {
 public:
  void fill(MutableByteView out) override;
};

}  // namespace hush
