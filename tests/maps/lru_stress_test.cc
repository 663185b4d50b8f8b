// LRU eviction stress: program threads (more than cpu slots) insert, look up
// and delete keys from a space four times max_entries, so nearly every insert
// evicts, while a signal storm runs the same operations in interrupt context
// on the interrupted thread's slot. Afterwards the accounting of lru_htab.h
// must be exact — free slots + listed nodes == max_entries, nodes taken from
// the allocator == nodes listed, elements == what a walk finds — the
// allocator's memory bounded by max_entries elements throughout, and every
// value whole (each value's bytes all equal).
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "lru_htab.h"
#include "test_util.h"

namespace ringb::maps::test {
namespace {

using detail::LruHtab;

constexpr uint32_t kMaxEntries = 512;
constexpr uint32_t kKeySpace = 4 * kMaxEntries;
constexpr uint32_t kValueSize = 32;
constexpr int kThreads = 4;

Map* g_map = nullptr;
std::atomic<uint64_t> g_runs{0}, g_failed{0}, g_bad{0};

struct Value {
  uint8_t b[kValueSize];
};

bool whole(const void* p) {
  const auto* v = static_cast<const uint8_t*>(p);
  for (uint32_t i = 1; i < kValueSize; ++i)
    if (v[i] != v[0]) return false;
  return true;
}

void one_op(Map& m, uint32_t x) {
  uint32_t k = x % kKeySpace;
  Value v;
  std::memset(v.b, static_cast<int>(k & 0xff), sizeof v.b);
  long r = 0;
  switch ((x >> 16) % 8) {
    case 0: r = m.delete_elem(&k); break;
    case 1:
    case 2:
      // (The value is not read: an element is reused at once, as in the
      // kernel, so a program may see another key's value being written.)
      (void)m.lookup_elem(&k);
      break;
    default: r = m.update_elem(&k, &v, kAny); break;
  }
  // -ENOMEM: no slot (locks held by the interrupted code) or no memory in a
  // nested allocation; -EDEADLK: the bucket lock was the interrupted code's;
  // -EBUSY: no cpu slot between guards.
  if (r == -ENOMEM || r == -EDEADLK || r == -EBUSY)
    g_failed.fetch_add(1);
  else if (r != 0 && r != -ENOENT)
    g_bad.fetch_add(1);
}

thread_local uint32_t t_seed = 0;

void handler(int) {
  const int saved = errno;
  {
    cpu::CpuGuard nmi(cpu::Context::Interrupt);
    if (nmi.cpu() >= 0) {
      rcu::ReadGuard rcu;
      uint32_t x = t_seed * 2654435761u + 0x9e37;
      t_seed = x;
      for (int i = 0; i < 4; ++i) one_op(*g_map, x + i * 7919);
    }
  }
  g_runs.fetch_add(1);
  errno = saved;
}

struct Case {
  const char* name;
  MapType type;
  uint32_t flags;
};

class LruStress : public ::testing::TestWithParam<Case> {};

TEST_P(LruStress, EvictionUnderThreadsAndSignals) {
  const Case c = GetParam();
  auto m = make(def_of(c.type, 4, kValueSize, kMaxEntries, c.flags));
  ASSERT_TRUE(m);
  auto& t = static_cast<LruHtab&>(*m);
  const bool percpu = c.type == MapType::LruPercpuHash;
  g_map = m.get();
  g_runs = g_failed = g_bad = 0;
  struct sigaction sa = {}, old = {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR2, &sa, &old), 0);

  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  std::atomic<uint64_t> max_nodes{0}, ops{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th)
    threads.emplace_back([&, th] {
      uint32_t x = 1234567u * (th + 1);
      t_seed = x;
      {
        ProgramScope warm;  // registered with liburcu before any handler runs here
      }
      ready.fetch_add(1);
      uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        ProgramScope p;
        for (int i = 0; i < 64; ++i) {
          x = x * 1103515245u + 12345u;
          one_op(*m, x);
          ++n;
        }
        const uint64_t nodes = m->stats().nodes_in_use;
        uint64_t seen = max_nodes.load(std::memory_order_relaxed);
        while (nodes > seen && !max_nodes.compare_exchange_weak(seen, nodes)) {
        }
      }
      ops.fetch_add(n);
    });
  while (ready.load() < kThreads) std::this_thread::yield();
  std::vector<pthread_t> ids;
  for (auto& th : threads) ids.push_back(th.native_handle());
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(400);
  uint64_t sent = 0;
  while (std::chrono::steady_clock::now() < until) {
    pthread_kill(ids[sent++ % ids.size()], SIGUSR2);
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  stop = true;
  for (auto& th : threads) th.join();
  sigaction(SIGUSR2, &old, nullptr);

  EXPECT_EQ(g_bad.load(), 0u);
  // The per-cpu counts are summed racily while others run; a sum may be
  // off by what is in flight on each cpu, never by more.
  EXPECT_LE(max_nodes.load(), kMaxEntries + 2u * kThreads);
  const Stats s = m->stats();
  EXPECT_EQ(t.lru_lists().free_slots() + t.lru_lists().listed_nodes(), kMaxEntries);
  EXPECT_EQ(s.nodes_in_use, t.lru_lists().listed_nodes());
  EXPECT_LE(s.nodes_in_use, kMaxEntries);
  const auto keys = walk_keys<uint32_t>(*m);
  EXPECT_EQ(s.elements, keys.size());
  std::vector<uint8_t> buf(m->value_size_for_host());
  for (uint32_t k : keys) {
    ASSERT_EQ(m->host_lookup(&k, 4, buf.data(), buf.size()), 0);
    if (!percpu) {
      EXPECT_TRUE(whole(buf.data())) << k;
    }
  }
  // Still an LRU: filling it again from the host succeeds for every key.
  Value v{};
  for (uint32_t k = 0; k < 2 * kMaxEntries; ++k) ASSERT_EQ(m->host_update(&k, 4, buf.data(), buf.size(), kAny), 0);
  (void)v;
  EXPECT_LE(m->stats().elements, kMaxEntries);
  EXPECT_EQ(t.lru_lists().free_slots() + t.lru_lists().listed_nodes(), kMaxEntries);
  RecordProperty("ops", std::to_string(ops.load()));
  RecordProperty("handler_runs", std::to_string(g_runs.load()));
  RecordProperty("handler_failures", std::to_string(g_failed.load()));
  std::printf("%s: %llu ops, %llu handler runs, %llu failed (ENOMEM/EDEADLK/EBUSY), max nodes %llu\n", c.name,
              (unsigned long long)ops.load(), (unsigned long long)g_runs.load(), (unsigned long long)g_failed.load(),
              (unsigned long long)max_nodes.load());
}

INSTANTIATE_TEST_SUITE_P(Lru, LruStress,
                         ::testing::Values(Case{"lru_hash", MapType::LruHash, 0},
                                           Case{"lru_hash_no_common", MapType::LruHash, kFNoCommonLru},
                                           Case{"lru_percpu_hash", MapType::LruPercpuHash, 0},
                                           Case{"lru_percpu_no_common", MapType::LruPercpuHash, kFNoCommonLru}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ringb::maps::test
