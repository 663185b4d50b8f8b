// The host commands' generic rules (kernel/bpf/syscall.c): read-only and
// write-only maps, freezing, null pointers, and that host commands may come
// from threads that hold no cpu slot.
#include <thread>

#include "test_util.h"

namespace ringb::maps::test {
namespace {

TEST(HostAccess, ReadOnlyMapRefusesHostWrites) {
  auto m = make(def_of(MapType::Hash, 4, 8, 4, kFRdonly));
  uint32_t k = 1;
  uint64_t v = 1;
  EXPECT_EQ(m->host_update(&k, &v, kAny), -EPERM);
  EXPECT_EQ(m->host_delete(&k), -EPERM);
  EXPECT_EQ(m->host_lookup_and_delete(&k, &v), -EPERM);
  EXPECT_EQ(m->host_freeze(), -EPERM);
  EXPECT_EQ(m->host_lookup(&k, &v), -ENOENT);
  // Programs may still write it.
  ProgramScope p;
  EXPECT_EQ(m->update_elem(&k, &v, kAny), 0);
  EXPECT_EQ(m->host_lookup(&k, &v), 0);
}

TEST(HostAccess, WriteOnlyMapRefusesHostReads) {
  auto m = make(def_of(MapType::Hash, 4, 8, 4, kFWronly));
  uint32_t k = 1, next;
  uint64_t v = 1;
  EXPECT_EQ(m->host_update(&k, &v, kAny), 0);
  EXPECT_EQ(m->host_lookup(&k, &v), -EPERM);
  EXPECT_EQ(m->host_get_next_key(nullptr, &next), -EPERM);
  EXPECT_EQ(m->host_lookup_and_delete(&k, &v), -EPERM);
  EXPECT_EQ(m->host_delete(&k), 0);
}

TEST(HostAccess, FrozenMapRefusesHostWritesOnly) {
  for (MapType t : {MapType::Array, MapType::Hash}) {
    auto m = make(def_of(t, 4, 8, 4));
    uint32_t k = 1;
    uint64_t v = 1;
    ASSERT_EQ(m->host_update(&k, &v, kAny), 0);
    EXPECT_EQ(m->host_freeze(), 0);
    EXPECT_EQ(m->host_freeze(), -EPERM);
    EXPECT_EQ(m->host_update(&k, &v, kAny), -EPERM);
    EXPECT_EQ(m->host_delete(&k), -EPERM);
    EXPECT_EQ(m->host_lookup(&k, &v), 0);
    ProgramScope p;
    v = 2;
    EXPECT_EQ(m->update_elem(&k, &v, kAny), 0) << "freezing is about the host side";
  }
}

TEST(HostAccess, NullPointers) {
  auto m = make(def_of(MapType::Hash, 4, 8, 4));
  uint32_t k = 1;
  uint64_t v = 1;
  EXPECT_EQ(m->host_lookup(nullptr, &v), -EFAULT);
  EXPECT_EQ(m->host_lookup(&k, nullptr), -EFAULT);
  EXPECT_EQ(m->host_update(nullptr, &v, kAny), -EFAULT);
  EXPECT_EQ(m->host_update(&k, nullptr, kAny), -EFAULT);
  EXPECT_EQ(m->host_delete(nullptr), -EFAULT);
  EXPECT_EQ(m->host_get_next_key(nullptr, nullptr), -EFAULT);
}

TEST(HostAccess, HostCommandsNeedNoSlotOrSection) {
  auto m = make(def_of(MapType::PercpuHash, 4, 8, 4));
  std::thread t([&] {
    EXPECT_LT(cpu::current(), 0);
    EXPECT_FALSE(rcu::read_ongoing());
    uint32_t k = 1;
    std::vector<uint64_t> v(cpu::nr_cpus(), 3);
    EXPECT_EQ(m->host_update(&k, v.data(), kAny), 0);
    EXPECT_EQ(m->host_lookup(&k, v.data()), 0);
    EXPECT_LT(cpu::current(), 0) << "the slot is given back";
    EXPECT_FALSE(rcu::read_ongoing());
  });
  t.join();
}

}  // namespace
}  // namespace ringb::maps::test
