// kfunc_progs.cc — the program types of each kfunc ringb has, as the running
// kernel (Linux 6.18) answers: a program of each type calling the kfunc (by
// its vmlinux BTF id) loads, or is refused with "calling kernel function X
// is not allowed". tests/kernel (kernel_kfunc_progs_tests) asks again, row
// by row. The object model's kfuncs are the kernel's generic set (tc, xdp,
// cgroup_skb, tracepoint, perf_event, syscall, and tracing/struct_ops);
// cpumask's are for tracing and syscall programs only; tasks' and cgroups'
// are the generic set's; iterators, dynptrs, RCU and resilient locks are
// common to every type.
#include "ringb/kfunc_progs.h"

#include <cstdint>
#include <iterator>
#include <string>

#include "prog_type_bits.h"

namespace ringb::platform {
namespace {

using namespace bits;

struct Row {
  const char* name;
  uint32_t types;
};

// The kernel's generic kfunc set (BTF_KFUNC_HOOK_* of tc, xdp, cgroup_skb,
// tracing and syscall programs), as this machine's types see it.
constexpr uint32_t kGeneric = kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall;
// cpumask's set: tracing and syscall programs.
constexpr uint32_t kCpumask = kTracepoint | kPerfEvent | kSyscall;

constexpr Row kRows[] = {
    {"bpf_cgroup_acquire", kGeneric},
    {"bpf_cgroup_ancestor", kGeneric},
    {"bpf_cgroup_from_id", kGeneric},
    {"bpf_cgroup_release", kGeneric},
    {"bpf_cgroup_release_dtor", 0},
    {"bpf_cpumask_acquire", kCpumask},
    {"bpf_cpumask_and", kCpumask},
    {"bpf_cpumask_any_and_distribute", kCpumask},
    {"bpf_cpumask_any_distribute", kCpumask},
    {"bpf_cpumask_clear", kCpumask},
    {"bpf_cpumask_clear_cpu", kCpumask},
    {"bpf_cpumask_copy", kCpumask},
    {"bpf_cpumask_create", kCpumask},
    {"bpf_cpumask_empty", kCpumask},
    {"bpf_cpumask_equal", kCpumask},
    {"bpf_cpumask_first", kCpumask},
    {"bpf_cpumask_first_and", kCpumask},
    {"bpf_cpumask_first_zero", kCpumask},
    {"bpf_cpumask_full", kCpumask},
    {"bpf_cpumask_intersects", kCpumask},
    {"bpf_cpumask_or", kCpumask},
    {"bpf_cpumask_populate", kCpumask},
    {"bpf_cpumask_release", kCpumask},
    {"bpf_cpumask_release_dtor", 0},
    {"bpf_cpumask_set_cpu", kCpumask},
    {"bpf_cpumask_setall", kCpumask},
    {"bpf_cpumask_subset", kCpumask},
    {"bpf_cpumask_test_and_clear_cpu", kCpumask},
    {"bpf_cpumask_test_and_set_cpu", kCpumask},
    {"bpf_cpumask_test_cpu", kCpumask},
    {"bpf_cpumask_weight", kCpumask},
    {"bpf_cpumask_xor", kCpumask},
    {"bpf_dynptr_adjust", kAll},
    {"bpf_dynptr_clone", kAll},
    {"bpf_dynptr_copy", kAll},
    {"bpf_dynptr_from_skb", kSocketFilter | kSchedCls | kSchedAct | kTracepoint | kPerfEvent | kCgroupSkb | kLwtIn | kLwtOut | kLwtXmit | kSkSkb | kLwtSeg6local},
    {"bpf_dynptr_from_xdp", kXdp},
    {"bpf_dynptr_is_null", kAll},
    {"bpf_dynptr_is_rdonly", kAll},
    {"bpf_dynptr_memset", kAll},
    {"bpf_dynptr_size", kAll},
    {"bpf_dynptr_slice", kAll},
    {"bpf_dynptr_slice_rdwr", kAll},
    {"bpf_iter_bits_destroy", kAll},
    {"bpf_iter_bits_new", kAll},
    {"bpf_iter_bits_next", kAll},
    {"bpf_iter_num_destroy", kAll},
    {"bpf_iter_num_new", kAll},
    {"bpf_iter_num_next", kAll},
    {"bpf_list_back", kGeneric},
    {"bpf_list_front", kGeneric},
    {"bpf_list_pop_back", kGeneric},
    {"bpf_list_pop_front", kGeneric},
    {"bpf_list_push_back_impl", kGeneric},
    {"bpf_list_push_front_impl", kGeneric},
    {"bpf_obj_drop_impl", kGeneric},
    {"bpf_obj_new_impl", kGeneric},
    {"bpf_percpu_obj_drop_impl", kGeneric},
    {"bpf_percpu_obj_new_impl", kGeneric},
    {"bpf_rbtree_add_impl", kGeneric},
    {"bpf_rbtree_first", kGeneric},
    {"bpf_rbtree_left", kGeneric},
    {"bpf_rbtree_remove", kGeneric},
    {"bpf_rbtree_right", kGeneric},
    {"bpf_rbtree_root", kGeneric},
    {"bpf_rcu_read_lock", kAll},
    {"bpf_rdonly_cast", kAll},
    {"bpf_rcu_read_unlock", kAll},
    {"bpf_refcount_acquire_impl", kGeneric},
    {"bpf_res_spin_lock", kAll},
    {"bpf_res_spin_lock_irqsave", kAll},
    {"bpf_res_spin_unlock", kAll},
    {"bpf_res_spin_unlock_irqrestore", kAll},
    {"bpf_task_acquire", kGeneric},
    {"bpf_task_from_pid", kGeneric},
    {"bpf_task_from_vpid", kGeneric},
    {"bpf_task_release", kGeneric},
    {"bpf_task_release_dtor", 0},
    {"bpf_throw", kGeneric},
};

const char* const* names() {
  static const auto* table = [] {
    static const char* n[std::size(kRows)];
    for (size_t i = 0; i < std::size(kRows); ++i) n[i] = kRows[i].name;
    return n;
  }();
  return table;
}

const Row* find(std::string_view name) {
  for (const Row& r : kRows)
    if (name == r.name) return &r;
  return nullptr;
}

}  // namespace

bool kfunc_allowed(ProgType type, std::string_view name) {
  const uint32_t b = bit(type);
  if (!b) return true;
  const Row* r = find(name);
  if (!r) r = find(std::string(name) + "_impl");
  return !r || (r->types & b) != 0;
}

const char* const* kfunc_table_names(size_t* count) {
  *count = std::size(kRows);
  return names();
}

}  // namespace ringb::platform
