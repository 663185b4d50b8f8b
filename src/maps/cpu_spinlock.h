// cpu_spinlock.h — the spinlock behind hash buckets, queue/stack rings,
// per-cpu free lists and the per-cpu counter: the kernel's raw spinlock, with
// the deadlock check of its resilient queued spinlock (rqspinlock).
//
// The lock word holds the tag of its owner: cpu + 2 for a thread holding cpu
// slot `cpu`, kNoCpuTag for a thread without one (the grace-period thread).
// A slot has one thread at a time, so finding one's own tag in the word means
// a signal handler interrupted its own thread inside the critical section (the
// user-space NMI): waiting would never end, and lock() returns -EDEADLK
// instead, as rqspinlock reports an AA deadlock.
//
// Holders are other threads, which the OS may preempt: after a short spin the
// waiter yields its cpu to them.
#pragma once

#include <sched.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

namespace ringb::maps::detail {

inline constexpr uint32_t kNoCpuTag = 1;
inline uint32_t lock_tag(int cpu) { return cpu < 0 ? kNoCpuTag : static_cast<uint32_t>(cpu) + 2; }

class CpuSpinLock {
 public:
  // 0, or -EDEADLK when this cpu holds the lock already.
  [[nodiscard]] int lock(uint32_t tag) {
    for (unsigned spins = 0;; ++spins) {
      uint32_t w = word_.load(std::memory_order_relaxed);
      if (w == 0) {
        if (word_.compare_exchange_weak(w, tag, std::memory_order_acquire, std::memory_order_relaxed))
          return 0;
        continue;
      }
      if (w == tag && tag != kNoCpuTag) return -EDEADLK;
      if (spins < kSpinsBeforeYield)
        __builtin_ia32_pause();
      else
        sched_yield();
    }
  }

  // Never waits; false when the lock is held (by anyone).
  [[nodiscard]] bool try_lock(uint32_t tag) {
    uint32_t w = 0;
    return word_.compare_exchange_strong(w, tag, std::memory_order_acquire, std::memory_order_relaxed);
  }

  void unlock() { word_.store(0, std::memory_order_release); }

  uint32_t owner() const { return word_.load(std::memory_order_relaxed); }

 private:
  static constexpr unsigned kSpinsBeforeYield = 128;
  std::atomic<uint32_t> word_{0};  // 0 free, else the owner's tag
};

// RAII holder for a lock taken with lock() that succeeded.
class SpinGuard {
 public:
  SpinGuard(CpuSpinLock& lock, uint32_t tag) : lock_(&lock), err_(lock.lock(tag)) {}
  ~SpinGuard() {
    if (err_ == 0) lock_->unlock();
  }
  SpinGuard(const SpinGuard&) = delete;
  SpinGuard& operator=(const SpinGuard&) = delete;
  int error() const { return err_; }

 private:
  CpuSpinLock* lock_;
  int err_;
};

}  // namespace ringb::maps::detail
