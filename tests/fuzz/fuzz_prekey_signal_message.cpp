// fuzz_prekey_signal_message: wire::PreKeySignalMessage::parse on arbitrary
// bytes. An accepted message is version 3 with a parsed inner SignalMessage
// that views the message's own copy of the inner bytes (read in full here so
// ASan sees a dangling view), and build → parse gives the same fields.
#include "fuzz_common.hpp"
#include "wire/prekey_signal_message.hpp"

using namespace hush;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in = fuzz::input(data, size);
  auto parsed = wire::PreKeySignalMessage::parse(in);
  if (!parsed) {
    FUZZ_CHECK(parsed.code() == Errc::invalid_message, "parse failed with a code other than invalid_message");
    return 0;
  }
  // Move it once more, as callers do, before looking at the inner view.
  wire::PreKeySignalMessage m = std::move(parsed).value();
  FUZZ_CHECK(m.message_version == 3, "accepted a PreKey message version other than 3");
  FUZZ_CHECK(m.message_version == (data[0] >> 4), "message_version is not the version byte's high nibble");
  const auto& inner = m.message;
  FUZZ_CHECK(inner.serialized.data() == m.message_bytes.data() && inner.serialized.size() == m.message_bytes.size(),
             "the inner message does not view message_bytes");
  std::uint8_t sum = 0;
  for (auto b : inner.serialized) sum = static_cast<std::uint8_t>(sum + b);
  std::uint8_t expect = 0;
  for (auto b : m.message_bytes) expect = static_cast<std::uint8_t>(expect + b);
  FUZZ_CHECK(sum == expect, "the inner view reads different bytes");
  FUZZ_CHECK(inner.message_version == 3 || inner.message_version == 4, "inner message has an unsupported version");

  Bytes rebuilt = wire::build_prekey_signal_message(m.message_version, m.registration_id, m.prekey_id,
                                                    m.signed_prekey_id, m.base_key, m.identity_key, m.message_bytes);
  auto again = wire::PreKeySignalMessage::parse(rebuilt);
  FUZZ_CHECK(again.ok(), "a rebuilt PreKey message does not parse");
  FUZZ_CHECK(again->message_version == m.message_version, "round trip changed the version");
  FUZZ_CHECK(again->registration_id == m.registration_id, "round trip changed the registration id");
  FUZZ_CHECK(again->prekey_id == m.prekey_id, "round trip changed the prekey id");
  FUZZ_CHECK(again->signed_prekey_id == m.signed_prekey_id, "round trip changed the signed prekey id");
  FUZZ_CHECK(again->base_key == m.base_key, "round trip changed the base key");
  FUZZ_CHECK(again->identity_key == m.identity_key, "round trip changed the identity key");
  FUZZ_CHECK(again->message_bytes == m.message_bytes, "round trip changed the inner message");
  FUZZ_CHECK(again->message.counter == inner.counter, "round trip changed the inner counter");
  return 0;
}
