// The server holds ciphertext only: after a conversation, queued messages
// and rejected requests carrying secrets, hushd.db, its WAL and hushd's
// stderr (at debug level) contain none of the marker plaintexts. The scan is
// shown to work: it finds the queued ciphertexts in those files, and a
// planted marker in a control file.
#include <fstream>

#include "child_process.hpp"
#include "e2e_test.hpp"
#include "markers.hpp"
#include "raw_socket.hpp"

namespace hush::e2e {
namespace {

using MarkerScanTest = E2eTest;

bool found_in_any(const std::vector<std::filesystem::path>& files, const std::string& needle) {
  for (const auto& f : files)
    if (read_file(f).find(needle) != std::string::npos) return true;
  return false;
}

TEST_F(MarkerScanTest, NoPlaintextInDatabaseWalOrLogs) {
  ASSERT_NE(start_server(), nullptr);
  auto alice = register_messenger("alice");
  auto bob = register_messenger("bob");
  auto carol = register_messenger("carol", /*connect=*/false);
  ASSERT_TRUE(alice && bob && carol);

  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(alice->send("bob", marker()));
    ASSERT_OK(bob->send("alice", marker()));
  }
  ASSERT_OK(bob->wait_for_inbox(5, scaled(5s)));
  ASSERT_OK(alice->wait_for_inbox(5, scaled(5s)));
  for (int i = 0; i < 5; ++i) ASSERT_OK(alice->send("carol", marker()));  // stay queued in the database

  // Rejected input carrying secret-looking text: hushd must not log bodies.
  const std::string rejected = marker();
  {
    RawSocket s(server_->port());
    const std::string body = R"({"username":"dave","device_secret":")" + rejected + "\"";
    ASSERT_TRUE(s.send_all("POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\n\r\n" + body));
    EXPECT_EQ(s.read_http_answer(scaled(5s)).status, 400u);
  }
  {
    auto relay = client::RelayClient::connect(endpoint(), &bob->credentials());
    ASSERT_OK(relay);
    ASSERT_OK((*relay)->send_raw(as_bytes("\xff" + marker()), true));
    (void)(*relay)->next_unmatched_response(scaled(2s));
  }

  // Carol's queued ciphertexts, as the server delivers them (not acknowledged).
  std::vector<std::string> ciphertexts;
  {
    auto peek = client::RelayClient::connect(endpoint(), &carol->credentials());
    ASSERT_OK(peek);
    while (ciphertexts.size() < 5) {
      auto push = (*peek)->next_push(scaled(5s));
      ASSERT_OK(push);
      ASSERT_TRUE(push->has_value()) << "Carol's queue did not arrive";
      if ((*push)->has_envelope()) ciphertexts.push_back((*push)->envelope().content());
    }
  }

  // kill -9 leaves the files as they are: the WAL (if hushd has not
  // checkpointed it away yet) and the main database.
  server_->kill9();
  std::vector<std::filesystem::path> files{data_dir() / "hushd.db", log_file()};
  for (const auto& f : files) ASSERT_TRUE(std::filesystem::exists(f)) << f << " missing: nothing to scan";
  if (std::filesystem::exists(data_dir() / "hushd.db-wal")) files.push_back(data_dir() / "hushd.db-wal");
  // The scan reaches where messages are stored: every queued ciphertext is
  // in the database or its WAL.
  for (const auto& c : ciphertexts) EXPECT_TRUE(found_in_any(files, c)) << "a queued ciphertext is not in the files";

  const auto hits = scan_for_markers({data_dir(), log_file()}, markers());
  EXPECT_TRUE(hits.empty()) << hits.size() << " plaintext markers found, first in " << hits.front().file;

  // Control: the same scan does find a marker where one is.
  const auto control = dir() / "control.txt";
  std::ofstream(control) << "prefix " << markers().front() << " suffix";
  EXPECT_EQ(scan_for_markers({control}, markers()).size(), 1u);
  std::filesystem::remove(control);
}

}  // namespace
}  // namespace hush::e2e
