// locks.cc — struct bpf_spin_lock (helpers 93/94, and BPF_F_LOCK copies:
// maps::value_lock calls these) and struct bpf_res_spin_lock
// (bpf_res_spin_lock/unlock, Linux 6.15's resilient queued spin lock,
// kernel/bpf/rqspinlock.c).
//
// bpf_spin_lock: a 4-byte word, 0 when free, 1 when held; test-and-set,
// then spin on plain loads. Holders are threads the OS may preempt, so a
// waiter that spun for a while yields its cpu to them.
//
// bpf_res_spin_lock: the same word, but the lock call can fail instead of
// hanging, as rqspinlock does:
//   -EDEADLK    the lock is in this cpu's table of held locks: the caller
//               holds it already, or a signal handler (the user-space NMI)
//               interrupted its thread while it held or was taking it (AA);
//               or another cpu waits for a lock this cpu holds while it
//               holds the one this cpu waits for (ABBA), found while spinning;
//   -ETIMEDOUT  250 ms of waiting (RES_DEF_TIMEOUT) without either.
// The table is the kernel's rqspinlock_held_locks: per cpu slot, a count and
// the last 31 locks taken or being taken (RES_NR_HELD), in static arrays, so
// lock and unlock stay async-signal-safe. An entry goes in before the first
// attempt and out after the unlock.
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>

#include "ringb/cpu.h"
#include "ringb/objects.h"

namespace ringb::obj {
namespace {

constexpr unsigned kSpinsBeforeYield = 128;

std::atomic_ref<uint32_t> lock_word(void* lock) { return std::atomic_ref<uint32_t>(*static_cast<uint32_t*>(lock)); }

void relax(unsigned spins) {
  if (spins < kSpinsBeforeYield)
    __builtin_ia32_pause();
  else
    sched_yield();
}

// ---- the held-lock table -------------------------------------------------------

constexpr uint32_t kMaxHeld = 31;                 // RES_NR_HELD
constexpr int64_t kTimeoutNs = 250'000'000;       // RES_DEF_TIMEOUT
constexpr unsigned kSpinsBetweenChecks = 64;

struct alignas(64) HeldLocks {
  std::atomic<uint32_t> cnt{0};
  std::atomic<void*> locks[kMaxHeld]{};  // entries at and past cnt are null
};
HeldLocks g_held[cpu::kMaxCpus];

HeldLocks* table_of(int cpu) {
  return cpu >= 0 && cpu < static_cast<int>(cpu::kMaxCpus) ? &g_held[cpu] : nullptr;
}

// Returns the entry's index (the number of locks this cpu held or was
// taking before).
uint32_t grab_entry(HeldLocks* h, void* lock) {
  const uint32_t i = h->cnt.fetch_add(1, std::memory_order_relaxed);
  if (i < kMaxHeld) h->locks[i].store(lock, std::memory_order_relaxed);
  return i;
}

// Takes `lock`'s entry out (the latest one naming it; unlocks may come out
// of order), or the top one when the table overflowed.
void release_entry(HeldLocks* h, void* lock) {
  const uint32_t n = h->cnt.load(std::memory_order_relaxed);
  if (n == 0) return;
  if (n <= kMaxHeld) {
    uint32_t i = n - 1;
    while (i > 0 && h->locks[i].load(std::memory_order_relaxed) != lock) --i;
    if (h->locks[i].load(std::memory_order_relaxed) != lock) i = n - 1;  // not there: the top
    for (; i + 1 < n; ++i)
      h->locks[i].store(h->locks[i + 1].load(std::memory_order_relaxed), std::memory_order_relaxed);
    h->locks[n - 1].store(nullptr, std::memory_order_relaxed);
  }
  h->cnt.fetch_sub(1, std::memory_order_relaxed);
}

bool in_entries(const HeldLocks* h, uint32_t count, const void* lock) {
  for (uint32_t i = 0, n = std::min(count, kMaxHeld); i < n; ++i)
    if (h->locks[i].load(std::memory_order_relaxed) == lock) return true;
  return false;
}

// ABBA: a cpu that holds `lock` and whose latest entry (what it waits for,
// or took last) is a lock this cpu holds (its first `mine` entries).
bool abba(const HeldLocks* me, uint32_t mine, const void* lock) {
  for (unsigned c = 0, n = cpu::nr_cpus(); c < n; ++c) {
    const HeldLocks* other = &g_held[c];
    if (other == me) continue;
    const uint32_t cnt = std::min(other->cnt.load(std::memory_order_relaxed), kMaxHeld);
    if (cnt == 0) continue;
    const void* remote = other->locks[cnt - 1].load(std::memory_order_relaxed);
    if (remote && in_entries(other, cnt - 1, lock) && in_entries(me, mine, remote)) return true;
  }
  return false;
}

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);  // async-signal-safe
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

bool try_take(std::atomic_ref<uint32_t> w) {
  uint32_t free = 0;
  return w.compare_exchange_strong(free, 1, std::memory_order_acquire, std::memory_order_relaxed);
}

}  // namespace

void spin_lock(void* lock) {
  auto w = lock_word(lock);
  while (w.exchange(1, std::memory_order_acquire))
    for (unsigned spins = 0; w.load(std::memory_order_relaxed); ++spins) relax(spins);
}

void spin_unlock(void* lock) { lock_word(lock).store(0, std::memory_order_release); }

long res_spin_lock(void* lock, int cpu) {
  auto w = lock_word(lock);
  HeldLocks* h = table_of(cpu);
  const uint32_t before = h ? grab_entry(h, lock) : 0;
  if (try_take(w)) return 0;
  auto fail = [&](long err) {
    if (h) release_entry(h, lock);
    return err;
  };
  if (h && in_entries(h, before, lock)) return fail(-EDEADLK);
  const int64_t start = now_ns();
  for (unsigned spins = 0;; ++spins) {
    if (!w.load(std::memory_order_relaxed) && try_take(w)) return 0;
    if (spins % kSpinsBetweenChecks == kSpinsBetweenChecks - 1) {
      if (h && abba(h, before, lock)) return fail(-EDEADLK);
      if (now_ns() - start >= kTimeoutNs) return fail(-ETIMEDOUT);
    }
    relax(spins);
  }
}

void res_spin_unlock(void* lock, int cpu) {
  lock_word(lock).store(0, std::memory_order_release);
  if (HeldLocks* h = table_of(cpu)) release_entry(h, lock);
}

}  // namespace ringb::obj
