// Loads the known-answer vectors generated from libsignal into
// interop/vectors/ (schemas: interop/vectors/README.md).
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "support/hex.hpp"

namespace hush::test {

inline nlohmann::json load_vectors(const std::string& file) {
  std::ifstream in(std::string(HUSH_VECTORS_DIR) + "/" + file);
  if (!in) throw std::runtime_error("missing vector file " + file);
  return nlohmann::json::parse(in);
}

inline Bytes hex_field(const nlohmann::json& j, const char* key) { return from_hex(j.at(key).get<std::string>()); }

}  // namespace hush::test
