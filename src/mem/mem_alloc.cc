// mem_alloc.cc — the allocator's hot paths (unit_alloc/unit_free), the
// owner's refill, creation with prefill, and destruction. The worker side is
// in reclaim.cc.
//
// The hot pair only pops or pushes the cpu-local list. When the list is empty
// the owner refills it in place (the kernel's irq_work, which runs on the same
// cpu as soon as the program lets interrupts in); when an alloc leaves it below
// the low watermark it asks for a top-up when the slot is given back. Above the
// high watermark it cuts a chain off for the worker. It never takes a lock.
#include <cstdio>
#include <cstdlib>
#include <new>

#include "cache.h"
#include "ringb/cpu.h"

namespace ringb::mem {

using detail::Cache;
using detail::Node;

namespace {

// ---- owner side: serialised by `active` (see cache.h) ---------------------

using detail::enter;
using detail::leave;

inline void owner_add(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// Above the high watermark: cut the excess down to (low + high) / 2 off the
// head of the list and hand it to the worker.
[[gnu::noinline]] void trim_slow(Cache* c) {
  const int cnt = c->free_cnt.load(std::memory_order_relaxed);
  const int excess = cnt - (c->low + c->high) / 2;
  Node* first = c->free_list;
  Node* last = first;
  for (int i = 1; i < excess; ++i) last = last->next;
  c->free_list = last->next;
  c->free_cnt.store(cnt - excess, std::memory_order_relaxed);
  c->trim_outbox.push_chain(first, last);
  owner_add(c->trims, 1);
  detail::queue_work(&c->work);
}

// An alloc emptied the list: refill it now if this context may, else leave
// the request for the slot's release (or fail, as the kernel's NMI does).
[[gnu::noinline]] void refill_empty(Cache* c) {
  if (c->ma->may_refill_here()) detail::refill(c);
  if (c->free_cnt.load(std::memory_order_relaxed) < c->low) detail::request_refill(c);
}

inline void* unit_alloc(Cache* c) {
  Node* n = nullptr;
  int depth;
  if (enter(c, depth)) [[likely]] {
    if (!c->free_list) [[unlikely]]
      refill_empty(c);
    n = c->free_list;
    if (n) [[likely]] {
      c->free_list = n->next;
      const int cnt = c->free_cnt.load(std::memory_order_relaxed) - 1;
      c->free_cnt.store(cnt, std::memory_order_relaxed);
      if (cnt < c->low) [[unlikely]]
        detail::request_refill(c);
    }
  } else {
    c->busy_allocs.fetch_add(1, std::memory_order_relaxed);
  }
  leave(c, depth);
  if (!n) [[unlikely]] {
    c->alloc_fails.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  detail::owner_of(n) = c;
  return detail::user_of(n);
}

inline void unit_free(Cache* c, Node* n) {
  int depth;
  if (enter(c, depth)) [[likely]] {
    n->next = c->free_list;
    c->free_list = n;
    const int cnt = c->free_cnt.load(std::memory_order_relaxed) + 1;
    c->free_cnt.store(cnt, std::memory_order_relaxed);
    if (cnt > c->high) [[unlikely]]
      trim_slow(c);
  } else {
    // Interrupted another call on this cpu: free must not fail.
    c->free_extra.push(n);
    c->reentrant_frees.fetch_add(1, std::memory_order_relaxed);
    detail::queue_work(&c->work);
  }
  leave(c, depth);
}

[[maybe_unused, noreturn, gnu::noinline]] void bad_free(const MemAlloc::Impl* ma, const void* p) {
  std::fprintf(stderr,
               "ringb mem: invalid free of %p in allocator '%s': double free, or a pointer "
               "this allocator did not return\n",
               p, ma->opts.name.c_str());
  std::abort();
}

// The cache a free of user pointer p goes to: the same class on the calling
// thread's cpu. -1 cpu: no slot could be had (see CpuGuard); the caller then
// hands the object to the owner cache's extra list.
inline Cache* free_target(MemAlloc::Impl* ma, Node* n, int cpu) {
  Cache* owner = detail::owner_of(n);
#if RINGB_DEBUG_CHECKS
  if (!ma->owns(owner)) bad_free(ma, detail::user_of(n));
#endif
  if (owner->cpu == cpu) [[likely]]  // freed on the cpu that allocated it
    return owner;
  return ma->cache(static_cast<unsigned>(cpu), owner->class_index);
}

// Slow paths for threads that hold no cpu slot: take one for the call.
[[gnu::noinline]] void* alloc_unpinned(MemAlloc::Impl* ma, unsigned idx) {
  cpu::CpuGuard guard;
  if (guard.cpu() < 0) return nullptr;
  return unit_alloc(ma->cache(static_cast<unsigned>(guard.cpu()), idx));
}

[[gnu::noinline]] void free_unpinned(MemAlloc::Impl* ma, Node* n) {
  cpu::CpuGuard guard;
  if (guard.cpu() < 0) {
    Cache* owner = detail::owner_of(n);
#if RINGB_DEBUG_CHECKS
    if (!ma->owns(owner)) bad_free(ma, detail::user_of(n));
#endif
    owner->free_extra.push(n);
    owner->reentrant_frees.fetch_add(1, std::memory_order_relaxed);
    detail::queue_work(&owner->work);
    return;
  }
  unit_free(free_target(ma, n, guard.cpu()), n);
}

inline void* alloc_class(MemAlloc::Impl* ma, int idx) {
  const int cpu = cpu::current();
  if (cpu >= 0) [[likely]]
    return unit_alloc(ma->cache(static_cast<unsigned>(cpu), static_cast<unsigned>(idx)));
  return alloc_unpinned(ma, static_cast<unsigned>(idx));
}

inline void free_node(MemAlloc::Impl* ma, Node* n) {
  const int cpu = cpu::current();
  if (cpu >= 0) [[likely]]
    unit_free(free_target(ma, n, cpu), n);
  else
    free_unpinned(ma, n);
}

// Classes of a general allocator: unit sizes include the header, except in
// per-cpu mode where the header lives in the holder, not in the area.
inline int class_for(const MemAlloc::Impl* ma, size_t size) {
  if (ma->percpu) return size_class_index(size);
  return size - 1 < kMaxAllocSize ? size_class_index(size + kHeaderSize) : -1;  // no wrap-around
}

}  // namespace

namespace {

// Up to `want` objects from the reserve onto the free list (not counted in
// free_cnt yet: the caller stores the total).
int take_reserve(Cache* c, int want) {
  int got = 0;
  for (; got < want && c->reserve; ++got) {
    Node* n = c->reserve;
    c->reserve = n->next;
    n->next = c->free_list;
    c->free_list = n;
  }
  return got;
}

}  // namespace

// Tops the cache up by one batch, owner side: first objects that other caches
// of this class let go of and that may be reused at once (trimmed, extra, and
// staged for their grace periods — type-stable), then new ones from the
// slab or the backing allocator. A source list is taken whole (so racing
// takers, the worker and other owners, never see a half-taken list) and
// becomes the cache's reserve, which refills then use a batch at a time.
int detail::refill(Cache* c) {
  MemAlloc::Impl* ma = c->ma;
  const int before = c->free_cnt.load(std::memory_order_relaxed);
  int got = take_reserve(c, c->batch);
  for (unsigned i = 0; i < ma->nr_cpus && got < c->batch; ++i) {
    Cache* donor = ma->cache((c->cpu + i) % ma->nr_cpus, c->class_index);
    for (AtomicStack* list : {&donor->trim_outbox, &donor->free_extra, &donor->free_by_rcu_ttrace}) {
      if (got >= c->batch) break;
      Node* chain = list->take_all();  // the reserve is empty: got < batch
      if (!chain) continue;
      if (list == &donor->free_by_rcu_ttrace) {  // staged: no longer waiting for a grace period
        int n;
        detail::chain_tail(chain, &n);  // once per list taken, never again
        ma->in_flight.fetch_sub(static_cast<uint64_t>(n), std::memory_order_relaxed);
        ma->reused.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
      }
      c->reserve = chain;
      got += take_reserve(c, c->batch - got);
    }
  }
  // Half a batch of reused objects will do: carving more would grow the slab
  // while other cpus' trimmed objects keep coming (a producer and a consumer).
  const int want = got >= c->batch / 2 ? got : c->batch;
  for (; got < want; ++got) {
    Node* n = ma->new_object(c);
    if (!n) break;  // memory limit, or the OS refused memory
    n->next = c->free_list;
    c->free_list = n;
  }
  c->free_cnt.store(before + got, std::memory_order_relaxed);
  if (got) owner_add(c->refills, 1);
  if (before + got > c->high) trim_slow(c);
  return got;
}

// ---- creation and destruction ----------------------------------------------

Expected<std::unique_ptr<MemAlloc>> MemAlloc::create(const Options& options) {
  auto ma = std::make_unique<Impl>();
  ma->opts = options;
  ma->general = options.unit_size == 0;
  ma->percpu = options.percpu;
  ma->nr_cpus = cpu::nr_cpus();
  ma->classes = ma->general ? kNumClasses : 1;
  ma->slab_backed = options.backing.alloc == nullptr;
  if (!ma->slab_backed && !options.backing.free)
    return Error{EINVAL, "allocator '" + options.name + "': a Backing needs both alloc and free"};

  if (options.constructor && (ma->general || options.percpu))
    return Error{EINVAL, "allocator '" + options.name + "': a constructor needs fixed-size, non-per-cpu mode"};
  size_t fixed_unit = 0;
  if (!ma->general) {
    const size_t max = options.percpu ? kMaxPercpuElemSize : kMaxElemSize;
    if (options.unit_size > max)
      return Error{E2BIG, "allocator '" + options.name + "': element size " +
                              std::to_string(options.unit_size) + " is above the largest, " +
                              std::to_string(max)};
    // Round to 8 bytes, as kmem_cache does for the kernel's caches.
    fixed_unit = (options.unit_size + 7) / 8 * 8 + (options.percpu ? 0 : kHeaderSize);
  }

  detail::start_worker();
  ma->caches = new (std::align_val_t(alignof(Cache))) Cache[ma->cache_count()];
  ma->slabs = new detail::SlabClass[ma->classes];
  ma->slot_req = new std::atomic<uint32_t>[ma->nr_cpus]();
  for (unsigned cpu = 0; cpu < ma->nr_cpus; ++cpu) {
    for (unsigned i = 0; i < ma->classes; ++i) {
      Cache* c = ma->cache(cpu, i);
      c->unit_size = static_cast<uint32_t>(ma->general ? kClassSizes[i] : fixed_unit);
      // Watermarks follow the object size, not the per-cpu area size.
      const Watermarks wm = watermarks_for(c->unit_size);
      c->low = wm.low;
      c->high = wm.high;
      c->batch = wm.batch;
      c->class_index = static_cast<uint16_t>(i);
      c->cpu = static_cast<uint16_t>(cpu);
      c->ma = ma.get();
      c->work.fn = detail::cache_work;
    }
  }
  // Prefill: "assume the first run won't do more than 4 updates".
  for (size_t k = 0; k < ma->cache_count(); ++k) {
    Cache* c = &ma->caches[k];
    const int prefill = watermarks_for(c->unit_size).prefill;
    for (int j = 0; j < prefill; ++j) {
      Node* n = ma->new_object(c);
      if (!n) {
        std::unique_ptr<MemAlloc> cleanup(new MemAlloc(std::move(ma)));
        return Error{ENOMEM, "allocator '" + options.name +
                                 "': cannot prefill its caches (memory limit reached or "
                                 "backing allocator out of memory)"};
      }
      n->next = c->free_list;
      c->free_list = n;
      c->free_cnt.store(c->free_cnt.load() + 1, std::memory_order_relaxed);
    }
  }
  detail::register_alloc(ma.get());
  return std::unique_ptr<MemAlloc>(new MemAlloc(std::move(ma)));
}

MemAlloc::MemAlloc(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MemAlloc::~MemAlloc() {
  Impl* ma = impl_.get();
  // No slot release may top these caches up any more (waits for one that is).
  detail::unregister_alloc(ma);
  // No more work or callbacks may start for these caches; then wait for the
  // ones already started. Callbacks queue work, so flush once more after.
  ma->draining.store(true, std::memory_order_seq_cst);
  detail::flush_work();
  rcu::barrier(rcu::Domain::TasksTrace);
  rcu::barrier(rcu::Domain::Rcu);
  detail::flush_work();
  for (size_t k = 0; k < ma->cache_count(); ++k) detail::drain_cache(&ma->caches[k]);
  ma->chunks.unmap_all();
  ::operator delete[](ma->caches, std::align_val_t(alignof(Cache)));
  delete[] ma->slabs;
  delete[] ma->slot_req;
}

// ---- the API ----------------------------------------------------------------

void* MemAlloc::alloc(size_t size) {
  Impl* ma = impl_.get();
  const int idx = class_for(ma, size);
  if (idx < 0 || !ma->general) [[unlikely]]
    return nullptr;
  return alloc_class(ma, idx);
}

void MemAlloc::free(void* p) {
  if (p) free_node(impl_.get(), detail::node_of(p));
}

void* MemAlloc::cache_alloc() {
  Impl* ma = impl_.get();
  if (ma->general) [[unlikely]]
    return nullptr;
  return alloc_class(ma, 0);
}

void MemAlloc::cache_free(void* p) { free(p); }

void MemAlloc::free_rcu(void* p) {
  if (!p) return;
  Impl* ma = impl_.get();
  Node* n = detail::node_of(p);
  Cache* owner = detail::owner_of(n);
#if RINGB_DEBUG_CHECKS
  if (!ma->owns(owner)) bad_free(ma, p);
#endif
  // Into the freeing cpu's cache when there is one, else the owner's.
  const int cpu = cpu::current();
  Cache* c = cpu >= 0 ? ma->cache(static_cast<unsigned>(cpu), owner->class_index) : owner;
  if (cpu >= 0) [[likely]] {
    // The owner side: onto the cpu's own list, handed to the worker in
    // batches (cache.h). A call that interrupted another one on this cpu
    // takes the atomic path below.
    int depth;
    if (enter(c, depth)) [[likely]] {
      n->next = c->rcu_local;
      if (!c->rcu_local) {
        c->rcu_local_tail = n;
        detail::request_refill(c);  // the slot's release hands the list over
      }
      c->rcu_local = n;
      if (++c->rcu_local_cnt >= detail::kRcuHandoff) detail::hand_rcu_local(c);
      leave(c, depth);
      return;
    }
    leave(c, depth);
  }
  c->free_rcu_inbox.push(n);
  detail::queue_work(&c->work);
}

void detail::hand_rcu_local(Cache* c) {
  if (!c->rcu_local) return;
  c->free_rcu_inbox.push_chain(c->rcu_local, c->rcu_local_tail);
  c->rcu_local = c->rcu_local_tail = nullptr;
  c->rcu_local_cnt = 0;
  detail::queue_work(&c->work);
}

void MemAlloc::cache_free_rcu(void* p) { free_rcu(p); }

Expected<void*> MemAlloc::try_alloc(size_t size) {
  Impl* ma = impl_.get();
  if (!ma->general)
    return Error{EINVAL, "allocator '" + ma->opts.name +
                             "' is a fixed-size allocator: use cache_alloc()"};
  if (size == 0) return Error{EINVAL, "cannot allocate 0 bytes"};
  const size_t max = ma->percpu ? kMaxUnitSize : kMaxAllocSize;
  if (size > max)
    return Error{E2BIG, "cannot allocate " + std::to_string(size) + " bytes: the largest is " +
                            std::to_string(max) +
                            (ma->percpu ? "" : " (4096-byte class minus the 8-byte header)")};
  if (void* p = alloc(size)) return p;
  const int cpu = cpu::current() >= 0 ? cpu::current() : 0;
  const size_t cost = ma->object_cost(ma->cache(static_cast<unsigned>(cpu),
                                                static_cast<unsigned>(class_for(ma, size))));
  if (ma->opts.cgroup && ma->opts.cgroup->charged() + cost > ma->opts.cgroup->limit())
    return Error{ENOMEM, "allocator '" + ma->opts.name + "': memory limit of " +
                             std::to_string(ma->opts.cgroup->limit()) + " bytes reached"};
  if (cpu::in_interrupt())
    return Error{ENOMEM, "allocator '" + ma->opts.name +
                             "': called in interrupt context while this cpu's cache was busy or "
                             "empty (its refill runs when the interrupted call returns)"};
  return Error{ENOMEM, "allocator '" + ma->opts.name + "': out of memory (the system refused more)"};
}

void* MemAlloc::percpu_ptr(void* obj, unsigned cpu) {
  char* pptr = *static_cast<char**>(obj);
  const uint64_t stride = reinterpret_cast<uint64_t*>(pptr - detail::kPercpuPrefix)[0];
  return pptr + stride * cpu;
}

const Options& MemAlloc::options() const { return impl_->opts; }

void MemAlloc::flush_work() { detail::flush_work(); }
void MemAlloc::pause_worker() { detail::pause_worker(); }
void MemAlloc::resume_worker() { detail::resume_worker(); }

void MemAlloc::rcu_barrier() {
  // This thread's own slot first: what it free_rcu()'d and has not handed
  // over yet (other slots hand theirs over when they are given back).
  if (const int cpu = cpu::current(); cpu >= 0) detail::hand_rcu_locals(static_cast<unsigned>(cpu));
  // A tasks-trace callback queues an RCU one: barrier in that order. Finished
  // batches queue work that may start the next batch (one per cache is in
  // flight at a time), so repeat until a round starts none: then every object
  // freed before the call is back in malloc or reusable again.
  for (int round = 0; round < 64; ++round) {
    const uint64_t started = detail::g_batches_started.load(std::memory_order_relaxed);
    detail::flush_work();
    rcu::barrier(rcu::Domain::TasksTrace);
    rcu::barrier(rcu::Domain::Rcu);
    detail::flush_work();  // what the finished batches queued (may start more)
    if (detail::g_batches_started.load(std::memory_order_relaxed) == started) break;
  }
}

}  // namespace ringb::mem
