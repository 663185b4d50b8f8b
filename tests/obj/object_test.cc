// object_test.cc — bpf_obj_new / bpf_obj_drop / refcounts / per-cpu objects:
// zeroed memory, initialised fields, the global allocators' accounting, and
// memory that is not reused before a grace period.
#include <cstring>
#include <set>
#include <vector>

#include "ringb/cpu.h"
#include "ringb/rcu.h"
#include "test_types.h"

namespace ringb::obj::test {
namespace {

TEST(Object, NewIsZeroedWithRefcountOne) {
  init_runtime();
  const Type t = elem_type();
  // Dirty memory of that class first, so that reuse would show.
  std::vector<void*> dirty;
  Type raw;  // outlives its objects: each one remembers its type
  raw.size = sizeof(Elem);
  for (int i = 0; i < 64; ++i) {
    void* p = obj_new(raw);
    ASSERT_NE(p, nullptr);
    std::memset(p, 0xab, sizeof(Elem));
    dirty.push_back(p);
  }
  for (void* p : dirty) obj_drop(p, nullptr);
  mem::MemAlloc::rcu_barrier();
  for (int i = 0; i < 64; ++i) {
    auto* e = static_cast<Elem*>(obj_new(t));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->key, 0);
    EXPECT_EQ(e->id, 0);
    EXPECT_EQ(e->l.owner, nullptr);
    EXPECT_EQ(e->r.owner, nullptr);
    EXPECT_EQ(e->ref, 1u);
    obj_drop(e, &t);
  }
}

TEST(Object, SizesOutsideTheAllocatorAreNull) {
  init_runtime();
  Type t;
  t.size = 0;
  EXPECT_EQ(obj_new(t), nullptr);
  t.size = kMaxObjSize + 1;  // the allocator's largest, less the object's type word
  EXPECT_EQ(obj_new(t), nullptr);
  t.size = kMaxObjSize;
  void* p = obj_new(t);
  EXPECT_NE(p, nullptr);
  obj_drop(p, nullptr);
  t.size = 513;
  EXPECT_EQ(percpu_obj_new(t), nullptr);
}

TEST(Object, StatsCountLiveObjects) {
  init_runtime();
  const uint64_t before = live();
  const Type t = plain_type();
  std::vector<void*> ps;
  for (int i = 0; i < 100; ++i) ps.push_back(obj_new(t));
  EXPECT_EQ(live(), before + 100);
  for (void* p : ps) obj_drop(p, &t);
  EXPECT_EQ(live(), before);
  mem::MemAlloc::rcu_barrier();
  EXPECT_EQ(live(), before);
  EXPECT_GT(stats().bytes_held, 0u);
}

TEST(Object, RefcountDropsOnlyAtZero) {
  init_runtime();
  const Type t = elem_type();
  const uint64_t before = live();
  auto* e = static_cast<Elem*>(obj_new(t));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(refcount_acquire(e), e);
  EXPECT_EQ(refcount_acquire(e), e);
  EXPECT_EQ(e->ref, 3u);
  obj_drop(e, &t);
  obj_drop(e, &t);
  EXPECT_EQ(live(), before + 1);
  EXPECT_EQ(e->ref, 1u);
  obj_drop(e, &t);
  EXPECT_EQ(live(), before);
}

TEST(Object, RefcountAcquireOfAZeroCountFails) {
  init_runtime();
  const Type t = elem_type();
  auto* e = static_cast<Elem*>(obj_new(t));
  ASSERT_NE(e, nullptr);
  e->ref = 0;  // an object on its way out
  EXPECT_EQ(refcount_acquire(e), nullptr);
  EXPECT_EQ(e->ref, 0u);
  e->ref = 1;
  obj_drop(e, &t);
  const Type p = plain_type();  // no bpf_refcount
  void* q = obj_new(p);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(refcount_acquire(q), nullptr);
  obj_drop(q, &p);
}

TEST(Object, RemembersItsType) {
  init_runtime();
  const Type t = elem_type();
  void* e = obj_new(t);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(type_of(e), &t);
  obj_drop(e, nullptr);  // the object's own type decides
}

// bpf_obj_drop's memory is not handed out again while a reader that could
// have seen the object is still inside its RCU read-side section.
TEST(Object, DroppedMemoryWaitsForAGracePeriod) {
  init_runtime();
  Type t;
  t.size = 200;
  std::set<void*> dropped;
  {
    cpu::CpuGuard cpu;
    rcu::ReadGuard reader;  // holds back every grace period
    for (int i = 0; i < 256; ++i) {
      void* p = obj_new(t);
      ASSERT_NE(p, nullptr);
      dropped.insert(p);
      obj_drop(p, nullptr);
    }
    mem::MemAlloc::flush_work();
    for (int i = 0; i < 512; ++i) {
      void* p = obj_new(t);
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(dropped.count(p), 0u) << "reused before a grace period";
      obj_drop(p, nullptr);
    }
  }
  mem::MemAlloc::rcu_barrier();
}

TEST(Object, PercpuObjectsAreZeroedOnEveryCpu) {
  init_runtime();
  Type t;
  t.size = 48;
  const uint64_t before = stats().percpu_live;
  std::vector<void*> dirty;
  for (int i = 0; i < 32; ++i) {
    void* h = percpu_obj_new(t);
    ASSERT_NE(h, nullptr);
    for (unsigned c = 0; c < cpu::nr_cpus(); ++c) std::memset(percpu_ptr(h, c), 0x5a, t.size);
    dirty.push_back(h);
  }
  EXPECT_EQ(stats().percpu_live, before + 32);
  for (void* h : dirty) percpu_obj_drop(h, nullptr);
  mem::MemAlloc::rcu_barrier();
  for (int i = 0; i < 32; ++i) {
    void* h = percpu_obj_new(t);
    ASSERT_NE(h, nullptr);
    for (unsigned c = 0; c < cpu::nr_cpus(); ++c) {
      const auto* b = static_cast<const unsigned char*>(percpu_ptr(h, c));
      for (uint32_t k = 0; k < t.size; ++k) ASSERT_EQ(b[k], 0) << "cpu " << c << " byte " << k;
    }
    EXPECT_EQ(percpu_ptr(h, cpu::nr_cpus()), nullptr);
    if (cpu::nr_cpus() > 1) {
      EXPECT_NE(percpu_ptr(h, 0), percpu_ptr(h, 1));
    }
    percpu_obj_drop(h, nullptr);
  }
  EXPECT_EQ(stats().percpu_live, before);
}

TEST(Object, InitIsIdempotent) {
  EXPECT_TRUE(init().ok());
  EXPECT_TRUE(init().ok());
}

}  // namespace
}  // namespace ringb::obj::test
