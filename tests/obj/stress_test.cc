// stress_test.cc — many threads, each running as a program does (a cpu slot
// and an RCU read-side section, given back every few dozen operations), on
// shared values: lists and trees of refcounted objects under the values'
// spin locks (add, remove, pop, move between values through a second
// reference, whose push may fail), kptrs exchanged in values and in a slot
// array (objects and cpumasks), and now and then a value's fields freed
// while the others keep using it — a map element deleted under running
// programs. Signal handlers interrupt the workers and exchange kptrs,
// create and drop objects (the user-space NMI).
//
// Afterwards: every tree and list is well formed, each object's refcount is
// exactly the number of containers it is in (no reference lost, none
// dropped twice), and once everything is freed the runtime's counts are back
// where they started. Run under ASan and TSan too.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "ringb/cpu.h"
#include "ringb/cpumask.h"
#include "ringb/rcu.h"
#include "tree_util.h"

namespace ringb::obj::test {
namespace {

constexpr uint32_t kL = offsetof(Elem, l), kR = offsetof(Elem, r);
constexpr int kValues = 4, kSlots = 16, kThreads = 4;
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int kIterations = 20000;
#else
constexpr int kIterations = 200000;
#endif

bool less_elem(void*, void* a, const void* b) {
  return container<const Elem>(a, kR)->key < container<const Elem>(const_cast<void*>(b), kR)->key;
}

struct World {
  Type elem = elem_type();
  Type plain = plain_type();
  Record record;
  Value values[kValues] = {};
  void* slots[kSlots] = {};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> push_refused{0}, moved{0}, fields_freed{0}, handler_ops{0};

  World() {
    add(record, field(FieldKind::SpinLock, offsetof(Value, lock), 4));
    add(record, root_of(FieldKind::ListHead, offsetof(Value, head), elem, kL), holds(elem));
    add(record, root_of(FieldKind::RbRoot, offsetof(Value, root), elem, kR), holds(elem));
    Field k = field(FieldKind::Kptr, offsetof(Value, obj), 8);
    k.pointee_name = "plain";
    add(record, k, holds(plain));
    Field m = field(FieldKind::Kptr, offsetof(Value, mask), 8);
    m.pointee_name = "bpf_cpumask";
    add(record, m, kernel(cpumask_kptr()));
  }
};

World* g_world = nullptr;

void work(World& w, unsigned seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  for (int it = 0; it < kIterations;) {
    cpu::CpuGuard cpu;
    rcu::ReadGuard rcu;
    for (int batch = 0; batch < 32 && it < kIterations; ++batch, ++it) {
      Value& v = w.values[pick(kValues)];
      switch (pick(8)) {
        case 0:
        case 1: {  // a new object into a value's tree and list (two references)
          auto* e = static_cast<Elem*>(obj_new(w.elem));
          if (!e) break;
          e->key = pick(100);
          EXPECT_EQ(refcount_acquire(e), e);
          spin_lock(&v.lock);
          EXPECT_EQ(rbtree_add(&v.root, &e->r, less_elem, nullptr, &w.elem, kR), 0);
          EXPECT_EQ(list_push(&v.head, &e->l, &w.elem, kL, pick(2)), 0);
          spin_unlock(&v.lock);
          break;
        }
        case 2: {  // the tree's first node out
          spin_lock(&v.lock);
          void* n = rbtree_first(&v.root);
          if (n) {
            EXPECT_EQ(rbtree_remove(&v.root, n), n);
          }
          spin_unlock(&v.lock);
          if (n) obj_drop(container<Elem>(n, kR), &w.elem);
          break;
        }
        case 3: {  // a list end out, and maybe onto another value's list
          spin_lock(&v.lock);
          void* n = list_pop(&v.head, pick(2));
          spin_unlock(&v.lock);
          if (!n) break;
          Value& to = w.values[pick(kValues)];
          if (pick(2)) {
            spin_lock(&to.lock);
            // Just popped, but another holder of a reference (case 4) may
            // have claimed the free list node meanwhile: then ours is
            // dropped.
            const long r = list_push(&to.head, n, &w.elem, kL, pick(2));
            spin_unlock(&to.lock);
            EXPECT_TRUE(r == 0 || r == -EINVAL) << r;
            (r ? w.push_refused : w.moved).fetch_add(1, std::memory_order_relaxed);
          } else {
            obj_drop(container<Elem>(n, kL), &w.elem);
          }
          break;
        }
        case 4: {  // walk the tree, take a reference, push it to another list
          spin_lock(&v.lock);
          void* n = rbtree_root(&v.root);
          for (int d = pick(4); n && d > 0; --d) {
            void* next = pick(2) ? rbtree_left(&v.root, n) : rbtree_right(&v.root, n);
            if (!next) break;
            n = next;
          }
          Elem* e = n ? static_cast<Elem*>(refcount_acquire(container<Elem>(n, kR))) : nullptr;
          if (n) {
            EXPECT_NE(e, nullptr);  // the tree holds a reference
          }
          spin_unlock(&v.lock);
          if (!e) break;
          Value& to = w.values[pick(kValues)];
          spin_lock(&to.lock);
          const long r = list_push(&to.head, &e->l, &w.elem, kL, false);
          spin_unlock(&to.lock);
          EXPECT_TRUE(r == 0 || r == -EINVAL) << r;
          if (r) w.push_refused.fetch_add(1, std::memory_order_relaxed);
          break;
        }
        case 5: {  // stash an object (or nothing) in a value or a slot
          void** field = pick(2) ? &v.obj : &w.slots[pick(kSlots)];
          void* fresh = pick(3) ? obj_new(w.plain) : nullptr;
          obj_drop(kptr_xchg(field, fresh), &w.plain);
          break;
        }
        case 6: {  // a cpumask in the value
          bpf_cpumask* m = bpf_cpumask_create();
          if (m) bpf_cpumask_set_cpu(static_cast<uint32_t>(cpu.cpu()), m);
          if (auto* old = static_cast<bpf_cpumask*>(kptr_xchg(&v.mask, m))) {
            EXPECT_LT(bpf_cpumask_weight(&old->cpumask), 2u);
            bpf_cpumask_release(old);
          }
          break;
        }
        case 7:  // rarely: the value is "deleted" while the others use it
          if (pick(64) == 0) {
            free_fields(w.record, &v);
            w.fields_freed.fetch_add(1, std::memory_order_relaxed);
          }
          break;
      }
    }
  }
}

// The user-space NMI: objects and kptrs only (a handler must not take a
// bpf_spin_lock its thread may hold: the verifier forbids that for NMI
// programs, and ringb's is not resilient).
void handler(int) {
  World* w = g_world;
  if (!w) return;
  cpu::CpuGuard g(cpu::Context::Interrupt);
  if (g.cpu() < 0) return;
  void* fresh = obj_new(w->plain);  // may be NULL: it interrupted the same cache
  obj_drop(kptr_xchg(&w->slots[static_cast<unsigned>(g.cpu()) % kSlots], fresh), &w->plain);
  if (bpf_cpumask* m = bpf_cpumask_create()) bpf_cpumask_release(m);
  w->handler_ops.fetch_add(1, std::memory_order_relaxed);
}

// Every list and tree is well formed, and each object's refcount equals the
// number of containers it is in.
void check_conservation(World& w) {
  std::map<Elem*, uint32_t> in;
  for (Value& v : w.values) {
    EXPECT_EQ(check_tree(v.root, [](const void* n) { return container<const Elem>(n, kR)->key; }), "");
    for (auto* n = static_cast<detail::RbNode*>(v.root.node ? detail::rb_first_postorder(&v.root) : nullptr); n;
         n = detail::rb_next_postorder(n))
      ++in[container<Elem>(n, kR)];
    if (!v.head.next) continue;
    size_t guard = 0;
    for (detail::ListHead* l = v.head.next; l != &v.head && guard < 10'000'000; l = l->next, ++guard) {
      EXPECT_EQ(l->next->prev, l);
      Elem* e = container<Elem>(l, kL);
      EXPECT_EQ(e->l.owner, &v.head);
      ++in[e];
    }
  }
  for (const auto& [e, count] : in) EXPECT_EQ(e->ref, count) << "object " << e;
}

TEST(ObjStress, SharedListsTreesAndKptrs) {
  init_runtime();
  World w;
  g_world = &w;
  const Stats before = stats();
  struct sigaction sa {}, old{};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR2, &sa, &old), 0);

  std::vector<std::thread> workers;
  std::vector<pthread_t> ids(kThreads);
  std::atomic<int> started{0}, finished{0};
  for (int t = 0; t < kThreads; ++t)
    workers.emplace_back([&, t] {
      ids[static_cast<size_t>(t)] = pthread_self();
      started.fetch_add(1);
      work(w, 1234u + static_cast<unsigned>(t));
      finished.fetch_add(1);
    });
  while (started.load() < kThreads) std::this_thread::yield();
  // Signals go to threads that may have finished, never to joined ones.
  std::thread irq([&] {
    std::mt19937 rng(7);
    while (finished.load() < kThreads) {
      pthread_kill(ids[rng() % kThreads], SIGUSR2);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  irq.join();
  for (auto& t : workers) t.join();
  sigaction(SIGUSR2, &old, nullptr);
  g_world = nullptr;

  check_conservation(w);
  EXPECT_GT(w.push_refused.load(), 0u) << "the owner CAS never refused a push";
  EXPECT_GT(w.moved.load(), 0u);
  EXPECT_GT(w.fields_freed.load(), 0u);
  // Free everything: values as a map would, slots by hand.
  for (Value& v : w.values) free_fields(w.record, &v);
  for (void*& s : w.slots) obj_drop(kptr_xchg(&s, nullptr), &w.plain);
  const Stats after = stats();
  EXPECT_EQ(after.objects_live, before.objects_live);
  EXPECT_EQ(after.cpumasks_live, before.cpumasks_live);
  EXPECT_GT(after.allocated - before.allocated, uint64_t{kThreads} * kIterations / 8);
  mem::MemAlloc::rcu_barrier();
  EXPECT_EQ(stats().objects_live, before.objects_live);
  std::printf("handler ops %llu, refused pushes %llu, moves %llu, values freed %llu\n",
              static_cast<unsigned long long>(w.handler_ops.load()),
              static_cast<unsigned long long>(w.push_refused.load()),
              static_cast<unsigned long long>(w.moved.load()),
              static_cast<unsigned long long>(w.fields_freed.load()));
}

// Resilient locks under contention from threads and handlers: each critical
// section either ran alone or its lock call failed, never both.
TEST(ObjStress, ResilientLockUnderSignals) {
  static uint32_t lock = 0;
  static int64_t counter = 0;
  static std::atomic<int64_t> taken{0};
  struct sigaction sa {}, old{};
  sa.sa_handler = [](int) {
    cpu::CpuGuard g(cpu::Context::Interrupt);
    if (g.cpu() < 0) return;
    if (res_spin_lock(&lock, g.cpu()) == 0) {
      ++counter;
      taken.fetch_add(1, std::memory_order_relaxed);
      res_spin_unlock(&lock, g.cpu());
    }
  };
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR2, &sa, &old), 0);
  std::vector<std::thread> ts;
  std::vector<pthread_t> ids(kThreads);
  std::atomic<int> started{0}, finished{0};
  std::atomic<long> errors{0};
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      ids[static_cast<size_t>(t)] = pthread_self();
      started.fetch_add(1);
      for (int i = 0; i < kIterations; ++i) {
        cpu::CpuGuard g;
        const long r = res_spin_lock(&lock, g.cpu());
        if (r) {
          errors.fetch_add(1);
          continue;
        }
        ++counter;
        taken.fetch_add(1, std::memory_order_relaxed);
        res_spin_unlock(&lock, g.cpu());
      }
      finished.fetch_add(1);
    });
  while (started.load() < kThreads) std::this_thread::yield();
  std::thread irq([&] {
    std::mt19937 rng(9);
    while (finished.load() < kThreads) {
      pthread_kill(ids[rng() % kThreads], SIGUSR2);
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  });
  irq.join();
  for (auto& t : ts) t.join();
  sigaction(SIGUSR2, &old, nullptr);
  EXPECT_EQ(counter, taken.load());
  EXPECT_EQ(errors.load(), 0);  // threads only wait for each other: never a deadlock
  EXPECT_EQ(lock, 0u);
}

}  // namespace
}  // namespace ringb::obj::test
