// tnum.cc — tristate number arithmetic. Each operation returns a tnum that
// includes every result of the operation on values of its operands
// (tests/verifier/tnum_test.cc checks that by brute force on small widths).
#include "tnum.h"

#include <cstdio>

namespace ringb::verifier {

Tnum Tnum::range(uint64_t min, uint64_t max) {
  const uint64_t chi = min ^ max;
  const int bits = chi ? 64 - __builtin_clzll(chi) : 0;
  if (bits > 63) return unknown();
  const uint64_t delta = (1ull << bits) - 1;
  return Tnum{min & ~delta, delta};
}


std::string Tnum::str() const {
  char buf[48];
  // Not %#llx: the kernel's printf writes 0 as "0x0", the C library as "0".
  std::snprintf(buf, sizeof buf, "(0x%llx; 0x%llx)", static_cast<unsigned long long>(value),
                static_cast<unsigned long long>(mask));
  return buf;
}

Tnum tnum_add(Tnum a, Tnum b) {
  const uint64_t sm = a.mask + b.mask, sv = a.value + b.value;
  const uint64_t sigma = sm + sv, chi = sigma ^ sv;
  const uint64_t mu = chi | a.mask | b.mask;
  return Tnum{sv & ~mu, mu};
}

Tnum tnum_sub(Tnum a, Tnum b) {
  const uint64_t dv = a.value - b.value;
  const uint64_t alpha = dv + a.mask, beta = dv - b.mask;
  const uint64_t mu = (alpha ^ beta) | a.mask | b.mask;
  return Tnum{dv & ~mu, mu};
}

Tnum tnum_neg(Tnum a) { return tnum_sub(Tnum::constant(0), a); }

Tnum tnum_and(Tnum a, Tnum b) {
  const uint64_t alpha = a.value | a.mask, beta = b.value | b.mask, v = a.value & b.value;
  return Tnum{v, alpha & beta & ~v};
}

Tnum tnum_or(Tnum a, Tnum b) {
  const uint64_t v = a.value | b.value, mu = a.mask | b.mask;
  return Tnum{v, mu & ~v};
}

Tnum tnum_xor(Tnum a, Tnum b) {
  const uint64_t v = a.value ^ b.value, mu = a.mask | b.mask;
  return Tnum{v & ~mu, mu};
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

Tnum tnum_lshift(Tnum a, unsigned s) { return s >= 64 ? Tnum::constant(0) : Tnum{a.value << s, a.mask << s}; }
Tnum tnum_rshift(Tnum a, unsigned s) { return s >= 64 ? Tnum::constant(0) : Tnum{a.value >> s, a.mask >> s}; }

Tnum tnum_arshift(Tnum a, unsigned s, unsigned width) {
  if (width == 32) {
    return Tnum{static_cast<uint32_t>(static_cast<int32_t>(static_cast<uint32_t>(a.value)) >> (s & 31)),
                static_cast<uint32_t>(static_cast<int32_t>(static_cast<uint32_t>(a.mask)) >> (s & 31))};
  }
  return Tnum{static_cast<uint64_t>(static_cast<int64_t>(a.value) >> (s & 63)),
              static_cast<uint64_t>(static_cast<int64_t>(a.mask) >> (s & 63))};
}

Tnum tnum_intersect(Tnum a, Tnum b) {
  const uint64_t v = a.value | b.value, mu = a.mask & b.mask;
  return Tnum{v & ~mu, mu};
}

Tnum tnum_union(Tnum a, Tnum b) {
  const uint64_t mu = a.mask | b.mask | (a.value ^ b.value);
  return Tnum{a.value & ~mu, mu};
}

Tnum tnum_cast(Tnum a, unsigned bytes) {
  if (bytes >= 8) return a;
  const uint64_t m = (1ull << (bytes * 8)) - 1;
  return Tnum{a.value & m, a.mask & m};
}

}  // namespace ringb::verifier
