// One Hush party behind the interop line protocol
// (shared/interop/driver-protocol.md): takes a parsed request, returns the
// response object. Failed requests change no stored state: every protocol
// operation below writes through one store commit only on success.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "hush/group.hpp"
#include "hush/session.hpp"
#include "request.hpp"

namespace hush::interop {

class Driver {
 public:
  Driver();
  nlohmann::json handle(const nlohmann::json& request);

 private:
  using Handler = Result<nlohmann::json> (Driver::*)(const Request&);
  Result<nlohmann::json> init(const Request& r);
  Result<nlohmann::json> generate_bundle(const Request& r);
  Result<nlohmann::json> process_bundle(const Request& r);
  Result<nlohmann::json> encrypt(const Request& r);
  Result<nlohmann::json> decrypt(const Request& r);
  Result<nlohmann::json> trust(const Request& r);
  Result<nlohmann::json> fingerprint(const Request& r);
  // Group messages (sender keys); group.cpp.
  Result<nlohmann::json> group_create(const Request& r);
  Result<nlohmann::json> group_process(const Request& r);
  Result<nlohmann::json> group_encrypt(const Request& r);
  Result<nlohmann::json> group_decrypt(const Request& r);

  Result<ProtocolAddress> address_of(const Request& r) const;

  SystemRng rng_;
  SystemClock clock_;
  std::unique_ptr<ProtocolStore> store_;  // null until init
  SenderKeyStore* sender_keys_ = nullptr;  // the same store object, as a SenderKeyStore
  ProtocolAddress self_;                   // this party's address and device
};

}  // namespace hush::interop
