// Every kind of bad input gets a clear HTTP status or WebSocket close code
// (docs/API.md "Errors", "Close codes"), and after each one the server still
// serves a well-behaved client: Alice sends Bob a message and he gets it.
#include <nlohmann/json.hpp>

#include "e2e_test.hpp"
#include "hush/client/base64.hpp"
#include "raw_socket.hpp"

namespace hush::e2e {
namespace {

using nlohmann::json;

// Misbehaving clients connect from here, so per-address limits they trip
// do not touch Alice and Bob on 127.0.0.1.
constexpr const char* kBadAddress = "127.0.0.2";
constexpr int kHeaderTimeoutSeconds = 2;
constexpr int kAuthFailureBurst = 5;
constexpr std::size_t kMaxEnvelopeBytes = 4096;
constexpr std::size_t kMaxFrameBytes = 128 * 1024;  // hushd wants at least envelope + 64 KiB

class BadInputTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    if (HasFatalFailure()) return;
    auto config = server_config();
    config.extra_args.insert(config.extra_args.end(),
                             {"--header-timeout", std::to_string(kHeaderTimeoutSeconds),  //
                              "--auth-failure-burst", std::to_string(kAuthFailureBurst),  //
                              "--auth-failure-rate", "0.01",                               //
                              "--max-connections-per-device", "2",                         //
                              "--max-envelope-bytes", std::to_string(kMaxEnvelopeBytes),   //
                              "--max-frame-bytes", std::to_string(kMaxFrameBytes)});
    ASSERT_NE(start_server(config), nullptr);
    alice_ = register_messenger("alice");
    bob_ = register_messenger("bob");
    ASSERT_TRUE(alice_ && bob_);
    expect_served(*alice_, *bob_);
  }

  // One raw HTTP exchange from the misbehaving address.
  RawHttpAnswer raw_exchange(const std::string& bytes) {
    RawSocket s(server_->port(), kBadAddress);
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE(s.send_all(bytes));
    return s.read_http_answer(scaled(5s));
  }

  RawHttpAnswer post_json(const std::string& target, const std::string& body, const std::string& auth = "") {
    std::string req = "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";
    if (!auth.empty()) req += "Authorization: " + auth + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return raw_exchange(req);
  }

  // A registration body that is valid except for what the caller changes.
  json registration(const std::string& username) {
    SystemRng rng;
    Secret<32> secret;
    rng.fill(secret.mut());
    return json{{"username", username},
                {"identity_key", client::base64_encode(KeyPair::generate(rng).public_key.serialize())},
                {"registration_id", 42},
                {"device_secret", client::base64_encode(secret.view())}};
  }

  // The documented error body: {"error": CODE, "message": TEXT}.
  static std::string error_code(const RawHttpAnswer& a) {
    auto j = json::parse(a.body, nullptr, false);
    return j.is_object() && j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>() : "";
  }

  std::unique_ptr<client::RelayClient> relay_for(const client::Messenger& m) {
    auto r = client::RelayClient::connect(endpoint(), &m.credentials());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r ? std::move(r).value() : nullptr;
  }

  std::unique_ptr<client::Messenger> alice_, bob_;
};

TEST_F(BadInputTest, MalformedRequestLineGets400) {
  for (const std::string& bad : {std::string("THIS IS NOT HTTP\r\n\r\n"), std::string("GET\r\n\r\n"),
                                 std::string("GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n"),
                                 std::string("\x01\x02\x03\x04 / HTTP/1.1\r\n\r\n")}) {
    const auto a = raw_exchange(bad);
    EXPECT_EQ(a.status, 400u) << "for " << json(bad).dump() << ": " << a.head;
  }
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, UnknownPathGets404) {
  const auto a = raw_exchange("GET /v1/nothing-here HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(a.status, 404u);
  EXPECT_EQ(error_code(a), "not_found");
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, BadJsonGets400) {
  const std::string secret_marker = marker();  // a body hushd must not echo into its log
  for (const std::string& body :
       {std::string("{\"username\": \"carol\", "), std::string("not json at all"), std::string(""),
        std::string("{\"device_secret\": \"" + secret_marker + "\""), std::string("[1,2,3]"), std::string("null")}) {
    const auto a = post_json("/v1/accounts", body);
    EXPECT_EQ(a.status, 400u) << "for " << body;
    EXPECT_EQ(error_code(a), "bad_request") << "for " << body;
  }
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, WrongJsonTypesGet400) {
  const json reg = registration("carol");
  auto with = [&reg](const char* field, json value) {
    json j = reg;
    j[field] = std::move(value);
    return j;
  };
  json without_secret = reg;
  without_secret.erase("device_secret");
  const std::vector<json> bodies{
      with("registration_id", "42"),
      with("registration_id", -1),
      with("registration_id", 4.5),
      with("username", 7),
      with("username", "Carol With Spaces"),
      with("identity_key", json::array({1, 2, 3})),
      with("identity_key", "not base64!"),
      with("identity_key", client::base64_encode(Bytes(32, 5))),  // 32 bytes, not 33
      with("device_secret", true),
      without_secret,
  };
  for (const auto& body : bodies) {
    const auto a = post_json("/v1/accounts", body.dump());
    EXPECT_EQ(a.status, 400u) << "for " << body.dump();
    EXPECT_EQ(error_code(a), "bad_request") << "for " << body.dump();
  }
  // Authenticated endpoints check types too.
  const std::string auth = alice_->credentials().basic_auth();
  for (const std::string& body : {std::string(R"({"prekeys":"many"})"), std::string(R"({"prekeys":[{"key_id":"1"}]})"),
                                  std::string(R"({"key_id":1,"public_key":5,"signature":"AA=="})")}) {
    const std::string target = body.find("prekeys") != std::string::npos ? "/v1/keys/prekeys" : "/v1/keys/signed";
    std::string req = (target == "/v1/keys/signed" ? "PUT " : "POST ") + target +
                      " HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth +
                      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\n\r\n" + body;
    RawSocket s(server_->port());  // from Alice's address: these carry her valid credentials
    ASSERT_TRUE(s.send_all(req));
    const auto a = s.read_http_answer(scaled(5s));
    EXPECT_EQ(a.status, 400u) << "for " << body;
  }
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, InvalidUtf8InJsonGets400) {
  auto body = registration("carol").dump();
  body.replace(body.find("carol"), 5, "ca\xff\xfel");
  auto a = post_json("/v1/accounts", body);
  EXPECT_EQ(a.status, 400u);
  EXPECT_EQ(error_code(a), "bad_request");
  // An overlong encoding and a lone surrogate escape, too.
  body = registration("carol").dump();
  body.replace(body.find("carol"), 5, "ca\xc0\xafol");
  EXPECT_EQ(post_json("/v1/accounts", body).status, 400u);
  body = registration("carol").dump();
  body.replace(body.find("carol"), 5, "ca\\ud800rol");
  EXPECT_EQ(post_json("/v1/accounts", body).status, 400u);
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, OversizedHeaderGets431) {
  // docs/API.md: 431 too_large for a request line and headers over 8 KiB.
  const std::string pad(64 * 1024, 'a');
  const auto a = raw_exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + pad + "\r\n\r\n");
  EXPECT_EQ(a.status, 431u) << a.head;
  EXPECT_EQ(error_code(a), "too_large");
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, OversizedBodyGets413) {
  // The declared length alone is over the limit (default 1 MiB): the server
  // can answer without reading a byte of it.
  const auto a = raw_exchange(
      "POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 8000000\r\n\r\n{");
  EXPECT_EQ(a.status, 413u) << a.head;
  EXPECT_EQ(error_code(a), "too_large");
  // And one that is sent in full, chunked, with no declared length.
  RawSocket s(server_->port(), kBadAddress);
  ASSERT_TRUE(s.ok());
  std::string chunked = "POST /v1/accounts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(64 * 1024, ' ');
  bool sent_all = s.send_all(chunked);
  for (int i = 0; i < 20 && sent_all; ++i) sent_all = s.send_all("10000\r\n" + chunk + "\r\n");
  const auto b = s.read_http_answer(scaled(5s));
  EXPECT_EQ(b.status, 413u) << b.head;
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, RequestsWithoutCredentialsGet401) {
  for (const std::string target : {"/v1/keys/count", "/v1/keys/bob/1", "/v1/keys/bob/*"}) {
    const auto a = raw_exchange("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(a.status, 401u) << target;
    EXPECT_EQ(error_code(a), "unauthorized") << target;
  }
  EXPECT_EQ(post_json("/v1/keys/prekeys", R"({"prekeys":[]})").status, 401u);
  // The relay upgrade, too.
  unsigned refused = 0;
  auto ep = endpoint();
  ep.bind_address = kBadAddress;
  auto relay = client::RelayClient::connect(ep, nullptr, {}, &refused);
  EXPECT_FALSE(relay.ok());
  EXPECT_EQ(refused, 401u);
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, BadCredentialsGet401ThenRateLimited429) {
  client::Credentials wrong = alice_->credentials().clone();
  wrong.secret.mut()[0] ^= 1;
  client::Endpoint ep = endpoint();
  ep.bind_address = kBadAddress;
  client::HttpClient http(ep);
  std::vector<unsigned> statuses;
  std::string retry_after;
  for (int i = 0; i < kAuthFailureBurst + 3; ++i) {
    auto r = http.get("/v1/keys/count", &wrong);
    ASSERT_OK(r);
    statuses.push_back(r->status);
    if (r->status == 429) retry_after = r->retry_after;
  }
  EXPECT_EQ(statuses.front(), 401u);
  EXPECT_EQ(statuses.back(), 429u) << "no rate limit after " << statuses.size() << " failures";
  EXPECT_FALSE(retry_after.empty()) << "429 without Retry-After";
  // The limited address cannot try its luck on the relay upgrade either.
  unsigned refused = 0;
  auto relay = client::RelayClient::connect(ep, &wrong, {}, &refused);
  EXPECT_FALSE(relay.ok());
  EXPECT_EQ(refused, 429u);
  // Alice, from her own address, is unaffected.
  auto count = alice_->directory().prekey_count(alice_->credentials());
  EXPECT_OK(count);
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, SlowlorisIsDisconnectedAfterHeaderTimeoutWhileOthersAreServed) {
  RawSocket slow(server_->port(), kBadAddress);
  ASSERT_TRUE(slow.ok());
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(slow.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  // While the slow client holds its connection, others are served.
  expect_served(*alice_, *bob_);
  std::string received;
  ASSERT_TRUE(slow.wait_closed(std::chrono::seconds(kHeaderTimeoutSeconds) + scaled(5s), &received))
      << "a stalled request head was never cut off";
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, std::chrono::seconds(kHeaderTimeoutSeconds) - 200ms) << "cut off before the header timeout";
  EXPECT_TRUE(received.empty() || received.rfind("HTTP/1.1 408", 0) == 0) << "unexpected answer: " << received;
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, TooManyConnectionsForOneDeviceAreClosed1008) {
  // Bob already holds one connection (his Messenger); the limit is 2.
  auto second = relay_for(*bob_);
  ASSERT_TRUE(second);
  auto third = relay_for(*bob_);
  ASSERT_TRUE(third);
  const auto closed = third->wait_closed(scaled(5s));
  ASSERT_TRUE(closed) << "the connection over the limit stayed open";
  EXPECT_TRUE(closed->by_server);
  EXPECT_EQ(closed->code, 1008) << closed->reason;
  EXPECT_TRUE(second->is_open());
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, OversizedWebSocketMessageIsClosed1009) {
  auto carol = register_messenger("carol", false);
  ASSERT_TRUE(carol);
  auto relay = relay_for(*carol);
  ASSERT_TRUE(relay);
  ASSERT_OK(relay->send_raw(Bytes(kMaxFrameBytes + 1024, 0x08), true));
  const auto closed = relay->wait_closed(scaled(5s));
  ASSERT_TRUE(closed);
  EXPECT_TRUE(closed->by_server) << closed->reason;
  EXPECT_EQ(closed->code, 1009) << closed->reason;
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, TextMessageIsClosed1003) {
  // docs/API.md: binary messages only; "1003 a text message".
  auto carol = register_messenger("carol", false);
  ASSERT_TRUE(carol);
  auto relay = relay_for(*carol);
  ASSERT_TRUE(relay);
  ASSERT_OK(relay->send_raw(as_bytes(R"({"to":"bob","body":")" + marker() + "\"}"), false));
  const auto closed = relay->wait_closed(scaled(5s));
  ASSERT_TRUE(closed);
  EXPECT_TRUE(closed->by_server) << closed->reason;
  EXPECT_EQ(closed->code, 1003) << closed->reason;
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, NonProtobufBinaryMessageGets400AndTheConnectionStays) {
  // docs/API.md "Bad frames": Response{id 0, status 400}, connection open.
  auto carol = register_messenger("carol", false);
  ASSERT_TRUE(carol);
  auto relay = relay_for(*carol);
  ASSERT_TRUE(relay);
  const std::string garbage = "\xff\xff\xff\xff\x0f" + marker();
  ASSERT_OK(relay->send_raw(as_bytes(garbage), true));
  auto response = relay->next_unmatched_response(scaled(5s));
  ASSERT_OK(response);
  ASSERT_TRUE(response->has_value()) << "no Response to a message that is not a Frame";
  EXPECT_EQ((*response)->id(), 0u);
  EXPECT_EQ((*response)->status(), 400u);
  EXPECT_FALSE((*response)->message().empty());
  // Still open and usable: a real request gets its answer.
  auto ack = relay->ack({Bytes(16, 7)}, scaled(5s));  // unknown ids are ignored
  ASSERT_OK(ack);
  EXPECT_EQ(ack->status(), 200u);
  expect_served(*alice_, *bob_);
}

TEST_F(BadInputTest, InvalidRelayRequestsGetStatuses) {
  auto carol = register_messenger("carol", false);
  ASSERT_TRUE(carol);
  auto relay = relay_for(*carol);
  ASSERT_TRUE(relay);
  // A Request with no body.
  auto empty = relay->call(api::Request(), scaled(5s));
  ASSERT_OK(empty);
  EXPECT_EQ(empty->status(), 400u);
  // An unknown recipient.
  api::SendRequest to_nobody;
  to_nobody.set_destination_user("nobody");
  auto* m = to_nobody.add_messages();
  m->set_destination_device(1);
  m->set_type(3);
  m->set_content("x");
  auto unknown = relay->send(to_nobody, scaled(5s));
  ASSERT_OK(unknown);
  EXPECT_EQ(unknown->status(), 404u);
  // Addressing a device Bob does not have, and missing his device 1.
  api::SendRequest wrong_devices;
  wrong_devices.set_destination_user("bob");
  auto* w = wrong_devices.add_messages();
  w->set_destination_device(9);
  w->set_type(3);
  w->set_content("x");
  auto mismatch = relay->send(wrong_devices, scaled(5s));
  ASSERT_OK(mismatch);
  EXPECT_EQ(mismatch->status(), 409u);
  EXPECT_EQ(std::vector<std::uint32_t>(mismatch->send().mismatched().missing_devices().begin(),
                                       mismatch->send().mismatched().missing_devices().end()),
            std::vector<std::uint32_t>{1});
  EXPECT_EQ(std::vector<std::uint32_t>(mismatch->send().mismatched().extra_devices().begin(),
                                       mismatch->send().mismatched().extra_devices().end()),
            std::vector<std::uint32_t>{9});
  // An envelope over the size limit.
  api::SendRequest too_big = wrong_devices;
  too_big.mutable_messages(0)->set_destination_device(1);
  too_big.mutable_messages(0)->set_content(std::string(kMaxEnvelopeBytes + 1, 'x'));
  auto big = relay->send(too_big, scaled(5s));
  ASSERT_OK(big);
  EXPECT_EQ(big->status(), 413u);
  // Invalid UTF-8 in a protobuf string field makes the Frame unparseable.
  api::Frame frame;
  frame.mutable_request()->set_id(77);
  frame.mutable_request()->mutable_send()->set_destination_user("b\xffob");
  std::string bytes;
  frame.AppendPartialToString(&bytes);
  ASSERT_OK(relay->send_raw(as_bytes(bytes), true));
  auto response = relay->next_unmatched_response(scaled(5s));
  ASSERT_OK(response);
  ASSERT_TRUE(response->has_value());
  EXPECT_EQ((*response)->status(), 400u);
  EXPECT_TRUE(relay->is_open());
  expect_served(*alice_, *bob_);
}

}  // namespace
}  // namespace hush::e2e
