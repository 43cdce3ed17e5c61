// The shared SQLite layer (hush/sqlite/sqlite.hpp, built in store/ and used
// by the protocol store and the client too) under the names hushd's storage
// code uses.
#pragma once

#include "hush/sqlite/sqlite.hpp"

namespace hush::server::db_detail {

using sqlite::Connection;
using sqlite::sqlite_error;
using sqlite::Statement;
using sqlite::StatementUse;

}  // namespace hush::server::db_detail
