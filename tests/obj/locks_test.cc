// locks_test.cc — bpf_spin_lock and bpf_res_spin_lock: mutual exclusion,
// AA deadlocks (the same cpu, and a signal handler on the holding thread)
// and ABBA deadlocks reported as -EDEADLK, a held lock timing out with
// -ETIMEDOUT after 250 ms, unlocks in any order.
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

#include "ringb/cpu.h"
#include "ringb/objects.h"

namespace ringb::obj {
namespace {

TEST(SpinLock, MutualExclusion) {
  uint32_t lock = 0;
  int64_t counter = 0;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        spin_lock(&lock);
        ++counter;
        spin_unlock(&lock);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(counter, 80000);
  EXPECT_EQ(lock, 0u);
}

TEST(ResSpinLock, AAOnTheSameCpu) {
  cpu::CpuGuard g;
  uint32_t a = 0, b = 0;
  ASSERT_EQ(res_spin_lock(&a, g.cpu()), 0);
  EXPECT_EQ(res_spin_lock(&a, g.cpu()), -EDEADLK);
  ASSERT_EQ(res_spin_lock(&b, g.cpu()), 0);
  EXPECT_EQ(res_spin_lock(&b, g.cpu()), -EDEADLK);
  EXPECT_EQ(res_spin_lock(&a, g.cpu()), -EDEADLK);
  // Out of order.
  res_spin_unlock(&a, g.cpu());
  EXPECT_EQ(res_spin_lock(&b, g.cpu()), -EDEADLK);
  ASSERT_EQ(res_spin_lock(&a, g.cpu()), 0);
  res_spin_unlock(&a, g.cpu());
  res_spin_unlock(&b, g.cpu());
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 0u);
  ASSERT_EQ(res_spin_lock(&a, g.cpu()), 0);  // the table is clean again
  res_spin_unlock(&a, g.cpu());
}

TEST(ResSpinLock, MutualExclusion) {
  uint32_t lock = 0;
  int64_t counter = 0;
  std::atomic<int> failures{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        cpu::CpuGuard g;
        if (res_spin_lock(&lock, g.cpu()) != 0) {
          failures.fetch_add(1);
          continue;
        }
        ++counter;
        res_spin_unlock(&lock, g.cpu());
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(counter, 80000);
}

uint32_t g_sig_lock = 0;
std::atomic<long> g_sig_result{1};

void take_in_handler(int) {
  cpu::CpuGuard g(cpu::Context::Interrupt);
  if (g.cpu() < 0) return;
  const long r = res_spin_lock(&g_sig_lock, g.cpu());
  if (r == 0) res_spin_unlock(&g_sig_lock, g.cpu());
  g_sig_result.store(r);
}

// The user-space NMI: a handler interrupts a thread holding the lock and
// tries to take it on the same cpu.
TEST(ResSpinLock, AAFromASignalHandler) {
  struct sigaction sa {}, old{};
  sa.sa_handler = take_in_handler;
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR1, &sa, &old), 0);
  {
    cpu::CpuGuard g;
    ASSERT_EQ(res_spin_lock(&g_sig_lock, g.cpu()), 0);
    pthread_kill(pthread_self(), SIGUSR1);
    EXPECT_EQ(g_sig_result.load(), -EDEADLK);
    res_spin_unlock(&g_sig_lock, g.cpu());
    g_sig_result.store(1);
    pthread_kill(pthread_self(), SIGUSR1);  // not held now: the handler gets it
    EXPECT_EQ(g_sig_result.load(), 0);
  }
  sigaction(SIGUSR1, &old, nullptr);
}

// Two cpus, each holding one lock and waiting for the other's: at least one
// sees -EDEADLK (the ABBA check), well before the timeout.
TEST(ResSpinLock, ABBA) {
  if (cpu::nr_cpus() < 2) GTEST_SKIP() << "needs two cpu slots";
  uint32_t a = 0, b = 0;
  std::atomic<int> holding{0};
  long ra = 1, rb = 1;
  auto run = [&](uint32_t* first, uint32_t* second, long* result) {
    cpu::CpuGuard g;
    ASSERT_EQ(res_spin_lock(first, g.cpu()), 0);
    holding.fetch_add(1);
    while (holding.load() < 2) std::this_thread::yield();
    *result = res_spin_lock(second, g.cpu());
    if (*result == 0) res_spin_unlock(second, g.cpu());
    res_spin_unlock(first, g.cpu());
  };
  const auto start = std::chrono::steady_clock::now();
  std::thread t1(run, &a, &b, &ra), t2(run, &b, &a, &rb);
  t1.join();
  t2.join();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(ra == -EDEADLK || rb == -EDEADLK) << ra << " " << rb;
  EXPECT_TRUE((ra == 0 || ra == -EDEADLK) && (rb == 0 || rb == -EDEADLK)) << ra << " " << rb;
  EXPECT_LT(took, std::chrono::milliseconds(250));
}

TEST(ResSpinLock, TimesOutAfter250ms) {
  if (cpu::nr_cpus() < 2) GTEST_SKIP() << "needs two cpu slots";
  uint32_t lock = 0;
  std::atomic<bool> held{false}, done{false};
  std::thread holder([&] {
    cpu::CpuGuard g;
    ASSERT_EQ(res_spin_lock(&lock, g.cpu()), 0);
    held = true;
    while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    res_spin_unlock(&lock, g.cpu());
  });
  while (!held) std::this_thread::yield();
  long r;
  std::chrono::steady_clock::duration took;
  {
    cpu::CpuGuard g;
    const auto start = std::chrono::steady_clock::now();
    r = res_spin_lock(&lock, g.cpu());
    took = std::chrono::steady_clock::now() - start;
  }
  done = true;
  holder.join();
  EXPECT_EQ(r, -ETIMEDOUT);
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_LT(took, std::chrono::milliseconds(2000));
}

}  // namespace
}  // namespace ringb::obj
