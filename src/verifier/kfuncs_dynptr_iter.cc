// kfuncs_dynptr_iter.cc — calls of the dynptr kfuncs (bpf_dynptr_slice,
// _slice_rdwr, _adjust, _clone, _copy, _memset, _from_skb/_xdp, …) and the
// open-coded iterators' new/next/destroy (check_kfunc_args' dynptr and iter
// arguments, and the results: slices as mem_or_null tied to their dynptr,
// `next` forking into drained and active states).
#include "ringb/helpers.h"
#include "ringb/kfuncs.h"
#include "state.h"

namespace ringb::verifier {
namespace {

constexpr uint32_t kWidenAllDepth = 32;

// may_access_direct_pkt_data(BPF_WRITE): program types that may write packets.
bool may_write_packet(ProgType t) {
  switch (t) {
    case ProgType::SchedCls: case ProgType::SchedAct: case ProgType::Xdp: case ProgType::LwtXmit:
    case ProgType::SkSkb: case ProgType::SkMsg:
      return true;
    default: return false;
  }
}

bool is_skb_prog(ProgType t) {
  switch (t) {
    case ProgType::SocketFilter: case ProgType::SchedCls: case ProgType::SchedAct: case ProgType::CgroupSkb:
    case ProgType::LwtIn: case ProgType::LwtOut: case ProgType::LwtXmit: case ProgType::LwtSeg6local:
    case ProgType::SkSkb: case ProgType::Tracing:
      return true;
    default: return false;
  }
}

}  // namespace

// widen_imprecise_scalars: scalars that differ from the previous loop
// entry's and reach no decision (liveness.cc's stand-in for precision)
// become unknown, so iterations converge; those that decide something
// (a loop counter against its bound) keep their values. The pre-pass is
// coarser than the kernel's precision marks (a value stored anywhere
// counts as deciding), so past kWidenAllDepth iterations every changed
// scalar widens unless backtracking marked it precise in the old entry
// (a counter a decided branch compared, as the kernel's maybe_widen_reg):
// sound, and it ends loops the marks would have let converge.
void Verifier::widen_imprecise(const State& old, State& cur, bool all) {
  for (size_t fi = 0; fi < cur.frames.size() && fi < old.frames.size(); ++fi) {
    uint32_t at = cur.insn;
    if (fi + 1 < cur.frames.size()) {
      const Frame& above = cur.frames[fi + 1];
      at = above.in_callback ? above.callsite : above.callsite + 1;
    }
    const Locs prec = precise_[at];
    const Frame& of = old.frames[fi];
    Frame& cf = cur.frames[fi];
    for (int r = 0; r < 10; ++r) {
      Reg& c = cf.regs[r];
      if (c.is_scalar() && of.regs[r].is_scalar() && (all || !(prec.regs >> r & 1)) && !of.regs[r].precise &&
          !regs_equal(of.regs[r], c, true))
        mark_unknown(c);
    }
    for (size_t spi = 0; spi < cf.stack.size() && spi < of.stack.size(); ++spi) {
      StackSlot& cs = cf.stack[spi];
      const StackSlot& os = of.stack[spi];
      if (!all && spi < 64 && (prec.stack >> spi & 1)) continue;
      if (cs.type[7] != Slot::Spill || os.type[7] != Slot::Spill || cs.obj || os.obj) continue;
      if (cs.spilled.is_scalar() && os.spilled.is_scalar() && !os.spilled.precise && !regs_equal(os.spilled, cs.spilled, true))
        mark_unknown(cs.spilled);
    }
  }
}

bool Verifier::check_iter_kfunc(State& st, const std::string& name, uint32_t flags) {
  uint8_t kind = 0;
  if (name.rfind("bpf_iter_num_", 0) == 0) kind = kIterNum;
  else if (name.rfind("bpf_iter_bits_", 0) == 0) kind = kIterBits;
  if (!kind || !(flags & (kfuncs::kIterNew | kfuncs::kIterNext | kfuncs::kIterDestroy))) return false;
  const int nargs = (flags & kfuncs::kIterNew) ? 3 : 1;
  for (int r = 1; r <= nargs; ++r) check_reg_read(st, r);
  if (flags & kfuncs::kIterNew) {
    const Reg& a2 = st.cur().regs[2];
    const Reg& a3 = st.cur().regs[3];
    if (kind == kIterNum && !a2.is_scalar()) fail("arg#1 expected scalar, got " + std::string(type_str(a2)));
    if (!a3.is_scalar()) fail("arg#2 expected scalar, got " + std::string(type_str(a3)));
  }
  const Reg it = st.cur().regs[1];
  process_iter_arg(st, 1, kind, flags, name);
  clear_caller_saved(st);
  Frame& cf = st.cur();
  if (flags & kfuncs::kIterDestroy) return true;
  if (flags & kfuncs::kIterNew) {
    mark_unknown(cf.regs[0]);
    return true;
  }
  // next: the kernel's process_iter_next_call.
  const int64_t off = it.off + static_cast<int64_t>(it.var_off.value);
  const size_t spi = static_cast<size_t>((-off - 1) / 8);
  StackSlot& slot = st.frames[it.frameno].stack[spi];
  if (slot.spilled.aux2 == kIterActive) {
    State q = st;
    q.insn = st.insn + 1;  // where the walk resumes: liveness there decides what widens
    StackSlot& qs = q.frames[it.frameno].stack[spi];
    ++qs.iter_depth;
    // Against the previous loop entry here (the nearest state at this call
    // on the path, past the one just recorded), scalars that changed
    // become unknown: widen_imprecise_scalars.
    bool skipped = false;
    for (int32_t p = st.parent; p >= 0; p = explored_[static_cast<size_t>(p)].parent) {
      const Explored& e = explored_[static_cast<size_t>(p)];
      if (e.state.insn != st.insn || e.state.frames.size() != q.frames.size()) continue;
      if (!skipped) {
        skipped = true;
        continue;
      }
      widen_imprecise(e.state, q, qs.iter_depth > kWidenAllDepth);
      break;
    }
    Reg v;
    mark_known(v, 0);
    v.type = RegType::Mem;
    v.aux = 4;  // int *
    q.cur().regs[0] = v;
    q.prev_insn = st.insn;
    push_branch(q, q.insn);
  }
  slot.spilled.aux2 = kIterDrained;
  mark_known(cf.regs[0], 0);
  return true;
}

bool Verifier::check_dynptr_kfunc(State& st, const std::string& name, uint32_t flags) {
  (void)flags;
  if (name.rfind("bpf_dynptr_", 0) != 0) return false;
  Frame& f = st.cur();
  const std::string n = name.substr(11);
  // The dynptr arguments, by register: constant ones are read-only (kfuncs
  // never mutate through a const dynptr pointer they are given).
  auto dyn = [&](int regno, uint8_t uninit_type, uint32_t clone_ref) {
    check_reg_read(st, regno);
    const Reg& r = f.regs[regno];
    uint8_t fl = r.type == RegType::ConstDynptr ? helpers::kRdonly : 0;
    if (uninit_type) fl |= helpers::kUninit;
    process_dynptr_arg(st, regno, fl, uninit_type, clone_ref);
  };
  auto scalar = [&](int regno) {
    check_reg_read(st, regno);
    if (!f.regs[regno].is_scalar())
      fail("arg#" + std::to_string(regno - 1) + " expected scalar, got " + type_str(f.regs[regno]));
  };
  Reg ret;
  mark_unknown(ret);
  if (n == "slice" || n == "slice_rdwr") {
    dyn(1, 0, 0);
    scalar(2);
    check_reg_read(st, 3);
    check_reg_read(st, 4);
    const Reg d = dynptr_of(st, f.regs[1]);
    const Reg& sz = f.regs[4];
    if (!sz.is_const()) fail("R4 must be a known constant");
    const int64_t size = static_cast<int64_t>(sz.var_off.value);
    if (!f.regs[3].is_null_const()) {
      if (!f.regs[3].is_pointer()) fail("arg#2 pointer type VOID must point to scalar, or struct with scalar");
      check_helper_mem(st, 3, size, size, true, true, 4);
    }
    if (n == "slice_rdwr" && d.aux == kDynSkb && !may_write_packet(prog_.type))
      fail("the prog does not allow writes to packet data");
    mark_known(ret, 0);
    ret.type = RegType::Mem;
    ret.flags = kMaybeNull | (n == "slice" ? kRdonly : 0);
    ret.aux = static_cast<uint32_t>(size);
    ret.id = ++id_gen_;
    ret.dynptr_id = d.id;
    ret.ref_obj_id = d.ref_obj_id;
    ret.dyn_type = static_cast<uint8_t>(d.aux);
  } else if (n == "adjust") {
    dyn(1, 0, 0);
    scalar(2);
    scalar(3);
  } else if (n == "is_null" || n == "is_rdonly" || n == "size") {
    dyn(1, 0, 0);
  } else if (n == "clone") {
    dyn(1, 0, 0);
    const Reg d = dynptr_of(st, f.regs[1]);
    dyn(2, static_cast<uint8_t>(d.aux), d.ref_obj_id);
  } else if (n == "copy") {
    dyn(1, 0, 0);
    scalar(2);
    dyn(3, 0, 0);
    scalar(4);
    scalar(5);
  } else if (n == "memset") {
    dyn(1, 0, 0);
    scalar(2);
    scalar(3);
    scalar(4);
  } else if (n == "from_skb" || n == "from_xdp") {
    const bool skb = n == "from_skb";
    if (skb ? !is_skb_prog(prog_.type) : prog_.type != ProgType::Xdp)
      fail("calling kernel function " + name + " is not allowed");
    check_reg_read(st, 1);
    // tracing programs pass a struct sk_buff argument of theirs, which
    // this verifier's tracing context does not type yet
    if (prog_.type == ProgType::Tracing && f.regs[1].type != RegType::Ctx)
      unmodelled("bpf_dynptr_from_skb of a tracing program's sk_buff argument");
    if (f.regs[1].type != RegType::Ctx) fail("arg#0 expected pointer to ctx, but got " + std::string(type_str(f.regs[1])));
    scalar(2);
    dyn(3, skb ? kDynSkb : kDynXdp, 0);
  } else {
    return false;  // a dynptr kfunc this verifier has no rules for
  }
  clear_caller_saved(st);
  st.cur().regs[0] = ret;
  return true;
}

}  // namespace ringb::verifier
