// heap.cc — the process's object allocators, the kernel's bpf_global_ma
// (bpf_obj_new) and bpf_global_percpu_ma (bpf_percpu_obj_new), created once
// by init() and never destroyed (objects may outlive every map and program,
// as in the kernel), and the counters stats() reports.
#include <atomic>
#include <mutex>

#include "heap.h"
#include "ringb/cpu.h"
#include "ringb/objects.h"

namespace ringb::obj {
namespace detail {
namespace {

std::atomic<mem::MemAlloc*> g_ma{nullptr};
std::atomic<mem::MemAlloc*> g_percpu_ma{nullptr};

// One line per cpu slot, and one for callers without a slot.
struct alignas(64) SlotCounters {
  std::atomic<uint64_t> n[static_cast<unsigned>(Counter::kCount)];
};
SlotCounters g_counters[cpu::kMaxCpus + 1];

Expected<std::unique_ptr<mem::MemAlloc>> make_ma(const char* name, bool percpu) {
  mem::Options o;
  o.name = name;
  o.percpu = percpu;
  return mem::MemAlloc::create(o);
}

}  // namespace

mem::MemAlloc* global_ma() { return g_ma.load(std::memory_order_acquire); }
mem::MemAlloc* global_percpu_ma() { return g_percpu_ma.load(std::memory_order_acquire); }

void count(Counter c) {
  const int cpu = cpu::current();
  if (cpu < 0) [[unlikely]] {  // the line threads without a slot share
    g_counters[cpu::kMaxCpus].n[static_cast<unsigned>(c)].fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::atomic<uint64_t>& n = g_counters[static_cast<unsigned>(cpu)].n[static_cast<unsigned>(c)];
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
  // A slot's line is written by its holder only, and by signal handlers that
  // interrupt it: one add instruction without a lock prefix is atomic
  // against both (a handler runs between instructions), and costs a plain
  // add rather than a locked one. stats() reads it racily either way.
  static_assert(sizeof(n) == sizeof(uint64_t));
  asm volatile("addq $1, %0" : "+m"(*reinterpret_cast<uint64_t*>(&n)) : : "cc");
#else
  n.fetch_add(1, std::memory_order_relaxed);
#endif
}

}  // namespace detail

Status init() {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  if (detail::g_ma.load(std::memory_order_relaxed)) return {};
  auto ma = detail::make_ma("bpf_global_ma", false);
  if (!ma) return ma.error();
  auto pma = detail::make_ma("bpf_global_percpu_ma", true);
  if (!pma) return pma.error();
  if (Status s = detail::init_cpumask(); !s) return s;
  detail::g_percpu_ma.store(pma.value().release(), std::memory_order_release);
  detail::g_ma.store(ma.value().release(), std::memory_order_release);
  return {};
}

Stats stats() {
  uint64_t sum[static_cast<unsigned>(detail::Counter::kCount)] = {};
  for (const auto& s : detail::g_counters)
    for (unsigned i = 0; i < static_cast<unsigned>(detail::Counter::kCount); ++i)
      sum[i] += s.n[i].load(std::memory_order_relaxed);
  using C = detail::Counter;
  Stats st;
  st.allocated = sum[unsigned(C::Allocated)];
  st.freed = sum[unsigned(C::Freed)];
  st.objects_live = st.allocated - st.freed;
  st.percpu_live = sum[unsigned(C::PercpuAllocated)] - sum[unsigned(C::PercpuFreed)];
  st.cpumasks_live = sum[unsigned(C::CpumaskCreated)] - sum[unsigned(C::CpumaskFreed)];
  if (auto* ma = detail::global_ma()) st.bytes_held += ma->bytes_held();
  if (auto* pma = detail::global_percpu_ma()) st.bytes_held += pma->bytes_held();
  st.bytes_held += detail::cpumask_bytes_held();
  return st;
}

}  // namespace ringb::obj
