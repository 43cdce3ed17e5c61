// Errors are values. Every fallible libhush call returns Result<T>: either a
// T or an Error{code, message}. The codes are the interop driver's codes
// (shared/interop/driver-protocol.md), so a failure means the same thing at
// every layer. Messages never contain key material or plaintext.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hush {

enum class Errc {
  bad_request,         // malformed request or argument (API misuse)
  invalid_key,         // a key that does not parse
  invalid_signature,   // a signature that does not verify
  untrusted_identity,  // identity differs from the one on record
  no_session,          // no usable session for the address
  invalid_prekey,      // PreKey message names a prekey we do not hold
  duplicate_message,   // message keys already used
  invalid_message,     // anything else wrong with a message
  storage,             // the persistent store failed (I/O, corruption)
  // Not a driver-protocol code (the driver never produces it): a local store
  // sealed with a passphrase was opened with a different one.
  wrong_passphrase,
};

// The driver-protocol spelling of a code ("invalid_key", ...).
std::string_view errc_name(Errc c) noexcept;

struct Error {
  Errc code;
  std::string message;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error e) : v_(std::move(e)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(v_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }
  Errc code() const { return error().code; }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Ok) {}                                // NOLINT(google-explicit-constructor)
  Result(Error e) : err_(std::move(e)), failed_(true) {}  // NOLINT(google-explicit-constructor)
  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const Error& error() const& { assert(failed_); return err_; }
  Error&& error() && { assert(failed_); return std::move(err_); }
  Errc code() const { return error().code; }

 private:
  Error err_{Errc::bad_request, {}};
  bool failed_ = false;
};

inline Error make_error(Errc c, std::string msg) { return Error{c, std::move(msg)}; }

}  // namespace hush

// Propagates a failed Result from the enclosing function.
#define HUSH_TRY(expr)                                        \
  do {                                                        \
    auto&& hush_try_r_ = (expr);                              \
    if (!hush_try_r_.ok()) return std::move(hush_try_r_).error(); \
  } while (0)

#define HUSH_CONCAT_INNER(a, b) a##b
#define HUSH_CONCAT(a, b) HUSH_CONCAT_INNER(a, b)
// HUSH_ASSIGN(auto x, expr): binds the value of a Result or returns its error.
#define HUSH_ASSIGN(decl, expr) HUSH_ASSIGN_IMPL(HUSH_CONCAT(hush_r_, __LINE__), decl, expr)
#define HUSH_ASSIGN_IMPL(tmp, decl, expr)           \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).error();     \
  decl = std::move(tmp).value()
