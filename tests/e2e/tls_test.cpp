// hushd with a self-signed certificate: the conversation runs over HTTPS and
// WSS with the certificate verified (as trust anchor, name "localhost"), and
// clients that do not speak TLS or do not trust the certificate get nowhere
// while the server keeps serving.
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "child_process.hpp"
#include "e2e_test.hpp"
#include "raw_socket.hpp"

namespace hush::e2e {
namespace {

using TlsTest = E2eTest;

// The first `name` on PATH.
std::filesystem::path find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = std::filesystem::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

TEST_F(TlsTest, ConversationOverHttpsAndWss) {
  const auto openssl = find_program("openssl");
  ASSERT_FALSE(openssl.empty()) << "openssl is not on PATH";
  const auto cert = dir() / "cert.pem", key = dir() / "key.pem";
  const auto made = run({openssl.string(), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                         "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", key.string(), "-out",
                         cert.string()},
                        dir() / "openssl.out", dir() / "openssl.err", scaled(20s));
  ASSERT_EQ(made, 0) << read_file(dir() / "openssl.err");

  auto config = server_config();
  config.tls_cert = cert;
  config.tls_key = key;
  ASSERT_NE(start_server(config), nullptr);
  ASSERT_TRUE(endpoint().tls);

  auto alice = register_messenger("alice");
  auto bob = register_messenger("bob");
  ASSERT_TRUE(alice && bob);
  std::vector<std::string> to_bob, to_alice;
  for (int i = 0; i < 5; ++i) {
    to_bob.push_back(marker());
    ASSERT_OK(alice->send("bob", to_bob.back()));
    to_alice.push_back(marker());
    ASSERT_OK(bob->send("alice", to_alice.back()));
  }
  ASSERT_OK(bob->wait_for_inbox(to_bob.size(), scaled(5s)));
  ASSERT_OK(alice->wait_for_inbox(to_alice.size(), scaled(5s)));
  for (std::size_t i = 0; i < to_bob.size(); ++i) EXPECT_EQ(bob->inbox()[i].body, to_bob[i]);
  for (std::size_t i = 0; i < to_alice.size(); ++i) EXPECT_EQ(alice->inbox()[i].body, to_alice[i]);

  // Plain HTTP on the TLS port: no HTTP answer, the connection just ends.
  RawSocket plain(server_->port(), "127.0.0.2");
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(plain.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto answer = plain.read_http_answer(scaled(5s));
  EXPECT_NE(answer.status, 200u);

  // A client that does not trust the certificate refuses the server.
  auto untrusting = endpoint();
  untrusting.ca_file.clear();
  client::DirectoryApi stranger(untrusting);
  auto health = stranger.healthz();
  EXPECT_FALSE(health.ok()) << "a self-signed certificate was accepted without being trusted";
  // Nor does a name mismatch pass.
  auto wrong_name = endpoint();
  wrong_name.server_name = "hush.example";
  EXPECT_FALSE(client::DirectoryApi(wrong_name).healthz().ok());

  expect_served(*alice, *bob);
}

}  // namespace
}  // namespace hush::e2e
