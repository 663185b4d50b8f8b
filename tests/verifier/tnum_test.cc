// tnum arithmetic against brute force: for every pair of 4-bit tnums and
// every pair of values they allow, the result's tnum allows the result.
#include <gtest/gtest.h>

#include <vector>

#include "tnum.h"

namespace ringb::verifier {
namespace {

std::vector<Tnum> all_tnums(int bits) {
  std::vector<Tnum> out;
  const uint64_t lim = 1ull << bits;
  for (uint64_t m = 0; m < lim; ++m)
    for (uint64_t v = 0; v < lim; ++v)
      if (!(v & m)) out.push_back(Tnum{v, m});
  return out;
}

std::vector<uint64_t> members(Tnum t) {
  std::vector<uint64_t> out;
  for (uint64_t x = 0; x < 16; ++x)
    if (t.contains(x)) out.push_back(x);
  return out;
}

template <typename TOp, typename VOp>
void check_binary(TOp top, VOp vop, const char* name) {
  const auto ts = all_tnums(4);
  for (Tnum a : ts)
    for (Tnum b : ts) {
      const Tnum r = top(a, b);
      for (uint64_t x : members(a))
        for (uint64_t y : members(b))
          ASSERT_TRUE(r.contains(vop(x, y))) << name << " " << a.str() << " " << b.str() << " x=" << x << " y=" << y;
    }
}

TEST(Tnum, ArithmeticIsSound) {
  check_binary(tnum_add, [](uint64_t x, uint64_t y) { return x + y; }, "add");
  check_binary(tnum_sub, [](uint64_t x, uint64_t y) { return x - y; }, "sub");
  check_binary(tnum_mul, [](uint64_t x, uint64_t y) { return x * y; }, "mul");
  check_binary(tnum_and, [](uint64_t x, uint64_t y) { return x & y; }, "and");
  check_binary(tnum_or, [](uint64_t x, uint64_t y) { return x | y; }, "or");
  check_binary(tnum_xor, [](uint64_t x, uint64_t y) { return x ^ y; }, "xor");
  check_binary(tnum_union, [](uint64_t x, uint64_t) { return x; }, "union");
}

// tnum_mul's shortcuts (tnum.cc) against the plain shift-and-add loop it
// replaced: the same tnum for every pair of 4-bit tnums and for random
// 64-bit ones (sparse, dense and fully unknown masks).
Tnum mul_reference(Tnum a, Tnum b) {
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

TEST(Tnum, MulMatchesTheShiftAndAddLoop) {
  const auto ts = all_tnums(4);
  for (Tnum a : ts)
    for (Tnum b : ts) {
      const Tnum r = tnum_mul(a, b), want = mul_reference(a, b);
      ASSERT_TRUE(r.value == want.value && r.mask == want.mask) << a.str() << " * " << b.str();
    }
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  auto next = [&] {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    return seed;
  };
  for (int i = 0; i < 200000; ++i) {
    auto pick = [&] {
      uint64_t m = next();
      switch (i % 4) {
        case 0: m &= next() & next(); break;  // sparse
        case 1: m |= next(); break;           // dense
        case 2: m = i % 8 == 2 ? ~0ull : m >> (next() % 64); break;
        default: break;
      }
      return Tnum{next() & ~m, m};
    };
    const Tnum a = pick(), b = pick();
    const Tnum r = tnum_mul(a, b), want = mul_reference(a, b);
    ASSERT_TRUE(r.value == want.value && r.mask == want.mask) << a.str() << " * " << b.str();
  }
}

TEST(Tnum, ShiftsAndCasts) {
  for (Tnum a : all_tnums(4))
    for (unsigned s = 0; s < 6; ++s)
      for (uint64_t x : members(a)) {
        ASSERT_TRUE(tnum_lshift(a, s).contains(x << s));
        ASSERT_TRUE(tnum_rshift(a, s).contains(x >> s));
        ASSERT_TRUE(tnum_arshift(Tnum{a.value << 60, a.mask << 60}, s, 64)
                        .contains(static_cast<uint64_t>(static_cast<int64_t>(x << 60) >> s)));
        ASSERT_TRUE(tnum_cast(a, 1).contains(x & 0xff));
        ASSERT_TRUE(tnum_neg(a).contains(0 - x));
      }
}

TEST(Tnum, IntersectKeepsCommonValues) {
  const auto ts = all_tnums(4);
  for (Tnum a : ts)
    for (Tnum b : ts)
      for (uint64_t x = 0; x < 16; ++x)
        if (a.contains(x) && b.contains(x)) {
          ASSERT_TRUE(tnum_intersect(a, b).contains(x));
        }
}

TEST(Tnum, RangeAndIncludes) {
  for (uint64_t lo = 0; lo < 40; ++lo)
    for (uint64_t hi = lo; hi < 40; ++hi) {
      const Tnum t = Tnum::range(lo, hi);
      for (uint64_t x = lo; x <= hi; ++x) ASSERT_TRUE(t.contains(x));
    }
  EXPECT_TRUE(Tnum::unknown().includes(Tnum::constant(7)));
  EXPECT_FALSE(Tnum::constant(7).includes(Tnum::unknown()));
  EXPECT_TRUE((Tnum{0, 0xf}).includes(Tnum{4, 3}));
  EXPECT_EQ(Tnum::range(0, 0xff).str(), "(0x0; 0xff)");
}

}  // namespace
}  // namespace ringb::verifier
