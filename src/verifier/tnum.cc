// tnum.cc — tristate number arithmetic. Each operation returns a tnum that
// includes every result of the operation on values of its operands
// (tests/verifier/tnum_test.cc checks that by brute force on small widths).
#include "tnum.h"

#include <cstdio>

namespace ringb::verifier {

std::string Tnum::str() const {
  char buf[48];
  // Not %#llx: the kernel's printf writes 0 as "0x0", the C library as "0".
  std::snprintf(buf, sizeof buf, "(0x%llx; 0x%llx)", static_cast<unsigned long long>(value),
                static_cast<unsigned long long>(mask));
  return buf;
}

// Long multiplication: the known product of the values, plus, for each bit
// of `a` that is 1 or unknown, `b` (or its unknown part) shifted there as
// unknown bits.
// The kernel's shift-and-add over a's bits, with two shortcuts that give the
// same result: the accumulated mask's value part stays 0 (every addend's
// is), so tnum_add({0, m}, {0, x}) is {0, (m + x) | m | x}; and a bit of a
// that is neither set nor unknown adds {0, 0}, which changes nothing, so
// only a's nonzero bits are visited.
Tnum tnum_mul(Tnum a, Tnum b) {
  const uint64_t acc_v = a.value * b.value;
  // a fully unknown (x * K in a loop): step k adds c << k (c = b.value |
  // b.mask), which sets bit t + k (t = ctz(c)); the mask only grows and no
  // step sets a bit below t, so it ends as every bit from t up.
  if (a.value == 0 && a.mask == ~uint64_t{0}) {
    const uint64_t c = b.value | b.mask;
    return Tnum{0, c ? ~uint64_t{0} << __builtin_ctzll(c) : 0};
  }
  uint64_t m = 0;
  for (uint64_t bits = a.value | a.mask; bits; bits &= bits - 1) {
    const unsigned k = static_cast<unsigned>(__builtin_ctzll(bits));
    const uint64_t x = (a.value >> k & 1) ? b.mask << k : (b.value | b.mask) << k;
    m = (m + x) | m | x;
  }
  return tnum_add(Tnum::constant(acc_v), Tnum{0, m});
}

Tnum tnum_arshift(Tnum a, unsigned s, unsigned width) {
  if (width == 32) {
    return Tnum{static_cast<uint32_t>(static_cast<int32_t>(static_cast<uint32_t>(a.value)) >> (s & 31)),
                static_cast<uint32_t>(static_cast<int32_t>(static_cast<uint32_t>(a.mask)) >> (s & 31))};
  }
  return Tnum{static_cast<uint64_t>(static_cast<int64_t>(a.value) >> (s & 63)),
              static_cast<uint64_t>(static_cast<int64_t>(a.mask) >> (s & 63))};
}

}  // namespace ringb::verifier
