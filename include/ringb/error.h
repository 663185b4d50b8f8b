// ringb/error.h — errors as values.
//
// Bad input and resource exhaustion are reported as an `Error` (an errno-style
// code plus a sentence a person can act on), never as an exception or abort.
// `Expected<T>` carries either a value or an Error; it is the C++20 stand-in
// for std::expected.
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace ringb {

struct Error {
  int code = 0;         // a positive errno value (ENOMEM, E2BIG, EINVAL, ...)
  std::string message;  // what went wrong and, where it helps, what to do
};

template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose
  Expected(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& value() const& { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  T& operator*() & { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Status: an Expected with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace ringb
