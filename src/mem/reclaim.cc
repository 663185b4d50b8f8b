// reclaim.cc — the worker side of the allocator: refill batches, trimmed
// objects, and their way back to the backing allocator through grace periods.
//
// Life of an object (the kernel's, in user space):
//   backing ─▶ refill_inbox ─▶ free_list ⇄ caller           (reuse at once)
//   free_list above high ─▶ trim_outbox ─▶ free_by_rcu_ttrace ─▶ waiting_ttrace
//       ─(tasks-trace GP, then RCU GP)─▶ backing
//   free_rcu() ─▶ free_rcu_inbox ─▶ free_by_rcu ─▶ waiting_for_gp
//       ─(RCU GP)─▶ free_by_rcu_ttrace                       (reusable from here)
// Refills take objects from free_by_rcu_ttrace of any cpu before asking the
// backing allocator. One batch per cache and pipeline is in flight at a time.
#include <cstdlib>
#include <cstring>

#include "cache.h"

namespace ringb::mem {

using detail::Cache;
using detail::Node;

namespace {

void* backing_alloc(const Backing& b, size_t size) {
  return b.alloc ? b.alloc(size, b.ctx) : std::malloc(size);
}

void backing_free(const Backing& b, void* p, size_t size) {
  if (b.free)
    b.free(p, size, b.ctx);
  else
    std::free(p);
}

size_t percpu_area_size(const MemAlloc::Impl* ma, const Cache* c) {
  return detail::kPercpuPrefix + static_cast<size_t>(ma->nr_cpus) * c->unit_size;
}

}  // namespace

size_t MemAlloc::Impl::object_cost(const Cache* c) const {
  return percpu ? detail::kPercpuHolder + percpu_area_size(this, c) : c->unit_size;
}

Node* MemAlloc::Impl::new_object(Cache* c) {
  const size_t cost = object_cost(c);
  if (opts.cgroup && !opts.cgroup->try_charge(cost)) return nullptr;
  Node* n;
  if (!percpu) {
    n = static_cast<Node*>(backing_alloc(opts.backing, c->unit_size));
    if (n && opts.constructor) opts.constructor(detail::user_of(n));
  } else {
    n = static_cast<Node*>(backing_alloc(opts.backing, detail::kPercpuHolder));
    void* area = n ? backing_alloc(opts.backing, percpu_area_size(this, c)) : nullptr;
    if (n && !area) {
      backing_free(opts.backing, n, detail::kPercpuHolder);
      n = nullptr;
    }
    if (n) {
      std::memset(area, 0, percpu_area_size(this, c));  // zero-filled for every cpu
      static_cast<uint64_t*>(area)[0] = c->unit_size;    // the stride
      *static_cast<void**>(detail::user_of(n)) = static_cast<char*>(area) + detail::kPercpuPrefix;
    }
  }
  if (!n) {
    if (opts.cgroup) opts.cgroup->uncharge(cost);
    return nullptr;
  }
  bytes_held.fetch_add(cost, std::memory_order_relaxed);
  backing_allocs.fetch_add(1, std::memory_order_relaxed);
  return n;
}

void MemAlloc::Impl::free_object(Cache* c, Node* n) {
  const size_t cost = object_cost(c);
  if (percpu) {
    char* pptr = *static_cast<char**>(detail::user_of(n));
    backing_free(opts.backing, pptr - detail::kPercpuPrefix, percpu_area_size(this, c));
    backing_free(opts.backing, n, detail::kPercpuHolder);
  } else {
    backing_free(opts.backing, n, c->unit_size);
  }
  if (opts.cgroup) opts.cgroup->uncharge(cost);
  bytes_held.fetch_sub(cost, std::memory_order_relaxed);
  backing_frees.fetch_add(1, std::memory_order_relaxed);
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
  int n = 1;
  Node* last = chain;
  while (last->next) {
    last = last->next;
    ++n;
  }
  c->free_by_rcu_ttrace.push_chain(chain, last);
  c->ma->in_flight.fetch_add(n, std::memory_order_relaxed);
  return n;
}

// ---- refill ---------------------------------------------------------------

void refill(Cache* c) {
  MemAlloc::Impl* ma = c->ma;
  Node* batch = nullptr;
  int n = 0;
  // Trimmed objects of the same class on any cpu first: type-stable reuse.
  for (unsigned i = 0; i < ma->nr_cpus && n < c->batch; ++i) {
    Cache* donor = ma->cache((c->cpu + i) % ma->nr_cpus, c->class_index);
    while (n < c->batch) {
      Node* obj = donor->free_by_rcu_ttrace.pop();
      if (!obj) break;
      obj->next = batch;
      batch = obj;
      ++n;
    }
  }
  if (n) {
    ma->reused.fetch_add(n, std::memory_order_relaxed);
    ma->in_flight.fetch_sub(n, std::memory_order_relaxed);
  }
  while (n < c->batch) {
    Node* obj = ma->new_object(c);
    if (!obj) break;  // memory limit or backing allocator exhausted
    obj->next = batch;
    batch = obj;
    ++n;
  }
  if (!batch) return;
  c->refill_inbox_count.store(n, std::memory_order_relaxed);
  c->refill_inbox.store(batch, std::memory_order_release);
}

// ---- tasks-trace + RCU pipeline: back to the backing allocator -------------

void ttrace_batch_done(rcu::Head* h) {  // after the RCU grace period
  Cache* c = cache_of_ttrace(h);
  MemAlloc::Impl* ma = c->ma;
  int n = 0;
  for (Node* obj = c->waiting_ttrace; obj;) {
    Node* next = obj->next;
    ma->free_object(c, obj);
    obj = next;
    ++n;
  }
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
    int n = 1;
    Node* last = chain;
    while (last->next) {
      last = last->next;
      ++n;
    }
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

void free_all(Cache* c, Node* chain) {
  while (chain) {
    Node* next = chain->next;
    c->ma->free_object(c, chain);
    chain = next;
  }
}

}  // namespace

// The work item of one cache: what bpf_mem_refill() does, plus the hand-offs.
void cache_work(WorkItem* w) {
  Cache* c = cache_of(w);
  if (c->ma->draining.load(std::memory_order_seq_cst)) return;
  stage_for_reclaim(c, c->trim_outbox.take_all());
  stage_for_reclaim(c, c->free_extra.take_all());
  collect_free_rcu(c);
  // Racy read of free_cnt: a refill too many or too few is harmless.
  if (c->refill_inbox.load(std::memory_order_acquire) == nullptr &&
      c->free_cnt.load(std::memory_order_relaxed) < c->low)
    refill(c);
  start_ttrace_batch(c);
}

void drain_cache(Cache* c) {
  free_all(c, c->free_list);
  c->free_list = nullptr;
  c->free_cnt.store(0, std::memory_order_relaxed);
  free_all(c, c->refill_inbox.exchange(nullptr));
  free_all(c, c->trim_outbox.take_all());
  free_all(c, c->free_extra.take_all());
  free_all(c, c->free_rcu_inbox.take_all());
  free_all(c, c->free_by_rcu);
  c->free_by_rcu = c->free_by_rcu_tail = nullptr;
  free_all(c, c->free_by_rcu_ttrace.take_all());
  // waiting_* are empty: destroy ran the barriers first.
}

}  // namespace detail
}  // namespace ringb::mem
