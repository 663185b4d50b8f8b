// kfunc_table.cc — ringb's built-in kfuncs as data: the kernel's prototypes
// (Linux 6.18's BTF), its KF_* flags and the program types it registers
// them for (kernel/bpf/helpers.c generic and common sets, kernel/bpf/cpumask.c).
#include "kfunc_tables.h"
#include "ringb/kfuncs.h"

namespace ringb::kfuncs {

std::vector<Proto> dynptr_protos();  // kfunc_table_dynptr.cc

namespace {

using P = Proto::Param;
const P kScalar{Arg::Scalar, ""};
const P kTypeId{Arg::TypeId, ""};
const P kMeta{Arg::Meta, ""};
const P kOff{Arg::NodeOffset, ""};
const P kLess{Arg::Callback, ""};
P ptr(const char* type) { return {Arg::Pointer, type}; }

// Program types of the kernel's generic_kfunc_set (objects and graphs).
constexpr uint32_t kGeneric = kTc | kXdp | kTracing | kStructOps | kSyscall;
// cpumask_kfunc_set.
constexpr uint32_t kCpumaskProgs = kTracing | kStructOps | kSyscall;

std::vector<Proto> make_table() {
  std::vector<Proto> t = {
      // Objects.
      {"bpf_obj_new_impl", kAcquire | kRetNull, Ret::Pointer, "", {kTypeId, kMeta}, kGeneric, "bpf_obj_new"},
      {"bpf_percpu_obj_new_impl", kAcquire | kRetNull, Ret::Pointer, "", {kTypeId, kMeta}, kGeneric,
       "bpf_percpu_obj_new"},
      {"bpf_obj_drop_impl", kRelease, Ret::Void, "", {ptr(""), kMeta}, kGeneric, "bpf_obj_drop"},
      {"bpf_percpu_obj_drop_impl", kRelease, Ret::Void, "", {ptr(""), kMeta}, kGeneric, "bpf_percpu_obj_drop"},
      {"bpf_refcount_acquire_impl", kAcquire | kRetNull | kRcu, Ret::Pointer, "", {ptr(""), kMeta}, kGeneric,
       "bpf_refcount_acquire"},
      // Lists.
      {"bpf_list_push_front_impl", 0, Ret::Scalar, "", {ptr("bpf_list_head"), ptr("bpf_list_node"), kMeta, kOff},
       kGeneric, "bpf_list_push_front"},
      {"bpf_list_push_back_impl", 0, Ret::Scalar, "", {ptr("bpf_list_head"), ptr("bpf_list_node"), kMeta, kOff},
       kGeneric, "bpf_list_push_back"},
      {"bpf_list_pop_front", kAcquire | kRetNull, Ret::Pointer, "bpf_list_node", {ptr("bpf_list_head")}, kGeneric,
       ""},
      {"bpf_list_pop_back", kAcquire | kRetNull, Ret::Pointer, "bpf_list_node", {ptr("bpf_list_head")}, kGeneric,
       ""},
      {"bpf_list_front", kRetNull, Ret::Pointer, "bpf_list_node", {ptr("bpf_list_head")}, kGeneric, ""},
      {"bpf_list_back", kRetNull, Ret::Pointer, "bpf_list_node", {ptr("bpf_list_head")}, kGeneric, ""},
      // Rbtrees.
      {"bpf_rbtree_add_impl", 0, Ret::Scalar, "", {ptr("bpf_rb_root"), ptr("bpf_rb_node"), kLess, kMeta, kOff},
       kGeneric, "bpf_rbtree_add"},
      {"bpf_rbtree_remove", kAcquire | kRetNull, Ret::Pointer, "bpf_rb_node",
       {ptr("bpf_rb_root"), ptr("bpf_rb_node")}, kGeneric, ""},
      {"bpf_rbtree_first", kRetNull, Ret::Pointer, "bpf_rb_node", {ptr("bpf_rb_root")}, kGeneric, ""},
      {"bpf_rbtree_root", kRetNull, Ret::Pointer, "bpf_rb_node", {ptr("bpf_rb_root")}, kGeneric, ""},
      {"bpf_rbtree_left", kRetNull, Ret::Pointer, "bpf_rb_node", {ptr("bpf_rb_root"), ptr("bpf_rb_node")},
       kGeneric, ""},
      {"bpf_rbtree_right", kRetNull, Ret::Pointer, "bpf_rb_node", {ptr("bpf_rb_root"), ptr("bpf_rb_node")},
       kGeneric, ""},
      // Exceptions: bpf_throw(cookie) ends the program (vm::RunState::raise).
      {"bpf_throw", 0, Ret::Void, "", {kScalar}, kGeneric, ""},
      // RCU and resilient locks.
      {"bpf_rcu_read_lock", 0, Ret::Void, "", {}, kAnyProg, ""},
      {"bpf_rcu_read_unlock", 0, Ret::Void, "", {}, kAnyProg, ""},
      // bpf_rdonly_cast(obj, btf_id): obj as an untrusted pointer to the
      // struct btf_id names (the common set: every program type).
      {"bpf_rdonly_cast", kFastcall, Ret::Pointer, "", {{Arg::Ignored, ""}, kScalar}, kAnyProg, ""},
      {"bpf_res_spin_lock", 0, Ret::Scalar, "", {ptr("bpf_res_spin_lock")}, kAnyProg, ""},
      {"bpf_res_spin_unlock", 0, Ret::Void, "", {ptr("bpf_res_spin_lock")}, kAnyProg, ""},
      {"bpf_res_spin_lock_irqsave", 0, Ret::Scalar, "", {ptr("bpf_res_spin_lock"), ptr("")}, kAnyProg, ""},
      {"bpf_res_spin_unlock_irqrestore", 0, Ret::Void, "", {ptr("bpf_res_spin_lock"), ptr("")}, kAnyProg, ""},
      // bpf_cpumask.
      {"bpf_cpumask_create", kAcquire | kRetNull, Ret::Pointer, "bpf_cpumask", {}, kCpumaskProgs, ""},
      {"bpf_cpumask_acquire", kAcquire | kTrustedArgs, Ret::Pointer, "bpf_cpumask", {ptr("bpf_cpumask")},
       kCpumaskProgs, ""},
      {"bpf_cpumask_release", kRelease, Ret::Void, "", {ptr("bpf_cpumask")}, kCpumaskProgs, ""},
      {"bpf_cpumask_release_dtor", kRelease, Ret::Void, "", {ptr("")}, kCpumaskProgs, ""},
      // Tasks and cgroups (kernel/bpf/helpers.c's generic set; ringb/tasks.h).
      {"bpf_task_acquire", kAcquire | kRcu | kRetNull, Ret::Pointer, "task_struct", {ptr("task_struct")}, kGeneric, ""},
      {"bpf_task_release", kRelease, Ret::Void, "", {ptr("task_struct")}, kGeneric, ""},
      {"bpf_task_release_dtor", kRelease, Ret::Void, "", {ptr("")}, kGeneric, ""},
      {"bpf_task_from_pid", kAcquire | kRetNull, Ret::Pointer, "task_struct", {kScalar}, kGeneric, ""},
      {"bpf_task_from_vpid", kAcquire | kRetNull, Ret::Pointer, "task_struct", {kScalar}, kGeneric, ""},
      {"bpf_cgroup_acquire", kAcquire | kRcu | kRetNull, Ret::Pointer, "cgroup", {ptr("cgroup")}, kGeneric, ""},
      {"bpf_cgroup_release", kRelease, Ret::Void, "", {ptr("cgroup")}, kGeneric, ""},
      {"bpf_cgroup_release_dtor", kRelease, Ret::Void, "", {ptr("")}, kGeneric, ""},
      {"bpf_cgroup_from_id", kAcquire | kRetNull, Ret::Pointer, "cgroup", {kScalar}, kGeneric, ""},
      {"bpf_cgroup_ancestor", kAcquire | kRcu | kRetNull, Ret::Pointer, "cgroup", {ptr("cgroup"), kScalar}, kGeneric,
       ""},
  };
  // The cpumask queries and updates: all KF_RCU, scalars and masks.
  struct Q {
    const char* name;
    Ret ret;
    std::vector<P> args;
  };
  const P mask = ptr("cpumask"), bmask = ptr("bpf_cpumask");
  const Q queries[] = {
      {"bpf_cpumask_first", Ret::Scalar, {mask}},
      {"bpf_cpumask_first_zero", Ret::Scalar, {mask}},
      {"bpf_cpumask_first_and", Ret::Scalar, {mask, mask}},
      {"bpf_cpumask_set_cpu", Ret::Void, {kScalar, bmask}},
      {"bpf_cpumask_clear_cpu", Ret::Void, {kScalar, bmask}},
      {"bpf_cpumask_test_cpu", Ret::Scalar, {kScalar, mask}},
      {"bpf_cpumask_test_and_set_cpu", Ret::Scalar, {kScalar, bmask}},
      {"bpf_cpumask_test_and_clear_cpu", Ret::Scalar, {kScalar, bmask}},
      {"bpf_cpumask_setall", Ret::Void, {bmask}},
      {"bpf_cpumask_clear", Ret::Void, {bmask}},
      {"bpf_cpumask_and", Ret::Scalar, {bmask, mask, mask}},
      {"bpf_cpumask_or", Ret::Void, {bmask, mask, mask}},
      {"bpf_cpumask_xor", Ret::Void, {bmask, mask, mask}},
      {"bpf_cpumask_equal", Ret::Scalar, {mask, mask}},
      {"bpf_cpumask_intersects", Ret::Scalar, {mask, mask}},
      {"bpf_cpumask_subset", Ret::Scalar, {mask, mask}},
      {"bpf_cpumask_empty", Ret::Scalar, {mask}},
      {"bpf_cpumask_full", Ret::Scalar, {mask}},
      {"bpf_cpumask_copy", Ret::Void, {bmask, mask}},
      {"bpf_cpumask_any_distribute", Ret::Scalar, {mask}},
      {"bpf_cpumask_any_and_distribute", Ret::Scalar, {mask, mask}},
      {"bpf_cpumask_weight", Ret::Scalar, {mask}},
      {"bpf_cpumask_populate", Ret::Scalar, {mask, ptr(""), kScalar}},
  };
  for (const Q& q : queries) t.push_back({q.name, kRcu, q.ret, "", q.args, kCpumaskProgs, ""});
  for (Proto& p : iter_protos()) t.push_back(std::move(p));
  for (Proto& p : dynptr_protos()) t.push_back(std::move(p));
  return t;
}

}  // namespace

int Proto::arg_index(Arg kind) const {
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].kind == kind) return static_cast<int>(i);
  return -1;
}

const std::vector<Proto>& builtin() {
  static const std::vector<Proto> table = make_table();
  return table;
}

const Proto* find(const std::vector<Proto>& table, const std::string& name, bool* implicit_args) {
  for (const Proto& p : table) {
    const bool alias = !p.implicit_alias.empty() && p.implicit_alias == name;
    if (p.name == name || alias) {
      if (implicit_args) *implicit_args = alias;
      return &p;
    }
  }
  return nullptr;
}

}  // namespace ringb::kfuncs
