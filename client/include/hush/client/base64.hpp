// Standard base64 with padding (RFC 4648 §4), the encoding of every binary
// value in hushd's JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hush/bytes.hpp"

namespace hush::client {

std::string base64_encode(ByteView bytes);
// nullopt for anything that is not canonical padded base64.
std::optional<Bytes> base64_decode(std::string_view text);

}  // namespace hush::client
