// stats.cc — MemAlloc::stats(): a racy snapshot of every cache's counters.
#include "cache.h"

namespace ringb::mem {

Stats MemAlloc::stats() const {
  const Impl* ma = impl_.get();
  Stats s;
  s.caches.reserve(ma->cache_count());
  for (size_t k = 0; k < ma->cache_count(); ++k) {
    const detail::Cache& c = ma->caches[k];
    CacheStats cs;
    cs.cpu = c.cpu;
    cs.unit_size = c.unit_size;
    cs.low = c.low;
    cs.high = c.high;
    cs.batch = c.batch;
    cs.free_count = c.free_cnt.load(std::memory_order_relaxed);
    cs.refills = c.refills.load(std::memory_order_relaxed);
    cs.trims = c.trims.load(std::memory_order_relaxed);
    cs.alloc_fails = c.alloc_fails.load(std::memory_order_relaxed);
    cs.busy_allocs = c.busy_allocs.load(std::memory_order_relaxed);
    cs.reentrant_frees = c.reentrant_frees.load(std::memory_order_relaxed);
    s.caches.push_back(cs);
  }
  s.backing_allocs = ma->backing_allocs.load(std::memory_order_relaxed);
  s.backing_frees = ma->backing_frees.load(std::memory_order_relaxed);
  s.reused = ma->reused.load(std::memory_order_relaxed);
  const int64_t in_flight = ma->in_flight.load(std::memory_order_relaxed);
  s.in_flight = in_flight > 0 ? static_cast<uint64_t>(in_flight) : 0;
  s.rcu_batches = ma->rcu_batches.load(std::memory_order_relaxed);
  s.bytes_held = ma->bytes_held.load(std::memory_order_relaxed);
  s.metadata_bytes = sizeof(Impl) + ma->cache_count() * sizeof(detail::Cache);
  s.slab_mapped = ma->chunks.mapped();
  return s;
}

size_t MemAlloc::bytes_held() const { return impl_->bytes_held.load(std::memory_order_relaxed); }

}  // namespace ringb::mem
