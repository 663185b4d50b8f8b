// ringb/tasks.h — host "tasks" and "cgroups" for the task and cgroup
// helpers and kfuncs: bpf_get_current_task(_btf), bpf_task_acquire/release/
// from_pid, bpf_cgroup_acquire/release/from_id.
//
// A task is a host thread that ran a program which asked for its task (or
// that the host registered with current()): its record is a zeroed block
// laid out as the program's BTF says struct task_struct is, with pid (the
// thread id), tgid (the process id) and comm (the thread's name) where that
// layout puts them, the same values bpf_get_current_pid_tgid and
// bpf_get_current_comm give. Other fields read as zero. Objects may declare
// task_struct with only the fields they use (CO-RE): up to 8 layouts share
// the records while no field of one overlaps another field of the other; an
// object whose layout clashes (another kernel's vmlinux.h) is refused at
// load, naming both sizes.
//
// There is one cgroup, the root (id 1), for bpf_cgroup_from_id.
//
// Records are reference-counted as the kernel's tasks; they live in a fixed
// table (no allocation on a program's path, async-signal-safe), and an
// exited thread's record is reused only when no program holds a reference
// (its own runs, which used it without one, ended before it did).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "ringb/btf.h"
#include "ringb/error.h"

namespace ringb::tasks {

inline constexpr size_t kTaskBytes = 16384;   // room for a vmlinux.h task_struct (about 10 KiB in 6.x)
inline constexpr size_t kCgroupBytes = 8192;
inline constexpr size_t kMaxTasks = 256;
inline constexpr uint64_t kRootCgroupId = 1;

struct Task {
  alignas(64) uint8_t bytes[kTaskBytes];  // a program's struct task_struct * points here
  std::atomic<uint32_t> refs{0};
  std::atomic<uint32_t> slot{0};          // free, live, exited
  std::atomic<uint32_t> layout_gen{0};    // the layout its bytes were written for
  int32_t tid = 0, tgid = 0;
};

struct Cgroup {
  alignas(64) uint8_t bytes[kCgroupBytes];  // struct cgroup *: reads as zero
  std::atomic<uint32_t> refs{0};
};

// Takes the task_struct layout from an object's BTF (pid, tgid, comm).
// EINVAL when it clashes with a layout in use, or does not fit kTaskBytes.
Status use_layout(const Btf& btf);

// The calling thread's task, or nullptr when kMaxTasks threads hold records.
Task* current();
// The live task of thread `pid` with a reference taken, or nullptr.
Task* from_pid(int32_t pid);
// A record of this table (tasks or the root cgroup) from a program's pointer.
Task* task_of(const void* p);
void acquire(Task* t);
void release(Task* t);

Cgroup* root_cgroup();
Cgroup* cgroup_of(const void* p);

}  // namespace ringb::tasks
