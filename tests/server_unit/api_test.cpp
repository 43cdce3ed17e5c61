// The HTTP API and the relay end to end without sockets: HttpApi and
// RelayService over a real SqliteDb in a temporary directory.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "common/encoding.hpp"
#include "db/sqlite_db.hpp"
#include "fanout/in_process_fanout.hpp"
#include "http/http_api.hpp"
#include "hush/keys.hpp"
#include "relay/relay_service.hpp"
#include "support/deterministic.hpp"

namespace hush::server {
namespace {

using nlohmann::json;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    init_crypto();
    dir_ = std::filesystem::temp_directory_path() / ("hush_server_unit_" + random_token(6));
    auto db = SqliteDb::open(dir_);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();
    config_.open_registration = true;
    config_.limits.bundle_fetches = TokenBucketConfig{3, 0.001};
    build();
  }
  void TearDown() override {
    relay_.reset();
    api_.reset();
    directory_.reset();
    pool_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void build() {
    pool_ = std::make_unique<BlockingPool>(1);
    store_ = std::make_unique<DbAsyncStore>(*db_, *pool_);
    accounts_ = std::make_unique<AccountCache>(*db_);
    auth_ = std::make_unique<Authenticator>(*accounts_, config_.limits, metrics_);
    directory_ = std::make_unique<DirectoryService>(config_, *db_, *accounts_, *auth_, fanout_, metrics_);
    api_ = std::make_unique<HttpApi>(*directory_, *auth_, metrics_);
    relay_ = std::make_unique<RelayService>(config_.limits, *store_, *accounts_, *pool_, fanout_, metrics_);
  }

  struct User {
    std::string name;
    KeyPair identity;
    Bytes secret;
    std::string auth(std::uint32_t device = 1) const {
      const std::string plain = name + "." + std::to_string(device) + ":" + base64_encode(secret);
      return "Basic " + base64_encode(as_bytes(plain));
    }
  };

  HttpAnswer call(std::string method, std::string target, std::string body = "", std::string authorization = "") {
    HttpRequest r{std::move(method), std::move(target), std::move(authorization), std::move(body), "10.0.0.1"};
    return api_->handle(r);
  }

  User register_user(const std::string& name, unsigned expect = 201) {
    User u{name, KeyPair::generate(rng_), Bytes(32)};
    random_fill(u.secret);
    const json body = {{"username", name},
                       {"identity_key", base64_encode(u.identity.public_key.serialize())},
                       {"registration_id", 42},
                       {"device_secret", base64_encode(u.secret)}};
    auto a = call("POST", "/v1/accounts", body.dump());
    EXPECT_EQ(a.status, expect) << a.body;
    return u;
  }

  void upload_keys(const User& u, int prekeys) {
    const auto spk = KeyPair::generate(rng_).public_key.serialize();
    const auto sig = u.identity.private_key.sign(spk, rng_);
    auto a = call("PUT", "/v1/keys/signed",
                  json{{"key_id", 1}, {"public_key", base64_encode(spk)}, {"signature", base64_encode(sig)}}.dump(),
                  u.auth());
    ASSERT_EQ(a.status, 204u) << a.body;
    json list = json::array();
    for (int i = 0; i < prekeys; ++i) {
      list.push_back({{"key_id", i + 1}, {"public_key", base64_encode(KeyPair::generate(rng_).public_key.serialize())}});
    }
    a = call("POST", "/v1/keys/prekeys", json{{"prekeys", list}}.dump(), u.auth());
    ASSERT_EQ(a.status, 204u) << a.body;
  }

  SendOutcome send(const User& from, const std::string& to, std::vector<std::uint32_t> devices,
                   std::size_t size = 10) {
    SendCommand c{to, 1, {}};
    for (auto d : devices) c.messages.push_back(OutgoingCommand{d, 3, Bytes(size, 1), 0});
    return relay(from, std::move(c));
  }

  // One message per (device, registration id the sender believes it has).
  SendOutcome send_registered(const User& from, const std::string& to,
                              std::vector<std::pair<std::uint32_t, std::uint32_t>> devices) {
    SendCommand c{to, 1, {}};
    for (auto [d, r] : devices) c.messages.push_back(OutgoingCommand{d, 3, Bytes(10, 1), r});
    return relay(from, std::move(c));
  }

  SendOutcome relay(const User& from, SendCommand c) {
    std::promise<SendOutcome> p;
    relay_->send(DeviceKey{from.name, 1}, std::move(c), SteadyClock::now(), [&p](SendOutcome o) { p.set_value(o); });
    return p.get_future().get();
  }

  test::DeterministicRng rng_{7};
  std::filesystem::path dir_;
  ServerConfig config_;
  Metrics metrics_;
  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<BlockingPool> pool_;
  std::unique_ptr<DbAsyncStore> store_;
  std::unique_ptr<AccountCache> accounts_;
  std::unique_ptr<Authenticator> auth_;
  InProcessFanout fanout_;
  std::unique_ptr<DirectoryService> directory_;
  std::unique_ptr<HttpApi> api_;
  std::unique_ptr<RelayService> relay_;
};

TEST_F(ApiTest, HealthMetricsAndRouting) {
  EXPECT_EQ(call("GET", "/healthz").status, 200u);
  EXPECT_EQ(call("GET", "/metrics").content_type.rfind("text/plain", 0), 0u);
  EXPECT_EQ(call("GET", "/nowhere").status, 404u);
  EXPECT_EQ(call("POST", "/healthz").status, 405u);
  EXPECT_EQ(call("GET", "/v1/websocket").status, 426u);
  auto a = call("GET", "/v1/keys/count");
  EXPECT_EQ(a.status, 401u);
  EXPECT_EQ(json::parse(a.body)["error"], "unauthorized");
}

TEST_F(ApiTest, RegistrationNeedsAnInviteUnlessOpen) {
  config_.open_registration = false;
  register_user("alice", 403);
  const std::string token = random_token(32);
  ASSERT_TRUE(db_->create_invite(sha256(as_bytes(token)), unix_now_ms() + 60'000).ok());
  User u{"alice", KeyPair::generate(rng_), Bytes(32, 3)};
  json body = {{"username", "alice"},
               {"identity_key", base64_encode(u.identity.public_key.serialize())},
               {"registration_id", 42},
               {"device_secret", base64_encode(u.secret)},
               {"invite", token}};
  EXPECT_EQ(call("POST", "/v1/accounts", body.dump()).status, 201u);
  body["username"] = "alice2";
  EXPECT_EQ(call("POST", "/v1/accounts", body.dump()).status, 403u) << "an invite is used once";
  body["invite"] = "guess";
  EXPECT_EQ(call("POST", "/v1/accounts", body.dump()).status, 403u);
}

TEST_F(ApiTest, RegistrationErrors) {
  register_user("alice");
  register_user("alice", 409);
  register_user("Alice", 400);
  EXPECT_EQ(call("POST", "/v1/accounts", "{nope").status, 400u);
}

TEST_F(ApiTest, AuthenticationFailuresAreRateLimited) {
  const User u = register_user("alice");
  EXPECT_EQ(call("GET", "/v1/keys/count", "", u.auth()).status, 200u);
  User wrong{u.name, u.identity.clone(), u.secret};
  wrong.secret[0] ^= 1;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(call("GET", "/v1/keys/count", "", wrong.auth()).status, 401u);
  auto limited = call("GET", "/v1/keys/count", "", u.auth());
  EXPECT_EQ(limited.status, 429u);
  EXPECT_GE(limited.retry_after, 1u);
  EXPECT_EQ(metrics_.auth_failures.load(), 20u);
}

TEST_F(ApiTest, KeysUploadAndBundleClaims) {
  const User alice = register_user("alice"), bob = register_user("bob");
  upload_keys(bob, 2);
  auto count = call("GET", "/v1/keys/count", "", bob.auth());
  EXPECT_EQ(json::parse(count.body)["count"], 2);

  auto b1 = json::parse(call("GET", "/v1/keys/bob/1", "", alice.auth()).body);
  auto b2 = json::parse(call("GET", "/v1/keys/bob/*", "", alice.auth()).body);
  auto b3 = json::parse(call("GET", "/v1/keys/bob/1", "", alice.auth()).body);
  EXPECT_EQ(b1["identity_key"], base64_encode(bob.identity.public_key.serialize()));
  EXPECT_NE(b1["devices"][0]["prekey"]["key_id"], b2["devices"][0]["prekey"]["key_id"]) << "each fetch claims a distinct prekey";
  EXPECT_TRUE(b3["devices"][0]["prekey"].is_null()) << "falls back to none";
  EXPECT_FALSE(b3["devices"][0]["signed_prekey"].is_null());
  EXPECT_EQ(call("GET", "/v1/keys/bob/1", "", alice.auth()).status, 429u) << "bundle fetches are rate-limited";
}

TEST_F(ApiTest, BundleErrors) {
  const User alice = register_user("alice");
  EXPECT_EQ(call("GET", "/v1/keys/nobody/1", "", alice.auth()).status, 404u);
  EXPECT_EQ(call("GET", "/v1/keys/alice/9", "", alice.auth()).status, 404u);
  EXPECT_EQ(call("GET", "/v1/keys/alice/x", "", alice.auth()).status, 404u);
}

TEST_F(ApiTest, SignedPreKeyMustVerifyUnderTheIdentityKey) {
  const User u = register_user("alice");
  const auto spk = KeyPair::generate(rng_).public_key.serialize();
  const auto other = KeyPair::generate(rng_);
  const auto sig = other.private_key.sign(spk, rng_);
  auto a = call("PUT", "/v1/keys/signed",
                json{{"key_id", 1}, {"public_key", base64_encode(spk)}, {"signature", base64_encode(sig)}}.dump(),
                u.auth());
  EXPECT_EQ(a.status, 422u);
  EXPECT_EQ(json::parse(a.body)["error"], "invalid_signature");
}

TEST_F(ApiTest, TooManyStoredPreKeys) {
  config_.limits.max_prekeys_stored = 3;
  const User u = register_user("alice");
  json list = json::array();
  for (int i = 0; i < 4; ++i) list.push_back({{"key_id", i}, {"public_key", base64_encode(KeyPair::generate(rng_).public_key.serialize())}});
  EXPECT_EQ(call("POST", "/v1/keys/prekeys", json{{"prekeys", list}}.dump(), u.auth()).status, 400u);
}

TEST_F(ApiTest, AddDeviceThenItAuthenticates) {
  const User u = register_user("alice");
  Bytes secret(32, 4);
  auto a = call("POST", "/v1/devices", json{{"registration_id", 9}, {"device_secret", base64_encode(secret)}}.dump(),
                u.auth());
  ASSERT_EQ(a.status, 201u) << a.body;
  EXPECT_EQ(json::parse(a.body)["device_id"], 2);
  User second{u.name, u.identity.clone(), secret};
  EXPECT_EQ(call("GET", "/v1/keys/count", "", second.auth(2)).status, 200u);
}

class CollectingSink : public DeviceSink {
 public:
  void deliver(DeliveryPtr d) override {
    std::lock_guard lock(mutex);
    delivered.push_back(std::move(d));
  }
  void prekeys_low(std::uint32_t remaining) override {
    std::lock_guard lock(mutex);
    low.push_back(remaining);
  }
  void going_away() override {}
  std::mutex mutex;
  std::vector<DeliveryPtr> delivered;
  std::vector<std::uint32_t> low;

  // The relay answers the sender first and pushes right after, on the
  // writer's thread: wait (with a deadline) for `n` deliveries.
  bool wait_for_deliveries(std::size_t n, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      {
        std::lock_guard lock(mutex);
        if (delivered.size() >= n) return true;
      }
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
};

TEST_F(ApiTest, RelaySendCommitsThenPushesThenAckDeletes) {
  const User alice = register_user("alice"), bob = register_user("bob");
  auto sink = std::make_shared<CollectingSink>();
  ASSERT_TRUE(fanout_.subscribe(DeviceKey{"bob", 1}, sink, 4));

  auto out = send(alice, "bob", {1});
  ASSERT_EQ(out.status, 200u) << out.message;
  ASSERT_EQ(out.ids.size(), 1u);
  ASSERT_TRUE(sink->wait_for_deliveries(1, std::chrono::seconds(5))) << "not pushed after the commit";
  {
    std::lock_guard lock(sink->mutex);
    ASSERT_EQ(sink->delivered.size(), 1u) << "pushed once";
    EXPECT_EQ(sink->delivered[0]->envelope.id, out.ids[0]);
    EXPECT_EQ(sink->delivered[0]->envelope.source_user, "alice");
  }
  auto queued = db_->fetch_queue("bob", 1, 0, 10);
  ASSERT_TRUE(queued.ok());
  ASSERT_EQ(queued->size(), 1u);

  std::promise<StatusOutcome> acked;
  relay_->ack(DeviceKey{"bob", 1}, {out.ids[0]}, [&](StatusOutcome o) { acked.set_value(o); });
  EXPECT_EQ(acked.get_future().get().status, 200u);
  EXPECT_TRUE(db_->fetch_queue("bob", 1, 0, 10)->empty());
}

TEST_F(ApiTest, RelaySendErrors) {
  const User alice = register_user("alice"), bob = register_user("bob");
  EXPECT_EQ(send(alice, "nobody", {1}).status, 404u);
  EXPECT_EQ(send(alice, "Bad!", {1}).status, 404u);
  auto m = send(alice, "bob", {1, 2});
  EXPECT_EQ(m.status, 409u);
  EXPECT_EQ(m.mismatch.extra, (std::vector<std::uint32_t>{2}));
  EXPECT_EQ(send(alice, "bob", {}).mismatch.missing, (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(send(alice, "bob", {1}, config_.limits.max_envelope_bytes + 1).status, 413u);
  EXPECT_EQ(send(alice, "bob", {1, 1}).status, 400u);
  EXPECT_EQ(send(alice, "bob", {1}, 0).status, 400u);
}

TEST_F(ApiTest, RelayStaleRegistrationIdIs410AndEnqueuesNothing) {
  const User alice = register_user("alice"), bob = register_user("bob");  // registration id 42
  auto stale = send_registered(alice, "bob", {{1, 43}});
  EXPECT_EQ(stale.status, 410u) << stale.message;
  EXPECT_EQ(stale.stale, (std::vector<std::uint32_t>{1}));
  EXPECT_TRUE(stale.ids.empty());
  EXPECT_TRUE(db_->fetch_queue("bob", 1, 0, 10)->empty()) << "nothing is enqueued on 410";
  // 409 wins: the device list is answered before the registration ids.
  auto both = send_registered(alice, "bob", {{1, 43}, {2, 7}});
  EXPECT_EQ(both.status, 409u);
  EXPECT_EQ(both.mismatch.extra, (std::vector<std::uint32_t>{2}));
  EXPECT_TRUE(both.stale.empty());
  EXPECT_EQ(send_registered(alice, "bob", {{1, 42}}).status, 200u);
  EXPECT_EQ(send_registered(alice, "bob", {{1, 0}}).status, 200u) << "0: not checked (old clients)";
  EXPECT_EQ(db_->fetch_queue("bob", 1, 0, 10)->size(), 2u);
}

TEST_F(ApiTest, RelayFullQueueIs507) {
  config_.limits.queue.max_envelopes = 2;
  const User alice = register_user("alice"), bob = register_user("bob");
  EXPECT_EQ(send(alice, "bob", {1}).status, 200u);
  EXPECT_EQ(send(alice, "bob", {1}).status, 200u);
  EXPECT_EQ(send(alice, "bob", {1}).status, 507u);
}

TEST_F(ApiTest, ClaimBelowThresholdTellsTheDevice) {
  const User alice = register_user("alice"), bob = register_user("bob");
  upload_keys(bob, 3);
  auto sink = std::make_shared<CollectingSink>();
  ASSERT_TRUE(fanout_.subscribe(DeviceKey{"bob", 1}, sink, 4));
  EXPECT_EQ(call("GET", "/v1/keys/bob/1", "", alice.auth()).status, 200u);
  std::lock_guard lock(sink->mutex);
  EXPECT_EQ(sink->low, (std::vector<std::uint32_t>{2}));
}

}  // namespace
}  // namespace hush::server
