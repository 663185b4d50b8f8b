// iters.cc — open-coded iterators (bpf_iter_num_*, bpf_iter_bits_*) as the
// kernel's verifier keeps them (process_iter_arg, mark_stack_slots_iter,
// is_iter_reg_valid_uninit/init, process_iter_next_call): an iterator is
// its type's size in stack slots marked as such, holding a reference until
// destroyed; each `next` forks the walk into "drained" (returns NULL, the
// loop ends) and "active" (one more iteration, depth + 1), and the loop
// converges when an active state at `next` is covered by one already on the
// path (states.cc), so loops verify without unrolling to their bound.
#include "ringb/kfuncs.h"
#include "state.h"

namespace ringb::verifier {
namespace {

int iter_slots(uint8_t kind) { return kind == kIterBits ? 2 : 1; }
const char* iter_name(uint8_t kind) { return kind == kIterBits ? "bits" : "num"; }

bool is_iter_slot(const StackSlot& s) { return s.special() && s.spilled.type == RegType::Iter; }

}  // namespace

void Verifier::process_iter_arg(State& st, int regno, uint8_t kind, uint32_t kf_flags, const std::string& kfunc) {
  const Reg r = st.cur().regs[regno];
  const std::string argn = std::to_string(regno - 1);
  if (r.type != RegType::Stack) fail("arg#" + argn + " expected pointer to an iterator on stack");
  const int n = iter_slots(kind);
  Frame& f = st.frames[r.frameno];
  const std::string uninit_msg = "expected uninitialized iter_" + std::string(iter_name(kind)) + " as arg #" + argn;
  const std::string init_msg = "expected an initialized iter_" + std::string(iter_name(kind)) + " as arg #" + argn;
  int spi = stack_obj_spi(st, r, "iter", n, (kf_flags & kfuncs::kIterNew) ? uninit_msg : init_msg);
  if (kf_flags & kfuncs::kIterNew) {
    for (int k = 0; spi >= 0 && k < n; ++k)
      if (static_cast<size_t>(spi - k) < f.stack.size() && is_iter_slot(f.stack[static_cast<size_t>(spi - k)]))
        fail(uninit_msg);
    check_stack_bounds(regno, r, r.off, 8 * n, " write to");
    const int64_t lo = r.off + static_cast<int64_t>(r.var_off.value);
    grow_stack(f, lo, f.subprog);
    check_stack_special_write(st, f, lo, lo + 8 * n, false);
    spi = static_cast<int>((-lo - 1) / 8);
    const uint32_t ref = acquire_ref(st);
    for (int k = 0; k < n; ++k) {
      StackSlot& s = f.stack[static_cast<size_t>(spi - k)];
      for (Slot& t : s.type) t = Slot::Spill;
      s.spilled = Reg{};
      mark_known(s.spilled, 0);
      s.spilled.type = RegType::Iter;
      s.spilled.aux = kind;
      s.spilled.aux2 = kIterActive;
      s.spilled.ref_obj_id = k == 0 ? ref : 0;
      s.iter_depth = 0;
      s.obj = true;
    }
    return;
  }
  bool ok = spi >= n - 1;
  for (int k = 0; ok && k < n; ++k) {
    const StackSlot& s = f.stack[static_cast<size_t>(spi - k)];
    ok = is_iter_slot(s) && s.spilled.aux == kind && (k != 0 || s.spilled.ref_obj_id);
  }
  if (!ok) fail(init_msg);
  (void)kfunc;
  if (kf_flags & kfuncs::kIterDestroy) {
    const uint32_t ref = f.stack[static_cast<size_t>(spi)].spilled.ref_obj_id;
    for (size_t i = 0; i < st.refs.size(); ++i)
      if (st.refs[i].id == ref && st.refs[i].kind == kRefPtr) {
        st.refs.erase(st.refs.begin() + static_cast<long>(i));
        break;
      }
    for (int k = 0; k < n; ++k) {
      StackSlot& s = f.stack[static_cast<size_t>(spi - k)];
      for (Slot& t : s.type) t = Slot::Invalid;
      s.spilled = Reg{};
      s.iter_depth = 0;
      s.obj = false;
    }
  }
}

// The kfunc flags of the call at `insn` (0: not a built-in kfunc call).
static uint32_t kfunc_flags_at(const Object& obj, const std::vector<Insn>& insns, uint32_t insn) {
  if (insn >= insns.size()) return 0;
  const Insn& in = insns[insn];
  if (in.code != (isa::kJmp | isa::kCall) || in.src != isa::kPseudoKfuncCall) return 0;
  if (in.imm < 0 || static_cast<size_t>(in.imm) >= obj.kfuncs.size()) return 0;
  const kfuncs::Proto* p = kfuncs::find(kfuncs::builtin(), obj.kfuncs[static_cast<size_t>(in.imm)]);
  return p ? p->flags : 0;
}

bool Verifier::is_iter_next_call(uint32_t insn) const {
  return kfunc_flags_at(obj_, insns_, insn) & kfuncs::kIterNext;
}

bool Verifier::is_iter_kfunc_call(uint32_t insn) const {
  return kfunc_flags_at(obj_, insns_, insn) & (kfuncs::kIterNew | kfuncs::kIterNext | kfuncs::kIterDestroy);
}

bool Verifier::iter_active_at_r1(const State& st) {
  const Reg& r = st.cur().regs[1];
  if (r.type != RegType::Stack || !r.var_off.is_const() || r.frameno >= st.frames.size()) return false;
  const int64_t off = r.off + static_cast<int64_t>(r.var_off.value);
  if (off >= 0) return false;
  const Frame& f = st.frames[r.frameno];
  const size_t spi = static_cast<size_t>((-off - 1) / 8);
  return spi < f.stack.size() && is_iter_slot(f.stack[spi]) && f.stack[spi].spilled.aux2 == kIterActive;
}

// iter_active_depths_differ: an active iterator one iteration further on is
// progress, not an infinite loop.
bool Verifier::iter_depths_differ(const State& old, const State& cur) {
  for (size_t fi = 0; fi < old.frames.size() && fi < cur.frames.size(); ++fi) {
    const Frame& of = old.frames[fi];
    const Frame& cf = cur.frames[fi];
    for (size_t spi = 0; spi < of.stack.size(); ++spi) {
      const StackSlot& s = of.stack[spi];
      if (!is_iter_slot(s) || s.spilled.aux2 != kIterActive) continue;
      if (spi >= cf.stack.size() || cf.stack[spi].iter_depth != s.iter_depth) return true;
    }
  }
  return false;
}

}  // namespace ringb::verifier
