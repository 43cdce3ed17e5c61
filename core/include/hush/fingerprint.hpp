// Safety numbers (libsignal fingerprint.rs, facts §8): a 60-digit displayable
// number and a scannable protobuf, equal for both parties.
#pragma once

#include <string>

#include "hush/keys.hpp"

namespace hush {

struct Fingerprint {
  std::string displayable;  // 60 digits
  Bytes scannable;          // CombinedFingerprints protobuf (this party's view)
};

// iterations must be in (1, 1'000'000], else bad_request.
Result<Fingerprint> compute_fingerprint(std::uint32_t version, std::uint32_t iterations, ByteView local_id,
                                        const IdentityKey& local_key, ByteView remote_id,
                                        const IdentityKey& remote_key);

// Compares our scannable bytes with the peer's: true iff they are the same
// fingerprint seen from the other side. invalid_message on unparsable input or
// a version mismatch.
Result<bool> compare_scannable(ByteView ours, ByteView theirs);

}  // namespace hush
