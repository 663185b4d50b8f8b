// Execution slots: what "this cpu" means for ringb.
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "ringb/cpu.h"

namespace ringb::cpu {
namespace {

TEST(CpuSlots, GuardHoldsASlotForItsScope) {
  ASSERT_GE(nr_cpus(), 1u);
  EXPECT_EQ(current(), -1);
  {
    CpuGuard g;
    ASSERT_GE(g.cpu(), 0);
    ASSERT_LT(g.cpu(), static_cast<int>(nr_cpus()));
    EXPECT_EQ(current(), g.cpu());
    {
      CpuGuard nested;
      EXPECT_EQ(nested.cpu(), g.cpu());
    }
    EXPECT_EQ(current(), g.cpu());
  }
  EXPECT_EQ(current(), -1);
}

TEST(CpuSlots, NoTwoThreadsEverHoldTheSameSlot) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 3000;
  std::vector<int> holder(nr_cpus(), 0);  // plain ints: the slot is the lock
  std::atomic<int> violations{0};
  std::atomic<int> max_concurrent{0}, concurrent{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        // Now and then idle between guards, holding a lease others may steal.
        if (i % 500 == 250) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        CpuGuard g;
        int now = concurrent.fetch_add(1) + 1;
        int seen = max_concurrent.load();
        while (now > seen && !max_concurrent.compare_exchange_weak(seen, now)) {
        }
        if (holder[g.cpu()] != 0) violations.fetch_add(1);
        holder[g.cpu()] = t + 1;
        for (int k = 0; k < 50; ++k) asm volatile("" ::: "memory");
        if (holder[g.cpu()] != t + 1) violations.fetch_add(1);
        holder[g.cpu()] = 0;
        concurrent.fetch_sub(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_LE(max_concurrent.load(), static_cast<int>(nr_cpus()));
}

// A thread keeps its slot between guards (a lease) and re-enters it with no
// atomic read-modify-write; a thread that finds every slot leased by idle
// threads takes one over rather than wait forever.
TEST(CpuSlots, ALeaseIsKeptBetweenGuardsAndStolenFromAnIdleThread) {
  const unsigned n = nr_cpus();
  std::atomic<unsigned> leased{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> idle;
  std::vector<int> cpus(n, -1);
  for (unsigned t = 0; t < n; ++t)
    idle.emplace_back([&, t] {
      {
        CpuGuard g;
        cpus[t] = g.cpu();
      }
      {
        CpuGuard again;  // the lease: the same slot
        if (again.cpu() != cpus[t]) cpus[t] = -2;
      }
      leased.fetch_add(1);
      while (!done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      CpuGuard after;  // its lease was taken over: it gets a slot all the same
      if (after.cpu() < 0) cpus[t] = -3;
    });
  while (leased.load() < n) std::this_thread::yield();
  // Every slot is leased by a sleeping thread: a guard here still gets one.
  const auto t0 = std::chrono::steady_clock::now();
  {
    CpuGuard g;
    EXPECT_GE(g.cpu(), 0);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  done.store(true);
  for (auto& th : idle) th.join();
  for (int c : cpus) EXPECT_GE(c, 0) << "-2: the lease was not re-entered; -3: no slot after";
}

TEST(CpuSlots, AThreadThatExitsGivesItsLeaseBack) {
  const unsigned n = nr_cpus();
  for (int round = 0; round < 50; ++round) {
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < n; ++t) ts.emplace_back([] { CpuGuard g; });
    for (auto& th : ts) th.join();
  }
  // Every slot is free again: n threads each get one at once, all together.
  std::atomic<unsigned> holding{0};
  std::vector<std::thread> ts;
  const auto t0 = std::chrono::steady_clock::now();
  for (unsigned t = 0; t < n; ++t)
    ts.emplace_back([&] {
      CpuGuard g;
      holding.fetch_add(1);
      while (holding.load() < n) std::this_thread::yield();
    });
  for (auto& th : ts) th.join();
  EXPECT_EQ(holding.load(), n);
  // Had leases of dead threads stayed, each take would wait a steal (1 ms+).
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));
}

std::atomic<int> g_handler_cpu{-2};

void record_cpu(int) {
  CpuGuard g(Context::Interrupt);  // a signal handler nests on the slot its thread holds
  g_handler_cpu.store(g.cpu());
}

TEST(CpuSlots, SignalHandlerRunsOnTheInterruptedThreadsSlot) {
  struct sigaction sa = {};
  sa.sa_handler = record_cpu;
  sigemptyset(&sa.sa_mask);
  struct sigaction old;
  ASSERT_EQ(sigaction(SIGUSR1, &sa, &old), 0);
  {
    CpuGuard g;
    pthread_kill(pthread_self(), SIGUSR1);
    EXPECT_EQ(g_handler_cpu.load(), g.cpu());
    EXPECT_EQ(current(), g.cpu());
  }
  // Without a slot, the handler takes a free one of its own and gives it back.
  g_handler_cpu.store(-2);
  pthread_kill(pthread_self(), SIGUSR1);
  EXPECT_GE(g_handler_cpu.load(), 0);
  EXPECT_EQ(current(), -1);
  sigaction(SIGUSR1, &old, nullptr);
}

}  // namespace
}  // namespace ringb::cpu
