// The new helpers and iterator kfuncs from many threads and from signal
// handlers that interrupt them: bpf_for_each over three words (which copies
// them onto bpf_global_ma), bpf_snprintf, probe reads of the stack and of
// NULL, strtol. Every run, in a thread or a handler, must give the value the
// corpus annotates; nothing leaks (the ASan and TSan builds run it too).
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

#include "annotations.h"
#include "ringb/cpu.h"
#include "ringb/rcu.h"
#include "ringb/runtime.h"

namespace ringb {
namespace {

struct Prog {
  const char* object;
  const char* name;
  uint32_t want;
  const vm::Executable* exe = nullptr;
};

// Programs whose context is unused or only read through helpers.
Prog g_progs[] = {
    {"iters", "bits_three_words", 0x300c6},  {"iters", "num_values", 789},
    {"iters", "for_sum", 45},                {"helpers_str", "snprintf_flags", 31},
    {"helpers_str", "probe_null", 15},       {"helpers_str", "probe_kernel_str", 0x6004},
    {"helpers_str", "strtol_errors", 127},
};
std::atomic<uint64_t> g_handler_runs{0}, g_handler_bad{0}, g_no_slot{0}, g_alloc_refused{0};
std::atomic<int> g_bad_prog{-1};
std::atomic<uint32_t> g_bad_value{0};
uint8_t g_skb[512];  // a zeroed context for the runs (programs here do not read it)

bool run_one(const Prog& p, int cpu, uint32_t* got = nullptr) {
  rcu::ReadGuard rcu;
  vm::RunState rs;
  rs.cpu = cpu;
  const uint64_t r = p.exe->run(reinterpret_cast<uint64_t>(g_skb), rs);
  if (got) *got = static_cast<uint32_t>(r);
  return !rs.error && static_cast<uint32_t>(r) == p.want;
}

void handler(int) {
  const int saved = errno;
  cpu::CpuGuard nmi(cpu::Context::Interrupt);
  if (nmi.cpu() < 0) {
    g_no_slot.fetch_add(1, std::memory_order_relaxed);
  } else {
    for (const Prog& p : g_progs) {
      uint32_t got = 0;
      if (run_one(p, nmi.cpu(), &got)) continue;
      // bpf_iter_bits_new copies more than one word onto bpf_global_ma; a
      // handler that interrupted the same cache gets NULL there, as the
      // kernel's NMI does: -ENOMEM, and the walk finds no bits.
      if (&p == &g_progs[0] && got == 0) {
        g_alloc_refused.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      g_bad_prog.store(static_cast<int>(&p - g_progs));
      g_bad_value.store(got);
      g_handler_bad.fetch_add(1, std::memory_order_relaxed);
    }
    g_handler_runs.fetch_add(1, std::memory_order_relaxed);
  }
  errno = saved;
}

TEST(HelpersUnderSignals, ThreadsAndHandlersGetTheAnnotatedValues) {
  Runtime rt;
  std::vector<std::unique_ptr<LoadedObject>> objs;
  for (const char* o : {"iters", "helpers_str"}) {
    auto lo = rt.load(bpf_corpus::object_path(o));
    ASSERT_TRUE(lo.ok()) << lo.error().message;
    objs.push_back(std::move(*lo));
  }
  for (Prog& p : g_progs) {
    p.exe = objs[std::string(p.object) == "iters" ? 0 : 1]->program(p.name);
    ASSERT_NE(p.exe, nullptr) << p.name;
  }
  struct sigaction sa = {};
  sa.sa_handler = handler;
  sa.sa_flags = SA_RESTART;
  struct sigaction old;
  ASSERT_EQ(sigaction(SIGUSR1, &sa, &old), 0);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> bad{0}, runs{0};
  std::vector<std::thread> threads;
  std::vector<pthread_t> handles(3);
  std::atomic<int> started{0};
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {
      handles[t] = pthread_self();
      started.fetch_add(1);
      while (!stop.load(std::memory_order_relaxed)) {
        cpu::CpuGuard g;
        for (const Prog& p : g_progs)
          if (!run_one(p, g.cpu())) bad.fetch_add(1);
        runs.fetch_add(1, std::memory_order_relaxed);
      }
    });
  while (started.load() < 3) std::this_thread::yield();
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(400);
  while (std::chrono::steady_clock::now() < end) {
    for (pthread_t h : handles) pthread_kill(h, SIGUSR1);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  stop = true;
  for (auto& t : threads) t.join();
  sigaction(SIGUSR1, &old, nullptr);
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_EQ(g_handler_bad.load(), 0u) << "program " << g_bad_prog.load() << " returned " << g_bad_value.load();
  EXPECT_GT(runs.load(), 0u);
  EXPECT_GT(g_handler_runs.load() + g_no_slot.load(), 0u);
  RecordProperty("thread_rounds", static_cast<int>(runs.load()));
  RecordProperty("handler_rounds", static_cast<int>(g_handler_runs.load()));
  RecordProperty("handler_alloc_refused", static_cast<int>(g_alloc_refused.load()));
}

}  // namespace
}  // namespace ringb
