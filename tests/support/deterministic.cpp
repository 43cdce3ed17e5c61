#include "support/deterministic.hpp"

#include <algorithm>
#include <array>

#include "crypto/crypto.hpp"

namespace hush::test {

void DeterministicRng::fill(MutableByteView out) {
  std::size_t done = 0;
  while (done < out.size()) {
    std::array<std::uint8_t, 16> block{};
    for (int i = 0; i < 8; ++i) {
      block[i] = static_cast<std::uint8_t>(seed_ >> (8 * i));
      block[8 + i] = static_cast<std::uint8_t>(counter_ >> (8 * i));
    }
    ++counter_;
    auto h = crypto::sha512(block);
    std::size_t n = std::min(h.size(), out.size() - done);
    std::copy_n(h.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
    done += n;
  }
}

}  // namespace hush::test
