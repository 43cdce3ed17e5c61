// Every protocol bound in one place (libsignal rust/protocol/src/consts.rs,
// facts §4). All equal libsignal's, for interop: a message libsignal accepts
// we accept, and one it refuses we refuse.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hush::limits {

// How far ahead of a chain's index a message may be (same as libsignal).
inline constexpr std::uint32_t kMaxForwardJumps = 25'000;
// Skipped message keys kept per receiver chain; oldest evicted (same as libsignal).
inline constexpr std::size_t kMaxMessageKeys = 2'000;
// Receiver chains kept per session state; oldest evicted (same as libsignal).
inline constexpr std::size_t kMaxReceiverChains = 5;
// Previous session states kept per record; oldest dropped (same as libsignal).
inline constexpr std::size_t kArchivedStatesMaxLength = 40;
// Sender-key states per (sender, distribution id) (same as libsignal).
inline constexpr std::size_t kMaxSenderKeyStates = 5;
// An initiator session the peer never answered stops being usable after this
// (libsignal MAX_UNACKNOWLEDGED_SESSION_AGE: 30 days).
inline constexpr std::uint64_t kMaxUnacknowledgedSessionAgeSeconds = 30ull * 24 * 60 * 60;
// Truncated MAC length on SignalMessage (facts §4).
inline constexpr std::size_t kMacLength = 8;
// Session version of classic (non-PQ) sessions.
inline constexpr std::uint8_t kSessionVersion = 3;
// libsignal 0.65.4's CURRENT_VERSION, the low nibble of the version byte.
inline constexpr std::uint8_t kCurrentWireVersion = 4;

}  // namespace hush::limits
