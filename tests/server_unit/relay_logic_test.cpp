// The relay's socket-free pieces: device mismatch, replay/live merging,
// frame encoding, the in-process fanout and the Prometheus rendering.
#include <gtest/gtest.h>

#include "api.pb.h"
#include "fanout/in_process_fanout.hpp"
#include "metrics/metrics.hpp"
#include "relay/frame_codec.hpp"
#include "relay/mismatched_devices.hpp"
#include "relay/replay_merger.hpp"

namespace hush::server {
namespace {

std::vector<DeviceRecord> devices(std::initializer_list<std::uint32_t> ids) {
  std::vector<DeviceRecord> out;
  for (auto id : ids) out.push_back(DeviceRecord{id, 1, {}, 0});
  return out;
}

// Device d has registration id 100 + d.
std::vector<DeviceRecord> registered(std::initializer_list<std::uint32_t> ids) {
  std::vector<DeviceRecord> out;
  for (auto id : ids) out.push_back(DeviceRecord{id, 100 + id, {}, 0});
  return out;
}

TEST(MismatchTest, ExactMatchIsEmpty) {
  EXPECT_TRUE(compute_mismatch(devices({1, 2, 3}), {3, 1, 2}, std::nullopt).empty());
}

TEST(MismatchTest, NamesMissingAndExtraSorted) {
  auto m = compute_mismatch(devices({1, 2, 5}), {7, 2, 4}, std::nullopt);
  EXPECT_EQ(m.missing, (std::vector<std::uint32_t>{1, 5}));
  EXPECT_EQ(m.extra, (std::vector<std::uint32_t>{4, 7}));
}

TEST(MismatchTest, SenderNeedNotAddressItself) {
  EXPECT_TRUE(compute_mismatch(devices({1, 2}), {2}, 1u).empty());
  auto m = compute_mismatch(devices({1, 2}), {1, 2}, 1u);
  EXPECT_EQ(m.extra, (std::vector<std::uint32_t>{1}));
  EXPECT_TRUE(m.missing.empty());
}

TEST(StaleTest, CurrentOrUnsetRegistrationIdsAreNotStale) {
  EXPECT_TRUE(compute_stale(registered({1, 2}), {{1, 101}, {2, 102}}).empty());
  EXPECT_TRUE(compute_stale(registered({1, 2}), {{1, 0}, {2, 0}}).empty()) << "0 means not given";
}

TEST(StaleTest, NamesDevicesWithAnOldRegistrationIdSorted) {
  EXPECT_EQ(compute_stale(registered({1, 2, 3}), {{3, 7}, {1, 101}, {2, 7}}), (std::vector<std::uint32_t>{2, 3}));
  // Unknown devices are the 409's business, not stale.
  EXPECT_TRUE(compute_stale(registered({1}), {{1, 101}, {9, 5}}).empty());
}

TEST(MismatchTest, Duplicates) {
  EXPECT_TRUE(has_duplicates({1, 2, 1}));
  EXPECT_FALSE(has_duplicates({1, 2, 3}));
  EXPECT_FALSE(has_duplicates({}));
}

DeliveryPtr delivery(std::uint8_t tag) {
  auto d = std::make_shared<Delivery>();
  d->envelope.id.fill(tag);
  return d;
}

EnvelopeId id_of(std::uint8_t tag) {
  EnvelopeId id;
  id.fill(tag);
  return id;
}

TEST(ReplayMergerTest, HoldsLivePushesUntilTheReplayEnds) {
  ReplayMerger m;
  EXPECT_TRUE(m.replaying());
  EXPECT_FALSE(m.accept_live(delivery(1)));
  EXPECT_FALSE(m.accept_live(delivery(2)));
  m.note_replayed(id_of(9), 5);
  EXPECT_EQ(m.after_seq(), 5u);
  std::vector<DeliveryPtr> out;
  ASSERT_TRUE(m.finish_pass(out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]->envelope.id, id_of(1));
  EXPECT_EQ(out[1]->envelope.id, id_of(2));
  EXPECT_FALSE(m.replaying());
  EXPECT_TRUE(m.accept_live(delivery(3)));
}

TEST(ReplayMergerTest, AReplayedEnvelopeDropsItsHeldTwin) {
  ReplayMerger m;
  EXPECT_FALSE(m.accept_live(delivery(1)));
  EXPECT_FALSE(m.accept_live(delivery(2)));
  m.note_replayed(id_of(1), 10);
  std::vector<DeliveryPtr> out;
  ASSERT_TRUE(m.finish_pass(out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->envelope.id, id_of(2));
}

TEST(ReplayMergerTest, LateNotificationOfAReplayedEnvelopeIsDropped) {
  ReplayMerger m;
  m.note_replayed(id_of(4), 1);
  std::vector<DeliveryPtr> out;
  ASSERT_TRUE(m.finish_pass(out));
  EXPECT_FALSE(m.accept_live(delivery(4)));
  EXPECT_TRUE(m.accept_live(delivery(5)));
}

TEST(ReplayMergerTest, OverflowRunsAnotherPassFromTheLastSeq) {
  ReplayMerger m(2);
  m.note_replayed(id_of(1), 7);
  EXPECT_FALSE(m.accept_live(delivery(2)));
  EXPECT_FALSE(m.accept_live(delivery(3)));
  EXPECT_FALSE(m.accept_live(delivery(4)));  // overflow: all held are dropped
  std::vector<DeliveryPtr> out;
  EXPECT_FALSE(m.finish_pass(out)) << "another pass must read the dropped ones back";
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(m.after_seq(), 7u);
  m.note_replayed(id_of(2), 8);
  ASSERT_TRUE(m.finish_pass(out));
  EXPECT_TRUE(out.empty());
}

StoredEnvelope sample_envelope() {
  StoredEnvelope e;
  e.id = id_of(0xab);
  e.type = 3;
  e.source_user = "alice";
  e.source_device = 2;
  e.destination_user = "bob";
  e.destination_device = 1;
  e.client_timestamp = 1'700'000'000'000;
  e.server_timestamp = 1'700'000'000'123;
  e.content = Bytes(300, 0x5a);
  return e;
}

TEST(FrameCodecTest, HandEncodedPushMatchesProtobuf) {
  const StoredEnvelope e = sample_envelope();
  const std::string wire = encode_push_envelope(e);
  api::Frame frame;
  ASSERT_TRUE(frame.ParseFromString(wire));
  ASSERT_TRUE(frame.has_push() && frame.push().has_envelope());
  const auto& env = frame.push().envelope();
  EXPECT_EQ(env.id(), std::string(16, '\xab'));
  EXPECT_EQ(env.type(), 3u);
  EXPECT_EQ(env.source_user(), "alice");
  EXPECT_EQ(env.source_device(), 2u);
  EXPECT_EQ(env.destination_user(), "bob");
  EXPECT_EQ(env.destination_device(), 1u);
  EXPECT_EQ(env.client_timestamp(), e.client_timestamp);
  EXPECT_EQ(env.server_timestamp(), e.server_timestamp);
  EXPECT_EQ(env.content(), std::string(300, 'Z'));
  // Byte for byte what protobuf itself writes.
  EXPECT_EQ(wire, frame.SerializeAsString());
}

TEST(FrameCodecTest, DecodesSendAndAck) {
  api::Frame f;
  auto* send = f.mutable_request()->mutable_send();
  f.mutable_request()->set_id(9);
  send->set_destination_user("bob");
  send->set_client_timestamp(5);
  auto* m = send->add_messages();
  m->set_destination_device(1);
  m->set_type(3);
  m->set_content("abc");
  m->set_destination_registration_id(1234);
  const std::string wire = f.SerializeAsString();
  auto in = decode_request(wire.data(), wire.size());
  ASSERT_EQ(in.kind, IncomingRequest::Kind::send);
  EXPECT_EQ(in.id, 9u);
  EXPECT_EQ(in.send.destination_user, "bob");
  ASSERT_EQ(in.send.messages.size(), 1u);
  EXPECT_EQ(in.send.messages[0].content, (Bytes{'a', 'b', 'c'}));
  EXPECT_EQ(in.send.messages[0].registration_id, 1234u);

  api::Frame a;
  a.mutable_request()->set_id(10);
  a.mutable_request()->mutable_ack()->add_envelope_ids(std::string(16, '\x01'));
  const std::string ack = a.SerializeAsString();
  auto in2 = decode_request(ack.data(), ack.size());
  ASSERT_EQ(in2.kind, IncomingRequest::Kind::ack);
  EXPECT_EQ(in2.ack_ids.at(0), id_of(1));
}

TEST(FrameCodecTest, InvalidFramesSayWhy) {
  const char garbage[] = {'\x01', '\x02', '\xff'};
  EXPECT_EQ(decode_request(garbage, sizeof garbage).error, "malformed frame");
  api::Frame push;
  push.mutable_push()->mutable_queue_drained();
  std::string w = push.SerializeAsString();
  EXPECT_EQ(decode_request(w.data(), w.size()).error, "expected a Request frame");
  api::Frame empty;
  empty.mutable_request()->set_id(3);
  w = empty.SerializeAsString();
  auto in = decode_request(w.data(), w.size());
  EXPECT_EQ(in.kind, IncomingRequest::Kind::invalid);
  EXPECT_EQ(in.id, 3u);
  api::Frame bad_ack;
  bad_ack.mutable_request()->mutable_ack()->add_envelope_ids("short");
  w = bad_ack.SerializeAsString();
  EXPECT_EQ(decode_request(w.data(), w.size()).error, "envelope ids are 16 bytes");
}

TEST(FrameCodecTest, ResponsesCarryMismatch) {
  SendOutcome o{409, "mismatched devices", {}, 0, {{1}, {4}}, {}};
  api::Frame f;
  ASSERT_TRUE(f.ParseFromString(encode_send_response(7, o)));
  EXPECT_EQ(f.response().id(), 7u);
  EXPECT_EQ(f.response().status(), 409u);
  EXPECT_EQ(f.response().send().mismatched().missing_devices(0), 1u);
  EXPECT_EQ(f.response().send().mismatched().extra_devices(0), 4u);
  EXPECT_FALSE(f.response().send().has_stale());
  ASSERT_TRUE(f.ParseFromString(encode_send_response(8, SendOutcome{410, "stale devices", {}, 0, {}, {2, 5}})));
  EXPECT_EQ(f.response().status(), 410u);
  EXPECT_FALSE(f.response().send().has_mismatched());
  EXPECT_EQ(std::vector<std::uint32_t>(f.response().send().stale().stale_devices().begin(),
                                       f.response().send().stale().stale_devices().end()),
            (std::vector<std::uint32_t>{2, 5}));
  ASSERT_TRUE(f.ParseFromString(encode_prekeys_low(3)));
  EXPECT_EQ(f.push().prekeys_low().remaining(), 3u);
  ASSERT_TRUE(f.ParseFromString(encode_queue_drained()));
  EXPECT_TRUE(f.push().has_queue_drained());
}

class RecordingSink : public DeviceSink {
 public:
  void deliver(DeliveryPtr d) override { delivered.push_back(std::move(d)); }
  void prekeys_low(std::uint32_t remaining) override { low.push_back(remaining); }
  void going_away() override { ++gone; }
  std::vector<DeliveryPtr> delivered;
  std::vector<std::uint32_t> low;
  int gone = 0;
};

TEST(InProcessFanoutTest, PublishReachesEveryConnectionOfTheDevice) {
  InProcessFanout fanout;
  auto a = std::make_shared<RecordingSink>(), b = std::make_shared<RecordingSink>(),
       other = std::make_shared<RecordingSink>();
  const DeviceKey bob1{"bob", 1}, bob2{"bob", 2};
  ASSERT_TRUE(fanout.subscribe(bob1, a, 2));
  ASSERT_TRUE(fanout.subscribe(bob1, b, 2));
  EXPECT_FALSE(fanout.subscribe(bob1, std::make_shared<RecordingSink>(), 2)) << "per-device limit";
  ASSERT_TRUE(fanout.subscribe(bob2, other, 2));
  EXPECT_EQ(fanout.local_connections(), 3u);
  fanout.publish(bob1, delivery(1));
  fanout.publish_prekeys_low(bob1, 4);
  EXPECT_EQ(a->delivered.size(), 1u);
  EXPECT_EQ(b->delivered.size(), 1u);
  EXPECT_TRUE(other->delivered.empty());
  EXPECT_EQ(a->low, (std::vector<std::uint32_t>{4}));
  fanout.unsubscribe(bob1, a.get());
  fanout.publish(bob1, delivery(2));
  EXPECT_EQ(a->delivered.size(), 1u);
  EXPECT_EQ(b->delivered.size(), 2u);
  fanout.shutdown_local();
  EXPECT_EQ(b->gone + other->gone, 2);
}

TEST(InProcessFanoutTest, DeadConnectionsFreeTheirSlot) {
  InProcessFanout fanout;
  const DeviceKey k{"bob", 1};
  {
    auto gone = std::make_shared<RecordingSink>();
    ASSERT_TRUE(fanout.subscribe(k, gone, 1));
  }
  EXPECT_TRUE(fanout.subscribe(k, std::make_shared<RecordingSink>(), 1));
}

TEST(MetricsTest, RendersPrometheusText) {
  Metrics m;
  m.envelopes_in += 5;
  m.websocket_connections += 2;
  m.commit_latency.observe(std::chrono::microseconds(300));
  m.commit_latency.observe(std::chrono::seconds(10));
  const std::string text = m.render();
  EXPECT_NE(text.find("# TYPE hush_envelopes_in_total counter\nhush_envelopes_in_total 5\n"), std::string::npos);
  EXPECT_NE(text.find("hush_websocket_connections 2\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE hush_commit_latency_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("hush_commit_latency_seconds_bucket{le=\"0.00025\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("hush_commit_latency_seconds_bucket{le=\"0.0005\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("hush_commit_latency_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("hush_commit_latency_seconds_count 2\n"), std::string::npos);
  EXPECT_NE(text.find("hush_commit_latency_seconds_sum 10.0003\n"), std::string::npos);
  for (const char* name : {"hush_auth_failures_total", "hush_rate_limited_total", "hush_queue_depth",
                           "hush_envelopes_out_total", "hush_delivery_latency_seconds_bucket"}) {
    EXPECT_NE(text.find(name), std::string::npos) << name;
  }
  // The storage counters appear once wired to a source.
  EXPECT_EQ(text.find("hush_db_commits_total"), std::string::npos);
  m.storage_counters = [] { return Metrics::StorageCounters{7, 2, 40, 1}; };
  const std::string with_db = m.render();
  EXPECT_NE(with_db.find("hush_db_commits_total 7\n"), std::string::npos);
  EXPECT_NE(with_db.find("hush_db_unsynced_commits_total 2\n"), std::string::npos);
  EXPECT_NE(with_db.find("hush_db_writes_total 40\n"), std::string::npos);
  EXPECT_NE(with_db.find("hush_db_checkpoints_total 1\n"), std::string::npos);
}

}  // namespace
}  // namespace hush::server
