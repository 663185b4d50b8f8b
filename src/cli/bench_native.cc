// bench_native.cc — see bench_native.h.
#include "bench_native.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <set>
#include <vector>

#include "ringb/cpu.h"

namespace ringb::cli {
namespace {

struct Alloc {
  void* (*alloc)(size_t) = std::malloc;
  void (*free)(void*) = std::free;
  std::string name = "glibc";
};

const Alloc& allocator() {
  static const Alloc a = [] {
    Alloc r;
    if (void* h = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_LOCAL)) {
      auto m = reinterpret_cast<void* (*)(size_t)>(dlsym(h, "mi_malloc"));
      auto f = reinterpret_cast<void (*)(void*)>(dlsym(h, "mi_free"));
      if (m && f) r = Alloc{m, f, "mimalloc"};
    }
    return r;
  }();
  return a;
}

// bpf_obj_new's contract: zeroed memory.
template <typename T>
T* obj_new() {
  void* p = allocator().alloc(sizeof(T));
  if (p) std::memset(p, 0, sizeof(T));
  return static_cast<T*>(p);
}
void obj_drop(void* p) { allocator().free(p); }

class Spinlock {
 public:
  void lock() {
    while (word_.exchange(1, std::memory_order_acquire))
      while (word_.load(std::memory_order_relaxed)) __builtin_ia32_pause();
  }
  void unlock() { word_.store(0, std::memory_order_release); }

 private:
  std::atomic<uint32_t> word_{0};
};

struct Link {
  Link *next = this, *prev = this;
};
void push_back(Link& head, Link* n) {
  n->prev = head.prev;
  n->next = &head;
  head.prev->next = n;
  head.prev = n;
}
Link* pop_front(Link& head) {
  Link* n = head.next;
  if (n == &head) return nullptr;
  head.next = n->next;
  n->next->prev = &head;
  n->next = n->prev = n;
  return n;
}

template <typename T, typename M>
T* owner_of(M* member, size_t offset) {
  return reinterpret_cast<T*>(reinterpret_cast<char*>(member) - offset);
}

struct Obj16 {
  long a, b;
};
struct Obj1000 {
  long v[125];
};
template <typename T>
int64_t new_drop() {
  int64_t n = 0;
  for (int i = 0; i < 32; ++i) {
    T* p = obj_new<T>();
    if (!p) continue;
    reinterpret_cast<volatile long*>(p)[0] = i;
    ++n;
    obj_drop(p);
  }
  return n;
}

struct Item {
  long key;
  Link link;
};
struct Queue {
  Spinlock lock;
  Link head;
} g_queue;
int64_t list_fifo_10() {
  for (long i = 0; i < 10; ++i) {
    Item* it = obj_new<Item>();
    it->key = i;
    it->link = Link{};
    g_queue.lock.lock();
    push_back(g_queue.head, &it->link);
    g_queue.lock.unlock();
  }
  int64_t sum = 0;
  for (int i = 0; i < 10; ++i) {
    g_queue.lock.lock();
    Link* n = pop_front(g_queue.head);
    g_queue.lock.unlock();
    Item* it = owner_of<Item>(n, offsetof(Item, link));
    sum += it->key;
    obj_drop(it);
  }
  return sum;
}

struct Task {
  long vruntime;
};
struct ByVruntime {
  bool operator()(const Task* a, const Task* b) const { return a->vruntime < b->vruntime; }
};
struct RunQueue {
  Spinlock lock;
  std::multiset<Task*, ByVruntime> tree;
} g_runq;
int64_t rbtree_7() {
  static const long keys[7] = {40, 10, 70, 30, 60, 20, 50};
  for (long k : keys) {
    Task* t = obj_new<Task>();
    t->vruntime = k;
    g_runq.lock.lock();
    g_runq.tree.insert(t);
    g_runq.lock.unlock();
  }
  int64_t order = 0;
  for (int i = 0; i < 7; ++i) {
    g_runq.lock.lock();
    auto first = g_runq.tree.begin();
    Task* t = *first;
    g_runq.tree.erase(first);
    g_runq.lock.unlock();
    order = order * 10 + t->vruntime / 10;
    obj_drop(t);
  }
  return order;
}

struct Shared {
  long key;
  std::atomic<int> refs;
  Link l;
};
struct SharedLess {
  bool operator()(const Shared* a, const Shared* b) const { return a->key < b->key; }
};
struct Graph {
  Spinlock lock;
  Link head;
  std::multiset<Shared*, SharedLess> tree;
} g_graph;
void shared_drop(Shared* s) {
  if (s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) obj_drop(s);
}
int64_t refcount_graph() {
  Shared* s = obj_new<Shared>();
  s->key = 3;
  s->refs.store(1, std::memory_order_relaxed);
  s->l = Link{};
  s->refs.fetch_add(1, std::memory_order_relaxed);  // refcount_acquire
  g_graph.lock.lock();
  push_back(g_graph.head, &s->l);
  g_graph.tree.insert(s);
  g_graph.lock.unlock();
  g_graph.lock.lock();
  Link* ln = pop_front(g_graph.head);
  auto first = g_graph.tree.begin();
  Shared* rn = *first;
  g_graph.tree.erase(first);
  g_graph.lock.unlock();
  shared_drop(owner_of<Shared>(ln, offsetof(Shared, l)));
  shared_drop(rn);
  return 2;
}

std::atomic<Obj16*> g_stash{nullptr};
int64_t kptr_stash() {
  Obj16* p = obj_new<Obj16>();
  p->a = 7;
  if (Obj16* old = g_stash.exchange(p, std::memory_order_acq_rel)) obj_drop(old);
  Obj16* back = g_stash.exchange(nullptr, std::memory_order_acq_rel);
  const int64_t a = back->a;
  obj_drop(back);
  return a;
}

// A refcounted cpumask, as ringb's bpf_cpumask: bits for kMaxCpus cpus, a
// count; the weight counts the first nr_cpus bits, as cpumask_weight counts
// nr_cpu_ids.
struct Mask {
  uint64_t bits[ringb::cpu::kMaxCpus / 64];
  std::atomic<int> refs;
};
int64_t cpumask_acq_rel() {
  Mask* m = obj_new<Mask>();
  m->refs.store(1, std::memory_order_relaxed);
  int64_t n = 0;
  for (int i = 0; i < 100; ++i) {
    m->refs.fetch_add(1, std::memory_order_relaxed);
    int w = 0;
    for (unsigned i = 0; i * 64 < ringb::cpu::nr_cpus(); ++i) w += std::popcount(m->bits[i]);
    n += w + 1;
    m->refs.fetch_sub(1, std::memory_order_acq_rel);
  }
  if (m->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) obj_drop(m);
  return n;
}

using Case = int64_t (*)();
Case find_case(const std::string& name) {
  if (name == "new_drop_16") return new_drop<Obj16>;
  if (name == "new_drop_1000") return new_drop<Obj1000>;
  if (name == "list_fifo_10") return list_fifo_10;
  if (name == "rbtree_7") return rbtree_7;
  if (name == "refcount_graph") return refcount_graph;
  if (name == "kptr_stash") return kptr_stash;
  if (name == "cpumask_acq_rel") return cpumask_acq_rel;
  return nullptr;
}

}  // namespace

std::string native_allocator() { return allocator().name; }

double native_ns(const std::string& name, uint32_t repeat, int rounds, int64_t& result) {
  const Case c = find_case(name);
  if (!c || repeat == 0) return 0;
  std::vector<double> ns;
  for (int r = 0; r < rounds; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (uint32_t i = 0; i < repeat; ++i) result = c();
    const auto t1 = std::chrono::steady_clock::now();
    ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / repeat);
  }
  std::sort(ns.begin(), ns.end());
  return ns[ns.size() / 2];
}

}  // namespace ringb::cli
