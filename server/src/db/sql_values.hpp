// How Db's C++ values map to SQLite columns.
#pragma once

#include <cstdint>

#include "db.hpp"

namespace hush::server::db_detail {

// SQLite integers are signed 64-bit: a uint64 timestamp is stored as its
// two's-complement bit pattern and read back the same way, so every value
// round-trips (ordering in SQL is only ever by seq, never by timestamp).
inline std::int64_t to_sql(std::uint64_t v) noexcept {
  return static_cast<std::int64_t>(v);
}
inline std::uint64_t u64_from_sql(std::int64_t v) noexcept {
  return static_cast<std::uint64_t>(v);
}
// uint32 columns (ids, types) hold values the schema or our writes bound to
// 0..2^32-1; the cast only drops bits a corrupt file could carry.
inline std::uint32_t u32_from_sql(std::int64_t v) noexcept {
  return static_cast<std::uint32_t>(v);
}

inline constexpr std::size_t kPublicKeySize = 33;  // libsignal: 0x05 || X25519 u
inline constexpr std::size_t kSignatureSize = 64;  // XEdDSA

}  // namespace hush::server::db_detail
