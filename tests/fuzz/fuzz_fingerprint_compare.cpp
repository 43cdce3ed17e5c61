// fuzz_fingerprint_compare: compare_scannable(ours, theirs), the input split
// at a 2-byte little-endian length prefix (fuzz_common.hpp). When both
// directions parse, the answer is the same both ways.
#include "fuzz_common.hpp"
#include "hush/fingerprint.hpp"

using namespace hush;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [ours, theirs] = fuzz::split_prefixed(fuzz::input(data, size));
  auto r = compare_scannable(ours, theirs);
  if (!r) {
    FUZZ_CHECK(r.code() == Errc::invalid_message, "compare failed with a code other than invalid_message");
    return 0;
  }
  auto back = compare_scannable(theirs, ours);
  if (back) FUZZ_CHECK(*back == *r, "compare_scannable is not symmetric");
  return 0;
}
