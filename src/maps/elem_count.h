// elem_count.h — the number of elements in a hash map, and the "is it full"
// check that turns an insert into -E2BIG (seed 004, patch 06). That check is
// for allocated maps; a preallocated one is bounded by its free list, as in
// the kernel, and only counts (inc()).
//
// An atomic counter makes every insert and delete bounce one cache line
// between cpus. The seed switches to a per-cpu counter (percpu_counter with a
// batch of 32) when max_entries / 2 > nr_cpus * 32: then the map is usually
// far enough from full that the approximate global count answers "not full",
// and only near the limit is the exact sum taken.
//
//   atomic mode   try_inc() reserves a place with one fetch_add and gives it
//                 back when that passed max_entries: the count never exceeds
//                 max_entries, even with concurrent inserts.
//   per-cpu mode  each cpu keeps a delta in (-batch, batch) and folds it into
//                 the global count when it reaches ±batch. The full check uses
//                 the global count while it is more than batch * nr_cpus below
//                 max_entries, else the exact sum — as __percpu_counter_compare
//                 does. Like the kernel's, concurrent inserts near the limit
//                 may pass it by a few elements (at most one per cpu).
//
// Callers hold a cpu slot (signal handlers nest on it). sum() is exact when no
// insert or delete runs concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "cpu_spinlock.h"

namespace ringb::maps::detail {

class ElemCount {
 public:
  static constexpr int32_t kBatch = 32;  // PERCPU_COUNTER_BATCH

  ElemCount(uint32_t max_entries, unsigned nr_cpus);
  bool percpu() const { return percpu_; }

  // Room for one more element? Counts it if so; false means -E2BIG.
  [[nodiscard]] bool try_inc(int cpu);
  // Counts one more without the check (something else bounds the count).
  void inc(int cpu);
  void dec(int cpu);
  // Whether try_inc() would fail now (without counting anything).
  bool full() const { return percpu_ ? is_full() : count_.load(std::memory_order_relaxed) >= max_entries_; }
  int64_t sum() const;

 private:
  void add(int cpu, int32_t amount);
  bool is_full() const;

  const bool percpu_;
  const uint32_t max_entries_;
  const unsigned nr_cpus_;
  // Atomic mode: the count. Per-cpu mode: the folded part; folds and exact
  // sums take fold_lock_, so a sum never sees a delta both folded and not.
  std::atomic<int64_t> count_{0};
  mutable CpuSpinLock fold_lock_;
  struct alignas(64) Delta {
    std::atomic<int32_t> v{0};  // changed by the slot holder only (fetch_add: handlers nest)
  };
  std::unique_ptr<Delta[]> deltas_;  // per cpu, per-cpu mode only
};

}  // namespace ringb::maps::detail
