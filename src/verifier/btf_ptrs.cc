// btf_ptrs.cc — the BTF-typed context arguments of tracing programs
// (tp_btf/, fentry/, fexit/, fmod_ret/, lsm/) as the kernel's btf_ctx_access
// types them, loads through such pointers (btf_struct_access), and the trust
// rules kfuncs apply to them (check_kfunc_args: KF_TRUSTED_ARGS, KF_RCU).
//
// A pointer argument to `struct S` is typed with the object's own `struct S`
// when it has one (ringb lays kernel objects out as the program's BTF
// describes them, CO-RE relocations answered against it, ringb/tasks.h), else
// with the kernel's (kBtfKernel).
#include <bpf/btf.h>

#include "ringb/helpers.h"
#include "state.h"

namespace ringb::verifier {
namespace {

std::string R(int regno) { return "R" + std::to_string(regno); }

bool tracing_type(ProgType t) { return t == ProgType::Tracing || t == ProgType::Lsm; }

// The kernel's BTF_TYPE_SAFE_* allow lists (check_ptr_to_btf_access): pointer
// members that keep their parent's trust.
struct SafeField {
  const char* type;
  const char* field;
};
constexpr SafeField kSafeTrusted[] = {{"bpf_iter_meta", "seq"}, {"bpf_iter__task", "meta"},
                                      {"bpf_iter__task", "task"}, {"linux_binprm", "file"},
                                      {"file", "f_inode"},       {"dentry", "d_inode"}};
constexpr SafeField kSafeRcu[] = {{"task_struct", "cpus_ptr"},    {"task_struct", "cgroups"},
                                  {"task_struct", "real_parent"}, {"task_struct", "group_leader"},
                                  {"cgroup", "kn"},               {"css_set", "dfl_cgrp"},
                                  {"cgroup_subsys_state", "cgroup"}};
constexpr SafeField kSafeRcuOrNull[] = {{"mm_struct", "exe_file"}, {"sk_buff", "sk"}, {"request_sock", "sk"}};

template <size_t N>
bool listed(const SafeField (&list)[N], const std::string& type, const std::string& field) {
  for (const SafeField& s : list)
    if (type == s.type && field == s.field) return true;
  return false;
}

}  // namespace

const kernel_btf::Target* Verifier::tracing_target() {
  if (!target_done_) {
    target_done_ = true;
    if (tracing_type(prog_.type) && opts_.kernel_btf && kernel_btf::typed_section(prog_.section)) {
      auto t = kernel_btf::target(*opts_.kernel_btf, prog_.section);
      if (!t) fail(t.error().message);
      target_ = std::make_unique<kernel_btf::Target>(std::move(*t));
    }
  }
  return target_.get();
}

const Btf* Verifier::btf_of(const Reg& r) const {
  if (r.type == RegType::BtfId && (r.aux2 & kBtfKernel)) return opts_.kernel_btf.get();
  return obj_.btf.get();
}

std::string Verifier::btf_name(const Reg& r) const {
  const Btf* b = btf_of(r);
  return b ? b->name(r.aux) : std::string();
}

bool Verifier::load_ctx_arg(State& st, int64_t off, int size, int value_regno) {
  const kernel_btf::Target* t = tracing_target();
  if (!t) return false;
  const size_t arg = static_cast<size_t>(off / 8);
  uint32_t type = 0;
  bool nullable = false;
  if (arg < t->args.size()) {
    type = t->args[arg].type;
    nullable = t->args[arg].nullable;
  } else if (arg == t->args.size() && t->has_ret) {
    type = t->ret;
  } else {
    fail("func '" + t->func + "' doesn't have " + std::to_string(arg + 1) + "-th argument\ninvalid bpf_context access off=" +
         std::to_string(off) + " size=" + std::to_string(size));
  }
  const Btf& kbtf = *opts_.kernel_btf;
  const uint32_t sid = kernel_btf::pointee_struct(kbtf, type);
  if (!sid || size != 8 || off % 8) return false;  // a scalar
  Reg v;
  mark_known(v, 0);
  v.type = RegType::BtfId;
  const std::string name = kbtf.name(sid);
  const uint32_t local = obj_.btf ? obj_.btf->find(name, BTF_KIND_STRUCT) : 0;
  if (local && obj_.btf->size_of(local) > 0) {
    v.aux = local;
  } else {
    v.aux = sid;
    v.aux2 = kBtfKernel;
  }
  if (!t->trusted) v.aux2 |= kBtfLegacy;
  // An argument named NAME__nullable may be NULL.
  if (nullable) {
    v.flags |= kMaybeNull;
    v.id = ++id_gen_;
  }
  st.cur().regs[value_regno] = v;
  return true;
}

bool Verifier::load_btf_member(State& st, const Reg& base, int regno, int64_t at, int size, int value_regno) {
  const Btf* b = btf_of(base);
  if (!b || !base.aux) return false;
  const kernel_btf::MemberLoad m = kernel_btf::member_load(*b, base.aux, at, size);
  if (!m.ok) {
    if (b->size_of(base.aux) <= 0) return false;
    fail("access beyond struct " + b->name(base.aux) + " at off " + std::to_string(at) + " size " + std::to_string(size));
  }
  (void)regno;
  if (!m.past_member.empty() && !(base.flags & kAlloc)) fail(m.past_member);
  if (value_regno < 0 || !m.pointee || (base.flags & kAlloc)) return false;
  // check_ptr_to_btf_access: from a trusted or RCU pointer, the members of
  // the kernel's allow lists keep trust (RCU ones in an RCU section, which a
  // non-sleepable program is), other pointers are untrusted; from a plain
  // pointer, plain; from an untrusted one, untrusted.
  Reg v;
  mark_known(v, 0);
  v.type = RegType::BtfId;
  v.aux = m.pointee;
  v.aux2 = base.aux2 & kBtfKernel;
  const bool trusted = !(base.flags & (kUntrusted | kMaybeNull | kRcu)) && !(base.aux2 & kBtfLegacy);
  const bool in_rcu = st.rcu_depth > 0 || any_lock_held(st) || !prog_.sleepable;
  const std::string type = b->name(base.aux);
  if (base.flags & kUntrusted) {
    v.flags = kUntrusted;
  } else if (!trusted && !(base.flags & kRcu)) {
    v.aux2 |= kBtfLegacy;  // the old compat: plain stays plain
  } else if (listed(kSafeTrusted, type, m.field)) {
    // trusted, never NULL
  } else if (in_rcu && !(base.flags & kMaybeNull) && listed(kSafeRcu, type, m.field)) {
    v.flags = kRcu;
  } else if (in_rcu && !(base.flags & kMaybeNull) && listed(kSafeRcuOrNull, type, m.field)) {
    v.flags = kRcu | kMaybeNull;
    v.id = ++id_gen_;
  } else {
    // Any other member, or outside an RCU section: untrusted (6.18 gives
    // tp_btf's skb->next as untrusted_ptr_, nested_trust_failure.c).
    v.flags = kUntrusted;
  }
  st.cur().regs[value_regno] = v;
  return true;
}

bool Verifier::kernel_rcu_kptr(const Field& f) const {
  if (!obj_.btf) return false;
  const std::string n = obj_.btf->name(f.pointee_id);
  return n == "task_struct" || n == "cgroup" || n == "bpf_cpumask";
}

bool Verifier::kptr_pointee_local(uint32_t pointee_id) const {
  if (!obj_.btf || !pointee_id) return false;
  for (const StructMeta& sm : obj_.struct_metas)
    if (sm.btf_id == pointee_id) return true;
  // a struct of the object's without special fields is local too; kernel
  // types carry no meta
  if (!obj_.btf->type(pointee_id) || obj_.btf->size_of(pointee_id) <= 0) return false;
  const std::string n = obj_.btf->name(pointee_id);
  return n != "bpf_cpumask" && n != "task_struct" && n != "cgroup";
}

uint32_t Verifier::loaded_kptr_flags(const State& st, const Field& f) const {
  // The pointee's struct meta: the local types that matter here have one
  // (a bpf_refcount, a graph node); kernel and host types have none.
  const FieldRecord* rec = nullptr;
  for (const StructMeta& sm : obj_.struct_metas)
    if (sm.btf_id == f.pointee_id) rec = &sm.record;
  // in_rcu_cs: an RCU read section, a held lock, or any non-sleepable program.
  const bool in_rcu_cs = st.rcu_depth || any_lock_held(st) || !prog_.sleepable;
  if (f.kind == FieldKind::Kptr && !rec) {
    // rcu_protected_object: task_struct, cgroup, bpf_cpumask. A type the
    // kernel does not list (a host's own, registered with the runtime) reads
    // as RCU inside bpf_rcu_read_lock only: ringb's rule for host types.
    const bool rcu = kernel_rcu_kptr(f) ? in_rcu_cs : st.rcu_depth > 0;
    return kMaybeNull | (rcu ? kRcu : kUntrusted);
  }
  // rcu_safe_kptr: a per-cpu kptr, or a local type with a bpf_refcount.
  const bool percpu = f.kind == FieldKind::KptrPercpu;
  if (!(percpu || (rec && rec->refcount_off >= 0)) || !in_rcu_cs) return kMaybeNull | kUntrusted;
  uint32_t flags = kMaybeNull | kRcu | (percpu ? kPercpu : kAlloc);
  if (rec && rec->has_any(kGraphNode)) flags |= kNonOwn;
  return flags;
}

void Verifier::check_btf_helper_mem(State& st, int regno, const Reg& r, int size, bool write) {
  if (r.flags & kAlloc) return;
  if (write) {
    const helpers::Proto* hp = helpers::find(insns_[cur_insn_].imm);
    // The kernel names a trusted pointer trusted_ptr_ (ringb's flags leave
    // PTR_TRUSTED implicit).
    const bool trusted = !r.flags && !(r.aux2 & kBtfLegacy) && !r.ref_obj_id;
    fail(std::string(hp ? hp->name : "helper") + "() may write into memory pointed by " + R(regno) +
         " type=" + (trusted ? "trusted_" : "") + type_str(r));
  }
  if (!r.var_off.is_const() || size <= 0) return;
  load_btf_member(st, r, regno, r.off + static_cast<int64_t>(r.var_off.value), size, -1);
}

void Verifier::check_kfunc_btf_arg(const Reg& r, int regno, int an, const kfuncs::Proto& p, const std::string& want) {
  if (r.type != RegType::BtfId || (r.flags & kAlloc)) return;
  // is_kfunc_trusted_args: release kfuncs' arguments are trusted ones too.
  const bool trusted_args = p.flags & (kfuncs::kTrustedArgs | kfuncs::kRcu | kfuncs::kRelease);
  const std::string arg = "arg#" + std::to_string(an);
  if (r.flags & kMaybeNull) return;  // the caller's "Possibly NULL pointer passed to trusted argN"
  if (trusted_args && !r.ref_obj_id) {
    const bool trusted = !(r.flags & (kUntrusted | kRcu)) && !(r.aux2 & kBtfLegacy);
    if (!trusted) {
      if (!(p.flags & kfuncs::kRcu)) fail(R(regno) + " must be referenced or trusted");
      if (!(r.flags & kRcu)) fail(R(regno) + " must be a rcu pointer");
    }
  }
  if (r.flags & kUntrusted) fail(arg + " is " + type_str(r) + " expected ptr_ or socket");
  // process_kf_arg_ptr_to_btf_id: the kernel objects' types by name; a
  // struct embedded at the pointer's offset will do (btf_struct_ids_match:
  // &task->cpus_mask is a cpumask), except for what a release kfunc releases.
  if (want != "task_struct" && want != "cgroup" && want != "bpf_cpumask" && want != "cpumask") return;
  const std::string have = btf_name(r);
  const bool strict = (p.flags & kfuncs::kRelease) && r.ref_obj_id;
  int64_t off = r.off + (r.var_off.is_const() ? static_cast<int64_t>(r.var_off.value) : 0);
  bool match = have == want && (off == 0 || strict);  // a release's offset has its own message
  if (const Btf* b = btf_of(r); b && !match && !strict) {
    uint32_t id = r.aux;
    for (int depth = 0; depth < 8 && !match; ++depth) {
      const btf_type* t = b->type(b->skip_modifiers(id));
      if (!t || !btf_is_struct(t)) break;
      const btf_member* m = btf_members(t);
      uint32_t next = 0;
      for (uint16_t i = 0; i < btf_vlen(t) && !next; ++i) {
        const int64_t moff = btf_member_bit_offset(t, i) / 8;
        const int64_t msz = b->size_of(m[i].type);
        const btf_type* mt = b->type(b->skip_modifiers(m[i].type));
        if (mt && btf_is_struct(mt) && off >= moff && off < moff + msz) next = b->skip_modifiers(m[i].type), off -= moff;
      }
      if (!next) break;
      id = next;
      match = b->name(id) == want && off == 0;
    }
  }
  if (!match)
    fail("kernel function " + p.name + " args#" + std::to_string(an) + " expected pointer to STRUCT " + want +
         " but R" + std::to_string(regno) + " has a pointer to STRUCT " + have);
}

}  // namespace ringb::verifier
