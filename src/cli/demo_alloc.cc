// demo_alloc.cc — `ringb demo alloc`: the BPF memory allocator at work.
//
// Worker threads play BPF programs: each run holds a cpu slot (as a program
// runs with migration disabled), allocates objects of random sizes, and hands
// some to other threads that free them on their own cpu (cross-cpu frees).
// Meanwhile ITIMER_PROF and ITIMER_REAL fire SIGPROF/SIGALRM every 100 µs; the
// handler (interrupt context) allocates and frees too, so it regularly lands on
// a cpu whose cache is in use (alloc returns NULL, free goes to the extra
// list). Task-context allocations never get NULL: a cache that runs empty
// refills itself from the allocator's slab. At the end every object is freed
// and the statistics are printed; the allocator is destroyed and the memory
// cgroup must be back to zero.
#include <signal.h>
#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "ringb/cpu.h"
#include "ringb/mem.h"

namespace ringb::cli {
namespace {

struct DemoOptions {
  int threads = 4;
  double seconds = 2.0;
};

bool parse(int argc, char** argv, DemoOptions& o) {
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--threads" && v) {
      o.threads = std::atoi(v);
      ++i;
    } else if (a == "--seconds" && v) {
      o.seconds = std::atof(v);
      ++i;
    } else {
      std::fprintf(stderr, "ringb demo alloc: unknown or incomplete option '%s'\n", a.c_str());
      return false;
    }
  }
  if (o.threads < 1 || o.threads > 64 || o.seconds <= 0 || o.seconds > 3600) {
    std::fprintf(stderr, "ringb demo alloc: --threads takes 1…64, --seconds 0…3600\n");
    return false;
  }
  return true;
}

mem::MemAlloc* g_alloc = nullptr;
std::atomic<uint64_t> g_signals{0}, g_signal_allocs{0}, g_signal_nulls{0}, g_signal_no_slot{0};

void on_signal(int) {
  const int saved = errno;
  cpu::CpuGuard nmi(cpu::Context::Interrupt);  // the user-space NMI: never waits for a slot
  g_signals.fetch_add(1, std::memory_order_relaxed);
  if (nmi.cpu() < 0) {  // its thread was between runs and every slot was busy
    g_signal_no_slot.fetch_add(1, std::memory_order_relaxed);
    errno = saved;
    return;
  }
  if (void* p = g_alloc->alloc(48)) {
    std::memset(p, 0x5a, 48);
    g_alloc->free(p);
    g_signal_allocs.fetch_add(1, std::memory_order_relaxed);
  } else {
    g_signal_nulls.fetch_add(1, std::memory_order_relaxed);
  }
  errno = saved;
}

// A bounded mailbox between threads for cross-cpu frees.
struct Mailbox {
  std::atomic<void*> slots[64] = {};
  bool put(void* p) {
    for (auto& s : slots) {
      void* expected = nullptr;
      if (s.compare_exchange_strong(expected, p)) return true;
    }
    return false;
  }
  void* take(unsigned hint) { return slots[hint % 64].exchange(nullptr); }
};

struct Counters {
  std::atomic<uint64_t> runs{0}, allocs{0}, nulls{0}, frees{0}, cross_frees{0};
};

void program_thread(int id, mem::MemAlloc& ma, std::vector<Mailbox>& boxes, Counters& k,
                    const std::atomic<bool>& stop) {
  uint64_t r = 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(id + 1);
  std::vector<void*> live;
  const size_t n = boxes.size();
  while (!stop.load(std::memory_order_relaxed)) {
    cpu::CpuGuard run;  // one "program run"
    for (int i = 0; i < 32; ++i) {
      r ^= r << 13, r ^= r >> 7, r ^= r << 17;
      const size_t size = 1 + r % mem::kMaxAllocSize;  // every class
      if (void* p = ma.alloc(size % 2 ? size : size % 200 + 1)) {
        std::memset(p, 0xa5, 8);
        live.push_back(p);
        k.allocs.fetch_add(1, std::memory_order_relaxed);
      } else {
        k.nulls.fetch_add(1, std::memory_order_relaxed);
      }
      if (live.size() > 24) {
        void* p = live.front();
        live.erase(live.begin());
        if ((r >> 20) % 4 == 0 && boxes[(static_cast<size_t>(id) + 1) % n].put(p)) continue;
        ma.free(p);
        k.frees.fetch_add(1, std::memory_order_relaxed);
      }
      if (void* other = boxes[static_cast<size_t>(id)].take(static_cast<unsigned>(r >> 32))) {
        ma.free(other);  // allocated on another cpu, freed on this one
        k.frees.fetch_add(1, std::memory_order_relaxed);
        k.cross_frees.fetch_add(1, std::memory_order_relaxed);
      }
    }
    k.runs.fetch_add(1, std::memory_order_relaxed);
  }
  for (void* p : live) ma.free(p);
  k.frees.fetch_add(live.size());
}

void start_storm() {
  struct sigaction sa = {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGPROF, &sa, nullptr);
  sigaction(SIGALRM, &sa, nullptr);
  itimerval t = {{0, 100}, {0, 100}};
  setitimer(ITIMER_PROF, &t, nullptr);
  setitimer(ITIMER_REAL, &t, nullptr);
}

void stop_storm() {
  itimerval off = {};
  setitimer(ITIMER_PROF, &off, nullptr);
  setitimer(ITIMER_REAL, &off, nullptr);
  signal(SIGPROF, SIG_IGN);
  signal(SIGALRM, SIG_IGN);
}

void print_stats(const mem::MemAlloc& ma) {
  const mem::Stats s = ma.stats();
  std::printf("\n%-4s %6s %5s %5s %6s %9s %8s %10s %10s %10s\n", "cpu", "class", "low", "high",
              "free", "refills", "trims", "NULLs", "busy", "extra");
  for (const mem::CacheStats& c : s.caches) {
    if (c.refills == 0 && c.trims == 0 && c.alloc_fails == 0 && c.reentrant_frees == 0) continue;
    std::printf("%-4d %6zu %5d %5d %6d %9llu %8llu %10llu %10llu %10llu\n", c.cpu, c.unit_size,
                c.low, c.high, c.free_count, static_cast<unsigned long long>(c.refills),
                static_cast<unsigned long long>(c.trims),
                static_cast<unsigned long long>(c.alloc_fails),
                static_cast<unsigned long long>(c.busy_allocs),
                static_cast<unsigned long long>(c.reentrant_frees));
  }
  std::printf(
      "\nbacking allocs %llu, backing frees %llu, trimmed objects reused %llu,\n"
      "grace-period batches %llu, objects in flight %llu, bytes held %zu (caches: %zu, slab mapped: %zu)\n",
      static_cast<unsigned long long>(s.backing_allocs),
      static_cast<unsigned long long>(s.backing_frees), static_cast<unsigned long long>(s.reused),
      static_cast<unsigned long long>(s.rcu_batches), static_cast<unsigned long long>(s.in_flight),
      s.bytes_held, s.metadata_bytes, s.slab_mapped);
}

}  // namespace

int run_alloc_demo(int argc, char** argv) {
  DemoOptions o;
  if (!parse(argc, argv, o)) return 2;

  mem::MemCgroup cgroup;
  mem::Options opts;
  opts.name = "demo";
  opts.cgroup = &cgroup;
  auto created = mem::MemAlloc::create(opts);
  if (!created) {
    std::fprintf(stderr, "ringb demo: %s\n", created.error().message.c_str());
    return 1;
  }
  std::unique_ptr<mem::MemAlloc> ma = std::move(created.value());
  g_alloc = ma.get();
  std::printf("ringb demo alloc: %d threads on %u cpu slots for %.1f s; SIGPROF+SIGALRM every 100 us\n",
              o.threads, cpu::nr_cpus(), o.seconds);
  std::printf("idle allocator: %zu bytes of objects per cpu\n", ma->bytes_held() / cpu::nr_cpus());

  Counters k;
  std::atomic<bool> stop{false};
  std::vector<Mailbox> boxes(static_cast<size_t>(o.threads));
  start_storm();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t)
    threads.emplace_back(program_thread, t, std::ref(*ma), std::ref(boxes), std::ref(k),
                         std::cref(stop));
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop.store(true);
  for (auto& t : threads) t.join();
  stop_storm();
  for (Mailbox& b : boxes)
    for (auto& s : b.slots)
      if (void* p = s.exchange(nullptr)) {
        ma->free(p);
        k.frees.fetch_add(1);
        k.cross_frees.fetch_add(1);
      }

  const auto pct = [](uint64_t part, uint64_t whole) { return whole ? 100.0 * part / whole : 0.0; };
  const uint64_t task_tries = k.allocs.load() + k.nulls.load();
  const uint64_t irq_tries = g_signal_allocs.load() + g_signal_nulls.load();
  std::printf("\nprogram runs %llu (task context): allocs %llu, NULL %llu (%.3f%%), frees %llu (%llu on another cpu)\n",
              static_cast<unsigned long long>(k.runs.load()),
              static_cast<unsigned long long>(k.allocs.load()),
              static_cast<unsigned long long>(k.nulls.load()), pct(k.nulls.load(), task_tries),
              static_cast<unsigned long long>(k.frees.load()),
              static_cast<unsigned long long>(k.cross_frees.load()));
  mem::MemAlloc::rcu_barrier();
  uint64_t busy = 0;
  for (const mem::CacheStats& c : ma->stats().caches) busy += c.busy_allocs;
  std::printf("signals handled %llu (interrupt context): allocs %llu, NULL %llu (%.3f%%; allocs that "
              "interrupted a call on the same cache: %llu), no free slot %llu\n",
              static_cast<unsigned long long>(g_signals.load()),
              static_cast<unsigned long long>(g_signal_allocs.load()),
              static_cast<unsigned long long>(g_signal_nulls.load()), pct(g_signal_nulls.load(), irq_tries),
              static_cast<unsigned long long>(busy),
              static_cast<unsigned long long>(g_signal_no_slot.load()));
  print_stats(*ma);
  const bool balanced = k.allocs.load() == k.frees.load();
  g_alloc = nullptr;
  ma.reset();
  const bool never_null = k.nulls.load() == 0 && g_signal_nulls.load() <= busy;
  std::printf("\nevery object freed: %s; after destroy the cgroup holds %zu bytes; NULL only where "
              "an interrupt found its cache busy: %s\n",
              balanced ? "yes" : "NO", cgroup.charged(), never_null ? "yes" : "NO");
  return balanced && never_null && cgroup.charged() == 0 ? 0 : 1;
}

}  // namespace ringb::cli
