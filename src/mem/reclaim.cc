// reclaim.cc — backing memory, and the worker side of the allocator: trimmed
// objects and their way back to the backing source through grace periods.
//
// Life of an object (the kernel's, in user space):
//   slab/backing ─(owner refill)─▶ free_list ⇄ caller        (reuse at once)
//   free_list above high ─▶ trim_outbox ─▶ free_by_rcu_ttrace ─▶ waiting_ttrace
//       ─(tasks-trace GP, then RCU GP)─▶ slab/backing
//   free_rcu() ─▶ free_rcu_inbox ─▶ free_by_rcu ─▶ waiting_for_gp
//       ─(RCU GP)─▶ free_by_rcu_ttrace                       (reusable from here)
// Owner refills (mem_alloc.cc) take trimmed and staged objects of any cpu
// before new ones. One batch per cache and pipeline is in flight at a time.
#include <cstdlib>
#include <cstring>

#include "cache.h"
#include "ringb/cpu.h"

namespace ringb::mem {

using detail::Cache;
using detail::Node;

namespace {

size_t percpu_area_size(const MemAlloc::Impl* ma, const Cache* c) {
  return detail::kPercpuPrefix + static_cast<size_t>(ma->nr_cpus) * c->unit_size;
}

// Per-cpu objects carved from the slab are one block: [holder | area].
size_t slab_object_size(const MemAlloc::Impl* ma, const Cache* c) {
  return ma->percpu ? detail::kPercpuHolder + percpu_area_size(ma, c) : c->unit_size;
}

// A fresh per-cpu area: zero for every cpu, its stride, and the holder's pptr.
void init_percpu_area(Node* holder, void* area, const Cache* c, size_t area_size, bool zeroed) {
  if (!zeroed) std::memset(area, 0, area_size);
  static_cast<uint64_t*>(area)[0] = c->unit_size;  // the stride
  *static_cast<void**>(detail::user_of(holder)) = static_cast<char*>(area) + detail::kPercpuPrefix;
}

// From a host-given Backing (not async-signal-safe in general).
Node* backing_object(MemAlloc::Impl* ma, Cache* c) {
  const Backing& b = ma->opts.backing;
  if (!ma->percpu) {
    Node* n = static_cast<Node*>(b.alloc(c->unit_size, b.ctx));
    if (n && ma->opts.constructor) ma->opts.constructor(detail::user_of(n));
    return n;
  }
  Node* n = static_cast<Node*>(b.alloc(detail::kPercpuHolder, b.ctx));
  if (!n) return nullptr;
  void* area = b.alloc(percpu_area_size(ma, c), b.ctx);
  if (!area) {
    b.free(n, detail::kPercpuHolder, b.ctx);
    return nullptr;
  }
  init_percpu_area(n, area, c, percpu_area_size(ma, c), false);
  return n;
}

void backing_release(MemAlloc::Impl* ma, Cache* c, Node* n) {
  const Backing& b = ma->opts.backing;
  if (ma->percpu) {
    char* pptr = *static_cast<char**>(detail::user_of(n));
    b.free(pptr - detail::kPercpuPrefix, percpu_area_size(ma, c), b.ctx);
    b.free(n, detail::kPercpuHolder, b.ctx);
  } else {
    b.free(n, c->unit_size, b.ctx);
  }
}

// From the slab: owner side only (the cursor is the cache's).
Node* slab_object(MemAlloc::Impl* ma, Cache* c) {
  const size_t size = slab_object_size(ma, c);
  bool fresh = false;
  Node* n = detail::slab_take(c->slab, ma->slabs[c->class_index], ma->chunks, size, &fresh);
  if (!n) return nullptr;
  if (ma->percpu)
    init_percpu_area(n, reinterpret_cast<char*>(n) + detail::kPercpuHolder, c, percpu_area_size(ma, c),
                     fresh);
  else if (fresh && ma->opts.constructor)  // kmem_cache: objects come back constructed
    ma->opts.constructor(detail::user_of(n));
  return n;
}

}  // namespace

size_t MemAlloc::Impl::object_cost(const Cache* c) const {
  return percpu ? detail::kPercpuHolder + percpu_area_size(this, c) : c->unit_size;
}

bool MemAlloc::Impl::may_refill_here() const {
  return slab_backed || opts.backing.async_signal_safe || !cpu::in_interrupt();
}

Node* MemAlloc::Impl::new_object(Cache* c) {
  const size_t cost = object_cost(c);
  if (opts.cgroup && !opts.cgroup->try_charge(cost)) return nullptr;
  Node* n = slab_backed ? slab_object(this, c) : backing_object(this, c);
  if (!n) {
    if (opts.cgroup) opts.cgroup->uncharge(cost);
    return nullptr;
  }
  bytes_held.fetch_add(cost, std::memory_order_relaxed);
  backing_allocs.fetch_add(1, std::memory_order_relaxed);
  return n;
}

void MemAlloc::Impl::free_chain(Cache* c, Node* first, Node* last, size_t count) {
  const size_t cost = object_cost(c);
  if (slab_backed) {
    detail::slab_return(slabs[c->class_index], first, last, slab_object_size(this, c));
  } else {
    for (Node* n = first;;) {
      Node* next = n->next;
      const bool end = n == last;
      backing_release(this, c, n);
      if (end) break;
      n = next;
    }
  }
  if (opts.cgroup) opts.cgroup->uncharge(cost * count);
  bytes_held.fetch_sub(cost * count, std::memory_order_relaxed);
  backing_frees.fetch_add(count, std::memory_order_relaxed);
}

namespace detail {

std::atomic<uint64_t> g_batches_started{0};

namespace {

Cache* cache_of(WorkItem* w) {
  return reinterpret_cast<Cache*>(reinterpret_cast<char*>(w) - offsetof(Cache, work));
}

Cache* cache_of_ttrace(rcu::Head* h) {
  return reinterpret_cast<Cache*>(reinterpret_cast<char*>(h) - offsetof(Cache, ttrace_head));
}

Cache* cache_of_rcu(rcu::Head* h) {
  return reinterpret_cast<Cache*>(reinterpret_cast<char*>(h) - offsetof(Cache, rcu_head));
}

// Moves a chain into the reclaim staging list; returns its length.
int stage_for_reclaim(Cache* c, Node* chain) {
  if (!chain) return 0;
  int n;
  Node* last = detail::chain_tail(chain, &n);
  c->free_by_rcu_ttrace.push_chain(chain, last);
  c->ma->in_flight.fetch_add(n, std::memory_order_relaxed);
  return n;
}

// ---- tasks-trace + RCU pipeline: back to the backing allocator -------------

// Returns a chain to the backing source; returns its length.
int free_all(Cache* c, Node* chain) {
  if (!chain) return 0;
  int n;
  Node* last = detail::chain_tail(chain, &n);
  c->ma->free_chain(c, chain, last, static_cast<size_t>(n));
  return n;
}

void ttrace_batch_done(rcu::Head* h) {  // after the RCU grace period
  Cache* c = cache_of_ttrace(h);
  MemAlloc::Impl* ma = c->ma;
  const int n = free_all(c, c->waiting_ttrace);
  c->waiting_ttrace = nullptr;
  ma->in_flight.fetch_sub(n, std::memory_order_relaxed);
  c->ttrace_in_progress.store(false, std::memory_order_seq_cst);
  if (!ma->draining.load(std::memory_order_seq_cst) && !c->free_by_rcu_ttrace.empty())
    queue_work(&c->work);
}

void ttrace_gp_done(rcu::Head* h) {  // after the tasks-trace grace period
  rcu::call(rcu::Domain::Rcu, h, ttrace_batch_done);
}

void start_ttrace_batch(Cache* c) {
  if (c->ttrace_in_progress.load(std::memory_order_acquire)) return;
  Node* batch = c->free_by_rcu_ttrace.take_all();
  if (!batch) return;
  c->waiting_ttrace = batch;
  c->ttrace_in_progress.store(true, std::memory_order_relaxed);
  c->ma->rcu_batches.fetch_add(1, std::memory_order_relaxed);
  g_batches_started.fetch_add(1, std::memory_order_relaxed);
  rcu::call(rcu::Domain::TasksTrace, &c->ttrace_head, ttrace_gp_done);
}

// ---- free_rcu pipeline: one RCU grace period, then reusable ---------------

void free_rcu_batch_done(rcu::Head* h) {
  Cache* c = cache_of_rcu(h);
  c->free_by_rcu_ttrace.push_chain(c->waiting_for_gp, c->waiting_for_gp_tail);
  c->waiting_for_gp = c->waiting_for_gp_tail = nullptr;
  c->rcu_in_progress.store(false, std::memory_order_seq_cst);
  if (!c->ma->draining.load(std::memory_order_seq_cst)) queue_work(&c->work);
}

void collect_free_rcu(Cache* c) {
  Node* chain = c->free_rcu_inbox.take_all();
  if (chain) {
    int n;
    Node* last = detail::chain_tail(chain, &n);
    if (!c->free_by_rcu) c->free_by_rcu_tail = last;
    last->next = c->free_by_rcu;
    c->free_by_rcu = chain;
    c->ma->in_flight.fetch_add(n, std::memory_order_relaxed);
  }
  if (!c->free_by_rcu || c->rcu_in_progress.load(std::memory_order_acquire)) return;
  c->waiting_for_gp = c->free_by_rcu;
  c->waiting_for_gp_tail = c->free_by_rcu_tail;
  c->free_by_rcu = c->free_by_rcu_tail = nullptr;
  c->rcu_in_progress.store(true, std::memory_order_relaxed);
  c->ma->rcu_batches.fetch_add(1, std::memory_order_relaxed);
  g_batches_started.fetch_add(1, std::memory_order_relaxed);
  rcu::call(rcu::Domain::Rcu, &c->rcu_head, free_rcu_batch_done);
}


}  // namespace

// The work item of one cache: the hand-offs into grace-period batches (what
// the kernel's irq_work does besides refilling, which owners do themselves).
void cache_work(WorkItem* w) {
  Cache* c = cache_of(w);
  if (c->ma->draining.load(std::memory_order_seq_cst)) return;
  stage_for_reclaim(c, c->trim_outbox.take_all());
  stage_for_reclaim(c, c->free_extra.take_all());
  collect_free_rcu(c);
  start_ttrace_batch(c);
}

void drain_cache(Cache* c) {
  free_all(c, c->free_list);
  c->free_list = nullptr;
  free_all(c, c->reserve);
  c->reserve = nullptr;
  c->free_cnt.store(0, std::memory_order_relaxed);
  free_all(c, c->trim_outbox.take_all());
  free_all(c, c->free_extra.take_all());
  free_all(c, c->rcu_local);
  c->rcu_local = c->rcu_local_tail = nullptr;
  c->rcu_local_cnt = 0;
  free_all(c, c->free_rcu_inbox.take_all());
  free_all(c, c->free_by_rcu);
  c->free_by_rcu = c->free_by_rcu_tail = nullptr;
  free_all(c, c->free_by_rcu_ttrace.take_all());
  // waiting_* are empty: destroy ran the barriers first.
}

}  // namespace detail
}  // namespace ringb::mem
