// Standard padded base64 (RFC 4648 §4), the encoding of binary values in the
// interop driver's and hushd's JSON. One implementation for every component,
// through libsodium (never a hand-written codec).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hush/bytes.hpp"

namespace hush {

std::string base64_encode(ByteView bytes);
// Strict: standard alphabet, correct padding, no whitespace; nullopt otherwise.
std::optional<Bytes> base64_decode(std::string_view text);

}  // namespace hush
