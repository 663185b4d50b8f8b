// cpu_slots.cc — execution slots, the user-space "cpu" (see include/ringb/cpu.h
// and docs/cpu-slots.md).
//
// Each slot is one word: 0 free, 1 held. A thread takes a slot with a CAS and
// gives it back with a store; threads that find every slot busy spin briefly
// and then sleep on a futex that every release with waiters bumps.
//
// Giving a slot back is a plain store: the waiter side pays instead. A waiter
// announces itself, then runs membarrier(PRIVATE_EXPEDITED) before its last
// look at the slots, which puts a full barrier into every running thread of
// the process; so either the releaser's store is visible to that last look,
// or the releaser's later read of g_waiters sees the waiter and wakes it (the
// asymmetric fence liburcu's membarrier flavour uses). Without membarrier the
// release is a seq_cst store and load, as before.
//
// Signal handlers: the thread-local state below is only ever changed by its
// own thread, and a handler that interrupts it sees one of three states:
//   depth > 0            the thread holds tl_cpu: the handler nests on it;
//   tl_transition        the thread is taking or giving back a slot: the
//                        handler gets no slot (cpu() == -1) rather than risk
//                        waiting for the slot its own thread is about to hold;
//   otherwise            the handler tries for a free slot, without waiting.
#include <linux/membarrier.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "futex.h"
#include "ringb/cpu.h"

namespace ringb::cpu {
namespace {

struct alignas(64) Slot {
  std::atomic<uint32_t> held{0};
  std::atomic<uint32_t> work{0};  // deferred work requested (see cpu.h)
};

Slot g_slots[kMaxCpus];
std::atomic<uint32_t> g_release_seq{0};  // futex word: bumped by releases with waiters
std::atomic<uint32_t> g_waiters{0};

thread_local int tl_cpu = -1;
thread_local unsigned tl_depth = 0;
thread_local int tl_last = -1;  // the slot this thread held last: cache-warm
thread_local volatile bool tl_transition = false;

std::atomic<bool> g_membarrier{false};  // the asymmetric release is in use
std::atomic<SlotWorkHook> g_hook{nullptr};

void init_membarrier() {
  const long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
  if (cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
      syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
    g_membarrier.store(true, std::memory_order_seq_cst);
}

// Makes every releaser's earlier store visible before the caller's next load.
void waiter_fence() {
  if (g_membarrier.load(std::memory_order_relaxed))
    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
  else
    g_release_seq.fetch_add(0, std::memory_order_seq_cst);  // a full fence TSan understands
}

unsigned compute_nr_cpus() {
  init_membarrier();  // before any slot can be taken, so before any release
  if (const char* env = std::getenv("RINGB_NR_CPUS")) {
    long v = std::strtol(env, nullptr, 10);
    if (v >= 1 && v <= static_cast<long>(kMaxCpus)) return static_cast<unsigned>(v);
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  int n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
  if (n < 1) n = 1;
  return n > static_cast<int>(kMaxCpus) ? kMaxCpus : static_cast<unsigned>(n);
}

bool try_take(unsigned i) {
  uint32_t expected = 0;
  return g_slots[i].held.load(std::memory_order_relaxed) == 0 &&
         g_slots[i].held.compare_exchange_strong(expected, 1, std::memory_order_acquire);
}

int scan_once(unsigned start) {
  const unsigned n = nr_cpus();
  for (unsigned k = 0; k < n; ++k) {
    unsigned i = (start + k) % n;
    if (try_take(i)) return static_cast<int>(i);
  }
  return -1;
}

int take_slot() {
  if (tl_last >= 0 && try_take(static_cast<unsigned>(tl_last))) return tl_last;
  // Threads without a favourite start at different places to spread out.
  const unsigned start = tl_last >= 0 ? static_cast<unsigned>(tl_last)
                                      : static_cast<unsigned>(gettid()) % nr_cpus();
  for (;;) {
    for (int spin = 0; spin < 100; ++spin) {
      if (int i = scan_once(start); i >= 0) return i;
      ringb::detail::cpu_relax();
    }
    // Announce ourselves before the last look, so a release after it wakes us.
    uint32_t seq = g_release_seq.load(std::memory_order_seq_cst);
    g_waiters.fetch_add(1, std::memory_order_seq_cst);
    waiter_fence();
    int i = scan_once(start);
    if (i < 0) ringb::detail::futex_wait(g_release_seq, seq);
    g_waiters.fetch_sub(1, std::memory_order_relaxed);
    if (i >= 0) return i;
  }
}

void give_back(int i) {
  bool waiters;
  if (g_membarrier.load(std::memory_order_relaxed)) {
    g_slots[i].held.store(0, std::memory_order_release);
    std::atomic_signal_fence(std::memory_order_seq_cst);  // see the top of this file
    waiters = g_waiters.load(std::memory_order_relaxed) > 0;
  } else {
    g_slots[i].held.store(0, std::memory_order_seq_cst);
    waiters = g_waiters.load(std::memory_order_seq_cst) > 0;
  }
  if (waiters) {
    g_release_seq.fetch_add(1, std::memory_order_seq_cst);
    ringb::detail::futex_wake(g_release_seq, 1);
  }
}

}  // namespace

unsigned nr_cpus() {
  static std::atomic<unsigned> cached{0};
  unsigned n = cached.load(std::memory_order_relaxed);
  if (n == 0) {
    n = compute_nr_cpus();
    cached.store(n, std::memory_order_relaxed);
  }
  return n;
}

constinit thread_local int detail::tl_current = -1;
constinit thread_local int detail::tl_interrupt_depth = 0;

void set_slot_work_hook(SlotWorkHook hook) { g_hook.store(hook, std::memory_order_release); }

void request_slot_work() {
  const int cpu = detail::tl_current;
  if (cpu >= 0) g_slots[cpu].work.store(1, std::memory_order_relaxed);
}

CpuGuard::CpuGuard(Context ctx) : cpu_(-1), outermost_(false), ctx_(ctx) {
  // Inside a handler's scope every guard is an interrupt one.
  if (detail::tl_interrupt_depth > 0) ctx_ = Context::Interrupt;
  if (ctx_ == Context::Interrupt) ++detail::tl_interrupt_depth;
  if (tl_depth > 0) {  // nested, or a signal handler on a thread holding a slot
    ++tl_depth;
    cpu_ = tl_cpu;
    return;
  }
  if (tl_transition) return;  // a handler that interrupted take/give: no slot
  tl_transition = true;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  int i = ctx_ == Context::Task ? take_slot() : scan_once(tl_last >= 0 ? static_cast<unsigned>(tl_last) : 0);
  if (i < 0) {  // interrupt context and every slot busy: no slot, no wait
    std::atomic_signal_fence(std::memory_order_seq_cst);
    tl_transition = false;
    return;
  }
  tl_cpu = i;
  tl_last = i;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  tl_depth = 1;
  detail::tl_current = i;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  tl_transition = false;
  cpu_ = i;
  outermost_ = true;
}

CpuGuard::~CpuGuard() {
  if (ctx_ == Context::Interrupt) --detail::tl_interrupt_depth;
  if (cpu_ < 0) return;
  if (!outermost_) {
    --tl_depth;
    return;
  }
  // Deferred work runs in task context, on the slot, before it is given back.
  // A handler may raise the flag again while the hook runs: look again, a
  // bounded number of times (what is left waits for the next release).
  Slot& slot = g_slots[cpu_];
  if (ctx_ == Context::Task) {
    for (int round = 0; round < 4 && slot.work.load(std::memory_order_relaxed); ++round) {
      slot.work.store(0, std::memory_order_relaxed);
      if (SlotWorkHook hook = g_hook.load(std::memory_order_acquire)) hook(static_cast<unsigned>(cpu_));
    }
  }
  tl_transition = true;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  detail::tl_current = -1;
  tl_depth = 0;
  tl_cpu = -1;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  give_back(cpu_);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  tl_transition = false;
}

}  // namespace ringb::cpu
