// BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK: FIFO and LIFO order, -E2BIG when
// full unless BPF_EXIST overwrites the oldest, -ENOENT when empty (a
// program's buffer zeroed, the host's untouched), and the host commands.
#include "test_util.h"

namespace ringb::maps::test {
namespace {

std::unique_ptr<Map> make_qs(MapType t, uint32_t value_size, uint32_t max) {
  return make(def_of(t, 0, value_size, max));
}

TEST(QueueMap, FifoOrder) {
  auto m = make_qs(MapType::Queue, 4, 3);
  ProgramScope p;
  for (uint32_t v : {1u, 2u, 3u}) ASSERT_EQ(m->push_elem(&v, kAny), 0);
  uint32_t v = 4;
  EXPECT_EQ(m->push_elem(&v, kAny), -E2BIG);
  EXPECT_EQ(m->stats().elements, 3u);
  uint32_t out = 0;
  EXPECT_EQ(m->peek_elem(&out), 0);
  EXPECT_EQ(out, 1u);
  for (uint32_t want : {1u, 2u, 3u}) {
    ASSERT_EQ(m->pop_elem(&out), 0);
    EXPECT_EQ(out, want);
  }
  out = 0xffffffff;
  EXPECT_EQ(m->pop_elem(&out), -ENOENT);
  EXPECT_EQ(out, 0u) << "a program's buffer is zeroed when there is nothing to pop";
  out = 0xffffffff;
  EXPECT_EQ(m->peek_elem(&out), -ENOENT);
  EXPECT_EQ(out, 0u);
}

TEST(StackMap, LifoOrder) {
  auto m = make_qs(MapType::Stack, 4, 3);
  ProgramScope p;
  for (uint32_t v : {1u, 2u, 3u}) ASSERT_EQ(m->push_elem(&v, kAny), 0);
  uint32_t out = 0;
  EXPECT_EQ(m->peek_elem(&out), 0);
  EXPECT_EQ(out, 3u);
  for (uint32_t want : {3u, 2u, 1u}) {
    ASSERT_EQ(m->pop_elem(&out), 0);
    EXPECT_EQ(out, want);
  }
  EXPECT_EQ(m->pop_elem(&out), -ENOENT);
}

class QueueStackTest : public ::testing::TestWithParam<MapType> {};

TEST_P(QueueStackTest, ExistOverwritesTheOldestWhenFull) {
  const bool stack = GetParam() == MapType::Stack;
  auto m = make_qs(GetParam(), 4, 2);
  ProgramScope p;
  for (uint32_t v : {1u, 2u}) ASSERT_EQ(m->push_elem(&v, kAny), 0);
  uint32_t v = 3;
  ASSERT_EQ(m->push_elem(&v, kExist), 0);  // drops 1, the oldest
  uint32_t a = 0, b = 0;
  ASSERT_EQ(m->pop_elem(&a), 0);
  ASSERT_EQ(m->pop_elem(&b), 0);
  EXPECT_EQ(a, stack ? 3u : 2u);
  EXPECT_EQ(b, stack ? 2u : 3u);
}

TEST_P(QueueStackTest, PushFlags) {
  auto m = make_qs(GetParam(), 8, 2);
  ProgramScope p;
  uint64_t v = 1;
  EXPECT_EQ(m->push_elem(&v, kNoExist), -EINVAL);
  EXPECT_EQ(m->push_elem(&v, 3), -EINVAL);
  EXPECT_EQ(m->push_elem(&v, kFLock), -EINVAL);
  EXPECT_EQ(m->push_elem(&v, kExist), 0);  // not full: a plain push
}

TEST_P(QueueStackTest, WrapsAroundManyTimes) {
  const bool stack = GetParam() == MapType::Stack;
  auto m = make_qs(GetParam(), 12, 5);
  ProgramScope p;
  uint32_t next_push = 0, expect_queue = 0;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 3; ++i, ++next_push) {
      uint8_t val[12];
      std::memset(val, static_cast<int>(next_push & 0xff), sizeof val);
      ASSERT_EQ(m->push_elem(val, kAny), 0);
    }
    for (int i = 0; i < 3; ++i) {
      uint8_t val[12];
      ASSERT_EQ(m->pop_elem(val), 0);
      const uint32_t want = stack ? next_push - 1 - static_cast<uint32_t>(i) : expect_queue++;
      for (uint8_t b : val) ASSERT_EQ(b, want & 0xff);
    }
  }
}

TEST_P(QueueStackTest, HostCommands) {
  auto m = make_qs(GetParam(), 8, 2);
  uint64_t v = 5, out = 0xabc;
  EXPECT_EQ(m->host_lookup(nullptr, 0, &out, sizeof out), -ENOENT);
  EXPECT_EQ(out, 0xabcu) << "the host's buffer is left alone";
  EXPECT_EQ(m->host_lookup_and_delete(nullptr, 0, &out, sizeof out), -ENOENT);
  EXPECT_EQ(m->host_update(nullptr, 0, &v, sizeof v, kAny), 0);
  uint32_t key = 0;
  EXPECT_EQ(m->host_update(&key, sizeof key, &v, sizeof v, kAny), -EINVAL) << "a map without keys takes no key";
  EXPECT_EQ(m->host_lookup(&key, sizeof key, &out, sizeof out), -EINVAL);
  EXPECT_EQ(m->host_lookup(nullptr, 0, &out, sizeof out), 0);
  EXPECT_EQ(out, 5u);
  EXPECT_EQ(m->host_delete(nullptr, 0), -EINVAL);
  EXPECT_EQ(m->host_get_next_key(nullptr, &key, sizeof key), -EINVAL);
  EXPECT_EQ(m->host_lookup_and_delete(nullptr, 0, &out, sizeof out, 1), -EINVAL);
  out = 0;
  EXPECT_EQ(m->host_lookup_and_delete(nullptr, 0, &out, sizeof out), 0);
  EXPECT_EQ(out, 5u);
  EXPECT_EQ(m->stats().elements, 0u);
}

TEST_P(QueueStackTest, KeyedOperationsAreInvalid) {
  auto m = make_qs(GetParam(), 8, 2);
  ProgramScope p;
  uint64_t v = 1;
  EXPECT_EQ(m->lookup_elem(nullptr), nullptr);
  EXPECT_EQ(m->update_elem(nullptr, &v, kAny), -EINVAL);
  EXPECT_EQ(m->delete_elem(nullptr), -EINVAL);
}

INSTANTIATE_TEST_SUITE_P(Kinds, QueueStackTest, ::testing::Values(MapType::Queue, MapType::Stack),
                         [](const auto& info) { return info.param == MapType::Queue ? "queue" : "stack"; });

}  // namespace
}  // namespace ringb::maps::test
