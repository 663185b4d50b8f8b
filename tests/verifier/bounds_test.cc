// Scalar bounds against brute force: registers built from random ranges
// around concrete values keep those values through reg_bounds_sync, ALU
// ops and branch refinement; the ranges of the result contain every
// concrete result.
#include <gtest/gtest.h>

#include <climits>
#include <random>

#include "ringb/insn.h"
#include "state.h"

namespace ringb::verifier {
namespace {

using namespace isa;

bool holds(const Reg& r, uint64_t v) {
  const int64_t s = static_cast<int64_t>(v);
  const uint32_t v32 = static_cast<uint32_t>(v);
  const int32_t s32 = static_cast<int32_t>(v32);
  return r.var_off.contains(v) && r.umin <= v && v <= r.umax && r.smin <= s && s <= r.smax && r.u32_min <= v32 &&
         v32 <= r.u32_max && r.s32_min <= s32 && s32 <= r.s32_max;
}

// A scalar that allows [lo, hi] (unsigned, small spans) and nothing known else.
Reg range_reg(uint64_t lo, uint64_t hi) {
  Reg r;
  Verifier::mark_unknown(r);
  if (hi < lo) return r;  // wrapped: unknown
  r.umin = lo, r.umax = hi;
  Verifier::bounds_sync(r);
  return r;
}

std::vector<uint64_t> interesting() {
  return {0, 1, 2, 7, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
          0x8000000000000000, 0xfffffffffffffff0, 0xffffffffffffffff};
}

// bounds_sync returns a fully unknown scalar at once (scalar_bounds.cc):
// the steps would leave it as it is. Checked through a register the
// shortcut does not take (a 64-bit mask one bit short), whose every range
// stays full, and through the shortcut's own input.
TEST(Bounds, AnUnknownScalarIsBoundsSyncsFixedPoint) {
  Reg r;
  Verifier::mark_unknown(r);
  r.id = 7, r.off = 3;
  Reg s = r;
  Verifier::bounds_sync(s);
  EXPECT_TRUE(s.var_off == r.var_off && s.umin == r.umin && s.umax == r.umax && s.smin == r.smin && s.smax == r.smax &&
              s.u32_min == r.u32_min && s.u32_max == r.u32_max && s.s32_min == r.s32_min && s.s32_max == r.s32_max &&
              s.id == 7 && s.off == 3);
  Reg q;
  Verifier::mark_unknown(q);
  q.var_off = Tnum{0, ~uint64_t{0} & ~(uint64_t{1} << 40)};
  Verifier::bounds_sync(q);
  EXPECT_EQ(q.umin, 0u);
  EXPECT_EQ(q.umax, ~uint64_t{0} & ~(uint64_t{1} << 40));
  EXPECT_EQ(q.s32_min, INT32_MIN);
  EXPECT_EQ(q.u32_max, UINT32_MAX);
}

TEST(Bounds, SyncKeepsTheValues) {
  std::mt19937_64 rng(1);
  for (int it = 0; it < 200000; ++it) {
    const uint64_t v = rng() >> (rng() % 64);
    Reg r;
    Verifier::mark_unknown(r);
    // random constraints that all admit v
    r.umin = v - std::min<uint64_t>(v, rng() % 1000);
    r.umax = v + std::min<uint64_t>(~v, rng() % 100000);
    const int64_t s = static_cast<int64_t>(v);
    const uint64_t below = static_cast<uint64_t>(s) - static_cast<uint64_t>(INT64_MIN);  // room under s
    const uint64_t above = static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(s);
    if (rng() & 1) r.smin = s - static_cast<int64_t>(std::min<uint64_t>(below, rng() % 1000));
    if (rng() & 1) r.smax = s + static_cast<int64_t>(std::min<uint64_t>(above, rng() % 1000));
    const uint64_t m = rng() & rng();
    r.var_off = Tnum{v & ~m, m};
    Verifier::bounds_sync(r);
    ASSERT_TRUE(holds(r, v)) << "v=" << v;
    ASSERT_TRUE(Verifier::bounds_valid(r));
  }
}

TEST(Bounds, AluIsSound) {
  const uint8_t ops[] = {kAdd, kSub, kMul, kAnd, kOr, kXor, kLsh, kRsh, kArsh, kDiv, kMod};
  std::mt19937_64 rng(2);
  const auto base = interesting();
  const Insn none{};
  for (int it = 0; it < 20000; ++it) {
    const uint64_t a0 = base[rng() % base.size()] + rng() % 5, b0 = rng() % 3 ? rng() % 70 : base[rng() % base.size()];
    const uint64_t aspan = rng() % 4 ? rng() % 20 : 0, bspan = rng() % 3 ? rng() % 3 : 0;
    const bool is64 = rng() & 1;
    for (uint8_t o : ops) {
      Reg d = range_reg(a0, a0 + aspan), s = range_reg(b0, b0 + bspan);
      Verifier::scalar_alu(d, s, o, is64, none);
      for (uint64_t i = 0; i <= aspan; ++i)
        for (uint64_t j = 0; j <= bspan; ++j) {
          const uint64_t x = a0 + i, y = b0 + j;
          uint64_t r;
          if (is64) {
            const unsigned sh = static_cast<unsigned>(y & 63);
            switch (o) {
              case kAdd: r = x + y; break;
              case kSub: r = x - y; break;
              case kMul: r = x * y; break;
              case kAnd: r = x & y; break;
              case kOr: r = x | y; break;
              case kXor: r = x ^ y; break;
              case kLsh: r = x << sh; break;
              case kRsh: r = x >> sh; break;
              case kArsh: r = static_cast<uint64_t>(static_cast<int64_t>(x) >> sh); break;
              case kDiv: r = y ? x / y : 0; break;
              default: r = y ? x % y : x; break;
            }
          } else {
            const uint32_t x32 = static_cast<uint32_t>(x), y32 = static_cast<uint32_t>(y);
            const unsigned sh = y32 & 31;
            uint32_t r32;
            switch (o) {
              case kAdd: r32 = x32 + y32; break;
              case kSub: r32 = x32 - y32; break;
              case kMul: r32 = x32 * y32; break;
              case kAnd: r32 = x32 & y32; break;
              case kOr: r32 = x32 | y32; break;
              case kXor: r32 = x32 ^ y32; break;
              case kLsh: r32 = x32 << sh; break;
              case kRsh: r32 = x32 >> sh; break;
              case kArsh: r32 = static_cast<uint32_t>(static_cast<int32_t>(x32) >> sh); break;
              case kDiv: r32 = y32 ? x32 / y32 : 0; break;
              default: r32 = y32 ? x32 % y32 : x32; break;
            }
            r = r32;
          }
          // shifts out of range are refused before; skip them
          if ((o == kLsh || o == kRsh || o == kArsh) && y >= (is64 ? 64u : 32u)) continue;
          ASSERT_TRUE(holds(d, r)) << "op " << int(o) << (is64 ? " 64" : " 32") << " x=" << x << " y=" << y << " a0=" << a0 << "+" << aspan << " b0=" << b0 << "+" << bspan << " r=" << r << " got u32 " << d.u32_min << ".." << d.u32_max << " " << d.var_off.str() << " u " << d.umin << ".." << d.umax;
        }
    }
  }
}

TEST(Bounds, RefinementKeepsWhatTheBranchAllows) {
  const uint8_t ops[] = {kJeq, kJne, kJgt, kJge, kJlt, kJle, kJsgt, kJsge, kJslt, kJsle, kJset};
  std::mt19937_64 rng(3);
  const auto base = interesting();
  for (int it = 0; it < 20000; ++it) {
    const uint64_t a0 = base[rng() % base.size()] - rng() % 3, b0 = base[rng() % base.size()] + rng() % 3;
    const uint64_t aspan = rng() % 6, bspan = rng() % 2 ? 0 : rng() % 4;
    const bool is32 = rng() & 1;
    for (uint8_t o : ops) {
      Reg a = range_reg(a0, a0 + aspan), b = range_reg(b0, b0 + bspan);
      const bool possible = Verifier::refine(a, b, o, is32);
      for (uint64_t i = 0; i <= aspan; ++i)
        for (uint64_t j = 0; j <= bspan; ++j) {
          const uint64_t x = a0 + i, y = b0 + j;
          const uint64_t xa = is32 ? static_cast<uint32_t>(x) : x, yb = is32 ? static_cast<uint32_t>(y) : y;
          const int64_t sx = is32 ? static_cast<int32_t>(xa) : static_cast<int64_t>(xa);
          const int64_t sy = is32 ? static_cast<int32_t>(yb) : static_cast<int64_t>(yb);
          bool t;
          switch (o) {
            case kJeq: t = xa == yb; break;
            case kJne: t = xa != yb; break;
            case kJgt: t = xa > yb; break;
            case kJge: t = xa >= yb; break;
            case kJlt: t = xa < yb; break;
            case kJle: t = xa <= yb; break;
            case kJsgt: t = sx > sy; break;
            case kJsge: t = sx >= sy; break;
            case kJslt: t = sx < sy; break;
            case kJsle: t = sx <= sy; break;
            default: t = (xa & yb) != 0; break;
          }
          if (!t) continue;
          ASSERT_TRUE(possible) << "op " << int(o) << " x=" << x << " y=" << y;
          ASSERT_TRUE(holds(a, x) && holds(b, y)) << "op " << int(o) << (is32 ? " 32" : " 64") << " x=" << x << " y=" << y;
        }
    }
  }
}

}  // namespace
}  // namespace ringb::verifier
