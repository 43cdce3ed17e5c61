#include "markers.hpp"


#include "child_process.hpp"
#include "hush/client/message_format.hpp"
#include "hush/rng.hpp"

namespace hush::e2e {

std::string new_marker() {
  client::MessageId random{};
  SystemRng().fill(random);
  return "MARKER-" + client::to_hex(random);
}

std::vector<MarkerHit> scan_for_markers(const std::vector<std::filesystem::path>& places,
                                        const std::vector<std::string>& markers) {
  std::vector<std::filesystem::path> files;
  for (const auto& place : places) {
    std::error_code ec;
    if (std::filesystem::is_directory(place, ec)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(place, ec))
        if (entry.is_regular_file()) files.push_back(entry.path());
    } else if (std::filesystem::is_regular_file(place, ec)) {
      files.push_back(place);
    }
  }
  std::vector<MarkerHit> hits;
  for (const auto& file : files) {
    const std::string bytes = read_file(file);
    for (const auto& marker : markers)
      if (bytes.find(marker) != std::string::npos) hits.push_back({file, marker});
  }
  return hits;
}

}  // namespace hush::e2e
