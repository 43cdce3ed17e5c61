// fuzz_session_record: SessionRecord::deserialize on arbitrary bytes. An
// accepted record re-serializes to bytes that deserialize again and serialize
// to the same bytes (byte-stable); its clone serializes the same; archiving
// its current state keeps it serializable and within libsignal's 40
// previous states.
#include <algorithm>

#include "fuzz_common.hpp"
#include "hush/session_record.hpp"

using namespace hush;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto rec = SessionRecord::deserialize(fuzz::input(data, size));
  if (!rec) {
    FUZZ_CHECK(rec.code() == Errc::invalid_message, "deserialize failed with a code other than invalid_message");
    return 0;
  }
  const SecretBytes s1 = rec->serialize();
  auto rec2 = SessionRecord::deserialize(s1.view());
  FUZZ_CHECK(rec2.ok(), "a serialized record does not deserialize");
  const SecretBytes s2 = rec2->serialize();
  FUZZ_CHECK(s1 == s2, "serialize → deserialize → serialize is not byte-stable");
  FUZZ_CHECK(rec2->has_current_state() == rec->has_current_state(), "round trip changed has_current_state");
  FUZZ_CHECK(rec2->previous_state_count() == rec->previous_state_count(), "round trip changed previous states");
  FUZZ_CHECK(rec->clone().serialize() == s1, "a clone serializes differently");

  SessionRecord archived = rec->clone();
  const bool had_current = archived.has_current_state();
  const std::size_t prev = archived.previous_state_count();
  archived.archive_current_state();
  FUZZ_CHECK(!archived.has_current_state(), "archive left a current state");
  // libsignal drops the oldest state when 40 (or more) are archived already.
  if (had_current)
    FUZZ_CHECK(archived.previous_state_count() == (prev >= 40 ? prev : prev + 1),
               "archive kept the wrong number of previous states");
  else
    FUZZ_CHECK(archived.previous_state_count() == prev, "archiving nothing changed the previous states");
  auto rec3 = SessionRecord::deserialize(archived.serialize().view());
  FUZZ_CHECK(rec3.ok(), "an archived record does not deserialize");
  return 0;
}
