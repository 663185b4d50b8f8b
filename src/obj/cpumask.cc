// cpumask.cc — struct bpf_cpumask and its kfuncs (ringb/cpumask.h; the
// kernel's kernel/bpf/cpumask.c). Words are read and written with atomics:
// a stashed cpumask is shared by every program that reads the kptr.
#include "ringb/cpumask.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>

#include "heap.h"
#include "ringb/mem.h"

namespace ringb::obj {
namespace {

constexpr unsigned kWords = cpu::kMaxCpus / 64;
std::atomic<mem::MemAlloc*> g_cpumask_ma{nullptr};

// cpumask_any_distribute()'s per-cpu "last returned", one per slot and one
// for callers without a slot.
std::atomic<uint32_t> g_distribute_prev[cpu::kMaxCpus + 1];

uint32_t nr() { return cpu::nr_cpus(); }
unsigned nwords() { return (nr() + 63) / 64; }
// The valid bits of word i.
unsigned long valid(unsigned i) {
  const uint32_t left = nr() - i * 64;
  return left >= 64 ? ~0UL : (1UL << left) - 1;
}

std::atomic_ref<unsigned long> word(const cpumask* m, unsigned i) {
  return std::atomic_ref<unsigned long>(const_cast<cpumask*>(m)->bits[i]);
}
unsigned long load(const cpumask* m, unsigned i) { return word(m, i).load(std::memory_order_relaxed) & valid(i); }
void store(cpumask* m, unsigned i, unsigned long v) { word(m, i).store(v & valid(i), std::memory_order_relaxed); }

// The first bit at or after `from` of the word sequence f(i), or nr().
template <typename F>
uint32_t find_next(F f, uint32_t from) {
  for (unsigned i = from / 64; i < nwords(); ++i) {
    unsigned long w = f(i);
    if (i == from / 64) w &= ~0UL << (from % 64);
    if (w) return std::min(i * 64 + static_cast<uint32_t>(std::countr_zero(w)), nr());
  }
  return nr();
}

// find_next_bit_wrap(): from `from` to the end, then from 0 up to `from`.
template <typename F>
uint32_t find_next_wrap(F f, uint32_t from) {
  const uint32_t bit = from < nr() ? find_next(f, from) : nr();
  if (bit < nr() || from == 0) return bit;
  const uint32_t first = find_next(f, 0);
  return first < from ? first : nr();
}

uint32_t distribute(const cpumask* a, const cpumask* b) {
  const int cpu = cpu::current();
  auto& prev = g_distribute_prev[cpu >= 0 ? static_cast<unsigned>(cpu) : cpu::kMaxCpus];
  const uint32_t next = find_next_wrap(
      [&](unsigned i) { return b ? load(a, i) & load(b, i) : load(a, i); },
      prev.load(std::memory_order_relaxed) + 1);
  if (next < nr()) prev.store(next, std::memory_order_relaxed);
  return next;
}

bool cpu_valid(uint32_t cpu) { return cpu < nr(); }
unsigned long bit(uint32_t cpu) { return 1UL << (cpu % 64); }

}  // namespace

namespace detail {

Status init_cpumask() {
  mem::Options o;
  o.name = "bpf_cpumask_ma";
  o.unit_size = sizeof(bpf_cpumask);
  auto ma = mem::MemAlloc::create(o);
  if (!ma) return ma.error();
  g_cpumask_ma.store(ma.value().release(), std::memory_order_release);
  return {};
}

size_t cpumask_bytes_held() {
  mem::MemAlloc* ma = g_cpumask_ma.load(std::memory_order_acquire);
  return ma ? ma->bytes_held() : 0;
}

}  // namespace detail

bpf_cpumask* bpf_cpumask_create() {
  mem::MemAlloc* ma = g_cpumask_ma.load(std::memory_order_acquire);
  if (!ma) return nullptr;
  auto* m = static_cast<bpf_cpumask*>(ma->cache_alloc());
  if (!m) return nullptr;
  std::memset(m, 0, sizeof *m);
  std::atomic_ref<uint32_t>(m->usage).store(1, std::memory_order_relaxed);
  detail::count(detail::Counter::CpumaskCreated);
  return m;
}

bpf_cpumask* bpf_cpumask_acquire(bpf_cpumask* mask) {
  std::atomic_ref<uint32_t>(mask->usage).fetch_add(1, std::memory_order_relaxed);
  return mask;
}

void bpf_cpumask_release(bpf_cpumask* mask) {
  if (std::atomic_ref<uint32_t>(mask->usage).fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  detail::count(detail::Counter::CpumaskFreed);
  g_cpumask_ma.load(std::memory_order_acquire)->cache_free_rcu(mask);
}

void bpf_cpumask_release_dtor(void* mask) { bpf_cpumask_release(static_cast<bpf_cpumask*>(mask)); }

uint32_t bpf_cpumask_first(const cpumask* m) {
  return find_next([&](unsigned i) { return load(m, i); }, 0);
}

uint32_t bpf_cpumask_first_zero(const cpumask* m) {
  return find_next([&](unsigned i) { return ~load(m, i) & valid(i); }, 0);
}

uint32_t bpf_cpumask_first_and(const cpumask* a, const cpumask* b) {
  return find_next([&](unsigned i) { return load(a, i) & load(b, i); }, 0);
}

void bpf_cpumask_set_cpu(uint32_t cpu, bpf_cpumask* m) {
  if (cpu_valid(cpu)) word(&m->cpumask, cpu / 64).fetch_or(bit(cpu), std::memory_order_relaxed);
}

void bpf_cpumask_clear_cpu(uint32_t cpu, bpf_cpumask* m) {
  if (cpu_valid(cpu)) word(&m->cpumask, cpu / 64).fetch_and(~bit(cpu), std::memory_order_relaxed);
}

bool bpf_cpumask_test_cpu(uint32_t cpu, const cpumask* m) {
  return cpu_valid(cpu) && (load(m, cpu / 64) & bit(cpu));
}

// Fully ordered, as the kernel's test_and_set_bit().
bool bpf_cpumask_test_and_set_cpu(uint32_t cpu, bpf_cpumask* m) {
  return cpu_valid(cpu) && (word(&m->cpumask, cpu / 64).fetch_or(bit(cpu), std::memory_order_seq_cst) & bit(cpu));
}

bool bpf_cpumask_test_and_clear_cpu(uint32_t cpu, bpf_cpumask* m) {
  return cpu_valid(cpu) && (word(&m->cpumask, cpu / 64).fetch_and(~bit(cpu), std::memory_order_seq_cst) & bit(cpu));
}

void bpf_cpumask_setall(bpf_cpumask* m) {
  for (unsigned i = 0; i < nwords(); ++i) store(&m->cpumask, i, ~0UL);
}

void bpf_cpumask_clear(bpf_cpumask* m) {
  for (unsigned i = 0; i < kWords; ++i) store(&m->cpumask, i, 0);
}

bool bpf_cpumask_and(bpf_cpumask* dst, const cpumask* a, const cpumask* b) {
  unsigned long any = 0;
  for (unsigned i = 0; i < nwords(); ++i) {
    const unsigned long w = load(a, i) & load(b, i);
    store(&dst->cpumask, i, w);
    any |= w;
  }
  return any != 0;
}

void bpf_cpumask_or(bpf_cpumask* dst, const cpumask* a, const cpumask* b) {
  for (unsigned i = 0; i < nwords(); ++i) store(&dst->cpumask, i, load(a, i) | load(b, i));
}

void bpf_cpumask_xor(bpf_cpumask* dst, const cpumask* a, const cpumask* b) {
  for (unsigned i = 0; i < nwords(); ++i) store(&dst->cpumask, i, load(a, i) ^ load(b, i));
}

bool bpf_cpumask_equal(const cpumask* a, const cpumask* b) {
  for (unsigned i = 0; i < nwords(); ++i)
    if (load(a, i) != load(b, i)) return false;
  return true;
}

bool bpf_cpumask_intersects(const cpumask* a, const cpumask* b) {
  for (unsigned i = 0; i < nwords(); ++i)
    if (load(a, i) & load(b, i)) return true;
  return false;
}

bool bpf_cpumask_subset(const cpumask* a, const cpumask* b) {
  for (unsigned i = 0; i < nwords(); ++i)
    if (load(a, i) & ~load(b, i)) return false;
  return true;
}

bool bpf_cpumask_empty(const cpumask* m) { return bpf_cpumask_first(m) >= nr(); }
bool bpf_cpumask_full(const cpumask* m) { return bpf_cpumask_first_zero(m) >= nr(); }

void bpf_cpumask_copy(bpf_cpumask* dst, const cpumask* src) {
  for (unsigned i = 0; i < nwords(); ++i) store(&dst->cpumask, i, load(src, i));
}

uint32_t bpf_cpumask_any_distribute(const cpumask* m) { return distribute(m, nullptr); }
uint32_t bpf_cpumask_any_and_distribute(const cpumask* a, const cpumask* b) { return distribute(a, b); }

// hweight64 inline: the build targets baseline x86-64 (no POPCNT), where
// std::popcount is a call into libgcc.
inline uint32_t popcount64(uint64_t w) {
  w = w - ((w >> 1) & 0x5555555555555555ull);
  w = (w & 0x3333333333333333ull) + ((w >> 2) & 0x3333333333333333ull);
  w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return static_cast<uint32_t>((w * 0x0101010101010101ull) >> 56);
}

uint32_t bpf_cpumask_weight(const cpumask* m) {
  const uint32_t n = nr();
  const unsigned words = (n + 63) / 64;
  uint32_t sum = 0;
  for (unsigned i = 0; i + 1 < words; ++i) sum += popcount64(word(m, i).load(std::memory_order_relaxed));
  const uint32_t left = n - (words - 1) * 64;  // 1..64 valid bits in the last word
  const unsigned long last = word(m, words - 1).load(std::memory_order_relaxed);
  return sum + popcount64(left == 64 ? last : last & ((1UL << left) - 1));
}

// x86-64 has efficient unaligned access: the kernel's -EINVAL case never
// applies.
int bpf_cpumask_populate(cpumask* m, void* src, size_t src__sz) {
  if (src__sz < nwords() * sizeof(unsigned long)) return -EACCES;
  for (unsigned i = 0; i < nwords(); ++i) {
    unsigned long w;
    std::memcpy(&w, static_cast<const char*>(src) + i * sizeof w, sizeof w);
    store(m, i, w);
  }
  return 0;
}

}  // namespace ringb::obj
