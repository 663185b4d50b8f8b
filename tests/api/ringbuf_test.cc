// Ring buffers through the embedding API: programs run from several threads
// produce into a ringbuf while the host consumes (LoadedObject::ring_buffer);
// the host produces into a user ringbuf while a program drains it
// (LoadedObject::user_ring_buffer); and the errors for maps that are not
// rings. ASan and TSan builds run it.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "ringb/runtime.h"

#ifndef RINGB_API_BPF_DIR
#error "RINGB_API_BPF_DIR must name the directory of ringbuf_host.bpf.o"
#endif

namespace ringb {
namespace {

constexpr int kThreads = 3;
constexpr int kRunsPerThread = 3000;

struct Event {
  uint64_t seq;
  uint32_t len, discarded;
};

struct Seen {
  std::vector<int64_t> last = std::vector<int64_t>(kThreads, -1);
  std::vector<uint64_t> count = std::vector<uint64_t>(kThreads, 0);
  uint64_t errors = 0;
};

int on_event(void* ctx, void* data, size_t size) {
  auto* s = static_cast<Seen*>(ctx);
  Event e;
  std::memcpy(&e, data, sizeof e);
  const int64_t t = static_cast<int64_t>(e.len) - 64;
  if (size != sizeof e || e.discarded || e.seq % 5 == 2 || t < 0 || t >= kThreads ||
      static_cast<int64_t>(e.seq) <= s->last[t]) {
    s->errors++;
    return 0;
  }
  s->last[t] = static_cast<int64_t>(e.seq);
  s->count[t]++;
  return 0;
}

std::unique_ptr<LoadedObject> load(Runtime& rt) {
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/ringbuf_host.bpf.o");
  EXPECT_TRUE(lo.ok()) << lo.error().message;
  return lo.ok() ? std::move(lo.value()) : nullptr;
}

TEST(RingBufApi, ProgramsOnThreadsProduceTheHostConsumes) {
  Runtime rt;
  auto lo = load(rt);
  ASSERT_TRUE(lo);
  Seen seen;
  auto c = lo->ring_buffer("events", on_event, &seen);
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::atomic<int> done{0};
  std::atomic<uint64_t> run_errors{0}, full{0}, full_discard_seq{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      TestRunOptions o;
      o.data_in.assign(64 + static_cast<size_t>(t), 0);  // the length names the thread
      std::memset(o.data_in.data(), 0xff, 14);
      for (int i = 0; i < kRunsPerThread;) {
        auto r = lo->test_run("produce", o);
        if (!r) {
          run_errors.fetch_add(1);
          break;
        }
        if (r->retval == 1 || r->retval == 2) {  // ring full: the consumer will catch up
          full.fetch_add(1);
          if (r->retval == 2) full_discard_seq.fetch_add(1);
          std::this_thread::yield();
          continue;
        }
        ++i;
      }
      done.fetch_add(1);
    });
  for (;;) {
    const int n = (*c)->poll(20);
    ASSERT_GE(n, 0);
    if (done.load() == kThreads && n == 0 && (*c)->consume() == 0) break;
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(run_errors.load(), 0u);
  EXPECT_EQ(seen.errors, 0u) << "out of order, duplicated or discarded records delivered";
  // Every run took a seq; every fifth seq (2, 7, ...) was discarded unless
  // its run found the ring full, and runs that found it full made nothing.
  uint64_t delivered = 0;
  for (uint64_t n : seen.count) delivered += n;
  const uint64_t seqs = kThreads * kRunsPerThread + full.load();
  const uint64_t discarded = (seqs + 2) / 5 - full_discard_seq.load();
  EXPECT_EQ(delivered, seqs - full.load() - discarded);
}

TEST(RingBufApi, TheHostProducesAProgramDrains) {
  Runtime rt;
  auto lo = load(rt);
  ASSERT_TRUE(lo);
  auto p = lo->user_ring_buffer("urb");
  ASSERT_TRUE(p.ok()) << p.error().message;
  constexpr uint64_t kSamples = 20000;
  std::atomic<bool> producing{true};
  std::atomic<uint64_t> drained{0};
  std::thread drainer([&] {
    TestRunOptions o;
    o.data_in.assign(64, 0);
    while (producing.load() || drained.load() < kSamples) {
      auto r = lo->test_run("drain", o);
      if (!r || static_cast<int32_t>(r->retval) < 0) {
        ADD_FAILURE() << "drain failed";
        return;
      }
      drained.fetch_add(r->retval);
      if (r->retval == 0) std::this_thread::yield();
    }
  });
  for (uint64_t i = 0; i < kSamples; ++i) {
    void* s = (*p)->reserve_blocking(8 + (i % 4) * 8, 10000);
    ASSERT_NE(s, nullptr) << "errno " << errno;
    std::memcpy(s, &i, 8);
    (*p)->submit(s);
  }
  producing.store(false);
  drainer.join();
  EXPECT_EQ(drained.load(), kSamples);
  // The program counted samples that were not the next one in `bad`.
  maps::Map* bss = nullptr;
  for (const MapDef& d : lo->object().maps)
    if (d.name.find(".bss") != std::string::npos) bss = lo->map(d.name);
  ASSERT_NE(bss, nullptr);
  std::vector<uint64_t> globals(bss->def().value_size / 8);
  const uint32_t key = 0;
  ASSERT_EQ(bss->host_lookup(&key, 4, globals.data(), bss->def().value_size), 0);
  ASSERT_EQ(globals.size(), 3u);  // counter, next_expected, bad
  EXPECT_EQ(globals[1], kSamples);
  EXPECT_EQ(globals[2], 0u);
}

// An xdp dynptr (the corpus runs only tc and syscall programs); 640826 is
// what Linux 6.18 returns for the same program and packet (bpftool prog run).
TEST(RingBufApi, XdpDynptrOverTheTestPacket) {
  Runtime rt;
  auto lo = load(rt);
  ASSERT_TRUE(lo);
  TestRunOptions o;
  o.data_in.assign(64, 0);
  o.data_in[12] = 0x08;
  auto r = lo->test_run("dp_xdp", o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(static_cast<int32_t>(r->retval), 640826);
}

TEST(RingBufApi, MapsThatAreNotRingsAreRefusedClearly) {
  Runtime rt;
  auto lo = load(rt);
  ASSERT_TRUE(lo);
  auto none = lo->ring_buffer("nope", on_event, nullptr);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no map 'nope'"), std::string::npos);
  auto user = lo->ring_buffer("urb", on_event, nullptr);
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.error().code, EINVAL);
  EXPECT_NE(user.error().message.find("not a ringbuf"), std::string::npos) << user.error().message;
  auto prod = lo->user_ring_buffer("events");
  ASSERT_FALSE(prod.ok());
  EXPECT_NE(prod.error().message.find("not a user_ringbuf"), std::string::npos) << prod.error().message;
}

}  // namespace
}  // namespace ringb
