// Comparing scannable safety numbers (libsignal fingerprint.rs
// ScannableFingerprint::deserialize and ::compare, facts §8).
#include "hush/fingerprint.hpp"

#include <climits>

#include "fingerprint.pb.h"

namespace hush {

namespace {

Error parsing_error() { return make_error(Errc::invalid_message, "fingerprint parsing error"); }

}  // namespace

Result<bool> compare_scannable(ByteView ours, ByteView theirs) {
  // protobuf takes an int length.
  if (ours.size() > INT_MAX || theirs.size() > INT_MAX) return parsing_error();
  // Our side as libsignal's deserialize reads it: every field required.
  fingerprint::CombinedFingerprints mine;
  if (!mine.ParseFromArray(ours.data(), static_cast<int>(ours.size())) || !mine.has_version() ||
      !mine.has_local_fingerprint() || !mine.local_fingerprint().has_content() ||
      !mine.has_remote_fingerprint() || !mine.remote_fingerprint().has_content()) {
    return parsing_error();
  }

  // Their side as compare() reads it, in the same order: a missing version
  // counts as 0 and is a mismatch before anything else is looked at.
  fingerprint::CombinedFingerprints other;
  if (!other.ParseFromArray(theirs.data(), static_cast<int>(theirs.size()))) return parsing_error();
  if (other.version() != mine.version()) {
    return make_error(Errc::invalid_message, "fingerprint version mismatch");
  }
  if (!other.has_local_fingerprint() || !other.local_fingerprint().has_content() ||
      !other.has_remote_fingerprint() || !other.remote_fingerprint().has_content()) {
    return parsing_error();
  }

  // Their local must be our remote and their remote our local; both checks
  // always run and compare in constant time (contents of unequal length are
  // simply unequal, as with subtle's ct_eq).
  const std::string& their_local = other.local_fingerprint().content();
  const std::string& their_remote = other.remote_fingerprint().content();
  const std::string& my_local = mine.local_fingerprint().content();
  const std::string& my_remote = mine.remote_fingerprint().content();
  const bool same1 = ct_equal(as_bytes(their_local), as_bytes(my_remote));
  const bool same2 = ct_equal(as_bytes(their_remote), as_bytes(my_local));
  return same1 && same2;
}

}  // namespace hush
