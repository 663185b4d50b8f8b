// ringb/test_retval.h — the value of a __retval annotation
// ("comment:test_retval=TEXT"), read as the kernel's selftest loader
// (tools/testing/selftests/bpf/test_loader.c) reads it. Header-only: the
// corpus' own reader (tests/bpf) shares it without linking ringb.
#pragma once

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace ringb {

inline constexpr int32_t kTestDataLen = 64;  // TEST_DATA_LEN: the test packet's size
// POINTER_VALUE: "any return value" (a program that returns a pointer).
// bpf_misc.h has defined it as 0xcafe4all, test_loader.c later as 0xbadcafe;
// a __retval of either number means what the name does.
inline constexpr uint32_t kPointerValue = 0xcafe4a11;
inline constexpr uint32_t kPointerValueNew = 0xbadcafe;

struct ExpectedRetval {
  uint32_t value = 0;  // the 32-bit pattern BPF_PROG_TEST_RUN's retval must have
  bool any = false;    // POINTER_VALUE: every value passes
  bool matches(uint32_t retval) const { return any || retval == value; }
};

// A decimal or 0x-hex number, optionally negative (test_loader's parse_int
// reads "010" as ten, so no octal), in [INT32_MIN, UINT32_MAX]; or one of the
// names bpf_misc.h's users write: INT_MIN (also _INT_MIN, the spelling of
// newer headers), INT_MAX, TEST_DATA_LEN, POINTER_VALUE.
inline std::optional<ExpectedRetval> parse_test_retval(std::string_view text) {
  ExpectedRetval r;
  if (text == "INT_MIN" || text == "_INT_MIN") return r.value = 0x80000000u, r;
  if (text == "INT_MAX") return r.value = 0x7fffffffu, r;
  if (text == "TEST_DATA_LEN") return r.value = kTestDataLen, r;
  if (text == "POINTER_VALUE") return r.value = kPointerValue, r.any = true, r;
  std::string s(text);
  size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) ++i;
  int base = 10;
  if (s.size() > i + 1 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) base = 16, i += 2;
  if (i >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long long magnitude = std::strtoull(s.c_str() + i, &end, base);
  if (errno || *end != '\0') return std::nullopt;
  if (negative ? magnitude > 0x80000000ull : magnitude > 0xffffffffull) return std::nullopt;
  r.value = static_cast<uint32_t>(negative ? 0 - magnitude : magnitude);
  r.any = r.value == kPointerValue || r.value == kPointerValueNew;
  return r;
}

// A "comment:…" decl tag without its prefix, and without the "<counter>:"
// newer bpf_misc.h puts after it ("comment:12:test_retval=0"); nullopt for
// tags that are not test annotations.
inline std::optional<std::string_view> test_tag(std::string_view tag) {
  constexpr std::string_view kPrefix = "comment:";
  if (tag.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  tag.remove_prefix(kPrefix.size());
  size_t digits = 0;
  while (digits < tag.size() && tag[digits] >= '0' && tag[digits] <= '9') ++digits;
  if (digits > 0 && digits < tag.size() && tag[digits] == ':') tag.remove_prefix(digits + 1);
  return tag;
}

}  // namespace ringb
