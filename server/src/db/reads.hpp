// The Db reads, each on a read connection checked out of ReaderPool. They
// see every write whose call has returned (it committed before completing).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db.hpp"
#include "statements.hpp"

namespace hush::server::db_detail {

Result<std::optional<AccountRecord>> read_account(ReaderConnection& r, const std::string& username);
Result<std::uint32_t> read_prekey_count(ReaderConnection& r, std::int64_t account_id, std::uint32_t device_id);
Result<std::vector<Db::QueuedEnvelope>> read_queue(ReaderConnection& r, const std::string& username,
                                                   std::uint32_t device_id, std::uint64_t after_seq,
                                                   std::size_t limit);
Result<QueueDepth> read_queue_depth(ReaderConnection& r, const std::string& username, std::uint32_t device_id);

}  // namespace hush::server::db_detail
