// ringb/cpu.h — "cpus" in user space: execution slots.
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
#pragma once

#include <cstdint>

namespace ringb::cpu {

// The number of slots: the cpus this process may run on (sched_getaffinity),
// unless the environment variable RINGB_NR_CPUS (1..kMaxCpus) says otherwise.
// Fixed for the life of the process.
unsigned nr_cpus();
inline constexpr unsigned kMaxCpus = 256;

namespace detail {
// The slot the calling thread holds, or -1 (written by cpu_slots.cc only).
extern constinit thread_local int tl_current;
}  // namespace detail

// The slot the calling thread holds, or -1. Async-signal-safe.
inline int current() { return detail::tl_current; }

// RAII: hold a slot for the scope (migrate_disable()/migrate_enable()).
// Nested guards on one thread, including ones taken in a signal handler that
// interrupted the thread, reuse the slot already held. Otherwise the guard
// takes a free slot, preferring the one this thread held last, and waits (spin,
// then futex) while all slots are busy. Async-signal-safe.
class CpuGuard {
 public:
  CpuGuard();
  ~CpuGuard();
  CpuGuard(const CpuGuard&) = delete;
  CpuGuard& operator=(const CpuGuard&) = delete;

  int cpu() const { return cpu_; }

 private:
  int cpu_;
  bool outermost_;
};

}  // namespace ringb::cpu
