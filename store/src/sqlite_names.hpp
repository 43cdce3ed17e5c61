// The shared SQLite layer (hush/sqlite/sqlite.hpp) under the names the
// store's code uses.
#pragma once

#include "hush/sqlite/sqlite.hpp"

namespace hush::store::detail {

using sqlite::Connection;
using sqlite::sqlite_error;
using sqlite::Statement;
using sqlite::StatementUse;
using sqlite::Transaction;

}  // namespace hush::store::detail
