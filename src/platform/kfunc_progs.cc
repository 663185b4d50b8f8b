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

constexpr Row kRows[] = {
    {"bpf_cgroup_acquire", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_cgroup_ancestor", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_cgroup_from_id", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_cgroup_release", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_cgroup_release_dtor", 0},
    {"bpf_cpumask_acquire", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_and", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_any_and_distribute", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_any_distribute", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_clear", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_clear_cpu", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_copy", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_create", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_empty", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_equal", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_first", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_first_and", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_first_zero", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_full", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_intersects", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_or", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_populate", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_release", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_release_dtor", 0},
    {"bpf_cpumask_set_cpu", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_setall", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_subset", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_test_and_clear_cpu", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_test_and_set_cpu", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_test_cpu", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_weight", kTracepoint | kPerfEvent | kSyscall},
    {"bpf_cpumask_xor", kTracepoint | kPerfEvent | kSyscall},
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
    {"bpf_list_back", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_list_front", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_list_pop_back", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_list_pop_front", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_list_push_back_impl", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_list_push_front_impl", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_obj_drop_impl", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_obj_new_impl", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_percpu_obj_drop_impl", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_percpu_obj_new_impl", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_rbtree_add_impl", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_rbtree_first", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_rbtree_left", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_rbtree_remove", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_rbtree_right", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_rbtree_root", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_rcu_read_lock", kAll},
    {"bpf_rcu_read_unlock", kAll},
    {"bpf_refcount_acquire_impl", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_res_spin_lock", kAll},
    {"bpf_res_spin_lock_irqsave", kAll},
    {"bpf_res_spin_unlock", kAll},
    {"bpf_res_spin_unlock_irqrestore", kAll},
    {"bpf_task_acquire", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_task_from_pid", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_task_from_vpid", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_task_release", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
    {"bpf_task_release_dtor", 0},
    {"bpf_throw", kSchedCls | kTracepoint | kXdp | kPerfEvent | kCgroupSkb | kSyscall},
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
