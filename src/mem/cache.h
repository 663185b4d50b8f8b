// cache.h — the per-cpu caches of the BPF memory allocator and the allocator
// itself (MemAlloc::Impl).
//
//            slot 0                 slot 1             (one row per cpu slot)
//   general: [16][32][64] … [4096]  [16][32] … [4096]  11 caches per cpu
//   fixed:   [unit]                 [unit]             1 cache per cpu
//
// Object layout (the kernel's, with its later fix): an 8-byte header, then the
// object. While allocated the header holds the Cache it came from, so free()
// needs no size lookup; while free it is the list link.
//
//   [ header | object bytes ... ]          general and fixed-size
//   [ header | pptr ] ──▶ [ stride | pad | cpu0 | cpu1 | ... ]   per-cpu
//              ▲ alloc() returns this address
//
// Who touches what (the kernel's rules, mapped onto user space):
//   owner side   the thread holding the cache's cpu slot and any signal handler
//                that interrupts it. Serialised by `active`, exactly like the
//                kernel's per-cpu counter: a call that finds it busy interrupted
//                another call on this cpu; its alloc fails, its free goes to
//                free_extra. No atomic read-modify-write on this side.
//   worker side  the background worker (irq_work) and RCU callbacks. The worker
//                never touches free_list; it hands over batches through
//                refill_inbox and receives trimmed chains through trim_outbox.
//
// Every object the allocator holds is in exactly one place:
//   held = Σ free_cnt + Σ |refill_inbox| + Σ |trim_outbox| + Σ |free_extra|
//        + Σ |free_rcu_inbox| + in_flight + (objects the callers hold)
// where in_flight counts free_by_rcu, waiting_for_gp, free_by_rcu_ttrace and
// waiting_ttrace.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "lists.h"
#include "ringb/mem.h"
#include "ringb/rcu.h"
#include "worker.h"

namespace ringb::mem {

namespace detail {

struct alignas(64) Cache {
  // ---- owner side --------------------------------------------------------
  Node* free_list = nullptr;
  // Written only by the owner (load + store, never RMW); read racily by the
  // worker and by stats: "it doesn't need to be 100% accurate".
  std::atomic<int> free_cnt{0};
  // Nesting depth of owner-side calls on this cpu. Only the owning thread and
  // its signal handlers touch it, and handlers are strictly nested, so a plain
  // load + store is enough: whatever a handler adds it takes away again.
  std::atomic<int> active{0};
  int low = 0, high = 0, batch = 0;
  uint32_t unit_size = 0;  // class size, header included (per-cpu: area stride)
  uint16_t class_index = 0;
  uint16_t cpu = 0;
  MemAlloc::Impl* ma = nullptr;
  std::atomic<uint64_t> refills{0};  // owner: load + store
  std::atomic<uint64_t> trims{0};    // owner: load + store

  // ---- hand-offs ----------------------------------------------------------
  // One batch from the worker, or null, and its length. The worker fills only
  // an empty inbox (count first, then the list, release); the owner reads the
  // count, then empties the inbox (release), so the count is never torn.
  alignas(64) std::atomic<Node*> refill_inbox{nullptr};
  std::atomic<int> refill_inbox_count{0};
  AtomicStack trim_outbox;     // owner → worker: chains trimmed above high
  AtomicStack free_extra;      // frees that found `active` busy
  AtomicStack free_rcu_inbox;  // free_rcu() → worker
  WorkItem work;
  std::atomic<uint64_t> alloc_fails{0};
  std::atomic<uint64_t> busy_allocs{0};
  std::atomic<uint64_t> reentrant_frees{0};

  // ---- worker side: reclaim through grace periods -------------------------
  // Objects to be returned to the backing allocator after a tasks-trace and
  // then a normal grace period. Until their batch starts, refills may reuse
  // them (pushed by the worker and callbacks, taken by the worker only).
  AtomicStack free_by_rcu_ttrace;
  Node* waiting_ttrace = nullptr;  // the batch in flight
  std::atomic<bool> ttrace_in_progress{false};
  rcu::Head ttrace_head;
  // free_rcu()'d objects: not reusable before a normal grace period.
  Node* free_by_rcu = nullptr;  // worker only
  Node* free_by_rcu_tail = nullptr;
  Node* waiting_for_gp = nullptr;  // the batch in flight
  Node* waiting_for_gp_tail = nullptr;
  std::atomic<bool> rcu_in_progress{false};
  rcu::Head rcu_head;
};

// The header of the object at user address p.
inline Node* node_of(void* p) { return reinterpret_cast<Node*>(static_cast<char*>(p) - kHeaderSize); }
inline void* user_of(Node* n) { return reinterpret_cast<char*>(n) + kHeaderSize; }
inline Cache*& owner_of(Node* n) { return *reinterpret_cast<Cache**>(n); }

// Per-cpu areas: [stride | pad | cpu0 | cpu1 | ...]; pptr points at cpu0.
inline constexpr size_t kPercpuPrefix = 16;
inline constexpr size_t kPercpuHolder = 16;  // [header | pptr]

}  // namespace detail

struct MemAlloc::Impl {
  Options opts;
  bool general = false;  // 11 classes (else one fixed size)
  bool percpu = false;
  unsigned nr_cpus = 0;
  unsigned classes = 0;  // caches per cpu: 11 or 1
  detail::Cache* caches = nullptr;  // nr_cpus * classes, cpu-major
  size_t block_size = 0;  // fixed-size mode: bytes per object, header included

  std::atomic<bool> draining{false};
  std::atomic<size_t> bytes_held{0};
  std::atomic<uint64_t> backing_allocs{0};
  std::atomic<uint64_t> backing_frees{0};
  std::atomic<uint64_t> reused{0};
  std::atomic<int64_t> in_flight{0};
  std::atomic<uint64_t> rcu_batches{0};

  detail::Cache* cache(unsigned cpu, unsigned idx) { return &caches[cpu * classes + idx]; }
  size_t cache_count() const { return static_cast<size_t>(nr_cpus) * classes; }
  bool owns(const detail::Cache* c) const {
    uintptr_t off = reinterpret_cast<uintptr_t>(c) - reinterpret_cast<uintptr_t>(caches);
    return off < cache_count() * sizeof(detail::Cache) && off % sizeof(detail::Cache) == 0;
  }

  // Backing memory (reclaim.cc). new_object charges the cgroup and may fail.
  detail::Node* new_object(detail::Cache* c);
  void free_object(detail::Cache* c, detail::Node* n);
  size_t object_cost(const detail::Cache* c) const;
};

namespace detail {

// Worker side (reclaim.cc).
void cache_work(WorkItem* w);
// Grace-period batches started by every allocator: MemAlloc::rcu_barrier()
// repeats until a round starts none.
extern std::atomic<uint64_t> g_batches_started;
// Returns every object a cache holds to the backing allocator (destroy only).
void drain_cache(Cache* c);

}  // namespace detail

}  // namespace ringb::mem
