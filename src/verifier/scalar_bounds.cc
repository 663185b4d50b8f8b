// scalar_bounds.cc — a scalar's four ranges and its tnum kept consistent:
// each is tightened from the others as the kernel's reg_bounds_sync does
// (__update_reg_bounds, __reg_deduce_bounds, __reg_bound_offset). Every
// step only removes values none of the others allow, so it is sound.
#include <algorithm>
#include <climits>

#include "state.h"

namespace ringb::verifier {
namespace {

// From the tnum: the smallest and largest values it allows, per view.
void update_from_tnum(Reg& r) {
  const Tnum t32 = tnum_subreg(r.var_off);
  r.s32_min = std::max(r.s32_min, static_cast<int32_t>(static_cast<uint32_t>(t32.value | (t32.mask & 0x80000000u))));
  r.s32_max = std::min(r.s32_max, static_cast<int32_t>(static_cast<uint32_t>(t32.value | (t32.mask & 0x7fffffffu))));
  r.u32_min = std::max(r.u32_min, static_cast<uint32_t>(t32.value));
  r.u32_max = std::min(r.u32_max, static_cast<uint32_t>(t32.value | t32.mask));
  const Tnum t = r.var_off;
  r.smin = std::max(r.smin, static_cast<int64_t>(t.value | (t.mask & (1ull << 63))));
  r.smax = std::min(r.smax, static_cast<int64_t>(t.value | (t.mask & ~(1ull << 63))));
  r.umin = std::max(r.umin, t.value);
  r.umax = std::min(r.umax, t.value | t.mask);
}

void deduce32(Reg& r) {
  // The 64-bit range's low halves, when its upper 32 bits are fixed.
  if ((r.umin >> 32) == (r.umax >> 32)) {
    r.u32_min = std::max(r.u32_min, static_cast<uint32_t>(r.umin));
    r.u32_max = std::min(r.u32_max, static_cast<uint32_t>(r.umax));
    if (static_cast<int32_t>(r.umin) <= static_cast<int32_t>(r.umax)) {
      r.s32_min = std::max(r.s32_min, static_cast<int32_t>(r.umin));
      r.s32_max = std::min(r.s32_max, static_cast<int32_t>(r.umax));
    }
  }
  if ((r.smin >> 32) == (r.smax >> 32)) {
    r.u32_min = std::max(r.u32_min, static_cast<uint32_t>(r.smin));
    r.u32_max = std::min(r.u32_max, static_cast<uint32_t>(r.smax));
    if (static_cast<int32_t>(r.smin) <= static_cast<int32_t>(r.smax)) {
      r.s32_min = std::max(r.s32_min, static_cast<int32_t>(r.smin));
      r.s32_max = std::min(r.s32_max, static_cast<int32_t>(r.smax));
    }
  }
  // An unsigned range that does not cross the sign bit is a signed one, and back.
  if (static_cast<int32_t>(r.u32_min) <= static_cast<int32_t>(r.u32_max)) {
    r.s32_min = std::max(r.s32_min, static_cast<int32_t>(r.u32_min));
    r.s32_max = std::min(r.s32_max, static_cast<int32_t>(r.u32_max));
  }
  if (static_cast<uint32_t>(r.s32_min) <= static_cast<uint32_t>(r.s32_max)) {
    r.u32_min = std::max(r.u32_min, static_cast<uint32_t>(r.s32_min));
    r.u32_max = std::min(r.u32_max, static_cast<uint32_t>(r.s32_max));
  } else if (r.u32_max < static_cast<uint32_t>(r.s32_min)) {
    // the signed range wraps; the unsigned one lies within its non-negative part
    r.s32_min = static_cast<int32_t>(r.u32_min);
    r.u32_max = std::min(r.u32_max, static_cast<uint32_t>(r.s32_max));
  } else if (static_cast<uint32_t>(r.s32_max) < r.u32_min) {
    // … or within its negative part
    r.s32_max = static_cast<int32_t>(r.u32_max);
    r.u32_min = std::max(r.u32_min, static_cast<uint32_t>(r.s32_min));
  }
}

void deduce64(Reg& r) {
  if (static_cast<int64_t>(r.umin) <= static_cast<int64_t>(r.umax)) {
    r.smin = std::max(r.smin, static_cast<int64_t>(r.umin));
    r.smax = std::min(r.smax, static_cast<int64_t>(r.umax));
  }
  if (static_cast<uint64_t>(r.smin) <= static_cast<uint64_t>(r.smax)) {
    r.umin = std::max(r.umin, static_cast<uint64_t>(r.smin));
    r.umax = std::min(r.umax, static_cast<uint64_t>(r.smax));
  } else if (r.umax < static_cast<uint64_t>(r.smin)) {
    // the signed range wraps (split across the ends of the u64 domain); the
    // unsigned range lies within its non-negative part (Linux 6.10+)
    r.smin = static_cast<int64_t>(r.umin);
    r.umax = std::min(r.umax, static_cast<uint64_t>(r.smax));
  } else if (static_cast<uint64_t>(r.smax) < r.umin) {
    // … or within its negative part
    r.smax = static_cast<int64_t>(r.umax);
    r.umin = std::max(r.umin, static_cast<uint64_t>(r.smin));
  }
}

// 64-bit bounds from the 32-bit ones: the low half of any value is within
// the u32 range, so the 64-bit ends can move to the nearest value whose low
// half is.
void deduce_mixed(Reg& r) {
  constexpr uint64_t kHigh = ~0xffffffffull;
  const uint64_t new_umin = (r.umin & kHigh) | r.u32_min, new_umax = (r.umax & kHigh) | r.u32_max;
  r.umin = std::max(r.umin, new_umin);
  r.umax = std::min(r.umax, new_umax);
  const int64_t new_smin = static_cast<int64_t>((static_cast<uint64_t>(r.smin) & kHigh) | r.u32_min);
  const int64_t new_smax = static_cast<int64_t>((static_cast<uint64_t>(r.smax) & kHigh) | r.u32_max);
  r.smin = std::max(r.smin, new_smin);
  r.smax = std::min(r.smax, new_smax);
  // A 64-bit value known to fit in s32 takes the s32 range.
  if (r.smin >= INT32_MIN && r.smax <= INT32_MAX) {
    r.smin = std::max<int64_t>(r.smin, r.s32_min);
    r.smax = std::min<int64_t>(r.smax, r.s32_max);
  }
}

void bound_offset(Reg& r) {
  const Tnum t64 = tnum_intersect(r.var_off, Tnum::range(r.umin, r.umax));
  const Tnum t32 = tnum_intersect(tnum_subreg(t64), Tnum::range(r.u32_min, r.u32_max));
  r.var_off = tnum_or(tnum_clear_subreg(t64), t32);
}

}  // namespace

void Verifier::update_bounds(Reg& r) { update_from_tnum(r); }

void Verifier::bounds_sync(Reg& r) {
  if (r.var_off.is_const()) {
    // A known value every range allows: each range becomes that value, as
    // the steps below would make it (most of a loop counter's updates).
    const uint64_t v = r.var_off.value;
    const auto v32 = static_cast<uint32_t>(v);
    if (r.umin <= v && v <= r.umax && r.smin <= static_cast<int64_t>(v) && static_cast<int64_t>(v) <= r.smax &&
        r.u32_min <= v32 && v32 <= r.u32_max && r.s32_min <= static_cast<int32_t>(v32) &&
        static_cast<int32_t>(v32) <= r.s32_max) {
      r.umin = r.umax = v, r.smin = r.smax = static_cast<int64_t>(v);
      r.u32_min = r.u32_max = v32, r.s32_min = r.s32_max = static_cast<int32_t>(v32);
      return;
    }
  }
  // Nothing known at all (a mul's, div's or mod's usual result): every
  // step below would leave it as it is (tests/verifier/bounds_test.cc).
  if (r.var_off.value == 0 && r.var_off.mask == ~uint64_t{0} && r.umin == 0 && r.umax == UINT64_MAX &&
      r.smin == INT64_MIN && r.smax == INT64_MAX && r.u32_min == 0 && r.u32_max == UINT32_MAX &&
      r.s32_min == INT32_MIN && r.s32_max == INT32_MAX)
    return;
  update_from_tnum(r);
  deduce32(r);
  deduce64(r);
  deduce_mixed(r);
  deduce32(r);
  deduce64(r);
  bound_offset(r);
  update_from_tnum(r);
}

bool Verifier::bounds_valid(const Reg& r) {
  return r.umin <= r.umax && r.smin <= r.smax && r.u32_min <= r.u32_max && r.s32_min <= r.s32_max &&
         (r.var_off.value & r.var_off.mask) == 0 && r.var_off.contains(r.var_off.value) &&
         r.umin <= r.var_off.max() && r.umax >= r.var_off.min();
}

void Verifier::mark_unbounded(Reg& r) {
  r.smin = INT64_MIN, r.smax = INT64_MAX, r.umin = 0, r.umax = UINT64_MAX;
  r.s32_min = INT32_MIN, r.s32_max = INT32_MAX, r.u32_min = 0, r.u32_max = UINT32_MAX;
}

void Verifier::mark_unknown(Reg& r) {
  r = Reg{};
  r.type = RegType::Scalar;
  r.var_off = Tnum::unknown();
  mark_unbounded(r);
}

void Verifier::mark_known(Reg& r, uint64_t v) {
  r = Reg{};
  r.type = RegType::Scalar;
  r.var_off = Tnum::constant(v);
  r.smin = r.smax = static_cast<int64_t>(v);
  r.umin = r.umax = v;
  r.s32_min = r.s32_max = static_cast<int32_t>(static_cast<uint32_t>(v));
  r.u32_min = r.u32_max = static_cast<uint32_t>(v);
}

void Verifier::zext32(Reg& r) {
  r.var_off = tnum_subreg(r.var_off);
  r.umin = r.u32_min, r.umax = r.u32_max;
  r.smin = r.u32_min, r.smax = r.u32_max;
  bounds_sync(r);
}

void Verifier::coerce_to_size(Reg& r, int bytes) {
  if (bytes >= 8) return;
  const uint64_t m = (1ull << (bytes * 8)) - 1;
  r.var_off = tnum_cast(r.var_off, static_cast<unsigned>(bytes));
  if ((r.umin & ~m) == (r.umax & ~m)) {
    r.umin &= m, r.umax &= m;
  } else {
    r.umin = 0, r.umax = m;
  }
  r.smin = static_cast<int64_t>(r.umin), r.smax = static_cast<int64_t>(r.umax);
  r.u32_min = 0, r.u32_max = UINT32_MAX, r.s32_min = INT32_MIN, r.s32_max = INT32_MAX;
  if (bytes == 4) {
    r.u32_min = static_cast<uint32_t>(r.umin), r.u32_max = static_cast<uint32_t>(r.umax);
  }
  bounds_sync(r);
}

void Verifier::coerce_to_size_sx(Reg& r, int bytes) {
  const int shift = 64 - bytes * 8;
  auto sx = [&](uint64_t v) { return static_cast<int64_t>(v << shift) >> shift; };
  if (r.var_off.is_const()) {
    mark_known(r, static_cast<uint64_t>(sx(r.var_off.value)));
    return;
  }
  const uint64_t m = (1ull << (bytes * 8)) - 1;
  const int64_t lo = -(int64_t{1} << (bytes * 8 - 1)), hi = (int64_t{1} << (bytes * 8 - 1)) - 1;
  int64_t smin = lo, smax = hi;
  // Within one sign of the narrow type, the range survives.
  if ((r.umin & ~m) == (r.umax & ~m) && sx(r.umin) <= sx(r.umax)) smin = sx(r.umin), smax = sx(r.umax);
  r.var_off = Tnum::unknown();
  mark_unbounded(r);
  r.smin = smin, r.smax = smax;
  bounds_sync(r);
}

}  // namespace ringb::verifier
