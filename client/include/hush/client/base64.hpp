// The client uses libhush's base64 (hush/base64.hpp).
#pragma once

#include "hush/base64.hpp"

namespace hush::client {

using hush::base64_decode;
using hush::base64_encode;

}  // namespace hush::client
