// cpu_slots.cc — execution slots, the user-space "cpu" (see include/ringb/cpu.h
// and docs/cpu-slots.md).
//
// A slot is one owner word: 0 when free, else a lease: (lease number << 16) |
// (record + 1), where the record is the owning thread's entry in g_records.
// A thread takes a free slot with a CAS and, when its outermost guard ends,
// keeps it: the lease. Its next guard re-enters with no atomic
// read-modify-write (CpuGuard's inline fast path, in cpu.h):
//
//   enter:  record.inside = 1; compiler fence; owner == my lease? — yes: mine
//   leave:  record.inside = 0 (release)
//
// A lease ends in one of three ways:
//   - its holder sees waiters when it leaves, and gives the slot back (CAS to
//     0), waking one;
//   - its thread exits (a pthread key destructor gives it back);
//   - a thread that found no free slot for a while steals it from an idle
//     holder: CAS the owner word to its own lease, membarrier(), then wait
//     until the holder's record says it is not inside. The membarrier is the
//     asymmetric fence that makes the holder's plain enter correct: either the
//     holder's store of inside = 1 is visible to the thief after it, or the
//     holder's later load of the owner word sees the thief's lease and backs
//     off (liburcu's membarrier flavour rests on the same argument).
// Without membarrier there are no leases: every release gives the slot back.
//
// A thread's record says `inside` only while it is taking a slot or holding
// one; it is 0 while the thread waits, so a thief never waits for a waiter.
//
// Signal handlers: the thread-local state is only ever changed by its own
// thread, and a handler that interrupts it sees one of three states:
//   depth > 0            the thread holds `current`: the handler nests on it;
//   transition           the thread is taking or giving back a slot: the
//                        handler gets no slot (cpu() == -1) rather than risk
//                        waiting for the slot its own thread is about to hold;
//   otherwise            the handler re-enters its thread's lease or tries for
//                        a free slot, without waiting.
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>

#include "futex.h"
#include "ringb/cpu.h"

namespace ringb::cpu {

constinit thread_local detail::ThreadSlot detail::tl_slot;
std::atomic<uint32_t> detail::g_waiters{0};

namespace {

using detail::tl_slot;

constexpr uint64_t kRecordBits = 16;
constexpr uint64_t kRecordMask = (uint64_t{1} << kRecordBits) - 1;
constexpr unsigned kMaxRecords = 4096;   // threads holding leases at once (< kRecordMask)
constexpr long kStealAfterNs = 1000000;  // a waiter steals an idle lease after 1 ms

struct alignas(64) Slot {
  std::atomic<uint64_t> owner{0};
  std::atomic<uint32_t> work{0};  // deferred work requested (see cpu.h)
};

// One per live thread that has used a slot. Written by its thread (and the
// thread's nested handlers); `inside` is read by thieves, the rest by the
// thread-exit destructor.
struct alignas(64) Record {
  std::atomic<uint32_t> inside{0};
  std::atomic<uint32_t> used{0};
  std::atomic<int> slot{-1};      // the slot this thread leases, or -1
  std::atomic<uint64_t> word{0};  // that lease's owner word
};

Slot g_slots[kMaxCpus];
Record g_records[kMaxRecords];
std::atomic<uint64_t> g_next_lease{1};
std::atomic<uint32_t> g_release_seq{0};  // futex word: bumped by releases with waiters
std::atomic<bool> g_membarrier{false};   // leases and their plain re-entry are in use
std::atomic<SlotWorkHook> g_hook{nullptr};

void init_membarrier() {
  const long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
  if (cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
      syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
    g_membarrier.store(true, std::memory_order_seq_cst);
}

// Makes every other thread's earlier stores visible before the caller's next load.
void full_fence_everywhere() {
  if (g_membarrier.load(std::memory_order_relaxed))
    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
  else
    g_release_seq.fetch_add(0, std::memory_order_seq_cst);  // a full fence TSan understands
}

unsigned compute_nr_cpus() {
  init_membarrier();  // before any slot can be taken, so before any lease
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

void wake_a_waiter() {
  if (detail::g_waiters.load(std::memory_order_seq_cst) > 0) {
    g_release_seq.fetch_add(1, std::memory_order_seq_cst);
    ringb::detail::futex_wake(g_release_seq, 1);
  }
}

// Gives slot i back if `word` still owns it (a thief may have taken it).
void end_lease(int i, uint64_t word) {
  if (g_slots[i].owner.compare_exchange_strong(word, 0, std::memory_order_seq_cst)) wake_a_waiter();
}

// At thread exit: the lease goes back and the record is free again.
void release_record(void* value) {
  Record& r = g_records[reinterpret_cast<uintptr_t>(value) - 1];
  const int slot = r.slot.load(std::memory_order_relaxed);
  if (slot >= 0) end_lease(slot, r.word.load(std::memory_order_relaxed));
  r.slot.store(-1, std::memory_order_relaxed);
  r.inside.store(0, std::memory_order_relaxed);
  r.used.store(0, std::memory_order_release);
}

pthread_key_t make_exit_key() {
  pthread_key_t key;
  pthread_key_create(&key, release_record);
  return key;
}
const pthread_key_t g_exit_key = make_exit_key();

Record* record() {
  detail::ThreadSlot& t = tl_slot;
  if (t.record >= 0) return &g_records[t.record];
  if (t.record == -2 || !g_membarrier.load(std::memory_order_relaxed)) return nullptr;
  const unsigned start = static_cast<unsigned>(gettid()) % kMaxRecords;
  for (unsigned k = 0; k < kMaxRecords; ++k) {
    const unsigned i = (start + k) % kMaxRecords;
    uint32_t expected = 0;
    if (g_records[i].used.load(std::memory_order_relaxed) == 0 &&
        g_records[i].used.compare_exchange_strong(expected, 1, std::memory_order_acquire)) {
      t.record = static_cast<int>(i);
      t.inside = &g_records[i].inside;
      // Writes this thread's key slot only (no allocation for an early key).
      pthread_setspecific(g_exit_key, reinterpret_cast<void*>(uintptr_t{i} + 1));
      return &g_records[i];
    }
  }
  t.record = -2;  // every record in use: this thread gives slots back each time
  return nullptr;
}

void set_inside(Record* r, uint32_t v) {
  if (r) r->inside.store(v, std::memory_order_release);
}

uint64_t new_word(const Record* r) {
  const uint64_t lease = g_next_lease.fetch_add(1, std::memory_order_relaxed);
  return (lease << kRecordBits) | (r ? static_cast<uint64_t>(r - g_records) + 1 : 0);
}

// One look at every slot for a free one; takes it with `word` (acq_rel: a
// thief that reads the word also sees this thread's inside = 1).
int scan_free(unsigned start, uint64_t word) {
  const unsigned n = nr_cpus();
  for (unsigned k = 0; k < n; ++k) {
    const unsigned i = (start + k) % n;
    uint64_t expected = 0;
    if (g_slots[i].owner.load(std::memory_order_relaxed) == 0 &&
        g_slots[i].owner.compare_exchange_strong(expected, word, std::memory_order_acq_rel))
      return static_cast<int>(i);
  }
  return -1;
}

// Takes a slot whose holder is not inside it (see the top of this file).
int steal_idle(uint64_t word) {
  const unsigned n = nr_cpus();
  for (unsigned i = 0; i < n; ++i) {
    uint64_t w = g_slots[i].owner.load(std::memory_order_acquire);
    const uint64_t holder = w & kRecordMask;
    if (w == 0 || holder == 0) continue;  // free (scan_free's job), or a holder without leases
    Record& victim = g_records[holder - 1];
    if (victim.inside.load(std::memory_order_relaxed)) continue;
    if (!g_slots[i].owner.compare_exchange_strong(w, word, std::memory_order_acq_rel)) continue;
    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
    while (victim.inside.load(std::memory_order_acquire)) sched_yield();
    return static_cast<int>(i);
  }
  return -1;
}

// Task context: a free slot, waiting (spin, then futex) while none is free,
// and stealing an idle lease when no slot was given back for a while.
int take_slot(Record* r, uint64_t word) {
  const int last = tl_slot.last;
  const unsigned start = last >= 0 ? static_cast<unsigned>(last)
                                   : static_cast<unsigned>(gettid()) % nr_cpus();
  for (;;) {
    set_inside(r, 1);
    for (int spin = 0; spin < 100; ++spin) {
      if (int i = scan_free(start, word); i >= 0) return i;
      ringb::detail::cpu_relax();
    }
    set_inside(r, 0);  // a waiter is not inside: thieves never wait for one
    // Announce ourselves before the last look, so a release after it wakes us.
    const uint32_t seq = g_release_seq.load(std::memory_order_seq_cst);
    detail::g_waiters.fetch_add(1, std::memory_order_seq_cst);
    full_fence_everywhere();
    set_inside(r, 1);
    int i = scan_free(start, word);
    if (i < 0) {
      set_inside(r, 0);
      ringb::detail::futex_wait_for(g_release_seq, seq, kStealAfterNs);
      if (g_membarrier.load(std::memory_order_relaxed) &&
          g_release_seq.load(std::memory_order_seq_cst) == seq) {  // nothing was given back
        set_inside(r, 1);
        i = steal_idle(word);
      }
    }
    detail::g_waiters.fetch_sub(1, std::memory_order_relaxed);
    if (i >= 0) return i;
  }
}

// Outermost take: the lease if it still holds, else a new slot. -1 only in
// interrupt context when no slot is free.
int take_outermost(Context ctx) {
  detail::ThreadSlot& t = tl_slot;
  Record* r = record();
  if (t.lease >= 0) {
    set_inside(r, 1);
    std::atomic_signal_fence(std::memory_order_seq_cst);  // see the top of this file
    if (g_slots[t.lease].owner.load(std::memory_order_relaxed) == t.word) return t.lease;
    t.lease = -1;  // stolen while this thread was idle
    if (r) r->slot.store(-1, std::memory_order_relaxed);
  }
  const uint64_t word = new_word(r);
  int i;
  if (ctx == Context::Task) {
    i = take_slot(r, word);
  } else {
    set_inside(r, 1);
    i = scan_free(t.last >= 0 ? static_cast<unsigned>(t.last) : 0, word);
  }
  if (i < 0) {
    set_inside(r, 0);
    return -1;
  }
  t.word = word;
  if (r) {  // a lease only for a thread with a record
    t.lease = i;
    t.owner = &g_slots[i].owner;
    t.work = &g_slots[i].work;
    r->word.store(word, std::memory_order_relaxed);
    r->slot.store(i, std::memory_order_relaxed);
  }
  return i;
}

void give_outermost(int i) {
  detail::ThreadSlot& t = tl_slot;
  Record* r = t.record >= 0 ? &g_records[t.record] : nullptr;
  // Keep the lease unless somebody waits for a slot (or there are no leases).
  if (!r || t.lease != i || detail::g_waiters.load(std::memory_order_relaxed) > 0) {
    end_lease(i, t.word);
    t.lease = -1;
    if (r) r->slot.store(-1, std::memory_order_relaxed);
  }
  set_inside(r, 0);
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

void set_slot_work_hook(SlotWorkHook hook) { g_hook.store(hook, std::memory_order_release); }

void request_slot_work() {
  const int cpu = tl_slot.current;
  if (cpu >= 0) g_slots[cpu].work.store(1, std::memory_order_relaxed);
}

void CpuGuard::enter(Context ctx) {
  detail::ThreadSlot& t = tl_slot;
  ctx_ = ctx;
  // Inside a handler's scope every guard is an interrupt one.
  if (t.interrupt_depth > 0) ctx_ = Context::Interrupt;
  if (ctx_ == Context::Interrupt) ++t.interrupt_depth;
  if (t.depth > 0) {  // nested, or a signal handler on a thread holding a slot
    ++t.depth;
    cpu_ = t.current;
    return;
  }
  if (t.transition.load(std::memory_order_relaxed)) return;  // a handler that interrupted take/give
  t.transition.store(true, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  const int i = take_outermost(ctx_);
  if (i >= 0) {
    t.last = i;
    t.depth = 1;
    t.current = i;
    cpu_ = i;
    outermost_ = true;
  }
  std::atomic_signal_fence(std::memory_order_seq_cst);
  t.transition.store(false, std::memory_order_relaxed);
}

void CpuGuard::leave() {
  detail::ThreadSlot& t = tl_slot;
  if (ctx_ == Context::Interrupt) --t.interrupt_depth;
  if (cpu_ < 0) return;
  if (!outermost_) {
    --t.depth;
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
  t.transition.store(true, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  t.current = -1;
  t.depth = 0;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  give_outermost(cpu_);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  t.transition.store(false, std::memory_order_relaxed);
}

}  // namespace ringb::cpu
