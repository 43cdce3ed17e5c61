// Byte containers. Public values use Bytes/ByteView; anything secret (private
// keys, chain keys, message keys, plaintext held by the library) lives in
// SecretBytes or Secret<N>: move-only, wiped on destruction, never convertible
// to std::vector, no stream output, equality only in constant time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace hush {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;

// Wipes memory in a way the optimiser cannot elide (sodium_memzero).
void secure_wipe(void* p, std::size_t n) noexcept;

// Constant-time equality of two equal-length byte strings; false if the
// lengths differ (the length itself is not secret).
bool ct_equal(ByteView a, ByteView b) noexcept;

inline ByteView as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// A fixed-size secret, e.g. a 32-byte private key or chain key.
template <std::size_t N>
class Secret {
 public:
  Secret() noexcept { data_.fill(0); }
  explicit Secret(ByteView src) noexcept {
    data_.fill(0);
    for (std::size_t i = 0; i < N && i < src.size(); ++i) data_[i] = src[i];
  }
  // Every Secret wipes its bytes when destroyed, moved-from ones included, so
  // a move need not wipe the source as well: that halves the wipes on the
  // ratchet's hot path (docs/BENCHMARKS.md) without letting a copy outlive
  // its owner.
  ~Secret() { secure_wipe(data_.data(), N); }
  Secret(Secret&& o) noexcept : data_(o.data_) {}
  Secret& operator=(Secret&& o) noexcept {
    if (this != &o) data_ = o.data_;
    return *this;
  }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  // Copies are explicit so every duplicate of a secret is visible in review.
  Secret clone() const noexcept { return Secret(view()); }

  std::uint8_t* data() noexcept { return data_.data(); }
  const std::uint8_t* data() const noexcept { return data_.data(); }
  static constexpr std::size_t size() noexcept { return N; }
  ByteView view() const noexcept { return {data_.data(), N}; }
  MutableByteView mut() noexcept { return {data_.data(), N}; }

  friend bool operator==(const Secret& a, const Secret& b) noexcept { return ct_equal(a.view(), b.view()); }

 private:
  std::array<std::uint8_t, N> data_;
};

// A variable-size secret (plaintext, serialized private state).
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t n) : data_(n, 0) {}
  explicit SecretBytes(ByteView src) : data_(src.begin(), src.end()) {}
  ~SecretBytes() { wipe(); }
  SecretBytes(SecretBytes&& o) noexcept : data_(std::move(o.data_)) { o.data_.clear(); }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      wipe();
      data_ = std::move(o.data_);
      o.data_.clear();
    }
    return *this;
  }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  SecretBytes clone() const { return SecretBytes(view()); }

  // Resizing never leaves an unwiped copy behind: a growing buffer is moved
  // into fresh storage and the old storage wiped first.
  void resize(std::size_t n);

  std::uint8_t* data() noexcept { return data_.data(); }
  const std::uint8_t* data() const noexcept { return data_.data(); }
  std::size_t size() const noexcept { return data_.size(); }
  bool empty() const noexcept { return data_.empty(); }
  ByteView view() const noexcept { return {data_.data(), data_.size()}; }
  MutableByteView mut() noexcept { return {data_.data(), data_.size()}; }

  friend bool operator==(const SecretBytes& a, const SecretBytes& b) noexcept {
    return ct_equal(a.view(), b.view());
  }

 private:
  void wipe() noexcept {
    if (!data_.empty()) secure_wipe(data_.data(), data_.size());
  }
  std::vector<std::uint8_t> data_;
};

}  // namespace hush
