// obj_bench.cc — what the object model's kfuncs cost, as a program run pays
// them (a cpu slot and an RCU section held across the loop): bpf_obj_new +
// bpf_obj_drop, list push + pop, rbtree add + remove on trees of N nodes,
// bpf_kptr_xchg, bpf_spin_lock and bpf_res_spin_lock pairs.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <random>
#include <vector>

#include "../src/obj/layout.h"
#include "ringb/cpu.h"
#include "ringb/mem.h"
#include "ringb/objects.h"
#include "ringb/rcu.h"

namespace ringb::obj {
namespace {

struct Node {
  int64_t key;
  detail::ListNode l;
  detail::RbNodeKern r;
};

Type node_type() {
  Type t;
  t.name = "node";
  t.size = sizeof(Node);
  Field l;
  l.kind = FieldKind::ListNode;
  l.offset = offsetof(Node, l);
  l.size = 24;
  Field r;
  r.kind = FieldKind::RbNode;
  r.offset = offsetof(Node, r);
  r.size = 32;
  t.record.fields.fields = {l, r};
  t.record.fields.mask = l.kind | r.kind;
  t.record.bound.resize(2);
  return t;
}

bool less(void*, void* a, const void* b) {
  return reinterpret_cast<const Node*>(static_cast<const char*>(a) - offsetof(Node, r))->key <
         reinterpret_cast<const Node*>(static_cast<const char*>(b) - offsetof(Node, r))->key;
}

struct Program {
  cpu::CpuGuard cpu;
  rcu::ReadGuard rcu;
};

void BM_ObjNewDrop(benchmark::State& state) {
  (void)init();
  const Type t = node_type();
  Program p;
  for (auto _ : state) {
    void* o = obj_new(t);
    benchmark::DoNotOptimize(o);
    obj_drop(o, &t);
  }
}
BENCHMARK(BM_ObjNewDrop);

// The same, with the RCU section left every 64 pairs (as short program runs
// do), so that grace periods can end and dropped memory be reused.
void BM_ObjNewDropShortRuns(benchmark::State& state) {
  (void)init();
  const Type t = node_type();
  cpu::CpuGuard cpu;
  while (state.KeepRunningBatch(64)) {
    rcu::ReadGuard rcu;
    for (int i = 0; i < 64; ++i) {
      void* o = obj_new(t);
      benchmark::DoNotOptimize(o);
      obj_drop(o, &t);
    }
  }
}
BENCHMARK(BM_ObjNewDropShortRuns);

// bpf_obj_drop's free_rcu against a plain free (what the allocator costs
// when memory may be reused at once).
void BM_AllocFreeNoRcu(benchmark::State& state) {
  (void)init();
  cpu::CpuGuard cpu;
  auto ma = mem::MemAlloc::create(mem::Options{});
  for (auto _ : state) {
    void* o = ma.value()->alloc(sizeof(Node));
    benchmark::DoNotOptimize(o);
    ma.value()->free(o);
  }
}
BENCHMARK(BM_AllocFreeNoRcu);

void BM_ListPushPop(benchmark::State& state) {
  (void)init();
  const Type t = node_type();
  Program p;
  detail::ListHead head{};
  auto* n = static_cast<Node*>(obj_new(t));
  for (auto _ : state) {
    list_push(&head, &n->l, &t, offsetof(Node, l), false);
    benchmark::DoNotOptimize(list_pop(&head, true));
  }
  obj_drop(n, &t);
}
BENCHMARK(BM_ListPushPop);

// One add and one remove of a random key in a tree of N nodes.
void BM_RbtreeAddRemove(benchmark::State& state) {
  (void)init();
  const Type t = node_type();
  Program p;
  detail::RbRoot root{};
  std::mt19937_64 rng(1);
  std::vector<Node*> nodes;
  for (int64_t i = 0; i < state.range(0) + 1; ++i) {
    auto* n = static_cast<Node*>(obj_new(t));
    n->key = static_cast<int64_t>(rng() % 1000000);
    nodes.push_back(n);
  }
  for (size_t i = 1; i < nodes.size(); ++i) rbtree_add(&root, &nodes[i]->r, less, nullptr, &t, offsetof(Node, r));
  size_t i = 0;
  for (auto _ : state) {
    Node* in = nodes[i];
    in->key = static_cast<int64_t>(rng() % 1000000);
    rbtree_add(&root, &in->r, less, nullptr, &t, offsetof(Node, r));
    i = (i + 1 + rng() % (nodes.size() - 1)) % nodes.size();
    rbtree_remove(&root, &nodes[i]->r);
  }
  for (Node* n : nodes) {
    rbtree_remove(&root, &n->r);
    obj_drop(n, &t);
  }
}
BENCHMARK(BM_RbtreeAddRemove)->Arg(16)->Arg(1024)->Arg(65536);

void BM_KptrXchg(benchmark::State& state) {
  void* field = nullptr;
  int a, b;
  for (auto _ : state) {
    benchmark::DoNotOptimize(kptr_xchg(&field, &a));
    benchmark::DoNotOptimize(kptr_xchg(&field, &b));
  }
}
BENCHMARK(BM_KptrXchg);

void BM_SpinLockPair(benchmark::State& state) {
  uint32_t lock = 0;
  for (auto _ : state) {
    spin_lock(&lock);
    spin_unlock(&lock);
  }
}
BENCHMARK(BM_SpinLockPair);

void BM_ResSpinLockPair(benchmark::State& state) {
  Program p;
  uint32_t lock = 0;
  for (auto _ : state) {
    res_spin_lock(&lock, p.cpu.cpu());
    res_spin_unlock(&lock, p.cpu.cpu());
  }
}
BENCHMARK(BM_ResSpinLockPair);

}  // namespace
}  // namespace ringb::obj

BENCHMARK_MAIN();
