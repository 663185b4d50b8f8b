// Ring buffers under concurrency: producer threads (each a program-side
// caller on its cpu slot) × one host consumer, then the same while a signal
// storm makes handlers on the producer threads produce too (interrupt
// context, the user-space NMI), then a host producer × a draining thread on
// a user ring. Every record is delivered once, in its producer's order;
// discarded records never are; handlers get NULL only when they interrupt a
// reserve on their own slot or the ring is full. ASan and TSan builds run it.
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "ringb/cpu.h"
#include "ringb/ringbuf.h"

namespace ringb::maps {
namespace {

using namespace std::chrono_literals;

constexpr int kProducers = 4;
constexpr uint32_t kPerProducer = 20000;
constexpr uint32_t kHandlerStream = 100;  // handler records: producer 100 + thread index

struct Rec {
  uint32_t producer, seq, size, discarded;
};

bool discarded(uint32_t seq) { return seq % 7 == 3; }
uint32_t size_of(uint32_t seq) { return sizeof(Rec) + (seq % 5) * 8; }

Map* g_map = nullptr;
std::atomic<uint32_t> g_handler_seq[kProducers];
std::atomic<uint64_t> g_handler_nulls{0}, g_handler_no_slot{0}, g_handler_signals{0};
thread_local int tl_index = -1;  // plain int: initial-exec TLS, handler-safe

std::unique_ptr<Map> make_ring(uint32_t type, uint32_t size) {
  MapDef def;
  def.name = "stress";
  def.type = type;
  def.max_entries = size;
  auto m = Map::create(def);
  EXPECT_TRUE(m.ok());
  return std::move(m.value());
}

struct Check {
  std::vector<int64_t> last;  // per stream: last seq seen
  std::vector<uint32_t> count;
  uint64_t errors = 0, total = 0;
  Check() : last(kHandlerStream + kProducers, -1), count(kHandlerStream + kProducers, 0) {}
};

int check_record(void* ctx, void* data, size_t size) {
  auto* c = static_cast<Check*>(ctx);
  Rec r;
  std::memcpy(&r, data, sizeof r);
  c->total++;
  if (r.producer >= c->last.size() || r.discarded || r.size != size ||
      static_cast<int64_t>(r.seq) <= c->last[r.producer]) {
    c->errors++;
    return 0;
  }
  if (r.producer < kProducers && (discarded(r.seq) || size != size_of(r.seq))) c->errors++;
  c->last[r.producer] = r.seq;
  c->count[r.producer]++;
  return 0;
}

void produce(Map* m, uint32_t id) {
  for (uint32_t seq = 0; seq < kPerProducer;) {
    cpu::CpuGuard g;  // a program run's slot
    const uint32_t size = size_of(seq);
    void* p = ringbuf_reserve(m, size);
    if (!p) {  // full: the consumer will catch up
      std::this_thread::yield();
      continue;
    }
    const Rec r{id, seq, size, discarded(seq) ? 1u : 0u};
    std::memcpy(p, &r, sizeof r);
    ringbuf_commit(p, 0, discarded(seq));
    ++seq;
  }
}

void storm_handler(int) {
  const int saved = errno;
  g_handler_signals.fetch_add(1, std::memory_order_relaxed);
  if (tl_index >= 0 && g_map) {
    cpu::CpuGuard nmi(cpu::Context::Interrupt);
    if (nmi.cpu() < 0) {
      g_handler_no_slot.fetch_add(1, std::memory_order_relaxed);
    } else if (void* p = ringbuf_reserve(g_map, sizeof(Rec))) {
      const uint32_t seq = g_handler_seq[tl_index].load(std::memory_order_relaxed);
      const Rec r{kHandlerStream + static_cast<uint32_t>(tl_index), seq, sizeof(Rec), 0};
      std::memcpy(p, &r, sizeof r);
      ringbuf_commit(p, 0, false);
      g_handler_seq[tl_index].store(seq + 1, std::memory_order_relaxed);
    } else {
      g_handler_nulls.fetch_add(1, std::memory_order_relaxed);
    }
  }
  errno = saved;
}

uint64_t expected_per_producer() {
  uint64_t n = 0;
  for (uint32_t s = 0; s < kPerProducer; ++s) n += !discarded(s);
  return n;
}

void run(bool storm) {
  auto m = make_ring(27, 64 * 1024);
  g_map = m.get();
  for (auto& s : g_handler_seq) s.store(0);
  struct sigaction sa = {}, old_prof, old_alrm;
  if (storm) {
    sa.sa_handler = storm_handler;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGPROF);  // handlers do not nest: each stream stays in order
    sigaddset(&sa.sa_mask, SIGALRM);
    sa.sa_flags = SA_RESTART;
    ASSERT_EQ(sigaction(SIGPROF, &sa, &old_prof), 0);
    ASSERT_EQ(sigaction(SIGALRM, &sa, &old_alrm), 0);
  }
  RingBufferConsumer c;
  Check check;
  ASSERT_TRUE(c.add(m.get(), check_record, &check).ok());

  std::atomic<int> done{0};
  std::vector<pid_t> tids(kProducers);
  std::atomic<int> started{0};
  std::vector<std::thread> producers;
  for (int i = 0; i < kProducers; ++i)
    producers.emplace_back([&, i] {
      tids[i] = static_cast<pid_t>(syscall(SYS_gettid));
      tl_index = i;
      started.fetch_add(1);
      produce(m.get(), static_cast<uint32_t>(i));
      // Block the storm before leaving the stream, so no handler runs after
      // the count is final.
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGPROF);
      sigaddset(&set, SIGALRM);
      pthread_sigmask(SIG_BLOCK, &set, nullptr);
      tl_index = -1;
      done.fetch_add(1);
    });
  while (started.load() < kProducers) std::this_thread::yield();
  std::thread signaller;
  std::atomic<bool> stop_signals{false};
  if (storm)
    signaller = std::thread([&] {
      uint64_t sent = 0;
      while (!stop_signals.load()) {
        for (pid_t t : tids) syscall(SYS_tgkill, getpid(), t, (sent++ & 1) ? SIGPROF : SIGALRM);
        std::this_thread::sleep_for(20us);
      }
    });
  // The consumer: this thread (signals go only to the producers).
  const auto t0 = std::chrono::steady_clock::now();
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline) {
    const int n = c.poll(10);
    ASSERT_GE(n, 0);
    if (done.load() == kProducers && n == 0) {
      const RingPositions p = ringbuf_positions(m.get());
      if (p.consumer == p.producer) break;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop_signals.store(true);
  if (signaller.joinable()) signaller.join();
  for (auto& t : producers) t.join();
  EXPECT_EQ(c.consume(), 0);
  if (storm) {
    sigaction(SIGPROF, &old_prof, nullptr);
    sigaction(SIGALRM, &old_alrm, nullptr);
  }
  g_map = nullptr;

  std::printf("%d producers, %llu records (+%llu discarded) consumed in %.3f s: %.2f M records/s\n", kProducers,
              static_cast<unsigned long long>(check.total),
              static_cast<unsigned long long>(kProducers * (kPerProducer - expected_per_producer())), secs,
              static_cast<double>(check.total) / secs / 1e6);
  EXPECT_EQ(check.errors, 0u) << "records out of order, duplicated, torn or discarded ones delivered";
  for (int i = 0; i < kProducers; ++i) {
    EXPECT_EQ(check.count[i], expected_per_producer()) << "producer " << i;
    EXPECT_EQ(check.count[kHandlerStream + i], g_handler_seq[i].load()) << "handler stream " << i;
  }
  if (storm) {
    uint64_t handler_records = 0;
    for (auto& s : g_handler_seq) handler_records += s.load();
    EXPECT_GT(g_handler_signals.load(), 100u);
    EXPECT_GT(handler_records, 0u);
    std::printf("signal storm: %llu signals, %llu handler records, %llu NULL (own slot mid-reserve or full), "
                "%llu without a slot\n",
                static_cast<unsigned long long>(g_handler_signals.load()),
                static_cast<unsigned long long>(handler_records),
                static_cast<unsigned long long>(g_handler_nulls.load()),
                static_cast<unsigned long long>(g_handler_no_slot.load()));
  }
}

TEST(RingBufStress, ProducerThreadsAndOneConsumerLoseNothing) { run(false); }
TEST(RingBufStress, HandlersProduceTooUnderASignalStorm) { run(true); }

// A host producer × a thread draining (the program side's drain).
TEST(RingBufStress, UserRingHostProducerAndDrain) {
  auto m = make_ring(31, 16 * 1024);
  auto p = UserRingBufferProducer::create(m.get());
  ASSERT_TRUE(p.ok());
  constexpr uint64_t kSamples = 100000;
  std::atomic<bool> producing{true};
  struct State {
    uint64_t next = 0, errors = 0;
  } st;
  std::thread drainer([&] {
    auto cb = [](void* sample, uint32_t size, void* ctx) -> uint64_t {
      auto* s = static_cast<State*>(ctx);
      uint64_t v;
      std::memcpy(&v, sample, 8);
      if (v != s->next || size != 8 + (v % 3) * 8) s->errors++;
      s->next = v + 1;
      return 0;
    };
    while (producing.load() || st.next < kSamples) {
      cpu::CpuGuard g;
      const long n = user_ringbuf_drain(m.get(), 0, cb, &st);
      if (n < 0) st.errors++;
      if (n == 0) std::this_thread::yield();
    }
  });
  for (uint64_t i = 0; i < kSamples; ++i) {
    const uint32_t size = static_cast<uint32_t>(8 + (i % 3) * 8);
    void* s = (*p)->reserve_blocking(size, 10000);
    if (!s) {
      const RingPositions pos = ringbuf_positions(m.get());
      ADD_FAILURE() << "sample " << i << ": errno " << errno << " cons " << pos.consumer << " prod " << pos.producer
                    << " drained " << st.next << " errors " << st.errors;
      break;
    }
    std::memcpy(s, &i, 8);
    if (i % 11 == 5) {  // a discarded sample between two real ones
      (*p)->discard(s);
      s = (*p)->reserve_blocking(size, 10000);
      if (!s) {
        ADD_FAILURE() << "after a discard: errno " << errno;
        break;
      }
      std::memcpy(s, &i, 8);
    }
    (*p)->submit(s);
  }
  producing.store(false);
  drainer.join();
  EXPECT_EQ(st.errors, 0u);
  EXPECT_EQ(st.next, kSamples);
}

}  // namespace
}  // namespace ringb::maps
