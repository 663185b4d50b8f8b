// task_kfuncs.cc — tasks and cgroups as programs see them (ringb/tasks.h):
// bpf_get_current_task and bpf_get_current_task_btf (helpers 35, 158), and
// the kfuncs bpf_task_acquire/release/from_pid/from_vpid and
// bpf_cgroup_acquire/release/from_id with kernel/bpf/helpers.c's semantics:
// acquire takes a reference (NULL when the task is gone), from_pid finds a
// live thread of this process that ringb knows (one that asked for its task),
// from_id knows the root cgroup (1), bpf_cgroup_ancestor its level 0.
#include "helper_sets.h"
#include "ringb/disasm.h"
#include "ringb/tasks.h"

namespace ringb::vm {
namespace {

uint64_t get_current_task(RunState& rs, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  tasks::Task* t = tasks::current();
  if (!t) rs.fail("no task record is free for this thread (ringb keeps 256)", ENOMEM, rs.exe, -1);
  return reinterpret_cast<uint64_t>(t);
}

#define RINGB_KF(name) uint64_t name(RunState&, [[maybe_unused]] uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t)

RINGB_KF(task_acquire) {
  tasks::Task* t = tasks::task_of(reinterpret_cast<void*>(a));
  // refcount_inc_not_zero: an exited thread's task that nobody holds is gone
  if (!t || (t->slot.load(std::memory_order_acquire) != 1 && t->refs.load(std::memory_order_acquire) == 0)) return 0;
  tasks::acquire(t);
  return a;
}
RINGB_KF(task_release) {
  tasks::release(tasks::task_of(reinterpret_cast<void*>(a)));
  return 0;
}
RINGB_KF(task_from_pid) { return reinterpret_cast<uint64_t>(tasks::from_pid(static_cast<int32_t>(a))); }
RINGB_KF(cgroup_acquire) {
  tasks::Cgroup* c = tasks::cgroup_of(reinterpret_cast<void*>(a));
  if (!c) return 0;
  c->refs.fetch_add(1, std::memory_order_acq_rel);
  return a;
}
RINGB_KF(cgroup_release) {
  if (tasks::Cgroup* c = tasks::cgroup_of(reinterpret_cast<void*>(a))) c->refs.fetch_sub(1, std::memory_order_acq_rel);
  return 0;
}
RINGB_KF(cgroup_from_id) {
  if (a != tasks::kRootCgroupId) return 0;
  tasks::Cgroup* c = tasks::root_cgroup();
  c->refs.fetch_add(1, std::memory_order_acq_rel);
  return reinterpret_cast<uint64_t>(c);
}

// bpf_cgroup_ancestor(cgrp, level): the ancestor at that depth; the root is
// the only cgroup, at level 0.
uint64_t cgroup_ancestor(RunState&, uint64_t a, uint64_t level, uint64_t, uint64_t, uint64_t) {
  tasks::Cgroup* c = tasks::cgroup_of(reinterpret_cast<void*>(a));
  if (!c || level != 0) return 0;
  c->refs.fetch_add(1, std::memory_order_acq_rel);
  return a;
}

#undef RINGB_KF

}  // namespace

void add_task_helpers(Functions& f) {
  f.add_helper(35, ringb::helper_name(35), get_current_task);
  f.add_helper(158, ringb::helper_name(158), get_current_task);
}

const std::map<std::string, Function>& task_kfuncs() {
  static const std::map<std::string, Function> fns = {
      {"bpf_task_acquire", task_acquire},     {"bpf_task_release", task_release},
      {"bpf_task_release_dtor", task_release}, {"bpf_task_from_pid", task_from_pid},
      {"bpf_task_from_vpid", task_from_pid},  {"bpf_cgroup_acquire", cgroup_acquire},
      {"bpf_cgroup_release", cgroup_release}, {"bpf_cgroup_release_dtor", cgroup_release},
      {"bpf_cgroup_from_id", cgroup_from_id},  {"bpf_cgroup_ancestor", cgroup_ancestor},
  };
  return fns;
}

}  // namespace ringb::vm
