// kfuncs_check.cc — kfunc calls against their prototypes (ringb/kfuncs.h):
// argument kinds, KF_ACQUIRE / KF_RELEASE reference tracking, KF_RET_NULL,
// the object model's basics (bpf_obj_new's type, graph roots under their
// lock, nodes as owning references that become non-owning when pushed),
// RCU read sections; and the reference bookkeeping helpers share.
#include <bpf/btf.h>

#include <cstdio>

#include "ringb/kfunc_progs.h"
#include "ringb/kfuncs.h"
#include "state.h"

namespace ringb::verifier {
namespace {

std::string arg_name(int a) { return "arg#" + std::to_string(a); }

// kfunc_spin_allowed: the graph API, the number iterator and the resilient
// lock kfuncs.
bool allowed_under_lock(const std::string& n) {
  return n.rfind("bpf_list_", 0) == 0 || n.rfind("bpf_rbtree_", 0) == 0 || n.rfind("bpf_refcount_acquire", 0) == 0 ||
         n.rfind("bpf_iter_num_", 0) == 0 || n.rfind("bpf_res_spin_", 0) == 0;
}

}  // namespace

const FieldRecord* Verifier::record_of(const Reg& r) const {
  if (r.type == RegType::MapValue) return &map(r.aux).fields;
  if (r.type == RegType::BtfId)
    for (const StructMeta& sm : obj_.struct_metas)
      if (sm.btf_id == r.aux) return &sm.record;
  return nullptr;
}

const Field* Verifier::field_at(const Reg& r) const {
  const FieldRecord* rec = record_of(r);
  if (!rec || !r.var_off.is_const()) return nullptr;
  const int64_t at = r.off + static_cast<int64_t>(r.var_off.value);
  if (at < 0) return nullptr;
  return rec->at(static_cast<uint32_t>(at));
}

// __process_kf_arg_ptr_to_graph_node: the node argument points at a node
// field of its object, of the struct and at the offset the root's
// `contains:` names.
void Verifier::check_graph_node(const Reg& root, const Reg& node, int regno, const std::string& node_type) {
  const bool list = node_type == "bpf_list_node";
  const char* head_type = list ? "bpf_list_head" : "bpf_rb_root";
  if (!node.var_off.is_const())
    fail("R" + std::to_string(regno) + " doesn't have constant offset. " + node_type +
         " has to be at the constant offset");
  const int64_t off = node.off + static_cast<int64_t>(node.var_off.value);
  const Field* nf = field_at(node);
  const FieldKind kind = list ? FieldKind::ListNode : FieldKind::RbNode;
  if (!nf || nf->kind != kind || nf->offset != off) fail(node_type + " not found at offset=" + std::to_string(off));
  const Field* rf = field_at(root);
  if (!rf) return;  // the root argument's own check reports it
  if (rf->node_struct_id != node.aux)
    fail(std::string("operation on ") + head_type + " expects arg#1 " + node_type + " at offset=" +
         std::to_string(rf->node_offset) + " in struct " + rf->node_struct_name + ", but arg is at offset=" +
         std::to_string(off) + " in struct " + btf_name(node));
  if (off != rf->node_offset)
    fail("arg#1 offset=" + std::to_string(off) + ", but expected " + node_type + " at offset=" +
         std::to_string(rf->node_offset) + " in struct " + rf->node_struct_name);
}

uint32_t Verifier::acquire_ref(State& st) {
  const uint32_t id = ++id_gen_;
  st.refs.push_back(RefState{id, st.insn, kRefPtr, 0});
  return id;
}

void Verifier::release_ref(State& st, uint32_t ref_obj_id) {
  for (size_t i = 0; i < st.refs.size(); ++i) {
    if (st.refs[i].id != ref_obj_id || st.refs[i].kind != kRefPtr) continue;
    st.refs.erase(st.refs.begin() + static_cast<long>(i));
    for (Frame& f : st.frames) {
      for (Reg& r : f.regs)
        if (r.ref_obj_id == ref_obj_id) mark_unknown(r);  // allow_ptr_leaks: an unknown scalar
      for (StackSlot& s : f.stack)
        if (s.type[7] == Slot::Spill && s.spilled.ref_obj_id == ref_obj_id) {
          for (Slot& t : s.type) if (t == Slot::Spill) t = Slot::Misc;
          s.spilled = Reg{};
        }
    }
    return;
  }
  fail("reference has not been acquired before");
}

namespace {

// __btf_type_is_scalar_struct: members are integers, enums, arrays of them
// or structs of them (at most 3 deep).
bool scalar_struct(const Btf& btf, uint32_t id, int depth) {
  const btf_type* t = btf.type(btf.skip_modifiers(id));
  if (!t || !btf_is_struct(t) || depth > 3) return false;
  const btf_member* m = btf_members(t);
  for (int i = 0; i < btf_vlen(t); ++i) {
    uint32_t mid = btf.skip_modifiers(m[i].type);
    const btf_type* mt = btf.type(mid);
    while (mt && btf_is_array(mt)) {
      mid = btf.skip_modifiers(btf_array(mt)->type);
      mt = btf.type(mid);
    }
    if (!mt) return false;
    if (btf_is_int(mt) || btf_is_any_enum(mt)) continue;
    if (!scalar_struct(btf, mid, depth + 1)) return false;
  }
  return true;
}

}  // namespace

// What bpf_obj_new and bpf_percpu_obj_new may allocate: a struct of the
// program's BTF; a per-cpu one of scalars only, at most 512 bytes.
void Verifier::check_new_type(uint32_t id, bool percpu) {
  if (!obj_.btf) fail("bpf_obj_new/bpf_percpu_obj_new requires prog BTF");
  const btf_type* t = obj_.btf->type(id);
  if (!t || !btf_is_struct(t)) fail("bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct");
  if (!percpu) return;
  if (t->size > 512) fail("bpf_percpu_obj_new type size (" + std::to_string(t->size) + ") is greater than 512");
  if (!scalar_struct(*obj_.btf, id, 0)) fail("bpf_percpu_obj_new type ID argument must be of a struct of scalars");
  for (const StructMeta& sm : obj_.struct_metas)
    if (sm.btf_id == id) fail("bpf_percpu_obj_new type ID argument must not contain special fields");
}

void Verifier::check_kfunc_call(State& st, const Insn& in) {
  if (in.imm < 0 || static_cast<size_t>(in.imm) >= obj_.kfuncs.size()) fail("invalid kernel function call");
  const std::string& name = obj_.kfuncs[static_cast<size_t>(in.imm)];
  if (!platform::kfunc_allowed(prog_.type, name)) fail("calling kernel function " + name + " is not allowed");
  bool implicit = false;
  const kfuncs::Proto* p = kfuncs::find(kfuncs::builtin(), name, &implicit);
  if (!p) p = kfuncs::find(opts_.host_kfuncs, name, &implicit);
  if (any_lock_held(st) && !allowed_under_lock(name)) fail("function calls are not allowed while holding a lock");
  // The walk forks before the arguments are looked at (locks.cc).
  const bool res_lock = name == "bpf_res_spin_lock" || name == "bpf_res_spin_lock_irqsave";
  if (p && res_lock) fork_failed_res_lock(st);
  // Scalar arguments (sizes, constants) decide what the call does.
  uint16_t scalar_args = 0;
  for (int r = 1; r <= 5 && (!p || static_cast<size_t>(r) <= p->args.size()); ++r)
    scalar_args = static_cast<uint16_t>(scalar_args | 1u << r);
  mark_precise_regs(st, scalar_args);
  // Iterators and dynptrs keep their state in stack slots (iters.cc,
  // dynptr.cc); bpf_throw's rules are in exceptions.cc.
  if (p && check_iter_kfunc(st, name, p->flags)) return;
  if (p && check_dynptr_kfunc(st, name, p->flags)) return;
  if (p && ((p->flags & (kfuncs::kIterNew | kfuncs::kIterNext | kfuncs::kIterDestroy)) ||
            name.rfind("bpf_iter_", 0) == 0 || name.rfind("bpf_dynptr_", 0) == 0))
    unmodelled("kfunc " + name);
  if (!p) {
    for (const std::string& u : opts_.unchecked_kfuncs) {
      if (u != name) continue;
      clear_caller_saved(st);
      mark_unknown(st.cur().regs[0]);
      return;
    }
    fail("calling kernel function " + name + " is not allowed");
  }
  if (name == "bpf_throw") {  // exceptions.cc: the path ends here
    check_reg_read(st, 1);
    if (!st.cur().regs[1].is_scalar()) fail("arg#0 expected scalar, got " + std::string(type_str(st.cur().regs[1])));
    check_throw(st);
    return;
  }
  Frame& f = st.cur();
  int regno = 1;
  int release_reg = -1, root_reg = -1, node_reg = -1;
  uint32_t new_type = 0;
  int callback_reg = -1;
  for (size_t a = 0; a < p->args.size(); ++a) {
    const kfuncs::Proto::Param& prm = p->args[a];
    const bool is_implicit = prm.kind == kfuncs::Arg::Meta || prm.kind == kfuncs::Arg::NodeOffset;
    if (is_implicit && implicit) continue;
    if (regno > 5) break;
    check_reg_read(st, regno);
    const Reg& r = f.regs[regno];
    const int an = static_cast<int>(a);
    switch (prm.kind) {
      case kfuncs::Arg::Scalar:
        if (!r.is_scalar()) fail(arg_name(an) + " expected scalar, got " + type_str(r));
        break;
      case kfuncs::Arg::TypeId:
        if (!r.is_const()) fail("R" + std::to_string(regno) + " must be a known constant");
        if (r.var_off.value > UINT32_MAX) fail("local type ID argument must be in range [0, U32_MAX]");
        new_type = static_cast<uint32_t>(r.var_off.value);
        check_new_type(new_type, name.find("percpu") != std::string::npos);
        break;
      case kfuncs::Arg::Meta:
      case kfuncs::Arg::NodeOffset:
      case kfuncs::Arg::Ignored:
        break;
      case kfuncs::Arg::Callback:
        if (r.type != RegType::Func) fail(arg_name(an) + " expected pointer to func");
        check_ptr_off_reg(r, regno);  // a function's start
        callback_reg = regno;
        break;
      case kfuncs::Arg::Pointer: {
        if (is_res_lock_kfunc(name) && a == 1) {  // the _irqsave forms' flag (locks.cc)
          process_irq_flag(st, regno, name);
          break;
        }
        // In the kernel's BTF these hold scalars only (bits, a refcount):
        // what is not a BTF pointer is checked as memory (KF_ARG_PTR_TO_MEM).
        const bool cpumask_struct = prm.type == "bpf_cpumask" || prm.type == "cpumask";
        // bpf_rbtree_remove/left/right: a node in the tree (non-owning) or
        // one the program holds a reference to; a node whose non-owning
        // reference died at an unlock is neither.
        if (prm.type == "bpf_rb_node" && name.find("rbtree_add") == std::string::npos &&
            !(r.type == RegType::BtfId && ((r.flags & kNonOwn) || r.ref_obj_id)))
          fail(name + " can only take non-owning or refcounted bpf_rb_node pointer");
        // bpf_obj_drop's p__alloc: what holds no reference (a map value, a
        // pointer already dropped) is refused before its type is looked at.
        if ((p->flags & kfuncs::kRelease) && release_reg < 0 && name.find("obj_drop") != std::string::npos &&
            !r.is_null_const() && !r.ref_obj_id)
          fail("R" + std::to_string(regno) + " must be referenced or trusted");
        if (!r.is_pointer()) {
          if (r.is_null_const()) fail("Possibly NULL pointer passed to trusted arg" + std::to_string(an));
          // tp_btf/fentry/lsm arguments are BTF-typed pointers in the kernel;
          // without the kernel's BTF this verifier reads them as scalars.
          if ((prog_.type == ProgType::Tracing || prog_.type == ProgType::Lsm) && !tracing_target())
            unmodelled("the arguments of " + prog_.section + " without kernel BTF (needs kernel BTF for " +
                       prog_.section + ")");
          // A kfunc that trusts or releases its argument refuses what is no
          // pointer at once (this machine's 6.18.44). Elsewhere, in the
          // kernel's BTF struct bpf_cpumask and struct cpumask hold scalars
          // only (bits, a refcount): a scalar there is checked as memory
          // (KF_ARG_PTR_TO_MEM, check_helper_mem_access).
          if (cpumask_struct && (p->flags & (kfuncs::kTrustedArgs | kfuncs::kRelease)))
            fail("R" + std::to_string(regno) + " must be referenced or trusted");
          if (cpumask_struct)
            fail("R" + std::to_string(regno) + " type=" + type_str(r) + " expected=fp");
          fail(arg_name(an) + " pointer type STRUCT " + prm.type + " must point to scalar, or struct with scalar");
        }
        // A struct of scalars (cpumask) given as other memory is checked as
        // memory of the kernel's struct size (KF_ARG_PTR_TO_MEM); the
        // context byte by byte from its end, as check_helper_mem_access does.
        if (r.type != RegType::BtfId && cpumask_struct) {
          const int64_t size = prm.type == "bpf_cpumask" ? 40 : 32;  // this kernel's structs (NR_CPUS 256)
          if (r.type == RegType::Ctx && (p->flags & (kfuncs::kTrustedArgs | kfuncs::kRelease)))
            fail("R" + std::to_string(regno) + " must be referenced or trusted");
          if (r.type == RegType::Ctx) fail("invalid bpf_context access off=" + std::to_string(size - 1) + " size=1");
          check_helper_mem(st, regno, size, size, false, false, -1);
        }
        check_kfunc_btf_arg(r, regno, an, *p, prm.type);  // btf_ptrs.cc
        if (r.flags & kMaybeNull) fail("Possibly NULL pointer passed to trusted arg" + std::to_string(an));
        // A resilient lock lives in a map value or an allocated object;
        // its held-lock rules are process_res_lock's (locks.cc).
        if (prm.type == "bpf_res_spin_lock") {
          if (r.type != RegType::MapValue && !(r.type == RegType::BtfId && (r.flags & kAlloc)))
            fail(arg_name(an) + " doesn't point to map value or allocated object");
          process_res_lock(st, regno, name);
        }
        // A kernel object (task, cgroup) comes only as a BTF pointer.
        if ((prm.type == "task_struct" || prm.type == "cgroup") && r.type != RegType::BtfId)
          fail(arg_name(an) + " pointer type STRUCT " + prm.type + " must point to scalar, or struct with scalar");
        if (prm.type == "bpf_list_head" || prm.type == "bpf_rb_root") {
          const Field* fld = field_at(r);
          if (!fld) fail(arg_name(an) + " expected pointer to " + prm.type);
          // the root itself, not another field (a soundness mutant passed the lock)
          const FieldKind want = prm.type == "bpf_list_head" ? FieldKind::ListHead : FieldKind::RbRoot;
          const int64_t at = r.off + static_cast<int64_t>(r.var_off.value);
          if (fld->kind != want || fld->offset != at) fail(prm.type + " not found at offset=" + std::to_string(at));
          check_root_locked(st, r, prm.type);  // locks.cc
          root_reg = regno;
        } else if (prm.type == "bpf_list_node" || prm.type == "bpf_rb_node") {
          // push and add take an owning reference; a non-owning one (already
          // in a collection) is not one (rbtree_remove's is checked later).
          const bool inserts = name.find("push") != std::string::npos || name.find("rbtree_add") != std::string::npos;
          if (r.type != RegType::BtfId || !(r.flags & kAlloc) || (inserts && (r.flags & kNonOwn)))
            fail(arg_name(an) + " expected pointer to allocated object");
          // Walking or changing the tree from its `less` callback (locks.cc).
          if (!inserts && prm.type == "bpf_rb_node" && in_rbtree_cb(st)) fail(name + " not allowed in rbtree cb");
          if (root_reg > 0) check_graph_node(f.regs[root_reg], r, regno, prm.type);
          node_reg = regno;
        }
        // KF_ARG_PTR_TO_REFCOUNTED_KPTR: an allocated object, owned or not
        // (a local kptr read under RCU is one: MEM_ALLOC | MEM_RCU), of a
        // type with a bpf_refcount.
        if (name.rfind("bpf_refcount_acquire", 0) == 0 && a == 0) {
          if (r.type != RegType::BtfId || !((r.flags & kAlloc) || ((r.flags & kRcu) && !(r.aux2 & kBtfKernel))))
            fail(arg_name(an) + " is neither owning or non-owning ref");
          // the object's start, not a field of it (a soundness mutant
          // passed a node pointer moved by -129)
          check_ptr_off_reg(r, regno);
          bool known = false, counted = false;
          for (const StructMeta& sm : obj_.struct_metas)
            if (sm.btf_id == r.aux) known = true, counted = sm.record.refcount_off >= 0;
          if ((known || (r.flags & kAlloc)) && !counted)
            fail(arg_name(an) + " doesn't point to a type with bpf_refcount field");
        }
        if ((p->flags & kfuncs::kRelease) && release_reg < 0) {
          if (r.type != RegType::BtfId || !r.ref_obj_id) {
            if (name.find("obj_drop") != std::string::npos) fail(arg_name(an) + " expected pointer to allocated object");
            fail("release kernel function " + name + " expects refcounted PTR_TO_BTF_ID");
          }
          // KF_ARG_PTR_TO_ALLOC_BTF_ID: each drop frees its own flavour
          // (a soundness mutant dropped a plain object as a per-cpu one).
          if (name == "bpf_obj_drop_impl" || name == "bpf_percpu_obj_drop_impl") {
            if (!(r.flags & kAlloc)) fail(arg_name(an) + " expected pointer to allocated object");
            const bool percpu = r.flags & kPercpu;
            if (percpu && name == "bpf_obj_drop_impl") fail(arg_name(an) + " expected for bpf_percpu_obj_drop_impl()");
            if (!percpu && name == "bpf_percpu_obj_drop_impl") fail(arg_name(an) + " expected for bpf_obj_drop_impl()");
          }
          if (r.off != 0)
            fail("R" + std::to_string(regno) + " must have zero offset when passed to release func or trusted arg to kfunc");
          release_reg = regno;
        }
        break;
      }
    }
    ++regno;
  }
  // Effects.
  const Reg arg1 = f.regs[1];
  const Reg arg2 = f.regs[2];
  Reg ret;
  mark_unknown(ret);
  if (res_lock) mark_known(ret, 0);  // the path that took the lock
  const std::string pn = p->name;
  if (pn == "bpf_obj_drop_impl" || pn == "bpf_percpu_obj_drop_impl" || pn == "bpf_refcount_acquire_impl") {
    // clang may merge two such calls of a static function into one
    // instruction; the kernel binds each to one type's struct meta.
    uint32_t meta = 0;
    for (const StructMeta& sm : obj_.struct_metas)
      if (sm.btf_id == arg1.aux) meta = sm.btf_id;
    auto [it, fresh] = call_meta_.try_emplace(st.insn, meta);
    if (!fresh && it->second != meta)
      fail("same call cannot be used with different types\n"
           "use one call for each type: inline the static function that holds the call,\n"
           "or mark the callee with __attribute__((nomerge))");
  }
  if (pn == "bpf_rcu_read_lock") ++st.rcu_depth;
  if (pn == "bpf_rcu_read_unlock") {
    if (!st.rcu_depth) fail("unmatched rcu read unlock");
    if (--st.rcu_depth == 0)
      for (Frame& fr : st.frames)
        for (Reg& q : fr.regs)
          if (q.type == RegType::BtfId && (q.flags & kRcu)) q.flags = static_cast<uint8_t>((q.flags & ~kRcu) | kUntrusted);
  }
  Reg node_copy;
  if (node_reg > 0) node_copy = f.regs[node_reg];
  Reg root_copy;
  if (root_reg > 0) root_copy = f.regs[root_reg];
  Reg rel_copy;
  if (release_reg > 0) rel_copy = f.regs[release_reg];
  if (callback_reg > 0 && root_reg > 0) {
    const Field* fld = field_at(root_copy);
    State cb = st;
    Frame callee;
    callee.callsite = st.insn;
    callee.subprog = f.regs[callback_reg].aux;
    callee.in_callback = true;
    is_cb_[callee.subprog] = true;
    for (int q = 1; q <= 2; ++q) {
      mark_known(callee.regs[q], 0);
      callee.regs[q].type = RegType::BtfId;
      callee.regs[q].flags = kAlloc | kNonOwn;
      callee.regs[q].aux = fld ? fld->node_struct_id : 0;
      callee.regs[q].off = fld ? static_cast<int32_t>(fld->node_offset) : 0;
    }
    mark_known(callee.regs[10], 0);
    callee.regs[10].type = RegType::Stack;
    callee.regs[10].frameno = static_cast<uint8_t>(cb.frames.size());
    cb.frames.push_back(std::move(callee));
    cb.insn = prog_.funcs[cb.frames.back().subprog].insn;
    calls_callback_[st.insn] = true;
    push_branch(cb, cb.insn);
  }
  const bool inserts = node_reg > 0 && (pn.find("push") != std::string::npos || pn.find("rbtree_add") != std::string::npos);
  if (inserts && root_reg > 0)
    if (const Field* fld = field_at(root_copy)) {
      auto [it, fresh] = inserts_.try_emplace(st.insn, InsertSeen{fld->node_struct_id, fld->node_offset, false});
      if (!fresh && (it->second.node_struct_id != fld->node_struct_id || it->second.node_offset != fld->node_offset))
        it->second.conflict = true;
    }
  // Pushing a node hands the owning reference to the collection: what is
  // left is a non-owning reference, valid until the lock is released.
  if (inserts && node_copy.ref_obj_id) {
    const uint32_t ref = node_copy.ref_obj_id;
    for (size_t i = 0; i < st.refs.size(); ++i)
      if (st.refs[i].id == ref) {
        st.refs.erase(st.refs.begin() + static_cast<long>(i));
        break;
      }
    for (Frame& fr : st.frames)
      for (Reg& q : fr.regs)
        if (q.ref_obj_id == ref) q.ref_obj_id = 0, q.flags |= kNonOwn;
  }
  if (release_reg > 0) release_ref(st, rel_copy.ref_obj_id);
  Frame& cf = st.cur();
  clear_caller_saved(st);
  if (p->ret == kfuncs::Ret::Void) return;
  if (p->ret == kfuncs::Ret::Scalar) {
    cf.regs[0] = ret;
    return;
  }
  Reg v;
  mark_known(v, 0);
  v.type = RegType::BtfId;
  if (pn.find("obj_new") != std::string::npos) {
    v.aux = new_type;
    v.flags = kAlloc | (pn.find("percpu") != std::string::npos ? kPercpu : 0);
  } else if (pn == "bpf_refcount_acquire_impl") {
    v.aux = arg1.aux;
    v.flags = kAlloc;
  } else if (pn == "bpf_rdonly_cast") {
    // The type id is the object's own (CO-RE resolves against it here).
    if (!arg2.is_const()) fail("R2 must be a known constant");
    const uint32_t id = arg2.var_off.value <= UINT32_MAX ? static_cast<uint32_t>(arg2.var_off.value) : 0;
    const btf_type* t = id && obj_.btf ? obj_.btf->type(obj_.btf->skip_modifiers(id)) : nullptr;
    if (arg2.var_off.value == 0) unmodelled("bpf_rdonly_cast to void");
    if (!t || !btf_is_composite(t)) fail("kfunc bpf_rdonly_cast type ID argument must be of a struct or void");
    v.aux = obj_.btf->skip_modifiers(id);
    v.flags = kUntrusted;
  } else if (p->ret_type == "bpf_list_node" || p->ret_type == "bpf_rb_node") {
    const Field* fld = root_reg > 0 ? field_at(root_copy) : nullptr;
    v.aux = fld ? fld->node_struct_id : 0;
    v.off = fld ? static_cast<int32_t>(fld->node_offset) : 0;
    v.flags = kAlloc | ((p->flags & kfuncs::kAcquire) ? 0 : kNonOwn);
  } else if (obj_.btf && !p->ret_type.empty()) {
    v.aux = obj_.btf->find(p->ret_type, BTF_KIND_STRUCT);
  }
  // is_kfunc_ret_null: refcount_acquire of an owning reference cannot fail
  // (the object is alive and held); of a non-owning one it may.
  const bool owning_arg = pn == "bpf_refcount_acquire_impl" && arg1.ref_obj_id && !(arg1.flags & kNonOwn);
  const bool ret_null = (p->flags & kfuncs::kRetNull) && !owning_arg;
  // The kernel takes an id for the NULL check first, then the reference's
  // (so ids in messages match: "Unreleased reference id=2").
  if (ret_null) {
    v.flags |= kMaybeNull;
    v.id = ++id_gen_;
  }
  if (p->flags & kfuncs::kAcquire) {
    v.ref_obj_id = acquire_ref(st);
    if (ret_null) v.id = v.ref_obj_id;
  }
  cf.regs[0] = v;
}

}  // namespace ringb::verifier
