// Base64 (standard alphabet, padded: docs/API.md), SHA-256 and random bytes
// for the server. libsodium does the work; call init_crypto() once first.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "hush/base64.hpp"
#include "hush/bytes.hpp"

namespace hush::server {

// Idempotent; aborts if libsodium cannot initialise (no usable RNG).
void init_crypto();

// libhush's strict standard base64 (hush/base64.hpp).
using hush::base64_decode;
using hush::base64_encode;

std::array<std::uint8_t, 32> sha256(ByteView data);

void random_fill(MutableByteView out);
// Same source, drawn from a per-thread buffer refilled 4 KiB at a time, so
// small values (16-byte envelope ids) cost no system call each.
void random_fill_buffered(MutableByteView out);

// A URL-safe, unpadded base64 token of `bytes` random bytes (invites).
std::string random_token(std::size_t bytes);

}  // namespace hush::server
