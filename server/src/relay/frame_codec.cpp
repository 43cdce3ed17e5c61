#include "relay/frame_codec.hpp"

#include <cstddef>
#include <cstring>

#include <google/protobuf/arena.h>

#include "api.pb.h"

namespace hush::server {
namespace {

// Protobuf wire format: varints and length-delimited fields.
std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

constexpr std::uint8_t tag(int field, int wire_type) {
  return static_cast<std::uint8_t>((field << 3) | wire_type);
}

// Proto3 leaves fields at their default out; so do we, byte for byte.
std::size_t uint_field_size(std::uint64_t v) {
  return v == 0 ? 0 : 1 + varint_size(v);
}
std::size_t bytes_field_size(std::size_t len) {
  return len == 0 ? 0 : 1 + varint_size(len) + len;
}

void put_uint_field(std::string& out, int field, std::uint64_t v) {
  if (v == 0) return;
  out.push_back(static_cast<char>(tag(field, 0)));
  put_varint(out, v);
}

void put_bytes_field(std::string& out, int field, const void* data, std::size_t len) {
  if (len == 0) return;
  out.push_back(static_cast<char>(tag(field, 2)));
  put_varint(out, len);
  out.append(static_cast<const char*>(data), len);
}

std::string serialize(const api::Frame& frame) {
  std::string out;
  frame.SerializeToString(&out);
  return out;
}

}  // namespace

IncomingRequest decode_request(const void* data, std::size_t size) {
  IncomingRequest in;
  if (size > static_cast<std::size_t>(INT32_MAX)) {
    in.error = "frame too large";
    return in;
  }
  // The parsed messages live in an arena whose first block is a per-thread
  // buffer: a request's Request, SendRequest and OutgoingMessages cost no
  // malloc (Clear() on a reused Frame deletes the oneof's submessages, so
  // reuse saved nothing). Larger frames spill into arena blocks of their own.
  alignas(std::max_align_t) thread_local char first_block[8192];
  google::protobuf::ArenaOptions options;
  options.initial_block = first_block;
  options.initial_block_size = sizeof first_block;
  google::protobuf::Arena arena(options);
  api::Frame& frame = *google::protobuf::Arena::CreateMessage<api::Frame>(&arena);
  if (!frame.ParseFromArray(data, static_cast<int>(size))) {
    in.error = "malformed frame";
    return in;
  }
  if (!frame.has_request()) {
    in.error = "expected a Request frame";
    return in;
  }
  auto& request = *frame.mutable_request();
  in.id = request.id();
  switch (request.body_case()) {
    case api::Request::kSend: {
      auto& send = *request.mutable_send();
      in.kind = IncomingRequest::Kind::send;
      in.send.destination_user = std::move(*send.mutable_destination_user());
      in.send.client_timestamp = send.client_timestamp();
      in.send.messages.reserve(static_cast<std::size_t>(send.messages_size()));
      for (const auto& m : send.messages()) {
        OutgoingCommand& c = in.send.messages.emplace_back();
        c.device = m.destination_device();
        c.type = m.type();
        c.registration_id = m.destination_registration_id();
        c.content.assign(m.content().begin(), m.content().end());
      }
      break;
    }
    case api::Request::kAck: {
      in.kind = IncomingRequest::Kind::ack;
      in.ack_quiet = request.ack().quiet();
      in.ack_ids.reserve(static_cast<std::size_t>(request.ack().envelope_ids_size()));
      for (const auto& id : request.ack().envelope_ids()) {
        if (id.size() != std::tuple_size_v<EnvelopeId>) {
          in.kind = IncomingRequest::Kind::invalid;
          in.error = "envelope ids are 16 bytes";
          in.ack_ids.clear();
          break;
        }
        EnvelopeId& e = in.ack_ids.emplace_back();
        std::memcpy(e.data(), id.data(), e.size());
      }
      break;
    }
    case api::Request::BODY_NOT_SET:
      in.error = "request without a body";
      break;
  }
  // Release big ciphertexts now rather than keeping them in the thread's frame.
  if (frame.ByteSizeLong() > 64 * 1024) frame = api::Frame();
  return in;
}

std::string encode_push_envelope(const StoredEnvelope& e) {
  const std::size_t envelope_len = bytes_field_size(e.id.size()) + uint_field_size(e.type) +
                                   bytes_field_size(e.source_user.size()) + uint_field_size(e.source_device) +
                                   bytes_field_size(e.destination_user.size()) + uint_field_size(e.destination_device) +
                                   uint_field_size(e.client_timestamp) + uint_field_size(e.server_timestamp) +
                                   bytes_field_size(e.content.size());
  // Push.envelope is field 1 of Push; Frame.push is field 3 of Frame.
  const std::size_t push_len = 1 + varint_size(envelope_len) + envelope_len;
  std::string out;
  out.reserve(1 + varint_size(push_len) + push_len);
  out.push_back(static_cast<char>(tag(3, 2)));
  put_varint(out, push_len);
  out.push_back(static_cast<char>(tag(1, 2)));
  put_varint(out, envelope_len);
  put_bytes_field(out, 1, e.id.data(), e.id.size());
  put_uint_field(out, 2, e.type);
  put_bytes_field(out, 3, e.source_user.data(), e.source_user.size());
  put_uint_field(out, 4, e.source_device);
  put_bytes_field(out, 5, e.destination_user.data(), e.destination_user.size());
  put_uint_field(out, 6, e.destination_device);
  put_uint_field(out, 7, e.client_timestamp);
  put_uint_field(out, 8, e.server_timestamp);
  put_bytes_field(out, 9, e.content.data(), e.content.size());
  return out;
}

std::string encode_send_response(std::uint64_t id, const SendOutcome& outcome) {
  api::Frame frame;
  auto& response = *frame.mutable_response();
  response.set_id(id);
  response.set_status(outcome.status);
  if (outcome.status != 200) response.set_message(outcome.message);
  if (outcome.status == 200 || outcome.status == 409 || outcome.status == 410) {
    auto& send = *response.mutable_send();
    for (const auto& e : outcome.ids) send.add_envelope_ids(e.data(), e.size());
    send.set_server_timestamp(outcome.server_timestamp);
    if (outcome.status == 409) {
      auto& m = *send.mutable_mismatched();
      for (auto d : outcome.mismatch.missing) m.add_missing_devices(d);
      for (auto d : outcome.mismatch.extra) m.add_extra_devices(d);
    }
    if (outcome.status == 410) {
      auto& s = *send.mutable_stale();
      for (auto d : outcome.stale) s.add_stale_devices(d);
    }
  }
  return serialize(frame);
}

std::string encode_status_response(std::uint64_t id, std::uint32_t status, std::string_view message) {
  api::Frame frame;
  auto& response = *frame.mutable_response();
  response.set_id(id);
  response.set_status(status);
  if (!message.empty()) response.set_message(std::string(message));
  return serialize(frame);
}

std::string encode_prekeys_low(std::uint32_t remaining) {
  api::Frame frame;
  frame.mutable_push()->mutable_prekeys_low()->set_remaining(remaining);
  return serialize(frame);
}

std::string encode_queue_drained() {
  api::Frame frame;
  frame.mutable_push()->mutable_queue_drained();
  return serialize(frame);
}

}  // namespace hush::server
