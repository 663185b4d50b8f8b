// jumps.cc — conditional jumps: which way a comparison must go
// (is_branch_taken), what each branch learns about its operands
// (reg_set_min_max, for both widths), NULL checks that turn an _or_null
// pointer into the pointer or into 0 in every register sharing its id, and
// packet ranges from comparisons with data_end.
#include <climits>

#include <utility>

#include "state.h"

namespace ringb::verifier {
namespace {

using namespace isa;

constexpr uint8_t kJsetNot = 0xf0;  // internal: the false side of JSET

uint8_t negate(uint8_t o) {
  switch (o) {
    case kJeq: return kJne;
    case kJne: return kJeq;
    case kJgt: return kJle;
    case kJle: return kJgt;
    case kJge: return kJlt;
    case kJlt: return kJge;
    case kJsgt: return kJsle;
    case kJsle: return kJsgt;
    case kJsge: return kJslt;
    case kJslt: return kJsge;
    case kJset: return kJsetNot;
    default: return kJset;
  }
}

// The view of a register a comparison sees.
struct View {
  uint64_t umin, umax;
  int64_t smin, smax;
  Tnum t;
};

View view(const Reg& r, bool is32) {
  if (is32) return View{r.u32_min, r.u32_max, r.s32_min, r.s32_max, tnum_subreg(r.var_off)};
  return View{r.umin, r.umax, r.smin, r.smax, r.var_off};
}

int scalar_taken(const View& a, const View& b, uint8_t o) {
  switch (o) {
    case kJeq:
      if (a.t.is_const() && b.t.is_const()) return a.t.value == b.t.value;
      if (a.umin > b.umax || a.umax < b.umin || a.smin > b.smax || a.smax < b.smin) return 0;
      if ((a.t.value ^ b.t.value) & ~(a.t.mask | b.t.mask)) return 0;
      return -1;
    case kJne: {
      const int r = scalar_taken(a, b, kJeq);
      return r < 0 ? -1 : !r;
    }
    case kJset:
      if (!b.t.is_const()) return -1;
      if (a.t.value & b.t.value) return 1;
      if (!((a.t.value | a.t.mask) & b.t.value)) return 0;
      return -1;
    case kJgt: return a.umin > b.umax ? 1 : a.umax <= b.umin ? 0 : -1;
    case kJge: return a.umin >= b.umax ? 1 : a.umax < b.umin ? 0 : -1;
    case kJlt: return a.umax < b.umin ? 1 : a.umin >= b.umax ? 0 : -1;
    case kJle: return a.umax <= b.umin ? 1 : a.umin > b.umax ? 0 : -1;
    case kJsgt: return a.smin > b.smax ? 1 : a.smax <= b.smin ? 0 : -1;
    case kJsge: return a.smin >= b.smax ? 1 : a.smax < b.smin ? 0 : -1;
    case kJslt: return a.smax < b.smin ? 1 : a.smin >= b.smax ? 0 : -1;
    case kJsle: return a.smax <= b.smin ? 1 : a.smin > b.smax ? 0 : -1;
    default: return -1;
  }
}

// Narrow a's and b's view so that "a o b" holds; false if it cannot.
template <typename U, typename S>
bool refine_view(U& au_min, U& au_max, S& as_min, S& as_max, Tnum& at, U& bu_min, U& bu_max, S& bs_min, S& bs_max,
                 Tnum& bt, uint8_t o) {
  switch (o) {
    case kJeq: {
      au_min = bu_min = std::max(au_min, bu_min);
      au_max = bu_max = std::min(au_max, bu_max);
      as_min = bs_min = std::max(as_min, bs_min);
      as_max = bs_max = std::min(as_max, bs_max);
      at = bt = tnum_intersect(at, bt);
      return true;
    }
    case kJne:
      if (bt.is_const()) {
        const U v = static_cast<U>(bt.value);
        if (au_min == v) { if (au_min == au_max) return false; ++au_min; }
        else if (au_max == v) { --au_max; }
        if (as_min == static_cast<S>(v)) { if (as_min == as_max) return false; ++as_min; }
        else if (as_max == static_cast<S>(v)) { --as_max; }
      }
      if (at.is_const()) {
        const U v = static_cast<U>(at.value);
        if (bu_min == v) { if (bu_min == bu_max) return false; ++bu_min; }
        else if (bu_max == v) { --bu_max; }
        if (bs_min == static_cast<S>(v)) { if (bs_min == bs_max) return false; ++bs_min; }
        else if (bs_max == static_cast<S>(v)) { --bs_max; }
      }
      return true;
    case kJset:
      if (bt.is_const() && bt.value && !(bt.value & (bt.value - 1))) at = tnum_or(at, bt);
      return true;
    case kJsetNot:
      if (bt.is_const()) at = tnum_and(at, Tnum::constant(~bt.value));
      return true;
    case kJgt:
      if (au_max == 0 || bu_min == std::numeric_limits<U>::max()) return false;
      au_min = std::max<U>(au_min, bu_min + 1);
      bu_max = std::min<U>(bu_max, au_max - 1);
      return true;
    case kJge:
      au_min = std::max(au_min, bu_min);
      bu_max = std::min(bu_max, au_max);
      return true;
    case kJlt:
      return refine_view(bu_min, bu_max, bs_min, bs_max, bt, au_min, au_max, as_min, as_max, at, kJgt);
    case kJle:
      return refine_view(bu_min, bu_max, bs_min, bs_max, bt, au_min, au_max, as_min, as_max, at, kJge);
    case kJsgt:
      if (as_max == std::numeric_limits<S>::min() || bs_min == std::numeric_limits<S>::max()) return false;
      as_min = std::max<S>(as_min, bs_min + 1);
      bs_max = std::min<S>(bs_max, as_max - 1);
      return true;
    case kJsge:
      as_min = std::max(as_min, bs_min);
      bs_max = std::min(bs_max, as_max);
      return true;
    case kJslt:
      return refine_view(bu_min, bu_max, bs_min, bs_max, bt, au_min, au_max, as_min, as_max, at, kJsgt);
    case kJsle:
      return refine_view(bu_min, bu_max, bs_min, bs_max, bt, au_min, au_max, as_min, as_max, at, kJsge);
    default: return true;
  }
}

bool is_init_packet(const Reg& r) { return r.type == RegType::Packet && r.off == 0 && r.var_off.equals_const(0); }

template <typename F>
void for_each_reg(State& st, F fn) {
  for (Frame& f : st.frames) {
    for (Reg& r : f.regs) fn(r);
    for (StackSlot& s : f.stack)
      if (s.type[7] == Slot::Spill) fn(s.spilled);
  }
}

// reg_not_null: the pointers the kernel knows are never NULL. Others (the
// context, the stack, packet pointers) compared with 0 take both branches.
bool not_null(const Reg& p) {
  if (p.flags & kMaybeNull) return false;
  switch (p.type) {
    case RegType::Sock: case RegType::TcpSock: case RegType::MapValue: case RegType::MapKey:
    case RegType::SockCommon: case RegType::Mem:
      return true;
    case RegType::BtfId:  // is_trusted_reg
      if (p.ref_obj_id) return true;
      if (p.flags & (kUntrusted | kRcu)) return false;
      return (p.flags & (kAlloc | kNonOwn)) || !(p.aux2 & kBtfLegacy);
    default:
      return false;
  }
}

}  // namespace

int Verifier::branch_taken(const Reg& a, const Reg& b, uint8_t o, bool is32) const {
  if (a.is_pointer() || b.is_pointer()) {
    const Reg& p = a.is_pointer() ? a : b;
    const Reg& k = a.is_pointer() ? b : a;
    if (is32 || p.is_pointer() == k.is_pointer()) return -1;
    if (!not_null(p) || !k.is_null_const()) return -1;
    if (o == kJeq) return 0;
    if (o == kJne) return 1;
    return -1;
  }
  return scalar_taken(view(a, is32), view(b, is32), o);
}

bool Verifier::refine(Reg& a, Reg& b, uint8_t o, bool is32) {
  if (!a.is_scalar() || !b.is_scalar()) return true;
  bool ok;
  if (is32) {
    Tnum at = tnum_subreg(a.var_off), bt = tnum_subreg(b.var_off);
    ok = refine_view<uint32_t, int32_t>(a.u32_min, a.u32_max, a.s32_min, a.s32_max, at, b.u32_min, b.u32_max, b.s32_min,
                                        b.s32_max, bt, o);
    a.var_off = tnum_with_subreg(a.var_off, at);
    b.var_off = tnum_with_subreg(b.var_off, bt);
  } else {
    ok = refine_view<uint64_t, int64_t>(a.umin, a.umax, a.smin, a.smax, a.var_off, b.umin, b.umax, b.smin, b.smax,
                                        b.var_off, o);
  }
  if (!ok) return false;
  bounds_sync(a);
  bounds_sync(b);
  return bounds_valid(a) && bounds_valid(b);
}

void Verifier::mark_ptr_or_null(State& st, uint32_t id, bool is_null) {
  if (!id) return;
  for_each_reg(st, [&](Reg& r) {
    if (r.id != id || !(r.flags & kMaybeNull)) return;
    if (is_null) {
      mark_known(r, 0);
      return;
    }
    r.flags &= static_cast<uint8_t>(~kMaybeNull);
  });
  if (is_null) {  // nothing was acquired
    for (size_t i = 0; i < st.refs.size(); ++i)
      if (st.refs[i].id == id && st.refs[i].kind == kRefPtr) {
        st.refs.erase(st.refs.begin() + static_cast<long>(i));
        break;
      }
  }
}

void Verifier::find_good_pkt_pointers(State& st, const Reg& dst, RegType t, bool right_open) {
  if (dst.off < 0 || (dst.off == 0 && right_open)) return;
  if (dst.umax > static_cast<uint64_t>(kMaxPacketOff) || dst.umax + static_cast<uint64_t>(dst.off) > kMaxPacketOff) return;
  const uint32_t range = static_cast<uint32_t>(dst.off + (right_open ? 1 : 0));
  const uint32_t id = dst.id;
  for_each_reg(st, [&](Reg& r) {
    if (r.type == t && r.id == id && r.aux < range) r.aux = range;
  });
}

// Returns false when the current path ends (no successor to walk now).
bool Verifier::check_jump(State& st, const Insn& in) {
  Frame& f = st.cur();
  const uint8_t o = op(in.code);
  const bool is32 = cls(in.code) == kJmp32;
  const bool x = src_bit(in.code) == kX;
  check_reg_read(st, in.dst);
  if (x) check_reg_read(st, in.src);
  const uint32_t here = st.insn;
  const uint32_t target = static_cast<uint32_t>(static_cast<int64_t>(here) + in.off + 1);
  const uint32_t next = here + 1;
  Reg& dst = f.regs[in.dst];
  Reg kreg;
  mark_known(kreg, is32 ? static_cast<uint32_t>(in.imm) : static_cast<uint64_t>(static_cast<int64_t>(in.imm)));
  Reg& src = x ? f.regs[in.src] : kreg;

  const int taken = branch_taken(dst, src, o, is32);
  // A branch left out depends on the operands' exact values.
  auto mark_operands = [&] { mark_precise_regs(st, static_cast<uint16_t>(1u << in.dst | (x ? 1u << in.src : 0))); };
  if (taken >= 0) mark_operands();
  if (taken == 1) {
    st.insn = target;
    return true;
  }
  if (taken == 0) {
    st.insn = next;
    return true;
  }
  State other = copy_state(st);  // the jump's side
  other.insn = target;
  Frame& of = other.cur();
  Reg& odst = of.regs[in.dst];
  Reg okreg = kreg;
  Reg& osrc = x ? of.regs[in.src] : okreg;
  bool other_ok = true, this_ok = true;

  if (!is32 && !x && in.imm == 0 && (o == kJeq || o == kJne) && (dst.flags & kMaybeNull) && dst.is_pointer()) {
    const uint32_t id = dst.id;
    mark_ptr_or_null(other, id, o == kJeq);
    mark_ptr_or_null(st, id, o == kJne);
  } else if (x && dst.is_pointer() && src.is_pointer()) {
    // Two pointers, one checked and one maybe NULL (not BTF ids): where
    // they are equal, the second is not NULL either (check_cond_jmp_op).
    if (!is32 && (o == kJeq || o == kJne) && ((dst.flags ^ src.flags) & kMaybeNull) && dst.type != RegType::BtfId &&
        src.type != RegType::BtfId) {
      const uint32_t id = (dst.flags & kMaybeNull) ? dst.id : src.id;
      mark_ptr_or_null(o == kJeq ? other : st, id, false);
    }
    // packet pointers against data_end (or meta against data)
    const bool d_pkt = (dst.type == RegType::Packet && src.type == RegType::PacketEnd) ||
                       (dst.type == RegType::PacketMeta && is_init_packet(src));
    const bool s_pkt = (src.type == RegType::Packet && dst.type == RegType::PacketEnd) ||
                       (src.type == RegType::PacketMeta && is_init_packet(dst));
    if (d_pkt || s_pkt) {
      const Reg p = d_pkt ? dst : src;
      // (pointer <= end) / (pointer < end) on which side
      bool le_on_jump = false, lt_on_jump = false, le_on_fall = false, lt_on_fall = false;
      switch (o) {
        case kJgt: (d_pkt ? le_on_fall : lt_on_jump) = true; break;
        case kJlt: (d_pkt ? lt_on_jump : le_on_fall) = true; break;
        case kJge: (d_pkt ? lt_on_fall : le_on_jump) = true; break;
        case kJle: (d_pkt ? le_on_jump : lt_on_fall) = true; break;
        default: break;
      }
      if (le_on_jump || lt_on_jump) find_good_pkt_pointers(other, p, p.type, lt_on_jump);
      if (le_on_fall || lt_on_fall) find_good_pkt_pointers(st, p, p.type, lt_on_fall);
    }
  } else if (dst.is_scalar() && src.is_scalar()) {
    note_linked(st, other, link_base(dst), x ? link_base(src) : 0);
    other_ok = refine(odst, osrc, o, is32);
    this_ok = refine(dst, src, negate(o), is32);
    // Registers linked by a move learn the same, each at its distance
    // (sync_linked_regs).
    auto sync = [&](State& s, const Reg& d, const Reg& sr) {
      for (const Reg* r : {&d, &sr}) {
        if (!r->id || r == &kreg || r == &okreg) continue;
        const Reg known = *r;
        for_each_reg(s, [&](Reg& q) {
          if (!q.is_scalar() || link_base(q) != link_base(known)) return;
          const uint32_t id = q.id;
          const int32_t off = q.off;
          const int64_t delta = link_delta(q) - link_delta(known);
          q = known;
          if (delta) {
            Reg k;
            mark_known(k, static_cast<uint64_t>(delta));
            scalar_alu(q, k, kAdd, true, in);
          }
          q.id = id, q.off = off;
        });
      }
    };
    if (other_ok) sync(other, odst, osrc);
    if (this_ok) sync(st, dst, src);
  }
  if (!other_ok || !this_ok) mark_operands();
  if (other_ok) push_branch(std::move(other), target);
  else recycle(std::move(other));
  if (!this_ok) {
    path_done(st);
    return false;
  }
  st.insn = next;
  return true;
}

}  // namespace ringb::verifier
