// fuzz_signal_message: wire::SignalMessage::parse on arbitrary bytes.
// Beyond "no crash, no UB, no leak": an accepted message has a supported
// version, points at its input, and survives build → parse with the same
// fields; a rebuilt message's MAC verifies under the key that built it and
// the parsed original's does not verify under a different key.
#include "fuzz_common.hpp"
#include "wire/signal_message.hpp"

namespace {

using namespace hush;

const crypto::Key32& mac_key() {
  static const crypto::Key32 k = [] {
    std::array<std::uint8_t, 32> b{};
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(0xA0 + i);
    return crypto::Key32(b);
  }();
  return k;
}

const IdentityKey& sender() {
  static const IdentityKey k = fuzz::fixed_signing_key().public_key;
  return k;
}
const IdentityKey& receiver() {
  static const IdentityKey k = [] {
    test::DeterministicRng rng(0xEC);
    return KeyPair::generate(rng).public_key;
  }();
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in = fuzz::input(data, size);
  auto parsed = wire::SignalMessage::parse(in);
  if (!parsed) {
    FUZZ_CHECK(parsed.code() == Errc::invalid_message, "parse failed with a code other than invalid_message");
    return 0;
  }
  const auto& m = *parsed;
  FUZZ_CHECK(m.message_version == 3 || m.message_version == 4, "accepted an unsupported version");
  FUZZ_CHECK(m.message_version == (data[0] >> 4), "message_version is not the version byte's high nibble");
  FUZZ_CHECK(m.serialized.data() == data && m.serialized.size() == size, "serialized does not view the input");
  FUZZ_CHECK(m.ciphertext.size() < size, "ciphertext longer than the message");
  // The MAC check reads the whole input; it is not expected to pass.
  (void)m.verify_mac(sender(), receiver(), mac_key());

  Bytes rebuilt = wire::build_signal_message(m.message_version, m.ratchet_key, m.counter, m.previous_counter,
                                             m.ciphertext, mac_key(), sender(), receiver());
  auto again = wire::SignalMessage::parse(rebuilt);
  FUZZ_CHECK(again.ok(), "a rebuilt message does not parse");
  FUZZ_CHECK(again->message_version == m.message_version, "round trip changed the version");
  FUZZ_CHECK(again->ratchet_key == m.ratchet_key, "round trip changed the ratchet key");
  FUZZ_CHECK(again->counter == m.counter, "round trip changed the counter");
  FUZZ_CHECK(again->previous_counter == m.previous_counter, "round trip changed the previous counter");
  FUZZ_CHECK(again->ciphertext == m.ciphertext, "round trip changed the ciphertext");
  FUZZ_CHECK(again->verify_mac(sender(), receiver(), mac_key()), "a rebuilt message's MAC does not verify");
  FUZZ_CHECK(!again->verify_mac(receiver(), sender(), mac_key()), "the MAC verified with the identities swapped");
  return 0;
}
