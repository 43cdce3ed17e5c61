#include "accounts.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include "hush/client/directory_api.hpp"
#include "hush/keys.hpp"

namespace hush::load {

std::string load_username(const std::string& prefix, unsigned index) { return prefix + "-" + std::to_string(index); }

Result<std::vector<std::string>> register_devices(const client::Endpoint& endpoint, unsigned count,
                                                  const std::string& prefix, const std::vector<std::string>& invites,
                                                  unsigned threads) {
  if (!invites.empty() && invites.size() < count)
    return make_error(Errc::bad_request, "need one invite per device: " + std::to_string(count));
  std::vector<std::string> auth(count);
  std::atomic<unsigned> next{0};
  std::mutex error_mu;
  std::optional<Error> first_error;
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < std::max(1u, std::min(threads, count)); ++t) {
    pool.emplace_back([&] {
      client::DirectoryApi api(endpoint);
      SystemRng rng;
      for (unsigned i = next++; i < count; i = next++) {
        client::Credentials credentials{load_username(prefix, i), 1, {}};
        rng.fill(credentials.secret.mut());
        client::AccountRequest request{credentials.username,
                                       invites.empty() ? std::nullopt : std::optional<std::string>(invites[i]),
                                       KeyPair::generate(rng).public_key, rng.next_u32() % 16380 + 1};
        auto r = api.register_account(request, credentials.secret);
        if (!r) {
          std::lock_guard lock(error_mu);
          if (!first_error) first_error = Error{r.code(), credentials.username + ": " + r.error().message};
          next = count;  // stop everyone
          return;
        }
        auth[i] = credentials.basic_auth();
      }
    });
  }
  for (auto& t : pool) t.join();
  if (first_error) return *first_error;
  return auth;
}

}  // namespace hush::load
