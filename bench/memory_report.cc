// memory_report.cc — see memory_report.h. Targets: the kernel's bpf_mem_alloc
// holds ~11 KB per cpu idle and ~116 KB per cpu with every bucket in use.
#include "memory_report.h"

#include <atomic>
#include <barrier>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "ringb/cpu.h"
#include "ringb/mem.h"

namespace ringb_bench {
namespace {

using ringb::mem::MemAlloc;

constexpr size_t kIdleTarget = 11 * 1024;
constexpr size_t kBusyTarget = 116 * 1024;
constexpr int kObjectsPerClass = 200;  // above every class's high watermark

// Runs the worker's pending work and waits out grace periods until
// bytes_held settles.
void settle(const MemAlloc& ma) {
  size_t before = ma.bytes_held();
  for (int round = 0; round < 10; ++round) {
    MemAlloc::flush_work();
    MemAlloc::rcu_barrier();
    const size_t now = ma.bytes_held();
    if (now == before) return;
    before = now;
  }
}

// On the calling thread's cpu: for each class, allocate kObjectsPerClass
// objects, then free them all, which pushes the cache past its high watermark.
void exercise_every_class(MemAlloc& ma) {
  std::vector<void*> objs(kObjectsPerClass);
  for (size_t cls : ringb::mem::kClassSizes) {
    const size_t size = cls - ringb::mem::kHeaderSize;
    for (void*& p : objs) {
      p = ma.alloc(size);  // task context: an empty cache refills itself
      if (!p) std::abort();
      static_cast<volatile char*>(p)[0] = 1;
    }
    for (void* p : objs) ma.free(p);
  }
}

// The seed's "all buckets in use" figure is the memory in free lists with
// every class busy, each cache's count wandering between its watermarks
// ("assuming the average number of elements per bucket is 64"). Each cpu's
// thread walks the live count of every class at random; the bytes on free
// lists are sampled and averaged. So is what else the allocator holds while
// it churns: trimmed objects waiting for grace periods (or for reuse).
struct ChurnAverages {
  size_t free_lists_per_cpu = 0;
  size_t other_cached_per_cpu = 0;
};

ChurnAverages churn_averages(MemAlloc& ma) {
  const unsigned ncpu = ringb::cpu::nr_cpus();
  constexpr int kSteps = 400000, kWarmup = 50000, kSampleEvery = 500;
  std::atomic<size_t> live_bytes{0};
  std::atomic<uint64_t> sum{0}, samples{0}, list_sum{0};
  std::barrier all_pinned(static_cast<std::ptrdiff_t>(ncpu));
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < ncpu; ++t)
    threads.emplace_back([&, t] {
      ringb::cpu::CpuGuard guard;
      all_pinned.arrive_and_wait();
      std::vector<std::vector<void*>> live(ringb::mem::kNumClasses);
      uint64_t r = 0x9e3779b97f4a7c15ULL * (t + 1);
      for (int step = 0; step < kSteps; ++step) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        const size_t k = r % ringb::mem::kNumClasses;
        const size_t cls = ringb::mem::kClassSizes[k];
        if (!live[k].empty() && ((r >> 8) & 1)) {
          ma.free(live[k].back());
          live[k].pop_back();
          live_bytes.fetch_sub(cls);
        } else if (live[k].size() < 400) {
          if (void* p = ma.alloc(cls - ringb::mem::kHeaderSize)) {
            live[k].push_back(p);
            live_bytes.fetch_add(cls);
          }
        }
        if (t == 0 && step >= kWarmup && step % kSampleEvery == 0) {
          sum.fetch_add(ma.bytes_held() - live_bytes.load());
          samples.fetch_add(1);
          const ringb::mem::Stats st = ma.stats();
          size_t lists = 0;
          for (const auto& c : st.caches) lists += static_cast<size_t>(c.free_count) * c.unit_size;
          list_sum.fetch_add(lists);
        }
      }
      for (size_t k = 0; k < live.size(); ++k)
        for (void* p : live[k]) ma.free(p);
    });
  for (auto& th : threads) th.join();
  ChurnAverages avg;
  if (const uint64_t n = samples.load()) {
    avg.free_lists_per_cpu = list_sum.load() / n / ncpu;
    avg.other_cached_per_cpu = (sum.load() - list_sum.load()) / n / ncpu;
  }
  return avg;
}

void print_line(std::ostream& out, const char* what, size_t bytes, size_t target) {
  char line[256];
  std::snprintf(line, sizeof line, "  %-34s %8zu bytes (target <= %zu): %s\n", what, bytes,
                target, bytes <= target ? "met" : "NOT met");
  out << line;
}

}  // namespace

void print_memory_report(std::ostream& out) {
  const unsigned ncpu = ringb::cpu::nr_cpus();
  ringb::mem::Options opts;
  opts.name = "bench-memory";
  auto created = MemAlloc::create(opts);
  if (!created) {
    out << "memory report: cannot create an allocator: " << created.error().message << "\n";
    return;
  }
  MemAlloc& ma = **created;

  out << "\nMemory: a fresh general-mode allocator, " << ncpu << " cpu slots\n";
  settle(ma);
  print_line(out, "idle, bytes per cpu", ma.bytes_held() / ncpu, kIdleTarget);

  // One thread per slot, all holding their slots at once, so that each cpu's
  // caches get exercised (a guard cannot ask for a particular slot).
  std::barrier all_pinned(static_cast<std::ptrdiff_t>(ncpu));
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < ncpu; ++i)
    threads.emplace_back([&] {
      ringb::cpu::CpuGuard guard;
      all_pinned.arrive_and_wait();
      exercise_every_class(ma);
    });
  for (auto& t : threads) t.join();
  settle(ma);

  const ringb::mem::Stats s = ma.stats();
  const ChurnAverages avg = churn_averages(ma);
  print_line(out, "all buckets in use, per cpu", avg.free_lists_per_cpu, kBusyTarget);
  char other[512];
  std::snprintf(other, sizeof other,
                "  %-34s          (free lists, averaged over a random churn of every class)\n"
                "  %-34s %8zu bytes (trimmed objects waiting for grace periods or reuse,\n"
                "  %-34s          during the same churn)\n",
                "", "  held besides, per cpu", avg.other_cached_per_cpu, "");
  out << other;
  char burst[256];
  std::snprintf(burst, sizeof burst,
                "  %-34s %8zu bytes (after freeing 200 objects of every class; the trim\n"
                "  %-34s          target is the middle of the band, each count ends in 64…96)\n",
                "after a burst, per cpu", s.bytes_held / ncpu, "");
  out << burst;
  char line[256];
  std::snprintf(line, sizeof line, "  %-34s %8zu bytes (caches' own structures, not counted above)\n",
                "metadata, bytes per cpu", s.metadata_bytes / ncpu);
  out << line;

  // Where the bytes are: objects on the free lists, per class (all cpus).
  size_t on_lists = 0;
  out << "  objects on free lists per class (cpu0+cpu1+...):";
  for (size_t k = 0; k < ringb::mem::kNumClasses; ++k) {
    int n = 0;
    for (const auto& c : s.caches)
      if (c.unit_size == ringb::mem::kClassSizes[k]) n += c.free_count;
    on_lists += static_cast<size_t>(n) * ringb::mem::kClassSizes[k];
    out << " " << ringb::mem::kClassSizes[k] << ":" << n;
  }
  out << "\n  bytes on free lists " << on_lists << ", elsewhere (trimmed, in flight) "
      << s.bytes_held - on_lists << ", objects in flight " << s.in_flight << "\n";
}

}  // namespace ringb_bench
