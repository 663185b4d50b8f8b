// cpumask_test.cc — struct bpf_cpumask and its kfuncs with the kernel's
// semantics (kernel/bpf/cpumask.c): nr_cpu_ids = cpu::nr_cpus(), invalid
// cpus ignored or false, searches returning nr_cpu_ids, refcounting and
// freeing after a grace period, the kptr destructor.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "ringb/cpu.h"
#include "ringb/cpumask.h"
#include "ringb/mem.h"
#include "ringb/objects.h"

namespace ringb::obj {
namespace {

class Cpumask : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(init().ok());
    nr = cpu::nr_cpus();
    a = bpf_cpumask_create();
    b = bpf_cpumask_create();
    d = bpf_cpumask_create();
    ASSERT_TRUE(a && b && d);
  }
  void TearDown() override {
    for (bpf_cpumask* m : {a, b, d})
      if (m) bpf_cpumask_release(m);
  }
  const cpumask* c(bpf_cpumask* m) { return &m->cpumask; }

  uint32_t nr = 0;
  bpf_cpumask *a = nullptr, *b = nullptr, *d = nullptr;
};

TEST_F(Cpumask, CreateIsEmpty) {
  EXPECT_TRUE(bpf_cpumask_empty(c(a)));
  EXPECT_FALSE(bpf_cpumask_full(c(a)));
  EXPECT_EQ(bpf_cpumask_weight(c(a)), 0u);
  EXPECT_EQ(bpf_cpumask_first(c(a)), nr);  // nothing set: nr_cpu_ids
  EXPECT_EQ(bpf_cpumask_first_zero(c(a)), 0u);
  EXPECT_EQ(bpf_cpumask_any_distribute(c(a)), nr);
  EXPECT_EQ(a->usage, 1u);
}

TEST_F(Cpumask, SetClearTest) {
  bpf_cpumask_set_cpu(0, a);
  EXPECT_TRUE(bpf_cpumask_test_cpu(0, c(a)));
  EXPECT_EQ(bpf_cpumask_first(c(a)), 0u);
  EXPECT_EQ(bpf_cpumask_weight(c(a)), 1u);
  if (nr > 1) {
    EXPECT_FALSE(bpf_cpumask_test_and_set_cpu(nr - 1, a));
    EXPECT_TRUE(bpf_cpumask_test_and_set_cpu(nr - 1, a));
    EXPECT_EQ(bpf_cpumask_weight(c(a)), 2u);
    EXPECT_TRUE(bpf_cpumask_test_and_clear_cpu(nr - 1, a));
    EXPECT_FALSE(bpf_cpumask_test_and_clear_cpu(nr - 1, a));
  }
  bpf_cpumask_clear_cpu(0, a);
  EXPECT_TRUE(bpf_cpumask_empty(c(a)));
}

// cpu_valid(): cpus at or past nr_cpu_ids are ignored by the setters and
// are never set.
TEST_F(Cpumask, InvalidCpus) {
  for (uint32_t cpu : {nr, nr + 1, cpu::kMaxCpus - 1, cpu::kMaxCpus, 1u << 31, UINT32_MAX}) {
    bpf_cpumask_set_cpu(cpu, a);
    EXPECT_FALSE(bpf_cpumask_test_cpu(cpu, c(a))) << cpu;
    EXPECT_FALSE(bpf_cpumask_test_and_set_cpu(cpu, a)) << cpu;
    EXPECT_FALSE(bpf_cpumask_test_and_clear_cpu(cpu, a)) << cpu;
    bpf_cpumask_clear_cpu(cpu, a);
  }
  EXPECT_TRUE(bpf_cpumask_empty(c(a)));
  for (unsigned w = 0; w < cpu::kMaxCpus / 64; ++w) EXPECT_EQ(a->cpumask.bits[w], 0u);
}

TEST_F(Cpumask, SetallClearFullFirstZero) {
  bpf_cpumask_setall(a);
  EXPECT_TRUE(bpf_cpumask_full(c(a)));
  EXPECT_EQ(bpf_cpumask_weight(c(a)), nr);
  EXPECT_EQ(bpf_cpumask_first_zero(c(a)), nr);
  EXPECT_FALSE(bpf_cpumask_test_cpu(nr, c(a)));
  bpf_cpumask_clear(a);
  EXPECT_TRUE(bpf_cpumask_empty(c(a)));
}

TEST_F(Cpumask, AndOrXorAndComparisons) {
  bpf_cpumask_set_cpu(0, a);
  if (nr > 1) bpf_cpumask_set_cpu(1, b);
  // Disjoint (one cpu: b is empty).
  EXPECT_FALSE(bpf_cpumask_and(d, c(a), c(b)));
  EXPECT_TRUE(bpf_cpumask_empty(c(d)));
  EXPECT_FALSE(bpf_cpumask_intersects(c(a), c(b)));
  EXPECT_EQ(bpf_cpumask_first_and(c(a), c(b)), nr);
  bpf_cpumask_or(d, c(a), c(b));
  EXPECT_EQ(bpf_cpumask_weight(c(d)), nr > 1 ? 2u : 1u);
  EXPECT_TRUE(bpf_cpumask_subset(c(a), c(d)));
  EXPECT_EQ(bpf_cpumask_subset(c(d), c(a)), nr == 1);
  bpf_cpumask_xor(d, c(d), c(a));
  EXPECT_TRUE(bpf_cpumask_equal(c(d), c(b)));
  bpf_cpumask_set_cpu(0, b);
  EXPECT_TRUE(bpf_cpumask_and(d, c(a), c(b)));
  EXPECT_TRUE(bpf_cpumask_equal(c(d), c(a)));
  EXPECT_EQ(bpf_cpumask_first_and(c(a), c(b)), 0u);
  bpf_cpumask_copy(d, c(b));
  EXPECT_TRUE(bpf_cpumask_equal(c(d), c(b)));
  bpf_cpumask_clear(d);
  EXPECT_TRUE(bpf_cpumask_subset(c(d), c(a)));  // the empty set
}

// any_distribute: round robin over the set cpus, per cpu slot, starting
// after the one returned last (the first call skips cpu 0).
TEST_F(Cpumask, AnyDistributeCyclesThroughSetCpus) {
  cpu::CpuGuard g;
  bpf_cpumask_setall(a);
  std::set<uint32_t> seen;
  for (uint32_t i = 0; i < 2 * nr; ++i) {
    const uint32_t cpu = bpf_cpumask_any_distribute(c(a));
    ASSERT_LT(cpu, nr);
    seen.insert(cpu);
  }
  EXPECT_EQ(seen.size(), nr);
  const uint32_t x = bpf_cpumask_any_distribute(c(a));
  EXPECT_EQ(bpf_cpumask_any_distribute(c(a)), (x + 1) % nr);
  bpf_cpumask_clear(a);
  bpf_cpumask_set_cpu(nr - 1, a);
  EXPECT_EQ(bpf_cpumask_any_distribute(c(a)), nr - 1);
  EXPECT_EQ(bpf_cpumask_any_and_distribute(c(a), c(b)), nr);  // b is empty
  bpf_cpumask_set_cpu(nr - 1, b);
  EXPECT_EQ(bpf_cpumask_any_and_distribute(c(a), c(b)), nr - 1);
}

TEST_F(Cpumask, Populate) {
  unsigned long bits[cpu::kMaxCpus / 64];
  std::memset(bits, 0xff, sizeof bits);
  const size_t need = (nr + 63) / 64 * sizeof(unsigned long);
  EXPECT_EQ(bpf_cpumask_populate(&a->cpumask, bits, need - 1), -EACCES);
  EXPECT_TRUE(bpf_cpumask_empty(c(a)));
  EXPECT_EQ(bpf_cpumask_populate(&a->cpumask, bits, need), 0);
  EXPECT_TRUE(bpf_cpumask_full(c(a)));
  EXPECT_FALSE(bpf_cpumask_test_cpu(nr, c(a)));  // only nr_cpu_ids bits taken
  // Any alignment.
  unsigned char buf[sizeof bits + 1] = {};
  buf[1] = 1;  // cpu 0
  EXPECT_EQ(bpf_cpumask_populate(&b->cpumask, buf + 1, need), 0);
  EXPECT_EQ(bpf_cpumask_weight(c(b)), 1u);
  EXPECT_TRUE(bpf_cpumask_test_cpu(0, c(b)));
}

TEST_F(Cpumask, RefcountAndFree) {
  const uint64_t before = stats().cpumasks_live;
  bpf_cpumask* m = bpf_cpumask_create();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(stats().cpumasks_live, before + 1);
  EXPECT_EQ(bpf_cpumask_acquire(m), m);
  EXPECT_EQ(m->usage, 2u);
  bpf_cpumask_release(m);
  EXPECT_EQ(stats().cpumasks_live, before + 1);
  bpf_cpumask_release_dtor(m);  // the kptr destructor: the last reference
  EXPECT_EQ(stats().cpumasks_live, before);
  mem::MemAlloc::rcu_barrier();
}

TEST(CpumaskKptr, BuiltinTypeIsRegistered) {
  const KptrTypes k = KptrTypes::builtin();
  const KptrType* t = k.find("bpf_cpumask");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->release, &bpf_cpumask_release_dtor);
  EXPECT_EQ(k.find("task_struct"), nullptr);
  KptrTypes copy = k;
  EXPECT_NE(copy.find("bpf_cpumask"), t);  // a copy of its own
  copy.add(KptrType{"task_struct", [](void*) {}});
  EXPECT_NE(copy.find("task_struct"), nullptr);
  EXPECT_EQ(k.find("task_struct"), nullptr);
}

}  // namespace
}  // namespace ringb::obj
