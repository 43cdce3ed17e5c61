// End-to-end latency samples (nanoseconds) and their percentiles. All
// samples are kept: a run of a few million messages costs a few tens of MB
// and gives exact percentiles, no histogram error.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace hush::load {

class LatencySamples {
 public:
  void add(std::uint64_t ns) { samples_.push_back(ns); }
  void merge(const LatencySamples& other) { samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end()); }
  std::size_t size() const noexcept { return samples_.size(); }
  // Sorts; call once all samples are in.
  void finish() { std::sort(samples_.begin(), samples_.end()); }
  // Nearest-rank percentile in milliseconds (0 without samples); q in [0, 1].
  double percentile_ms(double q) const {
    if (samples_.empty()) return 0;
    auto rank = static_cast<std::size_t>(q * static_cast<double>(samples_.size()));
    rank = std::min(rank, samples_.size() - 1);
    return static_cast<double>(samples_[rank]) / 1e6;
  }
  double max_ms() const { return samples_.empty() ? 0 : static_cast<double>(samples_.back()) / 1e6; }

 private:
  std::vector<std::uint64_t> samples_;
};

}  // namespace hush::load
