// The inside of hush::SessionRecord (facts §5): an optional current state and
// up to kArchivedStatesMaxLength previous states, newest first.
#pragma once

#include <vector>
#include <optional>

#include "hush/session_record.hpp"
#include "state/session_state.hpp"

namespace hush::detail {

struct SessionRecordImpl {
  std::optional<state::SessionState> current;
  std::vector<state::SessionState> previous;  // newest first (at most 40: inserting at the front is cheap)

  // Archives the current state (clearing its pending prekey), dropping the
  // oldest previous state past the limit.
  void archive_current();
  // Archives the current state, then makes `s` current.
  void promote(state::SessionState s);
  // True if any state (current or previous) has this version and base key.
  bool has_state_for(std::uint32_t version, const PublicKey& alice_base_key) const;
};

}  // namespace hush::detail
