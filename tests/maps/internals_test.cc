// The pieces under the hash map: the element count (atomic and per-cpu), the
// cpu spinlock's deadlock check, the free list's immediate reuse and the
// per-cpu spare elements, and programs in signal handlers re-entering a map
// on their own cpu.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <set>
#include <thread>

#include "cpu_spinlock.h"
#include "elem_count.h"
#include "prealloc_freelist.h"
#include "test_util.h"

namespace ringb::maps::test {
namespace {

using detail::CpuSpinLock;
using detail::ElemCount;
using detail::FreeNode;
using detail::PcpuFreelist;

TEST(ElemCount, AtomicModeStopsAtMaxEntries) {
  ElemCount c(10, 4);
  EXPECT_FALSE(c.percpu());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.try_inc(i % 4));
  EXPECT_TRUE(c.full());
  EXPECT_FALSE(c.try_inc(0));
  EXPECT_EQ(c.sum(), 10);
  c.dec(3);
  EXPECT_FALSE(c.full());
  EXPECT_TRUE(c.try_inc(1));
}

TEST(ElemCount, PercpuModeIsExactWhenQuiet) {
  const unsigned ncpu = 4;
  ElemCount c(1000, ncpu);  // 500 > 4 * 32
  ASSERT_TRUE(c.percpu());
  // Uneven per-cpu traffic: deltas fold into the global count at ±32.
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(c.try_inc(i % 7 == 0 ? 1 : 2)) << i;
  EXPECT_EQ(c.sum(), 1000);
  EXPECT_TRUE(c.full());
  EXPECT_FALSE(c.try_inc(3));
  for (int i = 0; i < 100; ++i) c.dec(static_cast<int>(i % ncpu));
  EXPECT_EQ(c.sum(), 900);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(c.try_inc(3));
  EXPECT_FALSE(c.try_inc(0));
}

TEST(CpuSpinLock, ReportsADeadlockOnItsOwnCpu) {
  CpuSpinLock l;
  ASSERT_EQ(l.lock(detail::lock_tag(1)), 0);
  EXPECT_EQ(l.lock(detail::lock_tag(1)), -EDEADLK);
  EXPECT_FALSE(l.try_lock(detail::lock_tag(2)));
  l.unlock();
  EXPECT_TRUE(l.try_lock(detail::lock_tag(2)));
  l.unlock();
}

TEST(CpuSpinLock, WaitsForAnotherCpu) {
  CpuSpinLock l;
  ASSERT_EQ(l.lock(detail::lock_tag(0)), 0);
  std::atomic<bool> got{false};
  std::thread t([&] {
    EXPECT_EQ(l.lock(detail::lock_tag(1)), 0);
    got = true;
    l.unlock();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(got.load());
  l.unlock();
  t.join();
  EXPECT_TRUE(got.load());
}

struct Nodes {
  explicit Nodes(size_t n) : v(n) {}
  std::vector<FreeNode> v;
  char* base() { return reinterpret_cast<char*>(v.data()); }
};

TEST(PcpuFreelist, PushedNodesAreReusableAtOnce) {
  Nodes nodes(8);
  PcpuFreelist fl(2);
  fl.populate(nodes.base(), sizeof(FreeNode), 8);
  EXPECT_EQ(fl.free_count(), 8u);
  std::set<FreeNode*> taken;
  for (int i = 0; i < 8; ++i) taken.insert(fl.pop(i % 2));
  EXPECT_EQ(taken.size(), 8u);
  EXPECT_FALSE(taken.count(nullptr));
  EXPECT_EQ(fl.pop(0), nullptr);
  EXPECT_EQ(fl.free_count(), 0u);
  // Inside a read-side section no grace period can end: reuse needs none, as
  // in the kernel's pcpu_freelist.
  rcu::ReadGuard reader;
  FreeNode* a = &nodes.v[3];
  FreeNode* b = &nodes.v[5];
  fl.push(0, a);
  EXPECT_EQ(fl.pop(0), a) << "own cpu's list";
  fl.push(1, b);
  EXPECT_EQ(fl.pop(0), b) << "another cpu's list when its own is empty";
  fl.push(0, a);
  fl.push(0, b);
  EXPECT_EQ(fl.pop(0), b) << "last in, first out (cache-warm)";
  EXPECT_EQ(fl.pop(0), a);
  EXPECT_EQ(fl.pop(1), nullptr);
}

// What the map gets from it: the kernel's element count (max_entries, plus
// one spare per cpu for a plain hash), every unlinked element reusable at
// once, inside one read-side section.
TEST(HashPrealloc, DeletedElementIsReusedAtOnce) {
  for (MapType type : {MapType::Hash, MapType::PercpuHash}) {
    SCOPED_TRACE(static_cast<int>(type));
    auto m = make(def_of(type, 4, 8, 1));
    ProgramScope p;
    uint32_t k = 0;
    uint64_t v = 1;
    ASSERT_EQ(m->update_elem(&k, &v, kAny), 0);
    void* first = m->lookup_elem(&k);
    for (k = 1; k < 100; ++k) {
      uint32_t prev = k - 1;
      ASSERT_EQ(m->delete_elem(&prev), 0);
      v = k;
      ASSERT_EQ(m->update_elem(&k, &v, kNoExist), 0) << "the one element is free again at once";
      EXPECT_EQ(m->lookup_elem(&k), first) << "and it is the element just deleted";
      EXPECT_EQ(u64_at(first), k);
      uint32_t other = 1000 + k;
      EXPECT_EQ(m->update_elem(&other, &v, kAny), -E2BIG);
    }
  }
}

// A replace in a plain preallocated hash takes this cpu's spare element and
// leaves the replaced one as the spare (the kernel's extra_elems): on one
// cpu, the key's value moves between the same two elements, and a pointer a
// program kept sees the value after next.
TEST(HashPrealloc, ReplaceSwapsWithThisCpusSpare) {
  auto m = make(def_of(MapType::Hash, 4, 8, 1));
  ProgramScope p;
  uint32_t k = 5;
  uint64_t v = 1;
  ASSERT_EQ(m->update_elem(&k, &v, kAny), 0);
  auto* a = static_cast<uint64_t*>(m->lookup_elem(&k));
  v = 2;
  ASSERT_EQ(m->update_elem(&k, &v, kAny), 0) << "a full map still replaces";
  auto* b = static_cast<uint64_t*>(m->lookup_elem(&k));
  EXPECT_NE(a, b);
  EXPECT_EQ(u64_at(a), 1u) << "the replaced element is not written until it is reused";
  v = 3;
  ASSERT_EQ(m->update_elem(&k, &v, kExist), 0);
  EXPECT_EQ(m->lookup_elem(&k), a) << "the spare was the element replaced before";
  EXPECT_EQ(u64_at(a), 3u);
  EXPECT_EQ(u64_at(b), 2u);
  uint32_t other = 6;
  EXPECT_EQ(m->update_elem(&other, &v, kAny), -E2BIG) << "spares never hold an inserted key";
  EXPECT_EQ(m->stats().elements, 1u);
}

// Every cpu's spare is its own: a full map replaces on each of them, and
// the spares never become room for an insert.
TEST(HashPrealloc, EveryCpuReplacesInAFullMap) {
  const unsigned ncpu = cpu::nr_cpus();
  auto m = make(def_of(MapType::Hash, 4, 8, 3));
  for (uint32_t k = 0; k < 3; ++k) {
    uint64_t v = k;
    ASSERT_EQ(m->host_update(&k, sizeof k, &v, sizeof v, kAny), 0);
  }
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < ncpu; ++t) {
    threads.emplace_back([&, t] {
      ProgramScope p;  // one slot per thread while all are held: every cpu
      for (uint64_t i = 0; i < 50; ++i) {
        uint32_t k = static_cast<uint32_t>(i % 3);
        uint64_t v = t * 1000 + i;
        if (m->update_elem(&k, &v, kExist) != 0) bad.fetch_add(1);
        uint32_t extra = 100 + t;
        if (m->update_elem(&extra, &v, kAny) != -E2BIG) bad.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(walk_keys<uint32_t>(*m).size(), 3u);
  EXPECT_EQ(m->stats().elements, 3u);
}

// ---- programs in signal handlers -----------------------------------------------

Map* g_map = nullptr;
std::atomic<int> g_handler_runs{0}, g_handler_deadlocks{0}, g_handler_bad{0};

void program_in_handler(int) {
  const int saved_errno = errno;
  cpu::CpuGuard nmi(cpu::Context::Interrupt);  // nests on the interrupted thread's slot
  ProgramScope p;
  uint32_t k = 7;
  uint64_t v = 0x0707070707070707;
  const long rc = g_map->update_elem(&k, &v, kAny);
  const long rc2 = g_map->delete_elem(&k);
  for (long r : {rc, rc2}) {
    if (r == -EDEADLK) g_handler_deadlocks.fetch_add(1);
    // -ENOENT: the delete found the key gone; -E2BIG/-ENOMEM: no element to
    // spare while the interrupted thread holds its cpu's free list or cache;
    // -EBUSY: the thread was between cpu slots, so the handler has none.
    else if (r != 0 && r != -ENOENT && r != -E2BIG && r != -ENOMEM && r != -EBUSY)
      g_handler_bad.fetch_add(1);
  }
  g_handler_runs.fetch_add(1);
  errno = saved_errno;
}

// The interrupted thread hammers the very key the handler updates, so the
// handler often lands inside that bucket's lock (or the free list's, or the
// allocator's): it must get an error, never wait forever. (Under TSan,
// signals wait for the thread's next intercepted call, so few or none land
// mid-operation; the test then only proves the handler path is clean.)
TEST(SignalReentry, HandlerOnTheSameCpuNeverDeadlocks) {
  for (uint32_t flags : {0u, kFNoPrealloc}) {
    auto m = make(def_of(MapType::Hash, 4, 8, 16, flags));
    g_map = m.get();
    g_handler_runs = g_handler_deadlocks = g_handler_bad = 0;
    struct sigaction sa = {};
    sa.sa_handler = program_in_handler;
    sigemptyset(&sa.sa_mask);
    ASSERT_EQ(sigaction(SIGUSR1, &sa, nullptr), 0);
    std::atomic<bool> stop{false}, ready{false};
    std::thread worker([&] {
      while (!stop.load()) {
        ProgramScope p;
        // Registered with liburcu now: a handler's first read lock must not
        // be the thread's first (registration is not async-signal-safe).
        ready.store(true);
        for (int i = 0; i < 200; ++i) {
          uint32_t k = 7;
          uint64_t v = 0x0101010101010101;
          m->update_elem(&k, &v, kAny);
          m->delete_elem(&k);
        }
      }
    });
    while (!ready.load()) std::this_thread::yield();
    const pthread_t target = worker.native_handle();
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (g_handler_runs.load() < 500 && std::chrono::steady_clock::now() < until) {
      pthread_kill(target, SIGUSR1);
      std::this_thread::yield();
    }
    stop = true;
    worker.join();
    // A handler still pending died with its thread; none can start now.
    signal(SIGUSR1, SIG_DFL);
    EXPECT_EQ(g_handler_bad.load(), 0);
    // Nothing was lost by the nested operations (spares taken by a handler,
    // frees onto other cpus' lists or the extra list): the map takes exactly
    // max_entries keys, and still replaces when full.
    uint64_t v = 1;
    uint32_t k = 0;
    for (; k < 100 && m->host_update(&k, sizeof k, &v, sizeof v, kAny) == 0; ++k) {
    }
    EXPECT_EQ(k, 16u);
    EXPECT_EQ(m->host_update(&k, sizeof k, &v, sizeof v, kAny), -E2BIG);
    k = 3;
    EXPECT_EQ(m->host_update(&k, sizeof k, &v, sizeof v, kExist), 0);
    RecordProperty(flags ? "handler_runs_dynamic" : "handler_runs_prealloc", g_handler_runs.load());
    RecordProperty(flags ? "deadlocks_reported_dynamic" : "deadlocks_reported_prealloc",
                   g_handler_deadlocks.load());
    g_map = nullptr;
  }
}

}  // namespace
}  // namespace ringb::maps::test
