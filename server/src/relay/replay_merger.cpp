#include "relay/replay_merger.hpp"

#include <algorithm>

namespace hush::server {

void ReplayMerger::Recent::add(const EnvelopeId& id) {
  ids[next] = id;
  next = (next + 1) % kRecent;
  size = std::min(size + 1, kRecent);
}

bool ReplayMerger::Recent::contains(const EnvelopeId& id) const {
  for (std::size_t i = 0; i < size; ++i) {
    if (ids[i] == id) return true;
  }
  return false;
}

ReplayMerger::ReplayMerger(std::size_t max_held) : max_held_(max_held), replay_(std::make_unique<Replay>()) {}

std::uint64_t ReplayMerger::after_seq() const { return replay_ ? replay_->after_seq : 0; }

bool ReplayMerger::accept_live(const DeliveryPtr& delivery) {
  if (replay_) {
    if (replay_->overflowed) return false;
    if (replay_->held.size() >= max_held_) {
      // Drop them all: they are committed, the next pass reads them back.
      replay_->held.clear();
      replay_->held.shrink_to_fit();
      replay_->overflowed = true;
      return false;
    }
    replay_->held.push_back(delivery);
    return false;
  }
  return !(recent_ && recent_->contains(delivery->envelope.id));
}

void ReplayMerger::note_replayed(const EnvelopeId& id, std::uint64_t seq) {
  if (!replay_) return;
  replay_->after_seq = std::max(replay_->after_seq, seq);
  std::erase_if(replay_->held, [&id](const DeliveryPtr& d) { return d->envelope.id == id; });
  if (!recent_) recent_ = std::make_unique<Recent>();
  recent_->add(id);
}

bool ReplayMerger::finish_pass(std::vector<DeliveryPtr>& to_send) {
  if (!replay_) return true;
  if (replay_->overflowed) {
    replay_->overflowed = false;
    return false;
  }
  for (auto& d : replay_->held) to_send.push_back(std::move(d));
  replay_.reset();
  return true;
}

}  // namespace hush::server
