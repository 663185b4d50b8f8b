// ringb/mem.h — the BPF memory allocator (the kernel's bpf_mem_alloc) in user space.
//
// An allocator usable from any context, a signal handler included: per-cpu,
// per-size-class LIFO caches of free objects in front of a backing source (by
// default ringb's own async-signal-safe slab of mmap'd chunks). The hot path
// only pops or pushes a cpu-local list. A cache that runs empty refills itself
// on the spot, and one left below its low watermark is topped up when its cpu
// slot is given back (the kernel's irq_work, which fires on the same cpu as
// soon as the program lets interrupts in); caches above a high watermark are
// trimmed through a background worker. Trimmed objects return to the backing
// source only after an RCU grace period (and, first, a tasks-trace one), so a
// reader inside an RCU section never sees memory handed back; objects on a
// free list may be reused at once (type-stable).
//
// So alloc() returns NULL only at the memory limit, when the OS refuses
// memory, or in interrupt context (cpu::Context::Interrupt) when it
// interrupted another call on the same cache — the kernel's NMI rule.
//
// Modes, chosen at creation:
//   general       kmalloc()/kfree() equivalent: alloc(size)/free(p), sizes 1…4088
//                 in 11 classes 16…4096 (an 8-byte header is included).
//   fixed size    kmem_cache_alloc()/kmem_cache_free() equivalent:
//                 cache_alloc()/cache_free() of one element size (map elements).
//   per-cpu       either of the above, but each object is an area with one copy
//                 per cpu; the pointer returned points at the per-cpu pointer
//                 (read it with percpu_ptr()), and free takes that back. Fresh
//                 areas are zero-filled for every cpu.
//
// Calls may come from any thread. A thread that holds a cpu slot (CpuGuard, as
// every program run does) uses that cpu's caches; otherwise the call takes a
// slot for its duration. free() never fails and never loses an object.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ringb/error.h"

namespace ringb::mem {

// The size classes, header included. The largest general request is
// kMaxUnitSize - kHeaderSize = 4088 bytes.
inline constexpr size_t kHeaderSize = 8;
inline constexpr size_t kNumClasses = 11;
inline constexpr size_t kClassSizes[kNumClasses] = {16,  32,  64,   96,   128, 192,
                                                    256, 512, 1024, 2048, 4096};
inline constexpr size_t kMaxUnitSize = 4096;
inline constexpr size_t kMaxAllocSize = kMaxUnitSize - kHeaderSize;
// Fixed-size mode takes larger elements (hash maps with big values), like a
// kmem_cache; per-cpu elements are bounded like the kernel's per-cpu values.
inline constexpr size_t kMaxElemSize = size_t{1} << 20;
inline constexpr size_t kMaxPercpuElemSize = size_t{32} << 10;

// Index into kClassSizes of the smallest class holding `unit_size` bytes
// (header included), or -1 when unit_size is 0 or above 4096. Inline: it is
// on the alloc hot path.
namespace detail {
// Unit sizes 1…192 in steps of 8 → class: like kmalloc's table, without an
// 8-byte class (the header alone takes 8), with 96 and 192.
inline constexpr uint8_t kSmallClass[24] = {0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                            4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5};
}  // namespace detail
inline int size_class_index(size_t unit_size) {
  if (unit_size - 1 < 192) return detail::kSmallClass[(unit_size - 1) / 8];
  // 193…256 → 6, 257…512 → 7, …, 2049…4096 → 10. (The seed's fls(size-1)-1
  // was one class too big; the kernel later fixed it to -2.)
  if (unit_size - 1 < kMaxUnitSize) return static_cast<int>(std::bit_width(unit_size - 1)) - 2;
  return -1;  // 0 (wrapped) or above 4096
}

// Watermarks for one cache of the given unit size (REFERENCE §1).
struct Watermarks {
  int low, high, batch, prefill;
};
Watermarks watermarks_for(size_t unit_size);

// What memory comes from and goes back to, when a host wants to choose (tests
// track every block with one). Without one (alloc == nullptr) the allocator
// carves objects from its own mmap'd slab, which is async-signal-safe.
// `alloc` is called by refills, on the thread whose cache runs low (never in
// a signal handler unless `async_signal_safe`), and at creation; `free` in
// RCU callbacks and at destruction, with the size that was allocated.
struct Backing {
  void* (*alloc)(size_t size, void* ctx) = nullptr;
  void (*free)(void* p, size_t size, void* ctx) = nullptr;
  void* ctx = nullptr;
  bool async_signal_safe = false;  // alloc may run in a signal handler
};

// The memcg analogue: bytes charged by every allocator that shares it, and an
// optional limit past which refills (and so allocations) fail cleanly.
class MemCgroup {
 public:
  static constexpr size_t kUnlimited = SIZE_MAX;
  explicit MemCgroup(size_t limit_bytes = kUnlimited);
  ~MemCgroup();
  MemCgroup(const MemCgroup&) = delete;
  MemCgroup& operator=(const MemCgroup&) = delete;

  size_t charged() const;
  size_t limit() const;
  void set_limit(size_t limit_bytes);
  size_t failed_charges() const;

  // Used by allocators: charge fails (returns false, charges nothing) when it
  // would pass the limit.
  [[nodiscard]] bool try_charge(size_t bytes);
  void uncharge(size_t bytes);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

struct Options {
  std::string name = "mem";
  // 0: general mode (11 size classes). Otherwise fixed-size mode for elements
  // of exactly this many bytes (at most kMaxElemSize; per-cpu:
  // kMaxPercpuElemSize).
  size_t unit_size = 0;
  bool percpu = false;
  MemCgroup* cgroup = nullptr;  // not owned; must outlive the allocator
  Backing backing;
  // Fixed-size mode: runs once on each object taken from the backing
  // allocator, before anyone can see it (kmem_cache's ctor). A freed object
  // keeps its bytes until it is handed out again (the allocator links free
  // objects through their header only), so memory that lock-free readers may
  // still walk after a free (hash elements reused at once) needs
  // initialising only once, here, never on reuse.
  void (*constructor)(void* obj) = nullptr;
};

// Per-cache statistics; a snapshot, read racily while the allocator runs.
struct CacheStats {
  int cpu = 0;
  size_t unit_size = 0;
  int low = 0, high = 0, batch = 0;
  int free_count = 0;       // objects on this cpu's free list
  uint64_t refills = 0;     // batches the worker delivered
  uint64_t trims = 0;       // batches trimmed off above the high watermark
  uint64_t alloc_fails = 0; // alloc() returned nullptr (empty, busy or limit)
  uint64_t busy_allocs = 0; // of those: it interrupted another call on this cpu
  uint64_t reentrant_frees = 0;  // frees that found the cache busy (extra list)
};

struct Stats {
  std::vector<CacheStats> caches;  // cpu-major, class-minor
  uint64_t backing_allocs = 0;  // objects taken from the slab or the Backing
  uint64_t backing_frees = 0;   // objects returned to it
  uint64_t reused = 0;          // trimmed objects handed out again by refills
  uint64_t in_flight = 0;       // objects waiting for a grace period
  uint64_t rcu_batches = 0;     // grace-period batches started
  size_t bytes_held = 0;        // bytes of backing memory this allocator holds
  size_t metadata_bytes = 0;    // the caches themselves
  size_t slab_mapped = 0;       // bytes of chunks the slab has mapped
};

class MemAlloc {
 public:
  // bpf_mem_alloc_init(): builds the per-cpu caches and prefills them.
  // Errors: EINVAL/E2BIG for a bad unit size, ENOMEM when the cgroup limit
  // does not allow the prefill.
  static Expected<std::unique_ptr<MemAlloc>> create(const Options& options);

  // bpf_mem_alloc_destroy(): the caller guarantees no object is still in use
  // and no other thread calls into the allocator. Waits for grace-period
  // callbacks still in flight, returns every object to the backing allocator.
  // Must not run inside an RCU read-side section.
  ~MemAlloc();
  MemAlloc(const MemAlloc&) = delete;
  MemAlloc& operator=(const MemAlloc&) = delete;

  // kmalloc()/kfree() equivalent (general mode). alloc() returns nullptr for
  // size 0 or above kMaxAllocSize, at the memory limit, when the OS refuses
  // memory, or in interrupt context when it interrupted another call on this
  // cpu's cache (or the cache is empty and the Backing is not signal-safe).
  void* alloc(size_t size);
  void free(void* p);
  // Like free(), but the object is not reused before an RCU grace period
  // (bpf_obj_drop of objects that RCU readers may still see).
  void free_rcu(void* p);

  // kmem_cache_alloc()/kmem_cache_free() equivalent (fixed-size mode).
  void* cache_alloc();
  void cache_free(void* p);
  void cache_free_rcu(void* p);

  // alloc() for hosts that want to know why: E2BIG (size above 4088), EINVAL
  // (size 0 or wrong mode), ENOMEM (memory limit, the OS, or reentered).
  Expected<void*> try_alloc(size_t size);

  // Per-cpu mode: the area behind the pointer alloc() returned.
  static void* percpu_ptr(void* obj, unsigned cpu);

  Stats stats() const;
  size_t bytes_held() const;
  const Options& options() const;

  // Runs the worker's pending work (trimmed objects into grace-period
  // batches) for every allocator now, on this thread, and waits for work
  // already running; tests and benchmarks use it to reach a steady state.
  static void flush_work();
  // Stops and restarts the background worker (tests: prove the hot path
  // never needs it). flush_work() still runs work on the caller.
  static void pause_worker();
  static void resume_worker();
  // Waits until every object freed before the call has passed its grace
  // periods: returned to the backing allocator, or (free_rcu) reusable.
  static void rcu_barrier();

  struct Impl;

 private:
  explicit MemAlloc(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ringb::mem
