// A signal storm at every thread of the process — ringb's own included —
// while threads and signal handlers run programs on a hash map that
// allocates its elements, and allocate and free objects directly. It must
// end with exact counts: every key a run left is the one it wrote, handlers
// got NULL only where they interrupted the same cache, ringb's own threads
// never ran a handler, and nothing leaks (ASan, LSan and TSan builds run it).
#include <dirent.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ringb/cpu.h"
#include "ringb/mem.h"
#include "ringb/rcu.h"
#include "ringb/runtime.h"

#ifndef RINGB_API_BPF_DIR
#error "RINGB_API_BPF_DIR must name the directory of churn.bpf.o"
#endif

namespace ringb {
namespace {

using namespace std::chrono_literals;

constexpr int kThreads = 3;
constexpr uint32_t kHandlerLen = 100;  // handler runs use lengths 100..100+kThreads-1

const vm::Executable* g_prog = nullptr;
mem::MemAlloc* g_alloc = nullptr;
vm::RunOptions g_run_options;
thread_local int tl_thread_index = -1;  // plain int: initial-exec TLS, handler-safe

std::atomic<uint64_t> g_handler_runs{0}, g_handler_run_errors{0}, g_handler_no_slot{0};
std::atomic<uint64_t> g_handler_allocs{0}, g_handler_nulls{0}, g_handler_signals{0};

// One program run from any context: the caller holds a slot.
uint64_t run_churn(uint32_t len, int cpu) {
  __sk_buff skb;
  std::memset(&skb, 0, sizeof skb);
  skb.len = len;
  rcu::ReadGuard rcu;
  vm::RunState rs;
  rs.cpu = cpu;
  rs.options = &g_run_options;
  const uint64_t r0 = g_prog->run(reinterpret_cast<uint64_t>(&skb), rs);
  return rs.error ? ~uint64_t{0} : r0;  // a stopped run is never a result
}

void storm_handler(int) {
  const int saved_errno = errno;
  g_handler_signals.fetch_add(1, std::memory_order_relaxed);
  cpu::CpuGuard nmi(cpu::Context::Interrupt);  // never waits for a slot
  if (nmi.cpu() < 0) {
    g_handler_no_slot.fetch_add(1, std::memory_order_relaxed);
    errno = saved_errno;
    return;
  }
  if (tl_thread_index >= 0) {
    // 1, 2: an update or delete failed (-EBUSY on a bucket the interrupted run
    // holds, as the kernel's NMI gets); the next run of that length repairs it.
    const uint64_t rc = run_churn(kHandlerLen + static_cast<uint32_t>(tl_thread_index), nmi.cpu());
    g_handler_runs.fetch_add(1, std::memory_order_relaxed);
    if (rc != 0) g_handler_run_errors.fetch_add(1, std::memory_order_relaxed);
  }
  if (void* p = g_alloc->alloc(40)) {
    std::memset(p, 0x5a, 40);
    g_alloc->free(p);
    g_handler_allocs.fetch_add(1, std::memory_order_relaxed);
  } else {
    g_handler_nulls.fetch_add(1, std::memory_order_relaxed);
  }
  errno = saved_errno;
}

std::vector<pid_t> threads_of_this_process() {
  std::vector<pid_t> tids;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') tids.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
    closedir(d);
  }
  return tids;
}

std::string thread_name(pid_t tid) {
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/comm";
  char name[64] = "?";
  if (FILE* f = std::fopen(path.c_str(), "r")) {
    if (!std::fgets(name, sizeof name, f)) name[0] = 0;
    std::fclose(f);
  }
  return name;
}

// True when thread `tid` blocks both storm signals (from /proc: SigBlk).
bool blocks_storm_signals(pid_t tid) {
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/status";
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return true;  // gone
  char line[256];
  unsigned long long mask = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "SigBlk: %llx", &mask) == 1) break;
  std::fclose(f);
  const unsigned long long want = (1ull << (SIGPROF - 1)) | (1ull << (SIGALRM - 1));
  return (mask & want) == want;
}

TEST(SignalStorm, ProgramsAndAllocationsInHandlersEndWithExactCountsAndNoLeak) {
  mem::MemCgroup cgroup;
  {
    Runtime::Options ro;
    ro.cgroup = &cgroup;
    Runtime rt(ro);
    auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/churn.bpf.o");
    ASSERT_TRUE(lo.ok()) << lo.error().message;
    g_prog = (*lo)->program("churn_dynamic");
    maps::Map* map = (*lo)->map("dynamic");
    ASSERT_NE(g_prog, nullptr);
    ASSERT_NE(map, nullptr);
    auto ma = mem::MemAlloc::create({});
    ASSERT_TRUE(ma.ok());
    g_alloc = ma->get();

    struct sigaction sa = {}, old_prof, old_alrm;
    sa.sa_handler = storm_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ASSERT_EQ(sigaction(SIGPROF, &sa, &old_prof), 0);
    ASSERT_EQ(sigaction(SIGALRM, &sa, &old_alrm), 0);

    std::atomic<bool> stop{false};
    std::atomic<int> started{0};
    std::atomic<uint64_t> runs{0}, run_errors{0}, allocs{0}, nulls{0};
    std::vector<pid_t> test_tids(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        test_tids[t] = static_cast<pid_t>(syscall(SYS_gettid));
        started.fetch_add(1);
        while (!stop.load(std::memory_order_relaxed)) {
          cpu::CpuGuard g;  // a program run, task context
          const uint64_t rc = run_churn(1 + static_cast<uint32_t>(t), g.cpu());
          tl_thread_index = t;  // from now on, handlers on this thread run programs
          runs.fetch_add(1, std::memory_order_relaxed);
          if (rc != 0) run_errors.fetch_add(1);
          void* objs[64];
          for (void*& p : objs) {
            p = g_alloc->alloc(40);
            if (!p) nulls.fetch_add(1);
          }
          for (void* p : objs) g_alloc->free(p);
          allocs.fetch_add(64, std::memory_order_relaxed);
        }
        tl_thread_index = -1;
      });
    while (started.load() < kThreads) std::this_thread::yield();

    const pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
    const auto until = std::chrono::steady_clock::now() + 1500ms;
    uint64_t sent = 0;
    std::set<pid_t> others;  // threads that are neither this one nor the test's
    while (std::chrono::steady_clock::now() < until) {
      for (pid_t tid : threads_of_this_process()) {
        syscall(SYS_tgkill, getpid(), tid, (sent & 1) ? SIGPROF : SIGALRM);
        ++sent;
        if (tid != self && std::find(test_tids.begin(), test_tids.end(), tid) == test_tids.end())
          others.insert(tid);
      }
      std::this_thread::sleep_for(20us);
    }
    stop.store(true);
    for (auto& th : threads) th.join();
    sigaction(SIGPROF, &old_prof, nullptr);
    sigaction(SIGALRM, &old_alrm, nullptr);

    // ringb's threads (allocator worker, liburcu's call_rcu threads) block
    // the signals, so the host's handler never ran on them.
    EXPECT_FALSE(others.empty());
    for (pid_t tid : others) EXPECT_TRUE(blocks_storm_signals(tid)) << "thread " << tid << " " << thread_name(tid);

    EXPECT_EQ(run_errors.load(), 0u) << "task-context runs never fail";
    EXPECT_EQ(nulls.load(), 0u) << "task-context allocations never get NULL";
    EXPECT_GT(runs.load(), 100u);
    EXPECT_GT(g_handler_signals.load(), 100u);
    uint64_t busy = 0;
    for (const mem::CacheStats& c : g_alloc->stats().caches) busy += c.busy_allocs;
    EXPECT_LE(g_handler_nulls.load(), busy) << "a handler gets NULL only from a busy cache";
    std::printf("storm: %llu signals sent, %llu handled; handlers ran %llu programs (%llu got "
                "-EBUSY/-ENOMEM inside), %llu allocs, %llu NULLs (busy %llu), %llu found no slot; "
                "threads ran %llu programs, %llu allocs, 0 NULLs\n",
                (unsigned long long)sent, (unsigned long long)g_handler_signals.load(),
                (unsigned long long)g_handler_runs.load(), (unsigned long long)g_handler_run_errors.load(),
                (unsigned long long)g_handler_allocs.load(), (unsigned long long)g_handler_nulls.load(),
                (unsigned long long)busy, (unsigned long long)g_handler_no_slot.load(),
                (unsigned long long)runs.load(), (unsigned long long)allocs.load());

    // One more task-context run per handler length repairs what a failed
    // handler run left; then exactly 8 odd keys per length remain.
    {
      cpu::CpuGuard g;
      for (int t = 0; t < kThreads; ++t) EXPECT_EQ(run_churn(kHandlerLen + static_cast<uint32_t>(t), g.cpu()), 0u);
    }
    std::set<uint32_t> keys;
    uint32_t key = 0, next = 0;
    const void* prev = nullptr;
    while (map->host_get_next_key(prev, &next, sizeof next) == 0) {
      uint64_t v = 0;
      EXPECT_EQ(map->host_lookup(&next, sizeof next, &v, sizeof v), 0);
      EXPECT_EQ(v, next);
      keys.insert(next);
      key = next;
      prev = &key;
    }
    std::set<uint32_t> expected;
    for (int t = 0; t < kThreads; ++t)
      for (uint32_t len : {1 + static_cast<uint32_t>(t), kHandlerLen + static_cast<uint32_t>(t)})
        for (uint32_t i = 1; i < 16; i += 2) expected.insert(len * 16 + i);
    EXPECT_EQ(keys, expected);
    g_alloc = nullptr;
    g_prog = nullptr;
  }
  mem::MemAlloc::rcu_barrier();
  EXPECT_EQ(cgroup.charged(), 0u) << "map memory left behind after unload";
}

}  // namespace
}  // namespace ringb
