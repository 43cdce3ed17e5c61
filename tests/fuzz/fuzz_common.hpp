// Shared helpers for the libFuzzer targets (docs/FUZZING.md).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "hush/keys.hpp"
#include "support/deterministic.hpp"

// An invariant of libhush that the fuzzer found broken: say which, then abort
// so libFuzzer records the input as a crash.
#define FUZZ_CHECK(cond, what)                                                                      \
  do {                                                                                              \
    if (!(cond)) {                                                                                  \
      std::fprintf(stderr, "==HUSH-FUZZ== invariant violated: %s\n  check: %s\n  at %s:%d\n", what, \
                   #cond, __FILE__, __LINE__);                                                      \
      std::abort();                                                                                 \
    }                                                                                               \
  } while (0)

namespace hush::fuzz {

inline ByteView input(const std::uint8_t* data, std::size_t size) { return {data, size}; }

// fuzz_public_key verifies each input as a signature over this message under
// this key; the seed writer signs it once so a genuine signature is a seed.
inline constexpr std::string_view kSignedMessage = "hush fuzz: a fixed message to verify";
inline KeyPair fixed_signing_key() {
  test::DeterministicRng rng(0x5167'4e);
  return KeyPair::generate(rng);
}

// fuzz_fingerprint_compare splits its input at a 2-byte little-endian length
// prefix: [len lo][len hi][ours: len bytes][theirs: the rest].
struct Split {
  ByteView first;
  ByteView second;
};
inline Split split_prefixed(ByteView in) {
  if (in.size() < 2) return {in, {}};
  std::size_t len = static_cast<std::size_t>(in[0]) | static_cast<std::size_t>(in[1]) << 8;
  auto rest = in.subspan(2);
  if (len > rest.size()) len = rest.size();
  return {rest.first(len), rest.subspan(len)};
}

}  // namespace hush::fuzz
