// mem_bench.cc — ringb's allocator (bpf_mem_alloc in user space) against
// glibc malloc, jemalloc and mimalloc: one binary, one run, side by side.
//
//   pair_<size>    alloc + free of one object, same thread (general mode)
//   fixed_64B      the same in ringb's fixed-size mode (malloc(64) for others)
//   batch32_64B    allocate 32 objects, then free them LIFO
//   prodcons_64B   a producer allocates, a consumer thread frees (report only)
//
// "ringb" holds a cpu slot (CpuGuard) around the timing loop, as a BPF program
// run does; "ringb-unpinned" takes one per call, as a host call does.
// After the run: a summary table of the medians, and ringb's memory use.
#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "competitors.h"
#include "memory_report.h"
#include "ratio_report.h"
#include "ringb/cpu.h"
#include "spsc_ring.h"

namespace ringb_bench {
namespace {

// Holds a cpu slot for its scope when the competitor runs pinned.
class MaybePinned {
 public:
  explicit MaybePinned(bool pin) {
    if (pin) guard_.emplace();
  }

 private:
  std::optional<ringb::cpu::CpuGuard> guard_;
};

// ringb's alloc returns nullptr only at a memory limit or in interrupt
// context; the benchmark counts retries to show that it never does here.
// The malloc family never gets here.
inline void* alloc_retry(const AllocOps& ops, size_t size, uint64_t& retries) {
  void* p = ops.alloc(size);
  while (!p) [[unlikely]] {
    relax(++retries);
    p = ops.alloc(size);
  }
  return p;
}

// Writes a byte so that no allocator gets away without handing out memory.
inline void touch(void* p) {
  static_cast<volatile char*>(p)[0] = 1;
  benchmark::DoNotOptimize(p);
}

// Only for allocators that can return nullptr: a column of zeros says nothing.
void report_retries(benchmark::State& state, const Competitor& c, uint64_t retries) {
  if (c.alloc_may_fail)
    state.counters["null_retries"] = benchmark::Counter(static_cast<double>(retries));
}

// ---- the cases ---------------------------------------------------------------

void pair_case(benchmark::State& state, const Competitor& c, const AllocOps& ops, size_t size) {
  if (c.prepare) c.prepare();
  MaybePinned pin(c.pinned);
  uint64_t retries = 0;
  for (auto _ : state) {
    void* p = alloc_retry(ops, size, retries);
    touch(p);
    ops.free(p);
  }
  report_retries(state, c, retries);
}

constexpr int kBatch = 32;

void batch_case(benchmark::State& state, const Competitor& c) {
  if (c.prepare) c.prepare();
  MaybePinned pin(c.pinned);
  uint64_t retries = 0;
  std::array<void*, kBatch> objs;
  for (auto _ : state) {
    for (void*& p : objs) {
      p = alloc_retry(c.general, 64, retries);
      touch(p);
    }
    for (int i = kBatch - 1; i >= 0; --i) c.general.free(objs[i]);
  }
  report_retries(state, c, retries);
}

// The benchmark thread produces; a thread of our own consumes and frees, so
// the pairing is exact. Pinned, each holds its slot throughout: the frees land
// in the consumer's cpu cache and the producer's cache refills from the
// consumer's trimmed objects (ringb takes them from any cpu; the kernel only
// from its own, sending the rest through grace periods to the slab).
void prodcons_case(benchmark::State& state, const Competitor& c) {
  if (c.prepare) c.prepare();
  SpscRing<128> ring;
  std::atomic<bool> stop{false};
  MaybePinned pin(c.pinned);
  std::thread consumer([&] {
    MaybePinned consumer_pin(c.pinned);
    for (uint64_t idle = 0;;) {
      if (void* p = ring.pop()) {
        c.general.free(p);
      } else if (stop.load(std::memory_order_acquire)) {
        break;
      } else {
        relax(++idle);
      }
    }
    // Everything pushed before `stop` is visible now: drain it.
    while (void* p = ring.pop()) c.general.free(p);
  });

  uint64_t retries = 0, full = 0;
  for (auto _ : state) {
    void* p = alloc_retry(c.general, 64, retries);
    touch(p);
    while (!ring.push(p)) relax(++full);
  }
  stop.store(true, std::memory_order_release);
  consumer.join();
  report_retries(state, c, retries);
  if (c.alloc_may_fail)
    state.counters["retries_per_obj"] =
        benchmark::Counter(static_cast<double>(retries), benchmark::Counter::kAvgIterations);
}

// ---- registration --------------------------------------------------------------

// Registers "<label>/<competitor>" for every competitor. `own_threads`: threads
// the body starts itself (prodcons' consumer), pinned like the benchmark's.
template <typename Body>
void add_case(std::vector<CaseInfo>& cases, const std::vector<Competitor>& competitors,
              CaseInfo info, Body body, unsigned own_threads = 0) {
  for (const Competitor& c : competitors) {
    // A pinned thread waits for a free slot, and all of a run's threads wait
    // for each other: never pin more threads than there are slots.
    std::vector<int> threads;
    for (int t : info.threads)
      if (!c.pinned || t + own_threads <= ringb::cpu::nr_cpus()) threads.push_back(t);
    if (threads.empty()) {
      std::cerr << "note: " << info.label << "/" << c.name << " skipped: needs more cpu slots\n";
      continue;
    }
    auto* b = benchmark::RegisterBenchmark((info.label + "/" + c.name).c_str(),
                                           [&c, body](benchmark::State& s) { body(s, c); });
    b->Repetitions(5)->ReportAggregatesOnly(true)->MinWarmUpTime(0.1)->MinTime(0.2)->UseRealTime()->Unit(
        benchmark::kNanosecond);
    for (int t : threads) b->Threads(t);
  }
  cases.push_back(std::move(info));
}

std::vector<CaseInfo> register_cases(const std::vector<Competitor>& competitors) {
  std::vector<CaseInfo> cases;
  for (size_t size : {16, 64, 256, 4088})
    add_case(cases, competitors, {"pair_" + std::to_string(size) + "B", {1, 2}, 1, true},
             [size](benchmark::State& s, const Competitor& c) {
               pair_case(s, c, c.general, size);
             });
  add_case(cases, competitors, {"fixed_64B", {1, 2}, 1, true},
           [](benchmark::State& s, const Competitor& c) { pair_case(s, c, c.fixed64, 64); });
  add_case(cases, competitors, {"batch32_64B", {1}, kBatch, true}, batch_case);
  add_case(cases, competitors, {"prodcons_64B", {1}, 1, false}, prodcons_case, 1);
  return cases;
}

}  // namespace
}  // namespace ringb_bench

int main(int argc, char** argv) {
  using namespace ringb_bench;
  reexec_if_jemalloc_lacks_static_tls(argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const std::vector<Competitor> competitors = load_competitors();
  const std::vector<CaseInfo> cases = register_cases(competitors);
  MedianCollector collector(benchmark::CreateDefaultDisplayReporter());
  benchmark::RunSpecifiedBenchmarks(&collector);

  print_summary(std::cout, collector, cases);
  print_memory_report(std::cout);
  destroy_ringb_allocators();
  benchmark::Shutdown();
  return 0;
}
