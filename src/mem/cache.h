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
//                free_extra. No atomic read-modify-write on this side. The
//                owner refills its own list (the kernel's irq_work runs on the
//                same cpu, under the same counter): inline when an alloc finds
//                it empty, and when the slot is given back (cpu.h's deferred
//                slot work) after an alloc went below the low watermark.
//   worker side  the background worker and RCU callbacks: trimmed and extra
//                objects into grace-period batches, free_rcu pipelines. The
//                worker never touches free_list.
//
// Every object the allocator holds is in exactly one place:
//   held = Σ free_cnt + Σ |reserve| + Σ |trim_outbox| + Σ |free_extra|
//        + Σ |rcu_local| + Σ |free_rcu_inbox| + in_flight + (objects the callers hold)
// where in_flight counts free_by_rcu, waiting_for_gp, free_by_rcu_ttrace and
// waiting_ttrace. Objects back in the slab (slab.h) are not held.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "lists.h"
#include "ringb/mem.h"
#include "ringb/rcu.h"
#include "slab.h"
#include "worker.h"

namespace ringb::mem {

namespace detail {

struct alignas(64) Cache {
  // ---- fixed at creation: read by frees from other cpus, so on a line the
  // owner never writes ---------------------------------------------------------
  uint32_t unit_size = 0;  // class size, header included (per-cpu: area stride)
  uint16_t class_index = 0;
  uint16_t cpu = 0;
  int low = 0, high = 0, batch = 0;
  MemAlloc::Impl* ma = nullptr;

  // ---- owner side --------------------------------------------------------
  alignas(64) Node* free_list = nullptr;
  // Written only by the owner (load + store, never RMW); read racily by the
  // worker and by stats: "it doesn't need to be 100% accurate".
  std::atomic<int> free_cnt{0};
  // Nesting depth of owner-side calls on this cpu. Only the owning thread and
  // its signal handlers touch it, and handlers are strictly nested, so a plain
  // load + store is enough: whatever a handler adds it takes away again.
  std::atomic<int> active{0};
  std::atomic<uint64_t> refills{0};  // owner: load + store
  std::atomic<uint64_t> trims{0};    // owner: load + store
  SlabCursor slab;                   // owner: where fresh objects come from
  // A whole list a refill took from a donor, beyond the batch it needed
  // (refill in mem_alloc.cc): later refills draw from here first, a batch at
  // a time, so no object is walked more than once on its way in.
  Node* reserve = nullptr;
  // free_rcu()s on this cpu not handed to the worker yet: plain pushes, no
  // atomics. Handed over (into free_rcu_inbox, one CAS and one queue_work)
  // every kRcuHandoff objects and when the slot is given back (slot work),
  // so none waits longer than the slot is held; their grace period starts
  // after the hand-off, never before the free.
  Node* rcu_local = nullptr;
  Node* rcu_local_tail = nullptr;
  int rcu_local_cnt = 0;

  // ---- hand-offs ----------------------------------------------------------
  alignas(64) AtomicStack trim_outbox;  // owner → worker: chains trimmed above high
  AtomicStack free_extra;      // frees that found `active` busy
  AtomicStack free_rcu_inbox;  // free_rcu() → worker
  WorkItem work;
  std::atomic<uint64_t> alloc_fails{0};
  std::atomic<uint64_t> busy_allocs{0};
  std::atomic<uint64_t> reentrant_frees{0};

  // ---- worker side: reclaim through grace periods -------------------------
  // Objects to be returned to the backing allocator after a tasks-trace and
  // then a normal grace period. Until their batch starts, refills may reuse
  // them (pushed by the worker and callbacks, taken whole by anyone).
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

// The owner side's critical section: enter() is true when no other call on
// this cpu was interrupted to get here (depth 1); leave() with that depth.
inline bool enter(Cache* c, int& depth) {
  depth = c->active.load(std::memory_order_relaxed) + 1;
  c->active.store(depth, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  return depth == 1;
}
inline void leave(Cache* c, int depth) {
  std::atomic_signal_fence(std::memory_order_seq_cst);
  c->active.store(depth - 1, std::memory_order_relaxed);
}

// Per-cpu areas: [stride | pad | cpu0 | cpu1 | ...]; pptr points at cpu0.
inline constexpr size_t kPercpuPrefix = 16;
inline constexpr size_t kPercpuHolder = 16;  // [header | pptr]

}  // namespace detail

struct MemAlloc::Impl {
  Options opts;
  bool general = false;  // 11 classes (else one fixed size)
  bool percpu = false;
  bool slab_backed = false;  // no Backing given: the slab (slab.h) is the source
  unsigned nr_cpus = 0;
  unsigned classes = 0;  // caches per cpu: 11 or 1
  detail::Cache* caches = nullptr;  // nr_cpus * classes, cpu-major
  detail::SlabClass* slabs = nullptr;  // classes: objects back from every cpu
  detail::SlabChunks chunks;            // every chunk the slab mapped
  size_t block_size = 0;  // fixed-size mode: bytes per object, header included

  // Deferred refills: bit k of slot_req[cpu] asks for class k's cache of that
  // cpu to be topped up when the slot is given back (owner side sets it).
  std::atomic<uint32_t>* slot_req = nullptr;
  // Link in the registry of live allocators that slot work walks.
  Impl* reg_prev = nullptr;
  Impl* reg_next = nullptr;

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

  // Backing memory (reclaim.cc). new_object charges the cgroup and may fail;
  // it runs on the owner side of `c` (or at creation). free_chain runs
  // anywhere and returns `count` linked objects first … last.
  detail::Node* new_object(detail::Cache* c);
  void free_chain(detail::Cache* c, detail::Node* first, detail::Node* last, size_t count);
  void free_object(detail::Cache* c, detail::Node* n) { free_chain(c, n, n, 1); }
  size_t object_cost(const detail::Cache* c) const;
  // May the owner call new_object() from here? Task context always; a signal
  // handler only where the source is async-signal-safe.
  bool may_refill_here() const;
};

namespace detail {

// Owner side (mem_alloc.cc): tops a cache up by one batch; the caller is
// inside the cache's critical section. Returns the objects added.
int refill(Cache* c);
// Owner side, inside the critical section: rcu_local to the worker.
void hand_rcu_local(Cache* c);
inline constexpr int kRcuHandoff = 32;
// Worker side (reclaim.cc).
void cache_work(WorkItem* w);
// Grace-period batches started by every allocator: MemAlloc::rcu_barrier()
// repeats until a round starts none.
extern std::atomic<uint64_t> g_batches_started;
// Returns every object a cache holds to the backing allocator (destroy only).
void drain_cache(Cache* c);
// Links in / out of the registry of live allocators (registry.cc), and hooks
// deferred refills into cpu slot releases.
void register_alloc(MemAlloc::Impl* ma);
void unregister_alloc(MemAlloc::Impl* ma);
// Every live allocator's rcu_local lists of `cpu`, the caller's slot, to the
// worker (task context: MemAlloc::rcu_barrier).
void hand_rcu_locals(unsigned cpu);
// Asks for cache c (the caller's cpu) to be topped up, and its rcu_local
// handed over, at the slot's release.
void request_refill(Cache* c);

}  // namespace detail

}  // namespace ringb::mem
