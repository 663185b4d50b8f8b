// alu.cc — ALU and ALU64 instructions: scalar arithmetic on tnums and
// ranges (the kernel's adjust_scalar_min_max_vals) and pointer arithmetic
// (adjust_ptr_min_max_vals) with its messages.
#include <climits>

#include "state.h"

namespace ringb::verifier {
namespace {

using namespace isa;

const char* alu_string(uint8_t op) {
  static const char* const k[] = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
                                  "neg", "%=", "^=", "=", "s>>=", "endian", "?", "?"};
  return k[op >> 4];
}

bool add_overflows(int64_t a, int64_t b, int64_t* r) { return __builtin_add_overflow(a, b, r); }

// dst op= src for both widths' ranges; var_off too. ALU32: only the 32-bit
// half is computed, the caller zero-extends.
void add_ranges(Reg& d, const Reg& s) {
  int32_t s32a, s32b;
  if (__builtin_add_overflow(d.s32_min, s.s32_min, &s32a) || __builtin_add_overflow(d.s32_max, s.s32_max, &s32b))
    d.s32_min = INT32_MIN, d.s32_max = INT32_MAX;
  else
    d.s32_min = s32a, d.s32_max = s32b;
  uint32_t u32a = d.u32_min + s.u32_min, u32b = d.u32_max + s.u32_max;
  if (u32b < d.u32_max || (d.u32_max - d.u32_min) + (s.u32_max - s.u32_min) < (d.u32_max - d.u32_min))
    d.u32_min = 0, d.u32_max = UINT32_MAX;
  else
    d.u32_min = u32a, d.u32_max = u32b;
  int64_t a, b;
  if (add_overflows(d.smin, s.smin, &a) || add_overflows(d.smax, s.smax, &b))
    d.smin = INT64_MIN, d.smax = INT64_MAX;
  else
    d.smin = a, d.smax = b;
  uint64_t ua = d.umin + s.umin, ub = d.umax + s.umax;
  if (ub < d.umax || (d.umax - d.umin) + (s.umax - s.umin) < (d.umax - d.umin))
    d.umin = 0, d.umax = UINT64_MAX;
  else
    d.umin = ua, d.umax = ub;
}

void sub_ranges(Reg& d, const Reg& s) {
  int32_t s32a, s32b;
  if (__builtin_sub_overflow(d.s32_min, s.s32_max, &s32a) || __builtin_sub_overflow(d.s32_max, s.s32_min, &s32b))
    d.s32_min = INT32_MIN, d.s32_max = INT32_MAX;
  else
    d.s32_min = s32a, d.s32_max = s32b;
  if (d.u32_min < s.u32_max)
    d.u32_min = 0, d.u32_max = UINT32_MAX;
  else
    d.u32_min = d.u32_min - s.u32_max, d.u32_max = d.u32_max - s.u32_min;
  int64_t a, b;
  if (__builtin_sub_overflow(d.smin, s.smax, &a) || __builtin_sub_overflow(d.smax, s.smin, &b))
    d.smin = INT64_MIN, d.smax = INT64_MAX;
  else
    d.smin = a, d.smax = b;
  if (d.umin < s.umax)
    d.umin = 0, d.umax = UINT64_MAX;
  else
    d.umin = d.umin - s.umax, d.umax = d.umax - s.umin;
}

void mul_ranges(Reg& d, const Reg& s) {
  uint64_t hi;
  if (__builtin_mul_overflow(d.umax, s.umax, &hi)) {
    d.umin = 0, d.umax = UINT64_MAX;
  } else {
    d.umin = d.umin * s.umin, d.umax = hi;
  }
  int64_t p[4];
  if (__builtin_mul_overflow(d.smin, s.smin, &p[0]) || __builtin_mul_overflow(d.smin, s.smax, &p[1]) ||
      __builtin_mul_overflow(d.smax, s.smin, &p[2]) || __builtin_mul_overflow(d.smax, s.smax, &p[3])) {
    d.smin = INT64_MIN, d.smax = INT64_MAX;
  } else {
    d.smin = std::min(std::min(p[0], p[1]), std::min(p[2], p[3]));
    d.smax = std::max(std::max(p[0], p[1]), std::max(p[2], p[3]));
  }
  uint32_t h32;
  if (__builtin_mul_overflow(d.u32_max, s.u32_max, &h32)) {
    d.u32_min = 0, d.u32_max = UINT32_MAX;
  } else {
    d.u32_min = d.u32_min * s.u32_min, d.u32_max = h32;
  }
  int32_t q[4];
  if (__builtin_mul_overflow(d.s32_min, s.s32_min, &q[0]) || __builtin_mul_overflow(d.s32_min, s.s32_max, &q[1]) ||
      __builtin_mul_overflow(d.s32_max, s.s32_min, &q[2]) || __builtin_mul_overflow(d.s32_max, s.s32_max, &q[3])) {
    d.s32_min = INT32_MIN, d.s32_max = INT32_MAX;
  } else {
    d.s32_min = std::min(std::min(q[0], q[1]), std::min(q[2], q[3]));
    d.s32_max = std::max(std::max(q[0], q[1]), std::max(q[2], q[3]));
  }
}

}  // namespace

// assign_scalar_id_before_mov: a scalar about to be copied gets an id the
// copy shares. One linked at a distance starts a link of its own: a copy
// of it could not go through `+= K` again.
void Verifier::link_before_mov(Reg& src) {
  if (!src.is_scalar()) return;
  if (src.id & kIdAddConst) unlink(src);
  if (!src.id && !src.var_off.is_const()) src.id = ++id_gen_;
}

// dst (scalar) op= src (scalar).
void Verifier::scalar_alu(Reg& d, Reg s, uint8_t o, bool is64, const Insn& in) {
  (void)in;
  const bool src_known = is64 ? s.var_off.is_const() : tnum_subreg(s.var_off).is_const();
  const uint64_t sval = is64 ? s.var_off.value : static_cast<uint32_t>(s.var_off.value);
  const unsigned bits = is64 ? 64 : 32;
  unlink(d);
  // Ops whose result the ranges can follow; the rest make an unknown scalar.
  bool safe = o == kAdd || o == kSub || o == kMul || o == kAnd || o == kOr || o == kXor;
  if ((o == kLsh || o == kRsh || o == kArsh) && src_known && sval < bits) safe = true;
  if (!safe) {
    mark_unknown(d);
    if (!is64) zext32(d);
    return;
  }
  if (!is64) {  // operate on the low halves, as 32-bit numbers
    d.var_off = tnum_subreg(d.var_off);
    s.var_off = tnum_subreg(s.var_off);
  }
  if (d.var_off.is_const() && src_known) {
    // Two known values: the result is known, each range exactly it — what
    // the ranges and tnums below come to (a loop counter's `+= 1`).
    const uint64_t a = d.var_off.value, b = s.var_off.value;
    uint64_t v = 0;
    switch (o) {
      case kAdd: v = a + b; break;
      case kSub: v = a - b; break;
      case kMul: v = a * b; break;
      case kAnd: v = a & b; break;
      case kOr: v = a | b; break;
      case kXor: v = a ^ b; break;
      case kLsh: v = a << b; break;
      case kRsh: v = a >> b; break;
      default:  // kArsh
        v = is64 ? static_cast<uint64_t>(static_cast<int64_t>(a) >> b)
                 : static_cast<uint32_t>(static_cast<int32_t>(static_cast<uint32_t>(a)) >> b);
        break;
    }
    if (!is64) v = static_cast<uint32_t>(v);
    d.var_off = Tnum::constant(v);
    d.umin = d.umax = v, d.smin = d.smax = static_cast<int64_t>(v);
    d.u32_min = d.u32_max = static_cast<uint32_t>(v), d.s32_min = d.s32_max = static_cast<int32_t>(static_cast<uint32_t>(v));
    return;
  }
  const Tnum dv = d.var_off, sv = s.var_off;
  switch (o) {
    case kAdd: add_ranges(d, s); d.var_off = tnum_add(dv, sv); break;
    case kSub: sub_ranges(d, s); d.var_off = tnum_sub(dv, sv); break;
    case kMul: mul_ranges(d, s); d.var_off = tnum_mul(dv, sv); break;
    case kAnd: {
      d.var_off = tnum_and(dv, sv);
      const uint64_t umax = std::min(d.umax, s.umax);
      const uint32_t u32max = std::min(d.u32_max, s.u32_max);
      mark_unbounded(d);
      if (is64) d.umax = umax; else d.u32_max = u32max;
      break;
    }
    case kOr: {
      d.var_off = tnum_or(dv, sv);
      const uint64_t umin = std::max(d.umin, s.umin);
      const uint32_t u32min = std::max(d.u32_min, s.u32_min);
      mark_unbounded(d);
      if (is64) d.umin = umin; else d.u32_min = u32min;
      break;
    }
    case kXor: d.var_off = tnum_xor(dv, sv); mark_unbounded(d); break;
    case kLsh: {
      // the kernel's scalar{32,}_min_max_lsh: ranges shift too unless the
      // top bit may go out
      const Reg old = d;
      const unsigned k = static_cast<unsigned>(sval);
      d.var_off = tnum_lshift(dv, k);
      mark_unbounded(d);
      if (is64) {
        if (k == 32 && old.s32_max >= 0) d.smax = static_cast<int64_t>(old.s32_max) << 32;
        if (k == 32 && old.s32_min >= 0) d.smin = static_cast<int64_t>(old.s32_min) << 32;
        if (old.umax <= (1ull << (63 - k))) d.umin = old.umin << k, d.umax = old.umax << k;
      } else if (old.u32_max <= (1ull << (31 - k))) {
        d.u32_min = old.u32_min << k, d.u32_max = old.u32_max << k;
      }
      break;
    }
    case kRsh: {
      const Reg old = d;
      const unsigned k = static_cast<unsigned>(sval);
      d.var_off = tnum_rshift(dv, k);
      mark_unbounded(d);
      if (is64) d.umin = old.umin >> k, d.umax = old.umax >> k;
      else d.u32_min = old.u32_min >> k, d.u32_max = old.u32_max >> k;
      break;
    }
    case kArsh: {
      d.var_off = tnum_arshift(dv, static_cast<unsigned>(sval), bits);
      if (is64) {
        const int64_t lo = d.smin >> sval, hi = d.smax >> sval;
        mark_unbounded(d);
        d.smin = lo, d.smax = hi;
      } else {
        const int32_t lo = d.s32_min >> sval, hi = d.s32_max >> sval;
        mark_unbounded(d);
        d.s32_min = lo, d.s32_max = hi;
      }
      break;
    }
    default: break;
  }
  if (!is64) {
    d.var_off = tnum_subreg(d.var_off);
    // The 64-bit view of a 32-bit result: only the low half matters.
    d.smin = INT64_MIN, d.smax = INT64_MAX, d.umin = 0, d.umax = UINT64_MAX;
    bounds_sync(d);
    zext32(d);
  } else {
    bounds_sync(d);
  }
  if (!bounds_valid(d)) mark_unknown(d);
}

void Verifier::pointer_alu(State& st, const Insn& in, Reg& dst, const Reg& ptr, const Reg& off_reg,
                           bool ptr_is_dst) {
  (void)st;
  const uint8_t o = op(in.code);
  const int dr = in.dst;
  if (cls(in.code) != kAlu64) {
    if (o == kSub) {  // allow_ptr_leaks: a meaningless scalar
      mark_unknown(dst);
      zext32(dst);
      return;
    }
    fail("R" + std::to_string(dr) + " 32-bit pointer arithmetic prohibited");
  }
  if (ptr.flags & kMaybeNull)
    fail("R" + std::to_string(dr) + " pointer arithmetic on " + type_str(ptr) + " prohibited, null-check it first");
  const bool known = off_reg.var_off.is_const();
  const int64_t val = static_cast<int64_t>(off_reg.var_off.value);
  switch (ptr.type) {
    case RegType::Ctx: case RegType::MapValue: case RegType::MapKey: case RegType::Stack:
    case RegType::PacketMeta: case RegType::Packet: case RegType::BtfId: case RegType::Mem: case RegType::Func:
    case RegType::ConstDynptr:  // allowed; using it modified is not
      break;
    case RegType::FlowKeys:  // by a constant only
      if (known) break;
      fail("R" + std::to_string(dr) + " pointer arithmetic on " + type_str(ptr) + " prohibited");
    case RegType::MapPtr:
      if (known && val == 0 && o == kAdd) break;
      [[fallthrough]];
    default:
      fail("R" + std::to_string(dr) + " pointer arithmetic on " + type_str(ptr) + " prohibited");
  }
  if (o == kAnd || o == kOr || o == kXor)
    fail("R" + std::to_string(dr) + " bitwise operator " + alu_string(o) + " on pointer prohibited");
  if (o != kAdd && o != kSub)
    fail("R" + std::to_string(dr) + " pointer arithmetic with " + alu_string(o) + " operator prohibited");
  if (o == kSub && !ptr_is_dst) fail("R" + std::to_string(dr) + " tried to subtract pointer from scalar");
  // The kernel's JITs may not handle a frame pointer moved down by SUB.
  if (o == kSub && ptr.type == RegType::Stack) fail("R" + std::to_string(dr) + " subtraction from stack pointer prohibited");
  if (!known && (off_reg.smin > off_reg.smax || off_reg.umin > off_reg.umax)) {
    mark_unknown(dst);
    return;
  }
  auto sane = [&](const Reg& r, bool is_offset_reg) {
    const std::string t = type_str(ptr);
    if (r.var_off.is_const() && is_offset_reg) {
      const int64_t v = static_cast<int64_t>(r.var_off.value);
      if (v >= kMaxVarOff || v <= -kMaxVarOff)
        fail("math between " + t + " pointer and " + std::to_string(v) + " is not allowed");
    }
    if (r.off >= kMaxVarOff || r.off <= -kMaxVarOff)
      fail(t + " pointer offset " + std::to_string(r.off) + " is not allowed");
    if (r.smin == INT64_MIN)
      fail("math between " + t + " pointer and register with unbounded min value is not allowed");
    if (r.smin >= kMaxVarOff || r.smin <= -kMaxVarOff)
      fail("value " + std::to_string(r.smin) + " makes " + t + " pointer be out of bounds");
  };
  sane(off_reg, true);
  sane(ptr, false);
  Reg res = ptr;
  const bool is_pkt = ptr.type == RegType::Packet || ptr.type == RegType::PacketMeta;
  const int64_t sum = o == kAdd ? int64_t{ptr.off} + val : int64_t{ptr.off} - val;
  if (known && sum == static_cast<int32_t>(sum)) {
    res.off = static_cast<int32_t>(sum);
  } else {
    Reg v = ptr;  // the variable part of the pointer, as a scalar
    v.type = RegType::Scalar;
    if (o == kAdd) add_ranges(v, off_reg); else sub_ranges(v, off_reg);
    res.var_off = o == kAdd ? tnum_add(ptr.var_off, off_reg.var_off) : tnum_sub(ptr.var_off, off_reg.var_off);
    res.smin = v.smin, res.smax = v.smax, res.umin = v.umin, res.umax = v.umax;
    if (is_pkt) {
      res.id = ++id_gen_;
      if (o == kAdd || off_reg.smin < 0) res.aux = 0;  // the range no longer applies
    }
  }
  res.s32_min = INT32_MIN, res.s32_max = INT32_MAX, res.u32_min = 0, res.u32_max = UINT32_MAX;
  bounds_sync(res);
  Reg chk = res;
  sane(chk, false);
  dst = res;
}

void Verifier::check_alu(State& st, const Insn& in) {
  Frame& f = st.cur();
  const uint8_t o = op(in.code);
  const bool is64 = cls(in.code) == kAlu64;
  const bool x = src_bit(in.code) == kX;
  if (o == kNeg || o == kEnd) {
    check_reg_read(st, in.dst);
    check_reg_write(in.dst);
    Reg& d = f.regs[in.dst];
    if (o == kNeg && d.is_scalar()) {
      Reg zero;
      mark_known(zero, 0);
      Reg v = d;
      zero.id = 0;
      scalar_alu(zero, v, kSub, is64, in);
      d = zero;
      return;
    }
    if (o == kEnd && d.is_scalar() && d.var_off.is_const()) {
      uint64_t v = d.var_off.value;
      const bool swap = is64 || src_bit(in.code) == kX;  // bswap, or to big endian
      switch (in.imm) {
        case 16: v = swap ? __builtin_bswap16(static_cast<uint16_t>(v)) : static_cast<uint16_t>(v); break;
        case 32: v = swap ? __builtin_bswap32(static_cast<uint32_t>(v)) : static_cast<uint32_t>(v); break;
        default: v = swap ? __builtin_bswap64(v) : v; break;
      }
      mark_known(d, v);
      return;
    }
    mark_unknown(d);
    if (o == kEnd && in.imm < 64) coerce_to_size(d, in.imm / 8);
    return;
  }
  if (x) check_reg_read(st, in.src);
  if (o == kMov) {
    check_reg_write(in.dst);
    Reg& d = f.regs[in.dst];
    if (!x) {
      mark_known(d, is64 ? static_cast<uint64_t>(static_cast<int64_t>(in.imm)) : static_cast<uint32_t>(in.imm));
      return;
    }
    const Reg s = f.regs[in.src];
    if (in.off != 0) {  // movsx
      if (!s.is_scalar()) {
        mark_unknown(d);  // allow_ptr_leaks: the kernel makes an unknown scalar
        if (!is64) zext32(d);
        return;
      }
      d = s;
      unlink(d);
      coerce_to_size_sx(d, in.off / 8);
      if (!is64) zext32(d);
      return;
    }
    if (is64) {
      link_before_mov(f.regs[in.src]);  // so a later comparison refines both
      d = f.regs[in.src];
      return;
    }
    if (!s.is_scalar()) {
      mark_unknown(d);
      zext32(d);
      return;
    }
    // A value that fits in 32 bits is the same after w = w: the two stay
    // linked (the kernel's is_src_reg_u32).
    const bool fits = reg_width(s) <= 32;
    if (fits) link_before_mov(f.regs[in.src]);
    d = f.regs[in.src];
    if (!fits) unlink(d);
    zext32(d);
    return;
  }
  check_reg_read(st, in.dst);
  check_reg_write(in.dst);
  if ((o == kDiv || o == kMod) && !x && in.imm == 0) fail("div by zero");
  if ((o == kLsh || o == kRsh || o == kArsh) && !x && (in.imm < 0 || in.imm >= (is64 ? 64 : 32)))
    fail("invalid shift " + std::to_string(in.imm));
  Reg& d = f.regs[in.dst];
  Reg s;
  if (x) {
    s = f.regs[in.src];
  } else {
    mark_known(s, is64 ? static_cast<uint64_t>(static_cast<int64_t>(in.imm)) : static_cast<uint32_t>(in.imm));
  }
  if (d.is_pointer() || s.is_pointer()) {
    if (d.is_pointer() && s.is_pointer()) {
      if (o == kSub) {
        mark_unknown(d);
        if (!is64) zext32(d);
        return;
      }
      fail("R" + std::to_string(in.dst) + " pointer " + alu_string(o) + " pointer prohibited");
    }
    if (d.is_pointer()) {
      const Reg ptr = d;
      if (x) mark_precise(st, in.src);  // the offset
      pointer_alu(st, in, d, ptr, s, true);
    } else {
      const Reg off = d;
      mark_precise(st, in.dst);
      pointer_alu(st, in, d, s, off, false);
    }
    return;
  }
  const uint32_t link = d.id;
  scalar_alu(d, s, o, is64, in);
  // r1 = r2; r1 += K keeps r1 linked to r2, K apart (once: a second add
  // unlinks, and K stays within s32 so the distances never overflow).
  if (o == kAdd && is64 && link && !(link & kIdAddConst) && s.is_const() && s.var_off.value <= INT32_MAX) {
    d.id = link | kIdAddConst;
    d.off = static_cast<int32_t>(s.var_off.value);
  }
}

}  // namespace ringb::verifier
