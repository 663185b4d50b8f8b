// ringb/cpu.h — "cpus" in user space: execution slots, and the context a
// caller runs in.
//
// The kernel runs a BPF program with migration disabled, so per-cpu data (the
// allocator's free lists, per-cpu maps) is touched by one program at a time on
// each cpu, plus whatever interrupts or NMIs that program. ringb reproduces that
// contract with a fixed set of execution slots, one per cpu of the machine:
//
//   thread A ──CpuGuard──▶ slot 0 ─┐   a slot has at most one owning thread;
//   thread B ──CpuGuard──▶ slot 1 ─┤   a thread owns at most one slot; a signal
//   thread C ──(waits)             │   handler on an owning thread runs "on the
//                                  │   same cpu" (it nests, like an NMI)
//
// Holding a slot is the analogue of migrate_disable() + "running on cpu N".
// More threads than slots simply wait their turn, as tasks wait for a cpu.
// Why slots and not sched_getcpu()/rseq: see docs/cpu-slots.md.
//
// Execution context. A guard says where its caller runs:
//   Context::Task       a host call, a test run, a program run from a thread.
//                       May wait for a slot; when it gives the slot back it
//                       runs the slot's deferred work (below) — the moment
//                       the kernel's irq_work fires, when a program lets
//                       interrupts in again.
//   Context::Interrupt  a signal handler, the user-space NMI. Never waits: it
//                       nests on the slot its thread holds, or takes a free
//                       slot if one is free at once, or gets none (cpu() == -1
//                       and the caller fails its call cleanly). Deferred work
//                       is left for the next task-context release.
// Code cannot tell a handler from a thread by itself: a signal handler that
// runs programs or allocates must say Context::Interrupt.
#pragma once

#include <cstdint>

namespace ringb::cpu {

// The number of slots: the cpus this process may run on (sched_getaffinity),
// unless the environment variable RINGB_NR_CPUS (1..kMaxCpus) says otherwise.
// Fixed for the life of the process.
unsigned nr_cpus();
inline constexpr unsigned kMaxCpus = 256;

enum class Context : uint8_t { Task, Interrupt };

namespace detail {
// The slot the calling thread holds, or -1 (written by cpu_slots.cc only).
extern constinit thread_local int tl_current;
// Interrupt-context guards the calling thread is inside.
extern constinit thread_local int tl_interrupt_depth;
}  // namespace detail

// The slot the calling thread holds, or -1. Async-signal-safe.
inline int current() { return detail::tl_current; }

// True inside a Context::Interrupt guard (a signal handler). Async-signal-safe.
inline bool in_interrupt() { return detail::tl_interrupt_depth > 0; }

// RAII: hold a slot for the scope (migrate_disable()/migrate_enable()).
// Nested guards on one thread, including ones taken in a signal handler that
// interrupted the thread, reuse the slot already held. Otherwise a Task guard
// takes a free slot, preferring the one this thread held last, and waits
// (spin, then futex) while all slots are busy; an Interrupt guard only tries.
// Async-signal-safe.
class CpuGuard {
 public:
  explicit CpuGuard(Context ctx = Context::Task);
  ~CpuGuard();
  CpuGuard(const CpuGuard&) = delete;
  CpuGuard& operator=(const CpuGuard&) = delete;

  int cpu() const { return cpu_; }

 private:
  int cpu_;
  bool outermost_;
  Context ctx_;
};

// Deferred per-slot work (the kernel's irq_work raised on this cpu): a layer
// above registers one hook; code holding a slot calls request_slot_work(),
// which only sets a flag on the slot (async-signal-safe). The hook then runs
// on the thread that gives the slot back in task context, while it still
// holds it (cpu::current() is that slot), before any other thread can take it.
using SlotWorkHook = void (*)(unsigned cpu);
void set_slot_work_hook(SlotWorkHook hook);
// Raises the flag on the calling thread's slot; no-op without a slot.
void request_slot_work();

}  // namespace ringb::cpu
