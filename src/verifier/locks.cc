// locks.cc — held locks as Linux 6.18's verifier keeps them for
// bpf_res_spin_lock (process_spin_lock with PROCESS_RES_LOCK,
// acquire_lock_state / release_lock_state, process_irq_flag), and the rules
// both lock kinds share with the object model's graph roots
// (check_reg_allocation_locked, invalidate_non_owning_refs).
//
// A resilient lock call may fail, so the walk forks at it: one path where
// it returned an errno (r0 in [-4095, -1], nothing held) and one where it
// returned 0 with the lock held. A held resilient lock is a RefState entry
// (kRefResLock, or kRefResLockIrq for the _irqsave form) naming the lock by
// the register's id and the map of its value; the entries are a stack, so
// an unlock must name the last lock taken. A saved irq flag is a stack slot
// marked IrqFlag with a kRefIrq entry; flags, too, are restored last first.
// bpf_spin_lock stays State::lock_id (helpers_check.cc): it may be held
// around resilient locks (the kfuncs are allowed under it), never inside
// one (a helper call under a lock is refused).
#include "state.h"

namespace ringb::verifier {
namespace {

bool is_lock_kind(uint8_t k) { return k == kRefResLock || k == kRefResLockIrq; }

// reg->id and the map of a map value: the kernel's (id, map pointer).
uint32_t lock_map_of(const Reg& r) { return r.type == RegType::MapValue ? r.aux + 1 : 0; }

}  // namespace

bool Verifier::res_lock_held(const State& st) const {
  for (const RefState& r : st.refs)
    if (is_lock_kind(r.kind)) return true;
  return false;
}

bool Verifier::is_res_lock_kfunc(const std::string& n) {
  return n == "bpf_res_spin_lock" || n == "bpf_res_spin_unlock" || n == "bpf_res_spin_lock_irqsave" ||
         n == "bpf_res_spin_unlock_irqrestore";
}

// Before the call's arguments are looked at (as the kernel pushes the
// state): the failed call holds nothing, and r0 is an errno.
void Verifier::fork_failed_res_lock(State& st) {
  State q = st;
  clear_caller_saved(q);
  Reg& r0 = q.cur().regs[0];
  mark_unknown(r0);
  r0.smin = r0.s32_min = -4095;
  r0.smax = r0.s32_max = -1;
  bounds_sync(r0);
  q.insn = st.insn + 1;
  q.prev_insn = st.insn;
  push_branch(q, q.insn);
}

// process_spin_lock for the resilient kfuncs' lock argument (its type,
// map value or allocated object, is checked by the caller).
void Verifier::process_res_lock(State& st, int regno, const std::string& kfunc) {
  const Reg& r = st.cur().regs[regno];
  const bool lock = kfunc == "bpf_res_spin_lock" || kfunc == "bpf_res_spin_lock_irqsave";
  const bool irq = kfunc.find("irq") != std::string::npos;
  if (!r.var_off.is_const())
    fail("R" + std::to_string(regno) + " doesn't have constant offset. bpf_res_spin_lock has to be at the constant offset");
  // Linux 6.18 keeps no resilient lock in an allocated object's record
  // (btf_parse_struct_metas leaves the field out).
  if (r.type != RegType::MapValue) fail("local 'kptr' has no valid bpf_res_spin_lock");
  const FieldRecord& rec = map(r.aux).fields;
  if (rec.res_spin_lock_off < 0) fail("map '" + map(r.aux).name + "' has no valid bpf_res_spin_lock");
  const int64_t at = r.off + static_cast<int64_t>(r.var_off.value);
  if (at != rec.res_spin_lock_off)
    fail("off " + std::to_string(at) + " doesn't point to 'struct bpf_res_spin_lock' that is at " +
         std::to_string(rec.res_spin_lock_off));
  const uint32_t lmap = lock_map_of(r);
  const uint8_t kind = irq ? kRefResLockIrq : kRefResLock;
  if (lock) {
    for (const RefState& s : st.refs)
      if (is_lock_kind(s.kind) && s.id == r.id && s.lock_map == lmap)
        fail("Acquiring the same lock again, AA deadlock detected");
    st.refs.push_back(RefState{r.id, st.insn, kind, lmap});
    return;
  }
  if (!any_lock_held(st)) fail("bpf_res_spin_unlock without taking a lock");
  size_t found = st.refs.size(), last = st.refs.size();
  for (size_t i = 0; i < st.refs.size(); ++i) {
    if (!is_lock_kind(st.refs[i].kind)) continue;
    last = i;
    if (st.refs[i].kind == kind && st.refs[i].id == r.id && st.refs[i].lock_map == lmap) found = i;
  }
  if (found == st.refs.size()) fail("bpf_res_spin_unlock of different lock");
  if (found != last) fail("bpf_res_spin_unlock cannot be out of order");
  st.refs.erase(st.refs.begin() + static_cast<long>(found));
  invalidate_non_owning(st);
}

// process_irq_flag for the _irqsave/_irqrestore forms' flag argument: an
// 8-byte stack slot, uninitialised when saved into, holding a saved flag
// when restored from, restored in the reverse order of saving.
void Verifier::process_irq_flag(State& st, int regno, const std::string& kfunc) {
  const Reg r = st.cur().regs[regno];
  const std::string argn = "arg#" + std::to_string(regno - 1);
  if (r.type != RegType::Stack) fail(argn + " doesn't point to an irq flag on stack");
  const bool save = kfunc == "bpf_res_spin_lock_irqsave";
  const std::string uninit = "expected uninitialized irq flag as " + argn;
  const std::string init = "expected an initialized irq flag as " + argn;
  Frame& f = st.frames[r.frameno];
  int spi = stack_obj_spi(st, r, "irq_flag", 1, save ? uninit : init);
  auto is_flag = [&](int s) {
    return s >= 0 && static_cast<size_t>(s) < f.stack.size() && f.stack[static_cast<size_t>(s)].special() &&
           f.stack[static_cast<size_t>(s)].spilled.type == RegType::IrqFlag;
  };
  if (save) {
    if (is_flag(spi)) fail(uninit);
    check_stack_bounds(regno, r, r.off, 8, " write to");
    const int64_t lo = r.off + static_cast<int64_t>(r.var_off.value);
    grow_stack(f, lo, f.subprog);
    check_stack_special_write(st, f, lo, lo + 8, false);
    spi = static_cast<int>((-lo - 1) / 8);
    const uint32_t id = ++id_gen_;
    st.refs.push_back(RefState{id, st.insn, kRefIrq, 0});
    StackSlot& s = f.stack[static_cast<size_t>(spi)];
    for (Slot& t : s.type) t = Slot::Spill;
    s.spilled = Reg{};
    mark_known(s.spilled, 0);
    s.spilled.type = RegType::IrqFlag;
    s.spilled.ref_obj_id = id;
    s.iter_depth = 0;
    s.obj = true;
    return;
  }
  if (!is_flag(spi)) fail(init);
  StackSlot& s = f.stack[static_cast<size_t>(spi)];
  const uint32_t id = s.spilled.ref_obj_id;
  size_t found = st.refs.size(), last = st.refs.size();
  for (size_t i = 0; i < st.refs.size(); ++i) {
    if (st.refs[i].kind != kRefIrq) continue;
    last = i;
    if (st.refs[i].id == id) found = i;
  }
  if (found != last || found == st.refs.size()) {
    const RefState* active = last < st.refs.size() ? &st.refs[last] : nullptr;
    fail("cannot restore irq state out of order, expected id=" + std::to_string(active ? active->id : 0) +
         " acquired at insn_idx=" + std::to_string(active ? active->insn : 0));
  }
  st.refs.erase(st.refs.begin() + static_cast<long>(found));
  for (Slot& t : s.type) t = Slot::Invalid;
  s.spilled = Reg{};
  s.obj = false;
}

// invalidate_non_owning_refs: every register and spilled register of every
// frame holding a non-owning reference becomes an unknown scalar.
void Verifier::invalidate_non_owning(State& st) {
  for (Frame& fr : st.frames) {
    for (Reg& q : fr.regs)
      if (q.type == RegType::BtfId && (q.flags & kNonOwn)) mark_unknown(q);
    for (StackSlot& s : fr.stack)
      if (s.type[7] == Slot::Spill && !s.obj && s.spilled.type == RegType::BtfId && (s.spilled.flags & kNonOwn))
        mark_unknown(s.spilled);
  }
}

// check_reg_allocation_locked: the lock held must be the one of the root's
// own map value or object (the same register id and map).
void Verifier::check_root_locked(const State& st, const Reg& root, const std::string& root_type) {
  const FieldRecord* rec = record_of(root);
  const std::string need = "bpf_spin_lock at off=" + std::to_string(rec ? rec->spin_lock_off : -1) +
                           " must be held for " + root_type;
  if (!any_lock_held(st)) fail(need);
  const uint32_t owner = root.type == RegType::MapValue ? (root.id ? root.id : 0x80000000u | root.aux)
                         : root.ref_obj_id                ? root.ref_obj_id
                                                          : root.id;
  bool same = st.lock_id && st.lock_id == (owner ? owner : 1) && rec && st.lock_off == rec->spin_lock_off;
  // A resilient lock of the same map value counts too (REF_TYPE_LOCK_MASK).
  for (const RefState& s : st.refs)
    if (is_lock_kind(s.kind) && root.type == RegType::MapValue && s.id == root.id && s.lock_map == lock_map_of(root))
      same = true;
  if (!same) fail("held lock and object are not in the same allocation\n" + need);
}

bool Verifier::in_rbtree_cb(const State& st) const {
  for (size_t i = 1; i < st.frames.size(); ++i) {
    const Frame& f = st.frames[i];
    if (!f.in_callback || f.callsite >= insns_.size()) continue;
    const Insn& call = insns_[f.callsite];
    if (call.src != isa::kPseudoKfuncCall || call.imm < 0 || static_cast<size_t>(call.imm) >= obj_.kfuncs.size()) continue;
    const std::string& n = obj_.kfuncs[static_cast<size_t>(call.imm)];
    if (n == "bpf_rbtree_add_impl" || n == "bpf_rbtree_add") return true;
  }
  return false;
}

}  // namespace ringb::verifier
