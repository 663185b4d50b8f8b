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

#include <atomic>
#include <cstdint>

namespace ringb::cpu {

// The number of slots: the cpus this process may run on (sched_getaffinity),
// unless the environment variable RINGB_NR_CPUS (1..kMaxCpus) says otherwise.
// Fixed for the life of the process.
unsigned nr_cpus();
inline constexpr unsigned kMaxCpus = 256;

enum class Context : uint8_t { Task, Interrupt };

namespace detail {

// The calling thread's slot state. cpu_slots.cc owns the logic; the inline
// fast paths of CpuGuard only re-enter and leave the slot the thread leases
// (docs/cpu-slots.md). Changed only by its own thread and by signal handlers
// nested on it; `transition` marks the moments a handler must not take a slot.
struct ThreadSlot {
  int current = -1;            // the slot held inside a guard, or -1
  unsigned depth = 0;          // nesting of guards holding `current`
  int interrupt_depth = 0;     // interrupt-context guards
  std::atomic<bool> transition{false};
  int lease = -1;              // the slot this thread keeps between guards, or -1
  uint64_t word = 0;           // that lease's owner word
  const std::atomic<uint64_t>* owner = nullptr;  // the leased slot's owner word
  const std::atomic<uint32_t>* work = nullptr;   // the leased slot's work flag
  std::atomic<uint32_t>* inside = nullptr;       // this thread's record: inside a slot
  int record = -1;             // -1: none yet; -2: none to be had
  int last = -1;               // the slot held last: cache-warm
};
extern constinit thread_local ThreadSlot tl_slot;
extern std::atomic<uint32_t> g_waiters;  // threads waiting for a slot

}  // namespace detail

// The slot the calling thread holds, or -1. Async-signal-safe.
inline int current() { return detail::tl_slot.current; }

// True inside a Context::Interrupt guard (a signal handler). Async-signal-safe.
inline bool in_interrupt() { return detail::tl_slot.interrupt_depth > 0; }

// RAII: hold a slot for the scope (migrate_disable()/migrate_enable()).
// Nested guards on one thread, including ones taken in a signal handler that
// interrupted the thread, reuse the slot already held. Otherwise a Task guard
// re-enters the slot its thread leases, or takes a free slot, preferring the
// one this thread held last, and waits (spin, then futex) while all slots are
// busy; an Interrupt guard only tries. Async-signal-safe.
class CpuGuard {
 public:
  explicit CpuGuard(Context ctx = Context::Task) {
    if (ctx == Context::Task && reenter_lease()) [[likely]]
      return;
    enter(ctx);
  }
  ~CpuGuard() {
    if (!(outermost_ && ctx_ == Context::Task && leave_lease())) leave();
  }
  CpuGuard(const CpuGuard&) = delete;
  CpuGuard& operator=(const CpuGuard&) = delete;

  int cpu() const { return cpu_; }

 private:
  // The common case of a host call: the thread's lease is still its own.
  // No atomic read-modify-write: see docs/cpu-slots.md for why the plain
  // store of `inside` before the load of the owner word is enough.
  bool reenter_lease() {
    detail::ThreadSlot& t = detail::tl_slot;
    if (t.depth != 0 || t.lease < 0 || t.interrupt_depth != 0 ||
        t.transition.load(std::memory_order_relaxed))
      return false;
    t.transition.store(true, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    t.inside->store(1, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    const bool mine = t.owner->load(std::memory_order_relaxed) == t.word;
    if (mine) {
      t.depth = 1;
      t.current = t.lease;
      t.last = t.lease;
      cpu_ = t.lease;
      outermost_ = true;
      ctx_ = Context::Task;
    }
    std::atomic_signal_fence(std::memory_order_seq_cst);
    t.transition.store(false, std::memory_order_relaxed);
    return mine;
  }
  // Keeps the lease when no deferred work is due and nobody waits.
  bool leave_lease() {
    detail::ThreadSlot& t = detail::tl_slot;
    if (t.lease != cpu_ || t.work->load(std::memory_order_relaxed) != 0 ||
        detail::g_waiters.load(std::memory_order_relaxed) != 0)
      return false;
    t.transition.store(true, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    t.current = -1;
    t.depth = 0;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    t.inside->store(0, std::memory_order_release);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    t.transition.store(false, std::memory_order_relaxed);
    return true;
  }
  void enter(Context ctx);  // cpu_slots.cc: every other case
  void leave();

  int cpu_ = -1;
  bool outermost_ = false;
  Context ctx_ = Context::Task;
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
