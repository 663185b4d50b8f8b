// demo.cc — `ringb demo`: ringb's main job, a scheduler-like BPF program on
// the object model (src/cli/bpf/demo_sched.bpf.c: per-cpu rbtrees of task
// objects by vruntime, dispatch by first + remove, bpf_cpumask kptrs per task
// group read under RCU), run as a host runs it:
//
//   1. N threads each dispatch from a cpu's run queue as fast as they can,
//      while SIGPROF/SIGALRM fire every 100 µs and their handlers run the
//      `tick` program (obj_new + kptr_xchg, no locks) in interrupt context;
//   2. conservation: every task is still queued exactly once;
//   3. one thread, the same dispatch loop, in ringb, in the kernel (where
//      bpf() is allowed) and in native C++ — ns per dispatch and the ratios;
//   4. the object graph written as Graphviz (and SVG), the queues drained,
//      the object unloaded, and the allocator's balance: nothing left.
// `ringb demo alloc` is the allocator demo of the issue before this one.
#include <signal.h>
#include <sys/time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "kernel_run.h"
#include "ringb/cpu.h"
#include "ringb/mem.h"
#include "ringb/objects.h"
#include "ringb/rcu.h"
#include "ringb/runtime.h"
#include "show_maps.h"

#ifndef RINGB_DEMO_BPF
#define RINGB_DEMO_BPF "demo_sched.bpf.o"
#endif

namespace ringb::cli {
namespace {

constexpr uint32_t kGroups = 8;
constexpr uint32_t kTasksPerCpu = 16;

// struct sched_ctx of demo_sched.bpf.c.
struct SchedCtx {
  uint32_t cpu, nr_cpus;
  uint32_t pid, group;
  uint64_t vruntime;
};

struct DemoOptions {
  int threads = 4;
  double seconds = 2.0;
  std::string dot = "ringb-demo.dot";
  uint32_t single_runs = 200000;
};

bool parse(int argc, char** argv, DemoOptions& o) {
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--threads" && v) o.threads = std::atoi(argv[++i]);
    else if (a == "--seconds" && v) o.seconds = std::atof(argv[++i]);
    else if (a == "--dot" && v) o.dot = argv[++i];
    else if (a == "--runs" && v) o.single_runs = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 0));
    else {
      std::fprintf(stderr, "ringb demo: unknown or incomplete option '%s'\n", a.c_str());
      return false;
    }
  }
  if (o.threads < 1 || o.threads > 64 || o.seconds <= 0 || o.seconds > 3600 || o.single_runs == 0) {
    std::fprintf(stderr, "ringb demo: --threads takes 1…64, --seconds 0…3600, --runs > 0\n");
    return false;
  }
  return true;
}

// A program run from the host: a cpu slot and an RCU section, as
// Runtime::test_run takes them, without its per-call setup.
int64_t run(const vm::Executable* exe, SchedCtx ctx, int cpu) {
  rcu::ReadGuard rcu;
  vm::RunState rs;
  rs.cpu = cpu;
  const uint64_t r = exe->run(reinterpret_cast<uint64_t>(&ctx), rs);
  return rs.error ? INT64_MIN : static_cast<int32_t>(r);
}

// ---- the signal storm: `tick` in interrupt context -------------------------
const vm::Executable* g_tick = nullptr;
std::atomic<uint64_t> g_ticks{0}, g_tick_nomem{0}, g_tick_no_slot{0}, g_tick_errors{0};

void on_signal(int) {
  const int saved = errno;
  cpu::CpuGuard nmi(cpu::Context::Interrupt);  // never waits for a slot
  if (nmi.cpu() < 0 || !g_tick) {
    g_tick_no_slot.fetch_add(1, std::memory_order_relaxed);
    errno = saved;
    return;
  }
  const int64_t r = run(g_tick, SchedCtx{static_cast<uint32_t>(nmi.cpu()), 0, 0, 0, 0}, nmi.cpu());
  if (r == 0) g_ticks.fetch_add(1, std::memory_order_relaxed);
  else if (r == -12) g_tick_nomem.fetch_add(1, std::memory_order_relaxed);  // obj_new NULL: the NMI rule
  else g_tick_errors.fetch_add(1, std::memory_order_relaxed);
  errno = saved;
}

void storm(bool on) {
  struct sigaction sa = {};
  sa.sa_handler = on ? on_signal : SIG_IGN;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGPROF, &sa, nullptr);
  sigaction(SIGALRM, &sa, nullptr);
  itimerval t = {};
  if (on) t = {{0, 100}, {0, 100}};
  setitimer(ITIMER_PROF, &t, nullptr);
  setitimer(ITIMER_REAL, &t, nullptr);
}

// ---- the same scheduler in native C++ ---------------------------------------
class NativeSched {
 public:
  explicit NativeSched(uint32_t nr_cpus) : queues_(nr_cpus), nr_(nr_cpus) {
    for (uint32_t g = 0; g < kGroups; ++g)
      for (uint32_t c = 0; c < nr_cpus && c < 64; c += g + 1) masks_[g] |= uint64_t{1} << c;
  }
  ~NativeSched() {
    for (auto& q : queues_)
      for (Task* t : q.tasks) delete t;
  }
  void enqueue(uint32_t cpu, uint32_t pid, uint64_t vruntime) {
    queue(cpu, new Task{vruntime, pid, pid % kGroups});
  }
  uint32_t dispatch(uint32_t cpu) {
    Queue& q = queues_[cpu];
    lock(q);
    Task* t = nullptr;
    if (!q.tasks.empty()) {
      t = *q.tasks.begin();
      q.tasks.erase(q.tasks.begin());
    }
    unlock(q);
    if (!t) return 0;
    const uint64_t mask = masks_[t->group];
    uint32_t target = cpu;
    if (!(mask >> cpu & 1)) target = mask ? static_cast<uint32_t>(__builtin_ctzll(mask)) : nr_;
    else t->vruntime += 1000 + t->pid % 7 * 100;
    const uint32_t pid = t->pid;
    queue(target, t);
    return pid;
  }

 private:
  struct Task {
    uint64_t vruntime;
    uint32_t pid, group;
  };
  struct Before {
    bool operator()(const Task* a, const Task* b) const { return a->vruntime < b->vruntime; }
  };
  struct Queue {
    std::atomic<uint32_t> lock{0};
    std::multiset<Task*, Before> tasks;
  };
  static void lock(Queue& q) {
    while (q.lock.exchange(1, std::memory_order_acquire)) __builtin_ia32_pause();
  }
  static void unlock(Queue& q) { q.lock.store(0, std::memory_order_release); }
  void queue(uint32_t cpu, Task* t) {
    Queue& q = queues_[cpu < nr_ ? cpu : 0];
    lock(q);
    q.tasks.insert(t);
    unlock(q);
  }
  std::vector<Queue> queues_;
  uint64_t masks_[kGroups] = {};
  uint32_t nr_;
};

double ns_per(std::chrono::steady_clock::duration d, uint64_t n) {
  return n ? std::chrono::duration<double, std::nano>(d).count() / static_cast<double>(n) : 0;
}

std::vector<uint8_t> ctx_bytes(const SchedCtx& c) {
  const auto* p = reinterpret_cast<const uint8_t*>(&c);
  return std::vector<uint8_t>(p, p + sizeof c);
}

// Groups and the first tasks, the same in ringb and the kernel.
template <typename Run>
bool populate(uint32_t nr, Run&& run_prog) {
  for (uint32_t g = 0; g < kGroups; ++g)
    if (run_prog("setup", SchedCtx{0, nr, 0, g, 0}) != 1) return false;
  uint32_t pid = 1;
  for (uint32_t c = 0; c < nr; ++c)
    for (uint32_t i = 0; i < kTasksPerCpu; ++i, ++pid)
      if (run_prog("enqueue", SchedCtx{c, nr, pid, pid % kGroups, uint64_t{pid} * 37 % 1000}) != 0) return false;
  return true;
}

uint64_t map_sum(maps::Map& m, uint32_t nr, size_t field_off) {
  uint64_t sum = 0;
  std::vector<uint8_t> v(m.value_size_for_host());
  for (uint32_t c = 0; c < nr; ++c)
    if (m.host_lookup(&c, sizeof c, v.data(), v.size()) == 0) {
      uint64_t x;
      std::memcpy(&x, v.data() + field_off, sizeof x);
      sum += x;
    }
  return sum;
}

}  // namespace

int run_demo(int argc, char** argv) {
  if (argc > 0 && std::string(argv[0]) == "alloc") return run_alloc_demo(argc - 1, argv + 1);
  DemoOptions o;
  if (!parse(argc, argv, o)) return 2;
  const uint32_t nr = std::min(cpu::nr_cpus(), 64u);
  Runtime rt;
  auto loaded = rt.load(RINGB_DEMO_BPF);
  if (!loaded) {
    std::fprintf(stderr, "ringb demo: %s\n", loaded.error().message.c_str());
    return 1;
  }
  std::unique_ptr<LoadedObject> lo = std::move(loaded.value());
  const vm::Executable* dispatch = lo->program("dispatch");
  g_tick = lo->program("tick");
  auto ringb_run = [&](const char* prog, const SchedCtx& c) {
    cpu::CpuGuard guard;
    return run(lo->program(prog), c, guard.cpu());
  };
  if (!populate(nr, ringb_run)) {
    std::fprintf(stderr, "ringb demo: setting up the run queues failed\n");
    return 1;
  }
  const uint64_t tasks = uint64_t{nr} * kTasksPerCpu;
  std::printf("ringb demo: a scheduler on BPF's object model (%s)\n", RINGB_DEMO_BPF);
  std::printf("%u cpu run queues (rbtrees of task objects by vruntime), %llu tasks, %u groups with a\n"
              "bpf_cpumask each; %d threads dispatch for %.1f s while SIGPROF+SIGALRM every 100 us run\n"
              "the `tick` program in their handlers (obj_new + kptr_xchg in interrupt context)\n\n",
              nr, static_cast<unsigned long long>(tasks), kGroups, o.threads, o.seconds);

  // 1. Threads and a signal storm.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> dispatched{0}, empty{0}, failed{0};
  storm(true);
  std::vector<std::thread> threads;
  const auto t0 = std::chrono::steady_clock::now();
  for (int t = 0; t < o.threads; ++t)
    threads.emplace_back([&, t] {
      uint64_t n = 0, none = 0, bad = 0;
      const uint32_t cpu_q = static_cast<uint32_t>(t) % nr;
      while (!stop.load(std::memory_order_relaxed)) {
        cpu::CpuGuard guard;  // one program run
        const int64_t r = run(dispatch, SchedCtx{cpu_q, nr, 0, 0, 0}, guard.cpu());
        if (r > 0) ++n;
        else if (r == 0) ++none;
        else ++bad;
      }
      dispatched += n;
      empty += none;
      failed += bad;
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop = true;
  for (auto& th : threads) th.join();
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  storm(false);
  g_tick = nullptr;

  maps::Map* runqs = lo->map("runqs");
  const uint64_t queued = map_sum(*runqs, nr, 8 + 16);      // nr_running after lock and root
  const uint64_t migrated = map_sum(*runqs, nr, 8 + 16 + 16);
  const double secs = std::chrono::duration<double>(elapsed).count();
  std::printf("threads: %llu dispatches (%.2f M/s), %llu found an empty queue, %llu migrations, %llu errors\n",
              static_cast<unsigned long long>(dispatched.load()), dispatched.load() / secs / 1e6,
              static_cast<unsigned long long>(empty.load()), static_cast<unsigned long long>(migrated),
              static_cast<unsigned long long>(failed.load()));
  std::printf("handlers: %llu ticks ran, %llu got NULL from obj_new (interrupted the same cache), "
              "%llu found no free slot, %llu errors\n",
              static_cast<unsigned long long>(g_ticks.load()), static_cast<unsigned long long>(g_tick_nomem.load()),
              static_cast<unsigned long long>(g_tick_no_slot.load()),
              static_cast<unsigned long long>(g_tick_errors.load()));
  const bool conserved = queued == tasks && failed == 0 && g_tick_errors == 0;
  std::printf("conservation: %llu tasks queued of %llu: %s\n\n", static_cast<unsigned long long>(queued),
              static_cast<unsigned long long>(tasks), conserved ? "yes" : "NO");

  // 2. One thread, side by side: ringb, the kernel, native C++.
  const uint32_t runs = o.single_runs;
  double ringb_ns = 0;
  {
    cpu::CpuGuard guard;
    const auto s = std::chrono::steady_clock::now();
    for (uint32_t i = 0; i < runs; ++i) run(dispatch, SchedCtx{i % nr, nr, 0, 0, 0}, guard.cpu());
    ringb_ns = ns_per(std::chrono::steady_clock::now() - s, runs);
  }
  double native = 0;
  {
    NativeSched ns(nr);
    uint32_t pid = 1;
    for (uint32_t c = 0; c < nr; ++c)
      for (uint32_t i = 0; i < kTasksPerCpu; ++i, ++pid) ns.enqueue(c, pid, uint64_t{pid} * 37 % 1000);
    const auto s = std::chrono::steady_clock::now();
    uint64_t sink = 0;
    for (uint32_t i = 0; i < runs; ++i) sink += ns.dispatch(i % nr);
    native = ns_per(std::chrono::steady_clock::now() - s, runs);
    if (!sink) std::printf("(native dispatched nothing)\n");
  }
  std::printf("one thread, %u dispatches: ringb %.0f ns each, native C++ (spinlock + std::multiset) %.0f ns: "
              "ringb/native %.2f\n",
              runs, ringb_ns, native, native > 0 ? ringb_ns / native : 0.0);
  if (auto k = KernelObject::load(RINGB_DEMO_BPF)) {
    auto krun = [&](const char* prog, const SchedCtx& c) -> int64_t {
      auto r = (*k)->run(prog, {}, ctx_bytes(c), 1);
      return r ? static_cast<int32_t>(r->retval) : INT64_MIN;
    };
    if (populate(nr, krun)) {
      const uint32_t kruns = std::max(runs / 10, 1u);
      const auto s = std::chrono::steady_clock::now();
      for (uint32_t i = 0; i < kruns; ++i) krun("dispatch", SchedCtx{i % nr, nr, 0, 0, 0});
      const double kernel_ns = ns_per(std::chrono::steady_clock::now() - s, kruns);
      std::printf("the kernel (JIT, one BPF_PROG_TEST_RUN syscall per dispatch, %u runs): %.0f ns each: "
                  "ringb/kernel %.3f\n",
                  kruns, kernel_ns, kernel_ns > 0 ? ringb_ns / kernel_ns : 0.0);
    } else {
      std::printf("the kernel: setting up its run queues failed\n");
    }
  } else {
    std::printf("the kernel: not compared (%s)\n", k.error().message.c_str());
  }

  // 3. The object graph, then the end of everything.
  if (auto w = write_dot(*lo, o.dot)) std::printf("\nobject graph: %s\n", w->c_str());
  else std::printf("\nobject graph not written: %s\n", w.error().message.c_str());
  uint64_t drained = 0;
  for (uint32_t c = 0; c < nr; ++c) drained += static_cast<uint64_t>(std::max<int64_t>(ringb_run("drain", SchedCtx{c, nr, 0, 0, 0}), 0));
  lo.reset();  // the maps go: stashed cpumasks and tick events are released
  mem::MemAlloc::rcu_barrier();
  const obj::Stats st = obj::stats();
  const bool balanced = st.objects_live == 0 && st.cpumasks_live == 0 && st.percpu_live == 0;
  std::printf("drained %llu tasks; after unloading: %llu objects and %llu cpumasks live (allocated %llu, "
              "freed %llu): %s\n",
              static_cast<unsigned long long>(drained), static_cast<unsigned long long>(st.objects_live),
              static_cast<unsigned long long>(st.cpumasks_live), static_cast<unsigned long long>(st.allocated),
              static_cast<unsigned long long>(st.freed), balanced ? "balanced" : "NOT BALANCED");
  return conserved && balanced && drained == tasks ? 0 : 1;
}

}  // namespace ringb::cli
