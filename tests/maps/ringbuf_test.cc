// BPF_MAP_TYPE_RINGBUF and USER_RINGBUF in the maps layer: the record layout
// a libbpf consumer sees, the double mapping, the kernel's room and wakeup
// rules, the host consumer (callbacks, stops, discards, busy records, poll,
// several maps) and the user ring's producer and drain with the kernel's
// errnos. Creation checks: create_cases.h (also asked of the kernel).
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "ringb/cpu.h"
#include "ringb/ringbuf.h"
#include "ringbuf_layout.h"

namespace ringb::maps {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<Map> make(uint32_t type, uint32_t size, const char* name = "rb") {
  MapDef def;
  def.name = name;
  def.type = type;
  def.max_entries = size;
  auto m = Map::create(def);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? std::move(m.value()) : nullptr;
}
std::unique_ptr<Map> ringbuf(uint32_t size = 4096) { return make(27, size); }
std::unique_ptr<Map> user_ringbuf(uint32_t size = 4096) { return make(31, size, "urb"); }

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1;
}
int event_fd(Map* m) { return detail::ring_ctl(detail::ring_base(m))->event_fd; }
void clear_events(Map* m) {
  uint64_t v;
  [[maybe_unused]] ssize_t n = read(event_fd(m), &v, sizeof v);
}

void* output(Map* m, const void* data, uint32_t size, uint64_t flags = 0) {
  void* p = ringbuf_reserve(m, size);
  if (p) {
    std::memcpy(p, data, size);
    ringbuf_commit(p, flags, false);
  }
  return p;
}

struct Seen {
  std::vector<std::vector<uint8_t>> records;
  int stop_after = -1;  // return -42 on this record
};
int collect(void* ctx, void* data, size_t size) {
  auto* s = static_cast<Seen*>(ctx);
  const auto* b = static_cast<uint8_t*>(data);
  s->records.emplace_back(b, b + size);
  if (s->stop_after >= 0 && static_cast<int>(s->records.size()) == s->stop_after + 1) return -42;
  return 0;
}

TEST(RingBuf, RecordsHaveTheKernelsHeaderAndAlignment) {
  auto m = ringbuf();
  cpu::CpuGuard g;
  const uint8_t* data = ringbuf_data(m.get());
  void* a = ringbuf_reserve(m.get(), 5);
  ASSERT_EQ(a, data + 8);
  uint32_t hdr[2];
  std::memcpy(hdr, data, 8);
  EXPECT_EQ(hdr[0], 5u | kRingbufBusyBit);
  EXPECT_EQ(hdr[1], 3u) << "page offset of the first header: three meta pages";
  void* b = ringbuf_reserve(m.get(), 1);
  EXPECT_EQ(b, data + 16 + 8) << "records are 8-byte aligned: 5 + 8 rounds up to 16";
  ringbuf_commit(b, 0, true);
  ringbuf_commit(a, 0, false);
  std::memcpy(hdr, data, 8);
  EXPECT_EQ(hdr[0], 5u);
  std::memcpy(hdr, data + 16, 8);
  EXPECT_EQ(hdr[0], 1u | kRingbufDiscardBit);
  EXPECT_EQ(ringbuf_query(m.get(), kRbAvailData), 32u);
  EXPECT_EQ(ringbuf_query(m.get(), kRbProdPos), 32u);
  EXPECT_EQ(ringbuf_query(m.get(), kRbConsPos), 0u);
  EXPECT_EQ(ringbuf_query(m.get(), kRbRingSize), 4096u);
  EXPECT_EQ(ringbuf_query(m.get(), 4), 0u);
  EXPECT_EQ(m->host_lookup(nullptr, 0, nullptr, 0), -EFAULT);
  char v;
  EXPECT_EQ(m->host_lookup(nullptr, 0, &v, 0), -kENOTSUPP);
}

TEST(RingBuf, RoomFollowsTheOldestBusyRecord) {
  auto m = ringbuf();
  cpu::CpuGuard g;
  EXPECT_EQ(ringbuf_reserve(m.get(), 4089), nullptr) << "4104 bytes never fit 4096";
  EXPECT_EQ(ringbuf_reserve(m.get(), kRingbufBusyBit), nullptr) << "over RINGBUF_MAX_RECORD_SZ";
  void* busy = ringbuf_reserve(m.get(), 8);  // 16 bytes, left busy
  ASSERT_NE(busy, nullptr);
  RingBufferConsumer c;
  Seen s;
  ASSERT_TRUE(c.add(m.get(), collect, &s).ok());
  // Fill up behind it; the consumer can take nothing past a busy record.
  std::vector<void*> more;
  while (void* p = ringbuf_reserve(m.get(), 1000)) more.push_back(p);
  EXPECT_EQ(more.size(), 4u);  // 16 + 4 * 1008 = 4048 <= 4095; a 5th would end at 5056
  for (void* p : more) ringbuf_commit(p, 0, false);
  EXPECT_EQ(c.consume(), 0) << "the first record is busy";
  ringbuf_commit(busy, 0, false);
  EXPECT_EQ(c.consume(), 5);
  EXPECT_EQ(s.records.size(), 5u);
}

TEST(RingBuf, WrappedRecordsAreContiguous) {
  auto m = ringbuf();
  cpu::CpuGuard g;
  RingBufferConsumer c;
  Seen s;
  ASSERT_TRUE(c.add(m.get(), collect, &s).ok());
  std::vector<uint8_t> fill(3000, 1);
  ASSERT_NE(output(m.get(), fill.data(), 3000), nullptr);  // 3008 bytes
  ASSERT_EQ(c.consume(), 1);
  // The next record starts at 3008 and wraps past 4096.
  std::vector<uint8_t> pattern(2000);
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<uint8_t>(i * 7);
  uint8_t* p = static_cast<uint8_t*>(output(m.get(), pattern.data(), 2000));
  ASSERT_EQ(p, ringbuf_data(m.get()) + 3008 + 8);
  // The part past the end is the start of the data pages.
  EXPECT_EQ(std::memcmp(ringbuf_data(m.get()), pattern.data() + (4096 - 3016), 2000 - (4096 - 3016)), 0);
  ASSERT_EQ(c.consume(), 1);
  EXPECT_EQ(s.records.back(), pattern);
}

TEST(RingBuf, ConsumerSkipsDiscardsAndStopsOnANegativeReturn) {
  auto m = ringbuf();
  cpu::CpuGuard g;
  for (uint8_t i = 0; i < 6; ++i) {
    void* p = ringbuf_reserve(m.get(), 1);
    *static_cast<uint8_t*>(p) = i;
    ringbuf_commit(p, 0, i % 2);  // odd ones discarded
  }
  RingBufferConsumer c;
  Seen s;
  s.stop_after = 1;
  ASSERT_TRUE(c.add(m.get(), collect, &s).ok());
  EXPECT_EQ(c.consume(), -42);
  ASSERT_EQ(s.records.size(), 2u);
  EXPECT_EQ(s.records[1][0], 2);
  EXPECT_EQ(ringbuf_positions(m.get()).consumer, 48u) << "past the record whose callback stopped";
  s.stop_after = -1;
  EXPECT_EQ(c.consume(), 1);
  EXPECT_EQ(s.records.back()[0], 4);
  EXPECT_EQ(c.consume_ring(0), 0);
  EXPECT_EQ(c.consume_ring(1), -EINVAL);
}

TEST(RingBuf, WakeupsFollowTheKernelsRule) {
  auto m = ringbuf();
  cpu::CpuGuard g;
  const int fd = event_fd(m.get());
  uint64_t v = 1;
  output(m.get(), &v, 8, kRbNoWakeup);
  EXPECT_FALSE(readable(fd)) << "BPF_RB_NO_WAKEUP";
  output(m.get(), &v, 8);
  EXPECT_FALSE(readable(fd)) << "the consumer is behind this record: no wakeup";
  output(m.get(), &v, 8, kRbForceWakeup);
  EXPECT_TRUE(readable(fd)) << "BPF_RB_FORCE_WAKEUP";
  clear_events(m.get());
  RingBufferConsumer c;
  Seen s;
  ASSERT_TRUE(c.add(m.get(), collect, &s).ok());
  EXPECT_EQ(c.consume(), 3);
  output(m.get(), &v, 8);
  EXPECT_TRUE(readable(fd)) << "the consumer had caught up with this record";
  output(m.get(), &v, 8, kRbNoWakeup | kRbForceWakeup);
  EXPECT_TRUE(readable(c.fd()));
}

TEST(RingBuf, PollTimesOutWakesAndServesSeveralMaps) {
  auto a = ringbuf(), b = make(27, 8192, "second");
  RingBufferConsumer c;
  Seen sa, sb;
  ASSERT_TRUE(c.add(a.get(), collect, &sa).ok());
  ASSERT_TRUE(c.add(b.get(), collect, &sb).ok());
  EXPECT_EQ(c.rings(), 2u);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c.poll(50), 0);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 45ms);
  std::thread producer([&] {
    std::this_thread::sleep_for(30ms);
    cpu::CpuGuard g;
    uint32_t v = 7;
    output(b.get(), &v, 4);
  });
  const auto t1 = std::chrono::steady_clock::now();
  int n = 0;
  while (n == 0) n = c.poll(5000);
  EXPECT_LT(std::chrono::steady_clock::now() - t1, 4s) << "woken, not timed out";
  producer.join();
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(sa.records.empty());
  ASSERT_EQ(sb.records.size(), 1u);
  {
    cpu::CpuGuard g;
    uint32_t v = 8;
    output(a.get(), &v, 4, kRbNoWakeup);
    output(b.get(), &v, 4, kRbNoWakeup);
  }
  EXPECT_EQ(c.poll(0), 2) << "data not yet consumed counts as ready without a wakeup";
}

TEST(RingBuf, ConsumersAndProducersRefuseOtherMaps) {
  MapDef def;
  def.name = "counts";
  def.type = 2;
  def.key_size = 4;
  def.value_size = 8;
  def.max_entries = 1;
  auto arr = Map::create(def);
  ASSERT_TRUE(arr.ok());
  RingBufferConsumer c;
  Status s = c.add(arr->get(), collect, nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, EINVAL);
  EXPECT_NE(s.error().message.find("'counts' is a array map, not a ringbuf"), std::string::npos)
      << s.error().message;
  EXPECT_FALSE(c.add(nullptr, collect, nullptr).ok());
  auto u = user_ringbuf();
  EXPECT_FALSE(c.add(u.get(), collect, nullptr).ok()) << "a user ringbuf is not consumed by the host";
  auto r = ringbuf();
  EXPECT_FALSE(c.add(r.get(), nullptr, nullptr).ok());
  auto p = UserRingBufferProducer::create(r.get());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("not a user_ringbuf"), std::string::npos);
}

TEST(RingBuf, AHandlerThatInterruptsAReserveOnItsSlotGetsNull) {
  auto m = ringbuf();
  cpu::CpuGuard g;
  detail::RingCtl* ctl = detail::ring_ctl(detail::ring_base(m.get()));
  ASSERT_EQ(ctl->lock.lock(detail::lock_tag(g.cpu())), 0);  // as if mid-reserve
  {
    cpu::CpuGuard nmi(cpu::Context::Interrupt);
    EXPECT_EQ(nmi.cpu(), g.cpu());
    EXPECT_EQ(ringbuf_reserve(m.get(), 8), nullptr) << "AA: NULL, never a deadlock";
  }
  ctl->lock.unlock();
  EXPECT_NE(ringbuf_reserve(m.get(), 8), nullptr);
}

// ---- user ringbuf --------------------------------------------------------------

struct Drained {
  std::vector<uint64_t> values;
  uint64_t stop_on = ~uint64_t{0};
};
uint64_t drain_cb(void* sample, uint32_t size, void* ctx) {
  auto* d = static_cast<Drained*>(ctx);
  uint64_t v = 0;
  std::memcpy(&v, sample, std::min<uint32_t>(size, 8));
  d->values.push_back(v);
  return v == d->stop_on ? 1 : 0;
}

TEST(UserRingBuf, ProducerAndDrainWithTheKernelsCounts) {
  auto m = user_ringbuf();
  auto p = UserRingBufferProducer::create(m.get());
  ASSERT_TRUE(p.ok()) << p.error().message;
  for (uint64_t i = 1; i <= 5; ++i) {
    void* s = (*p)->reserve(8);
    ASSERT_NE(s, nullptr);
    std::memcpy(s, &i, 8);
    if (i == 3)
      (*p)->discard(s);
    else
      (*p)->submit(s);
  }
  Drained d;
  d.stop_on = 4;
  // 1, 2, (3 discarded: counted, then subtracted), 4 stops: samples 4 - 1.
  EXPECT_EQ(user_ringbuf_drain(m.get(), 0, drain_cb, &d), 3);
  EXPECT_EQ(d.values, (std::vector<uint64_t>{1, 2, 4}));
  EXPECT_EQ(user_ringbuf_drain(m.get(), kRbNoWakeup, drain_cb, &d), 1);
  EXPECT_EQ(d.values.back(), 5u);
  EXPECT_EQ(user_ringbuf_drain(m.get(), 0, drain_cb, &d), 0);
  EXPECT_EQ(user_ringbuf_drain(m.get(), 4, drain_cb, &d), -EINVAL);
  // A sample reserved and not yet submitted stops the drain.
  void* s = (*p)->reserve(8);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(user_ringbuf_drain(m.get(), 0, drain_cb, &d), 0);
  (*p)->submit(s);
  EXPECT_EQ(user_ringbuf_drain(m.get(), 0, drain_cb, &d), 1);
}

TEST(UserRingBuf, ProducerErrors) {
  auto m = user_ringbuf();
  auto p = UserRingBufferProducer::create(m.get());
  ASSERT_TRUE(p.ok());
  errno = 0;
  EXPECT_EQ((*p)->reserve(kRingbufBusyBit | 8), nullptr);
  EXPECT_EQ(errno, E2BIG);
  EXPECT_EQ((*p)->reserve(4089), nullptr);
  EXPECT_EQ(errno, E2BIG);
  void* a = (*p)->reserve(4000);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ((*p)->reserve(100), nullptr);
  EXPECT_EQ(errno, ENOSPC);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ((*p)->reserve_blocking(100, 30), nullptr);
  EXPECT_EQ(errno, ETIMEDOUT);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 25ms);
  (*p)->submit(a);
  // A drain on another thread makes room and wakes the blocked producer.
  std::thread drainer([&] {
    std::this_thread::sleep_for(20ms);
    Drained d;
    EXPECT_EQ(user_ringbuf_drain(m.get(), 0, drain_cb, &d), 1);
  });
  EXPECT_NE((*p)->reserve_blocking(100, 5000), nullptr);
  drainer.join();
}

TEST(UserRingBuf, DrainTrustsNothingTheProducerWrote) {
  auto m = user_ringbuf();
  char* base = detail::ring_base(m.get());
  Drained d;
  detail::ring_ctl(base)->busy.store(1);
  EXPECT_EQ(user_ringbuf_drain(m.get(), 0, drain_cb, &d), -EBUSY);
  detail::ring_ctl(base)->busy.store(0);
  detail::producer_pos(base).store(12);
  EXPECT_EQ(user_ringbuf_drain(m.get(), 0, drain_cb, &d), -EINVAL) << "producer position not 8-aligned";
  detail::producer_pos(base).store(16);
  uint32_t hdr = 100;  // claims more than the producer advertised
  std::memcpy(detail::ring_data(base), &hdr, 4);
  EXPECT_EQ(user_ringbuf_drain(m.get(), 0, drain_cb, &d), -EINVAL);
  hdr = 5000;
  detail::producer_pos(base).store(4096 + 5008);
  detail::consumer_pos(base).store(4096);
  std::memcpy(detail::ring_data(base), &hdr, 4);
  EXPECT_EQ(user_ringbuf_drain(m.get(), 0, drain_cb, &d), -E2BIG) << "larger than the ring";
  EXPECT_TRUE(d.values.empty());
}

}  // namespace
}  // namespace ringb::maps
