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

Tnum tnum_add(Tnum a, Tnum b);
Tnum tnum_sub(Tnum a, Tnum b);
Tnum tnum_mul(Tnum a, Tnum b);
Tnum tnum_and(Tnum a, Tnum b);
Tnum tnum_or(Tnum a, Tnum b);
Tnum tnum_xor(Tnum a, Tnum b);
Tnum tnum_neg(Tnum a);
Tnum tnum_lshift(Tnum a, unsigned shift);
Tnum tnum_rshift(Tnum a, unsigned shift);
Tnum tnum_arshift(Tnum a, unsigned shift, unsigned width);  // width 32 or 64
Tnum tnum_intersect(Tnum a, Tnum b);  // what both allow
Tnum tnum_union(Tnum a, Tnum b);      // what either allows
Tnum tnum_cast(Tnum a, unsigned bytes);  // the low `bytes` bytes, zero-extended
inline Tnum tnum_subreg(Tnum a) { return tnum_cast(a, 4); }
inline Tnum tnum_clear_subreg(Tnum a) { return tnum_lshift(tnum_rshift(a, 32), 32); }
inline Tnum tnum_with_subreg(Tnum a, Tnum sub) { return tnum_or(tnum_clear_subreg(a), tnum_subreg(sub)); }

}  // namespace ringb::verifier
