// Stress: many threads, cross-thread frees, and signal handlers that
// interrupt the allocator on the same cpu. Run under ASan and TSan too
// (scripts/test --sanitize).
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "mem/test_util.h"
#include "mem/tracking_backing.h"
#include "ringb/cpu.h"

namespace ringb::mem {
namespace {

using namespace std::chrono_literals;
using ringb::testing::make_alloc;
using ringb::testing::TrackingBacking;

// Every object carries its size in its first 8 bytes and then a pattern
// derived from its address, written after alloc and checked before free:
// corruption or an object handed out twice shows.
void stamp(void* p, size_t size) {
  std::memcpy(p, &size, sizeof(size));
  auto* b = static_cast<unsigned char*>(p);
  for (size_t i = sizeof(size); i < size; ++i)
    b[i] = static_cast<unsigned char>((reinterpret_cast<uintptr_t>(p) >> 4) + i);
}
bool stamped(void* p, size_t size) {
  size_t recorded;
  std::memcpy(&recorded, p, sizeof(recorded));
  if (recorded != size) return false;
  auto* b = static_cast<unsigned char*>(p);
  for (size_t i = sizeof(size); i < size; ++i)
    if (b[i] != static_cast<unsigned char>((reinterpret_cast<uintptr_t>(p) >> 4) + i)) return false;
  return true;
}
size_t recorded_size(void* p) {
  size_t size;
  std::memcpy(&size, p, sizeof(size));
  return size;
}

size_t size_of_round(uint64_t r) { return 8 + (r % 7) * 40; }  // a few classes

TEST(Stress, CrossThreadFreesKeepCountsExact) {
  TrackingBacking tb;
  Options o;
  o.backing = tb.backing();
  auto ma = make_alloc(o);
  constexpr int kThreads = 4;
  constexpr int kSlots = 512;
  std::vector<std::atomic<void*>> cells(kSlots);
  std::atomic<uint64_t> allocated{0}, freed{0}, corrupt{0};
  auto worker = [&](int id) {
    std::mt19937_64 rng(id);
    for (int chunk = 0; chunk < 200; ++chunk) {
      // Half the chunks run "inside a program" (slot held), half as host calls.
      std::optional<cpu::CpuGuard> g;
      if (chunk % 2) g.emplace();
      for (int i = 0; i < 100; ++i) {
        std::atomic<void*>& cell = cells[rng() % kSlots];
        void* old = cell.exchange(nullptr);
        if (old) {
          if (!stamped(old, recorded_size(old)) || recorded_size(old) > 300) corrupt.fetch_add(1);
          ma->free(old);  // usually allocated by another thread
          freed.fetch_add(1);
        } else {
          size_t size = size_of_round(rng());
          void* p = ma->alloc(size);
          if (!p) continue;  // cache empty: the worker is on it
          stamp(p, size);
          allocated.fetch_add(1);
          void* expected = nullptr;
          if (!cell.compare_exchange_strong(expected, p)) {
            ma->free(p);
            freed.fetch_add(1);
          }
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (auto& t : threads) t.join();
  for (std::atomic<void*>& cell : cells)
    if (void* p = cell.exchange(nullptr)) {
      EXPECT_TRUE(stamped(p, recorded_size(p)));
      ma->free(p);
      freed.fetch_add(1);
    }
  EXPECT_EQ(corrupt.load(), 0u);
  EXPECT_EQ(allocated.load(), freed.load());
  EXPECT_GT(allocated.load(), 1000u);
  MemAlloc::rcu_barrier();
  EXPECT_EQ(ma->stats().in_flight, 0u);
  size_t held_bytes = ma->bytes_held();
  EXPECT_GE(held_bytes, tb.live() * 16);
  ma.reset();
  EXPECT_EQ(tb.live(), 0u) << "objects lost";
  EXPECT_EQ(tb.bad_frees(), 0u) << "objects returned twice";
  EXPECT_EQ(tb.allocs(), tb.frees());
}

// ---- signal storm ------------------------------------------------------------

MemAlloc* g_storm_alloc = nullptr;
std::atomic<uint64_t> g_handler_allocs{0}, g_handler_frees{0}, g_handler_nulls{0};
std::atomic<uint64_t> g_handler_corrupt{0};
thread_local std::atomic<void*> tl_donation{nullptr};  // main code → handler

void storm_handler(int) {
  const int saved_errno = errno;
  cpu::CpuGuard nmi(cpu::Context::Interrupt);  // the user-space NMI: never waits
  // Free what the interrupted code donated: this may land while that code is
  // inside alloc/free on the same cpu, so it must go to the extra list.
  if (void* d = tl_donation.exchange(nullptr)) {
    if (!stamped(d, recorded_size(d))) g_handler_corrupt.fetch_add(1);
    g_storm_alloc->free(d);
    g_handler_frees.fetch_add(1);
  }
  if (void* p = g_storm_alloc->alloc(24)) {
    stamp(p, 24);
    g_handler_allocs.fetch_add(1);
    if (!stamped(p, 24)) g_handler_corrupt.fetch_add(1);
    g_storm_alloc->free(p);
    g_handler_frees.fetch_add(1);
  } else {
    g_handler_nulls.fetch_add(1);
  }
  errno = saved_errno;
}

TEST(Stress, SignalStormWhileThreadsAllocAndFree) {
  TrackingBacking tb;
  Options o;
  o.backing = tb.backing();
  auto ma = make_alloc(o);
  g_storm_alloc = ma.get();

  struct sigaction sa = {}, old_prof, old_alrm;
  sa.sa_handler = storm_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ASSERT_EQ(sigaction(SIGPROF, &sa, &old_prof), 0);
  ASSERT_EQ(sigaction(SIGALRM, &sa, &old_alrm), 0);

  constexpr int kThreads = 3;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> main_allocs{0}, main_frees{0}, corrupt{0};
  std::vector<pthread_t> ids(kThreads);
  std::atomic<int> started{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ids[t] = pthread_self();
      started.fetch_add(1);
      std::vector<std::pair<void*, size_t>> mine;
      uint64_t r = static_cast<uint64_t>(t) * 7919;
      while (!stop.load(std::memory_order_relaxed)) {
        std::optional<cpu::CpuGuard> g;
        if (t != 0) g.emplace();  // thread 0 makes host calls, the others hold a slot
        for (int i = 0; i < 64; ++i) {
          // Tight pairs on the handler's own class: signals land inside
          // alloc/free, the case the `active` guard exists for.
          for (int k = 0; k < 8; ++k) {
            if (void* q = ma->alloc(24)) ma->free(q);
          }
          r = r * 6364136223846793005ULL + 1442695040888963407ULL;
          if (mine.size() < 48 && (r >> 33) % 3 != 0) {
            size_t size = size_of_round(r >> 40);
            if (void* p = ma->alloc(size)) {
              stamp(p, size);
              mine.emplace_back(p, size);
              main_allocs.fetch_add(1, std::memory_order_relaxed);
            }
          } else if (!mine.empty()) {
            auto [p, size] = mine.back();
            mine.pop_back();
            if (!stamped(p, size)) corrupt.fetch_add(1);
            if (tl_donation.load() == nullptr) {
              tl_donation.store(p);  // the next signal frees it
            } else {
              ma->free(p);
            }
            main_frees.fetch_add(1, std::memory_order_relaxed);
          }
        }
      }
      for (auto [p, size] : mine) {
        if (!stamped(p, size)) corrupt.fetch_add(1);
        ma->free(p);
        main_frees.fetch_add(1);
      }
      if (void* d = tl_donation.exchange(nullptr)) ma->free(d);  // no signal came for it
    });
  }
  while (started.load() < kThreads) std::this_thread::yield();

  // The storm: SIGPROF and SIGALRM at every thread, as fast as they go.
  const auto until = std::chrono::steady_clock::now() + 1500ms;
  uint64_t sent = 0;
  while (std::chrono::steady_clock::now() < until) {
    for (int t = 0; t < kThreads; ++t) {
      pthread_kill(ids[t], (sent & 1) ? SIGPROF : SIGALRM);
      ++sent;
    }
    std::this_thread::sleep_for(20us);
  }
  stop.store(true);
  for (auto& th : threads) th.join();
  // Block the signals before restoring: none may arrive half-way.
  sigaction(SIGPROF, &old_prof, nullptr);
  sigaction(SIGALRM, &old_alrm, nullptr);

  EXPECT_EQ(corrupt.load(), 0u);
  EXPECT_EQ(g_handler_corrupt.load(), 0u);
  EXPECT_GT(main_allocs.load(), 1000u);
  EXPECT_EQ(main_allocs.load(), main_frees.load());
  EXPECT_GT(g_handler_allocs.load() + g_handler_nulls.load(), 100u) << "signals were handled";

  uint64_t reentrant_frees = 0, busy = 0, fails = 0;
  for (const CacheStats& c : ma->stats().caches) {
    reentrant_frees += c.reentrant_frees;
    busy += c.busy_allocs;
    fails += c.alloc_fails;
  }
  std::printf("storm: %llu signals sent; in handlers %llu allocs, %llu NULLs; allocs that "
              "found the cache busy %llu, frees sent to the extra list %llu, all NULLs %llu\n",
              static_cast<unsigned long long>(sent),
              static_cast<unsigned long long>(g_handler_allocs.load()),
              static_cast<unsigned long long>(g_handler_nulls.load()),
              static_cast<unsigned long long>(busy),
              static_cast<unsigned long long>(reentrant_frees),
              static_cast<unsigned long long>(fails));
#if !defined(__SANITIZE_THREAD__)  // TSan delivers signals only at safe points
  EXPECT_GT(busy + reentrant_frees, 0u) << "no signal ever interrupted the allocator";
#endif
  g_storm_alloc = nullptr;
  ma.reset();
  EXPECT_EQ(tb.live(), 0u) << "objects lost";
  EXPECT_EQ(tb.bad_frees(), 0u);
}

}  // namespace
}  // namespace ringb::mem
