// prealloc_freelist.cc — see prealloc_freelist.h.
#include "prealloc_freelist.h"

namespace ringb::maps::detail {

// ---- one list (caller holds the cpu's lock) ---------------------------------

void PcpuFreelist::List::push(FreeNode* n) {
  n->next = head;
  head = n;
  if (!tail) tail = n;
  count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void PcpuFreelist::List::push_back(FreeNode* n) {
  n->next = nullptr;
  if (tail)
    tail->next = n;
  else
    head = n;
  tail = n;
  count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

FreeNode* PcpuFreelist::List::pop() {
  FreeNode* n = head;
  if (!n) return nullptr;
  head = n->next;
  if (!head) tail = nullptr;
  count.store(count.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  return n;
}

void PcpuFreelist::List::splice_front(List& other) {
  if (!other.head) return;
  other.tail->next = head;
  if (!tail) tail = other.tail;
  head = other.head;
  count.store(count.load(std::memory_order_relaxed) + other.count.load(std::memory_order_relaxed),
              std::memory_order_relaxed);
  other.head = other.tail = nullptr;
  other.count.store(0, std::memory_order_relaxed);
}

// ---- the free list -------------------------------------------------------------

PcpuFreelist::PcpuFreelist(unsigned nr_cpus)
    : nr_cpus_(nr_cpus), cpus_(std::make_unique<CpuLists[]>(nr_cpus)) {
  gp_start();
}

PcpuFreelist::~PcpuFreelist() { gp_forget(this); }

void PcpuFreelist::populate(char* base, size_t stride, size_t count) {
  for (size_t i = 0; i < count; ++i)
    cpus_[i % nr_cpus_].ready.push(reinterpret_cast<FreeNode*>(base + i * stride));
}

PcpuFreelist::List& PcpuFreelist::list_of(CpuLists& c, Which w) {
  switch (w) {
    case Which::Ready: return c.ready;
    case Which::Waiting: return c.waiting;
    case Which::Pending: break;
  }
  return c.pending;
}

// One pass over the cpus, own first. With use_hint, lists whose racy count
// says empty are skipped without taking their lock.
FreeNode* PcpuFreelist::pop_from(int cpu, Which w, bool use_hint) {
  const unsigned start = cpu < 0 ? 0 : static_cast<unsigned>(cpu);
  const uint32_t tag = lock_tag(cpu);
  for (unsigned i = 0; i < nr_cpus_; ++i) {
    CpuLists& c = cpus_[(start + i) % nr_cpus_];
    List& l = list_of(c, w);
    if (use_hint && l.count.load(std::memory_order_relaxed) == 0) continue;
    if (c.lock.lock(tag) != 0) continue;  // our own thread holds it: a handler skips it
    FreeNode* n = l.pop();
    c.lock.unlock();
    if (n) return n;
  }
  return nullptr;
}

FreeNode* PcpuFreelist::pop(int cpu) {
  // Lists the racy counts call empty are skipped on the first pass; the
  // second takes every lock, so a node in flight is not missed.
  for (bool use_hint : {true, false}) {
    if (FreeNode* n = pop_from(cpu, Which::Ready, use_hint)) return n;
    // Nothing has aged a grace period: recycle at once, oldest batch first.
    for (Which w : {Which::Waiting, Which::Pending}) {
      if (FreeNode* n = pop_from(cpu, w, use_hint)) {
        early_reuses_.fetch_add(1, std::memory_order_relaxed);
        return n;
      }
    }
  }
  return nullptr;
}

// Pushes onto the first cpu's list (own first) whose lock can be had: only a
// signal handler that interrupted its own thread inside this cpu's lock fails
// to get one, and with a single cpu it has nowhere else to go but `extra_`.
bool PcpuFreelist::push_to(int cpu, Which w, FreeNode* n) {
  const unsigned start = cpu < 0 ? 0 : static_cast<unsigned>(cpu);
  for (unsigned i = 0; i < nr_cpus_; ++i) {
    CpuLists& c = cpus_[(start + i) % nr_cpus_];
    if (c.lock.lock(lock_tag(cpu)) != 0) continue;
    if (w == Which::Ready)
      c.ready.push(n);
    else
      c.pending.push_back(n);  // oldest first: an early reuse takes the oldest
    c.lock.unlock();
    return true;
  }
  return false;
}

void PcpuFreelist::push_extra(FreeNode* n) {
  FreeNode* head = extra_.load(std::memory_order_relaxed);
  do {
    n->next = head;
  } while (!extra_.compare_exchange_weak(head, n, std::memory_order_release, std::memory_order_relaxed));
  gp_request(this);
}

void PcpuFreelist::push_unused(int cpu, FreeNode* n) {
  if (!push_to(cpu, Which::Ready, n)) push_extra(n);
}

void PcpuFreelist::push_freed(int cpu, FreeNode* n) {
  if (push_to(cpu, Which::Pending, n))
    gp_request(this);
  else
    push_extra(n);
}

bool PcpuFreelist::gp_collect() {
  bool any = false;
  // Elements a signal handler could not place: they wait like pending ones.
  for (FreeNode* n = extra_.exchange(nullptr, std::memory_order_acquire); n;) {
    FreeNode* next = n->next;
    CpuLists& c = cpus_[0];
    if (c.lock.lock(kNoCpuTag) == 0) {
      c.pending.push_back(n);
      c.lock.unlock();
    }
    n = next;
  }
  for (unsigned i = 0; i < nr_cpus_; ++i) {
    CpuLists& c = cpus_[i];
    if (c.lock.lock(kNoCpuTag) != 0) continue;  // cannot happen: the gp thread has no cpu
    c.waiting.splice_front(c.pending);
    any |= c.waiting.head != nullptr;
    c.lock.unlock();
  }
  return any;
}

void PcpuFreelist::gp_release() {
  for (unsigned i = 0; i < nr_cpus_; ++i) {
    CpuLists& c = cpus_[i];
    if (c.lock.lock(kNoCpuTag) != 0) continue;
    c.ready.splice_front(c.waiting);
    c.lock.unlock();
  }
}

uint64_t PcpuFreelist::awaiting_gp() const {
  uint64_t n = 0;
  for (unsigned i = 0; i < nr_cpus_; ++i)
    n += cpus_[i].pending.count.load(std::memory_order_relaxed) +
         cpus_[i].waiting.count.load(std::memory_order_relaxed);
  return n;
}

}  // namespace ringb::maps::detail
