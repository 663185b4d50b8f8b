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
Tnum tnum_mul(Tnum a, Tnum b) {
  const uint64_t acc_v = a.value * b.value;
  Tnum acc_m = Tnum::constant(0);
  while (a.value || a.mask) {
    if (a.value & 1) acc_m = tnum_add(acc_m, Tnum{0, b.mask});
    else if (a.mask & 1) acc_m = tnum_add(acc_m, Tnum{0, b.value | b.mask});
    a = tnum_rshift(a, 1);
    b = tnum_lshift(b, 1);
  }
  return tnum_add(Tnum::constant(acc_v), acc_m);
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
