// registry.cc — deferred refills: the live allocators, and the hook that tops
// up a slot's caches when the slot is given back in task context (the
// kernel's irq_work firing once the program lets interrupts in again).
//
// An alloc that leaves a cache below its low watermark sets the class's bit
// in its allocator's slot_req[cpu] and raises the slot's flag (cpu.h); both
// are plain owner-side stores, safe in a signal handler. The hook walks the
// registry under a mutex: it runs only in task context, never in a handler,
// and allocator destruction takes the same mutex to unlink, so the hook never
// sees a cache that is going away.
#include <mutex>

#include "cache.h"
#include "ringb/cpu.h"

namespace ringb::mem::detail {
namespace {

std::mutex g_registry_mu;
MemAlloc::Impl* g_registry = nullptr;  // guarded by g_registry_mu

// Owner side of cache c: inside its critical section, as an alloc would be.
void top_up(Cache* c) {
  int depth;
  if (enter(c, depth)) {
    hand_rcu_local(c);
    if (c->free_cnt.load(std::memory_order_relaxed) < c->low) refill(c);
  }
  leave(c, depth);
}

void run_slot_work(unsigned cpu) {
  std::unique_lock<std::mutex> lock(g_registry_mu, std::try_to_lock);
  if (!lock.owns_lock()) {  // an allocator is being created or destroyed: next time
    cpu::request_slot_work();
    return;
  }
  for (MemAlloc::Impl* ma = g_registry; ma; ma = ma->reg_next) {
    if (ma->slot_req[cpu].load(std::memory_order_relaxed) == 0) continue;
    uint32_t bits = ma->slot_req[cpu].exchange(0, std::memory_order_relaxed);
    for (; bits; bits &= bits - 1) top_up(ma->cache(cpu, static_cast<unsigned>(__builtin_ctz(bits))));
  }
}

}  // namespace

void hand_rcu_locals(unsigned cpu) {
  std::lock_guard<std::mutex> lock(g_registry_mu);
  for (MemAlloc::Impl* ma = g_registry; ma; ma = ma->reg_next)
    for (unsigned i = 0; i < ma->classes; ++i) {
      Cache* c = ma->cache(cpu, i);
      int depth;
      if (enter(c, depth)) hand_rcu_local(c);
      leave(c, depth);
    }
}

void register_alloc(MemAlloc::Impl* ma) {
  std::lock_guard<std::mutex> lock(g_registry_mu);
  cpu::set_slot_work_hook(run_slot_work);
  ma->reg_prev = nullptr;
  ma->reg_next = g_registry;
  if (g_registry) g_registry->reg_prev = ma;
  g_registry = ma;
}

void unregister_alloc(MemAlloc::Impl* ma) {
  std::lock_guard<std::mutex> lock(g_registry_mu);
  if (ma->reg_prev)
    ma->reg_prev->reg_next = ma->reg_next;
  else if (g_registry == ma)
    g_registry = ma->reg_next;
  if (ma->reg_next) ma->reg_next->reg_prev = ma->reg_prev;
  ma->reg_prev = ma->reg_next = nullptr;
}

void request_refill(Cache* c) {
  std::atomic<uint32_t>& req = c->ma->slot_req[c->cpu];
  const uint32_t bit = 1u << c->class_index;
  const uint32_t cur = req.load(std::memory_order_relaxed);
  if (cur & bit) return;  // asked already
  // Owner side: the thread holding the slot and its nested handlers only; the
  // hook's exchange runs on the same thread. fetch_or keeps a handler's bit.
  req.fetch_or(bit, std::memory_order_relaxed);
  cpu::request_slot_work();
}

}  // namespace ringb::mem::detail
