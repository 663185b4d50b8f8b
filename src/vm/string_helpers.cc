// string_helpers.cc — bpf_strtol and bpf_strtoul with kernel/bpf/helpers.c's
// rules (__bpf_strtoull): base 0, 8, 10 or 16 in flags (nothing else may be
// set), leading white space (the kernel's isspace, which includes 0xa0),
// one '-', base 0 guessing "0x" / "0", at most 63 characters looked at;
// -EINVAL when no digit follows, -ERANGE on overflow. The result is the
// number of characters consumed; *res is 0 on any error.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "helper_sets.h"
#include "ringb/disasm.h"

namespace ringb::vm {
namespace {

constexpr uint64_t kBaseMask = 0x1f;  // BPF_STRTOX_BASE_MASK

bool kernel_isspace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0; }

int digit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<unsigned char>(c | 0x20);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return 99;
}

// The characters consumed (>= 1), or a negative errno.
long strtoull(const char* buf, uint64_t len, uint64_t flags, uint64_t& res, bool& negative) {
  unsigned base = static_cast<unsigned>(flags & kBaseMask);
  if (!buf || !len) return -EINVAL;
  if (base != 0 && base != 8 && base != 10 && base != 16) return -EINVAL;
  if (flags & ~kBaseMask) return -EINVAL;
  uint64_t i = 0;
  while (i < len && kernel_isspace(static_cast<unsigned char>(buf[i]))) ++i;
  negative = i < len && buf[i] == '-';
  if (negative) ++i;
  if (i == len) return -EINVAL;
  char s[64];
  const uint64_t n = std::min<uint64_t>(len - i, sizeof s - 1);
  std::memcpy(s, buf + i, n);
  s[n] = 0;
  const char* p = s;
  // _parse_integer_fixup_radix
  if (base == 0) {
    if (p[0] == '0') base = ((p[1] | 0x20) == 'x' && digit(static_cast<unsigned char>(p[2])) < 16) ? 16 : 8;
    else base = 10;
  }
  if (base == 16 && p[0] == '0' && (p[1] | 0x20) == 'x') p += 2;
  // _parse_integer: digits below base; overflow noted, parsing goes on
  uint64_t v = 0;
  bool overflow = false;
  const char* q = p;
  for (;; ++q) {
    const int d = digit(static_cast<unsigned char>(*q));
    if (d >= static_cast<int>(base)) break;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / base) overflow = true;
    v = v * base + static_cast<uint64_t>(d);
  }
  if (overflow) return -ERANGE;
  if (q == p) return -EINVAL;
  res = v;
  return static_cast<long>(i + static_cast<uint64_t>(q - s));
}

uint64_t strtol_(RunState&, uint64_t buf, uint64_t len, uint64_t flags, uint64_t res, uint64_t) {
  auto* out = reinterpret_cast<int64_t*>(res);
  *out = 0;
  uint64_t v = 0;
  bool neg = false;
  long r = strtoull(reinterpret_cast<const char*>(buf), len, flags, v, neg);
  if (r < 0) return static_cast<uint64_t>(r);
  if (neg) {
    if (static_cast<int64_t>(0 - v) > 0) return static_cast<uint64_t>(-ERANGE);
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (static_cast<int64_t>(v) < 0) return static_cast<uint64_t>(-ERANGE);
    *out = static_cast<int64_t>(v);
  }
  return static_cast<uint64_t>(r);
}

uint64_t strtoul_(RunState&, uint64_t buf, uint64_t len, uint64_t flags, uint64_t res, uint64_t) {
  auto* out = reinterpret_cast<uint64_t*>(res);
  *out = 0;
  uint64_t v = 0;
  bool neg = false;
  long r = strtoull(reinterpret_cast<const char*>(buf), len, flags, v, neg);
  if (r < 0) return static_cast<uint64_t>(r);
  if (neg) return static_cast<uint64_t>(-EINVAL);
  *out = v;
  return static_cast<uint64_t>(r);
}

}  // namespace

void add_string_helpers(Functions& f) {
  f.add_helper(105, ringb::helper_name(105), strtol_);
  f.add_helper(106, ringb::helper_name(106), strtoul_);
}

}  // namespace ringb::vm
