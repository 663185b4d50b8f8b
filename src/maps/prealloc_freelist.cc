// prealloc_freelist.cc — see prealloc_freelist.h.
#include "prealloc_freelist.h"

namespace ringb::maps::detail {

// ---- one list (caller holds the cpu's lock) ---------------------------------

void PcpuFreelist::List::push(FreeNode* n) {
  n->next = head;
  head = n;
  count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

FreeNode* PcpuFreelist::List::pop() {
  FreeNode* n = head;
  if (!n) return nullptr;
  head = n->next;
  count.store(count.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  return n;
}

// ---- the free list -------------------------------------------------------------

PcpuFreelist::PcpuFreelist(unsigned nr_cpus)
    : nr_cpus_(nr_cpus), cpus_(std::make_unique<CpuList[]>(nr_cpus)) {}

void PcpuFreelist::populate(char* base, size_t stride, size_t count) {
  for (size_t i = 0; i < count; ++i)
    cpus_[i % nr_cpus_].list.push(reinterpret_cast<FreeNode*>(base + i * stride));
}

// One pass over the cpus, own first. With use_hint, lists whose racy count
// says empty are skipped without taking their lock.
FreeNode* PcpuFreelist::pop_from_cpus(int cpu, bool use_hint) {
  const unsigned start = cpu < 0 ? 0 : static_cast<unsigned>(cpu);
  const uint32_t tag = lock_tag(cpu);
  for (unsigned i = 0; i < nr_cpus_; ++i) {
    CpuList& c = cpus_[(start + i) % nr_cpus_];
    if (use_hint && c.list.count.load(std::memory_order_relaxed) == 0) continue;
    if (c.lock.lock(tag) != 0) continue;  // our own thread holds it: a handler skips it
    FreeNode* n = c.list.pop();
    c.lock.unlock();
    if (n) return n;
  }
  return nullptr;
}

// Takes the whole extra list, keeps its first node and puts the rest where
// push() would.
FreeNode* PcpuFreelist::pop_extra(int cpu) {
  if (!extra_.load(std::memory_order_relaxed)) return nullptr;
  FreeNode* n = extra_.exchange(nullptr, std::memory_order_acquire);
  if (!n) return nullptr;
  for (FreeNode* rest = n->next; rest;) {
    FreeNode* next = rest->next;
    push(cpu, rest);
    rest = next;
  }
  return n;
}

FreeNode* PcpuFreelist::pop(int cpu) {
  // Lists the racy counts call empty are skipped on the first pass; the
  // second takes every lock, so a node in flight is not missed.
  if (FreeNode* n = pop_from_cpus(cpu, true)) return n;
  if (FreeNode* n = pop_extra(cpu)) return n;
  return pop_from_cpus(cpu, false);
}

void PcpuFreelist::push_extra(FreeNode* n) {
  FreeNode* head = extra_.load(std::memory_order_relaxed);
  do {
    n->next = head;
  } while (!extra_.compare_exchange_weak(head, n, std::memory_order_release, std::memory_order_relaxed));
}

// Onto the first cpu's list (own first) whose lock can be had: only a signal
// handler that interrupted its own thread inside this cpu's lock fails to get
// one, and with a single cpu it has nowhere else to go but `extra_`.
void PcpuFreelist::push(int cpu, FreeNode* n) {
  const unsigned start = cpu < 0 ? 0 : static_cast<unsigned>(cpu);
  const uint32_t tag = lock_tag(cpu);
  for (unsigned i = 0; i < nr_cpus_; ++i) {
    CpuList& c = cpus_[(start + i) % nr_cpus_];
    if (c.lock.lock(tag) != 0) continue;
    c.list.push(n);
    c.lock.unlock();
    return;
  }
  push_extra(n);
}

uint64_t PcpuFreelist::free_count() const {
  uint64_t n = 0;
  for (unsigned i = 0; i < nr_cpus_; ++i) n += cpus_[i].list.count.load(std::memory_order_relaxed);
  return n;
}

}  // namespace ringb::maps::detail
