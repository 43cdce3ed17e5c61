// Marker plaintexts ("MARKER-<32 hex>") that tests send through the server,
// and a scan proving none of them reached the server's files or logs: the
// server must only ever hold ciphertext (and must not log request bodies).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hush::e2e {

std::string new_marker();

struct MarkerHit {
  std::filesystem::path file;
  std::string marker;
};

// Every occurrence of any marker in the given files, or in the files under
// the given directories (recursively). Raw bytes: the text, not a decoding.
std::vector<MarkerHit> scan_for_markers(const std::vector<std::filesystem::path>& places,
                                        const std::vector<std::string>& markers);

}  // namespace hush::e2e
