// Merges the replay of a device's stored queue with live pushes that arrive
// while it runs, so that nothing is lost and nothing is sent twice.
//
// The session subscribes to the Fanout first and only then replays the queue
// from the database page by page. An envelope committed meanwhile may show
// up both as a live push and in a later page, or only as a live push (if it
// was committed after the last page was read). So while replaying, live
// pushes are held; a replayed envelope drops its held twin; when a short
// page ends the pass, the held pushes that were not replayed are sent, then
// QueueDrained, and pushes go straight through from then on.
//
// If too many pushes arrive during a replay the held ones are dropped and
// another pass runs from the last replayed sequence number; they are
// committed, so that pass finds them. A push whose notification is overtaken
// by the final page read (committed just before it) is caught by a short
// list of the most recently replayed ids.
//
// Not thread-safe: the owning session calls it on its own executor only.
// Small when live (two null pointers after an empty replay).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "relay/delivery.hpp"

namespace hush::server {

class ReplayMerger {
 public:
  explicit ReplayMerger(std::size_t max_held = 1024);

  bool replaying() const { return replay_ != nullptr; }
  // Sequence number to fetch after (valid while replaying).
  std::uint64_t after_seq() const;

  // A live push: true to send it now; false when held (replaying) or a
  // duplicate of a recently replayed envelope.
  bool accept_live(const DeliveryPtr& delivery);

  // A replayed envelope, in queue order; the caller sends it.
  void note_replayed(const EnvelopeId& id, std::uint64_t seq);

  // The current pass ended with a short page. Returns false when another
  // pass is needed (held pushes overflowed). Otherwise moves the held pushes
  // not replayed into `to_send` (in arrival order), switches to live and
  // returns true.
  bool finish_pass(std::vector<DeliveryPtr>& to_send);

 private:
  static constexpr std::size_t kRecent = 8;
  struct Replay {
    std::uint64_t after_seq = 0;
    bool overflowed = false;
    std::vector<DeliveryPtr> held;
  };
  struct Recent {
    std::array<EnvelopeId, kRecent> ids{};
    std::size_t next = 0;
    std::size_t size = 0;
    void add(const EnvelopeId& id);
    bool contains(const EnvelopeId& id) const;
  };

  std::size_t max_held_;
  std::unique_ptr<Replay> replay_;
  std::unique_ptr<Recent> recent_;
};

}  // namespace hush::server
