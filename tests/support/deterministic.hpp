// Deterministic randomness and time, so every transcript replays (style §6).
#pragma once

#include <cstdint>

#include "hush/clock.hpp"
#include "hush/rng.hpp"

namespace hush::test {

// A seeded stream (SHA-512 in counter mode over the seed): the same seed gives
// the same keys, signatures and transcripts on every run.
class DeterministicRng final : public Rng {
 public:
  explicit DeterministicRng(std::uint64_t seed) : seed_(seed) {}
  void fill(MutableByteView out) override;

 private:
  std::uint64_t seed_;
  std::uint64_t counter_ = 0;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::uint64_t now = 1'700'000'000) : now_(now) {}
  std::uint64_t now_seconds() const override { return now_; }
  void advance(std::uint64_t seconds) { now_ += seconds; }

 private:
  std::uint64_t now_;
};

}  // namespace hush::test
