// tnum.h — tristate numbers (the kernel's kernel/bpf/tnum.c idea): a value
// whose bits are known 0, known 1 or unknown, as (value, mask) with the
// unknown bits set in mask and clear in value.
#pragma once

#include <cstdint>
#include <string>

namespace ringb::verifier {

struct Tnum {
  uint64_t value = 0, mask = ~0ull;

  static constexpr Tnum constant(uint64_t v) { return Tnum{v, 0}; }
  static constexpr Tnum unknown() { return Tnum{0, ~0ull}; }
  static Tnum range(uint64_t min, uint64_t max);  // every value in [min, max]

  bool is_const() const { return mask == 0; }
  bool is_unknown() const { return mask == ~0ull; }
  bool equals_const(uint64_t v) const { return mask == 0 && value == v; }
  uint64_t min() const { return value; }
  uint64_t max() const { return value | mask; }
  bool contains(uint64_t v) const { return (v & ~mask) == value; }
  // Every value `b` may take, `this` may take too.
  bool includes(Tnum b) const { return !(b.mask & ~mask) && value == (b.value & ~mask); }
  bool operator==(const Tnum&) const = default;

  std::string str() const;  // "(0x0; 0xff)", the kernel's tnum_strn
};

Tnum tnum_mul(Tnum a, Tnum b);
Tnum tnum_arshift(Tnum a, unsigned shift, unsigned width);  // width 32 or 64
// The cheap operations inline: they are most of what a scalar's bounds cost.
inline Tnum Tnum::range(uint64_t min, uint64_t max) {
  const uint64_t chi = min ^ max;
  const int bits = chi ? 64 - __builtin_clzll(chi) : 0;
  if (bits > 63) return unknown();
  const uint64_t delta = (1ull << bits) - 1;
  return Tnum{min & ~delta, delta};
}
inline Tnum tnum_add(Tnum a, Tnum b) {
  const uint64_t sm = a.mask + b.mask, sv = a.value + b.value;
  const uint64_t sigma = sm + sv, chi = sigma ^ sv;
  const uint64_t mu = chi | a.mask | b.mask;
  return Tnum{sv & ~mu, mu};
}
inline Tnum tnum_sub(Tnum a, Tnum b) {
  const uint64_t dv = a.value - b.value;
  const uint64_t alpha = dv + a.mask, beta = dv - b.mask;
  const uint64_t mu = (alpha ^ beta) | a.mask | b.mask;
  return Tnum{dv & ~mu, mu};
}
inline Tnum tnum_neg(Tnum a) { return tnum_sub(Tnum::constant(0), a); }
inline Tnum tnum_and(Tnum a, Tnum b) {
  const uint64_t alpha = a.value | a.mask, beta = b.value | b.mask, v = a.value & b.value;
  return Tnum{v, alpha & beta & ~v};
}
inline Tnum tnum_or(Tnum a, Tnum b) {
  const uint64_t v = a.value | b.value, mu = a.mask | b.mask;
  return Tnum{v, mu & ~v};
}
inline Tnum tnum_xor(Tnum a, Tnum b) {
  const uint64_t v = a.value ^ b.value, mu = a.mask | b.mask;
  return Tnum{v & ~mu, mu};
}
inline Tnum tnum_lshift(Tnum a, unsigned s) { return s >= 64 ? Tnum::constant(0) : Tnum{a.value << s, a.mask << s}; }
inline Tnum tnum_rshift(Tnum a, unsigned s) { return s >= 64 ? Tnum::constant(0) : Tnum{a.value >> s, a.mask >> s}; }
// what both allow
inline Tnum tnum_intersect(Tnum a, Tnum b) {
  const uint64_t v = a.value | b.value, mu = a.mask & b.mask;
  return Tnum{v & ~mu, mu};
}
// what either allows
inline Tnum tnum_union(Tnum a, Tnum b) {
  const uint64_t mu = a.mask | b.mask | (a.value ^ b.value);
  return Tnum{a.value & ~mu, mu};
}
// the low `bytes` bytes, zero-extended
inline Tnum tnum_cast(Tnum a, unsigned bytes) {
  if (bytes >= 8) return a;
  const uint64_t m = (1ull << (bytes * 8)) - 1;
  return Tnum{a.value & m, a.mask & m};
}

inline Tnum tnum_subreg(Tnum a) { return tnum_cast(a, 4); }
inline Tnum tnum_clear_subreg(Tnum a) { return tnum_lshift(tnum_rshift(a, 32), 32); }
inline Tnum tnum_with_subreg(Tnum a, Tnum sub) { return tnum_or(tnum_clear_subreg(a), tnum_subreg(sub)); }

}  // namespace ringb::verifier
