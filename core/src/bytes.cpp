// Memory primitives behind Secret<N>/SecretBytes (style §5). libsodium is
// included here as well as in crypto/: these two calls are the memory side of
// the crypto seam (non-elidable wipe, constant-time compare).
#include "hush/bytes.hpp"

#include <sodium.h>

namespace hush {

void secure_wipe(void* p, std::size_t n) noexcept {
  if (p != nullptr && n != 0) sodium_memzero(p, n);
}

bool ct_equal(ByteView a, ByteView b) noexcept {
  // The length is public; only the contents are compared in constant time.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void SecretBytes::resize(std::size_t n) {
  if (n <= data_.size()) {
    // Shrinking never reallocates; wipe the bytes that leave the view.
    secure_wipe(data_.data() + n, data_.size() - n);
    data_.resize(n);
  } else if (n <= data_.capacity()) {
    data_.resize(n);  // no reallocation: nothing left behind
  } else {
    // std::vector would copy into new storage and free the old unwiped, so
    // move by hand and wipe the old buffer before it is released.
    std::vector<std::uint8_t> grown(n, 0);
    for (std::size_t i = 0; i < data_.size(); ++i) grown[i] = data_[i];
    wipe();
    data_.swap(grown);
  }
}

}  // namespace hush
