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
