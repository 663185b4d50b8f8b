// test_util.h — small helpers shared by the allocator tests.
#pragma once

#include <memory>

#include <gtest/gtest.h>

#include "ringb/mem.h"

namespace ringb::testing {

inline std::unique_ptr<mem::MemAlloc> make_alloc(const mem::Options& o) {
  auto r = mem::MemAlloc::create(o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r.value()) : nullptr;
}

// alloc() that lets the worker refill when this cpu's cache is empty.
inline void* alloc_or_refill(mem::MemAlloc& ma, size_t size) {
  for (int i = 0; i < 1000; ++i) {
    if (void* p = size ? ma.alloc(size) : ma.cache_alloc()) return p;
    mem::MemAlloc::flush_work();
  }
  return nullptr;
}

// Pauses the background worker for a scope, so that a test decides when
// work runs (with MemAlloc::flush_work()).
class WorkerPaused {
 public:
  WorkerPaused() { mem::MemAlloc::pause_worker(); }
  ~WorkerPaused() { mem::MemAlloc::resume_worker(); }
};

// The stats of cache (cpu, class).
inline mem::CacheStats cache_stats(const mem::MemAlloc& ma, int cpu, size_t cls) {
  const size_t per_cpu = ma.options().unit_size == 0 ? mem::kNumClasses : 1;
  return ma.stats().caches[static_cast<size_t>(cpu) * per_cpu + cls];
}

}  // namespace ringb::testing
