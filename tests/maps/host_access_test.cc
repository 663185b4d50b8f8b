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
  EXPECT_EQ(m->host_update(&k, sizeof k, &v, sizeof v, kAny), -EPERM);
  EXPECT_EQ(m->host_delete(&k, sizeof k), -EPERM);
  EXPECT_EQ(m->host_lookup_and_delete(&k, sizeof k, &v, sizeof v), -EPERM);
  EXPECT_EQ(m->host_freeze(), -EPERM);
  EXPECT_EQ(m->host_lookup(&k, sizeof k, &v, sizeof v), -ENOENT);
  // Programs may still write it.
  ProgramScope p;
  EXPECT_EQ(m->update_elem(&k, &v, kAny), 0);
  EXPECT_EQ(m->host_lookup(&k, sizeof k, &v, sizeof v), 0);
}

TEST(HostAccess, WriteOnlyMapRefusesHostReads) {
  auto m = make(def_of(MapType::Hash, 4, 8, 4, kFWronly));
  uint32_t k = 1, next;
  uint64_t v = 1;
  EXPECT_EQ(m->host_update(&k, sizeof k, &v, sizeof v, kAny), 0);
  EXPECT_EQ(m->host_lookup(&k, sizeof k, &v, sizeof v), -EPERM);
  EXPECT_EQ(m->host_get_next_key(nullptr, &next, sizeof next), -EPERM);
  EXPECT_EQ(m->host_lookup_and_delete(&k, sizeof k, &v, sizeof v), -EPERM);
  EXPECT_EQ(m->host_delete(&k, sizeof k), 0);
}

TEST(HostAccess, FrozenMapRefusesHostWritesOnly) {
  for (MapType t : {MapType::Array, MapType::Hash}) {
    auto m = make(def_of(t, 4, 8, 4));
    uint32_t k = 1;
    uint64_t v = 1;
    ASSERT_EQ(m->host_update(&k, sizeof k, &v, sizeof v, kAny), 0);
    EXPECT_EQ(m->host_freeze(), 0);
    EXPECT_EQ(m->host_freeze(), -EPERM);
    EXPECT_EQ(m->host_update(&k, sizeof k, &v, sizeof v, kAny), -EPERM);
    EXPECT_EQ(m->host_delete(&k, sizeof k), -EPERM);
    EXPECT_EQ(m->host_lookup(&k, sizeof k, &v, sizeof v), 0);
    ProgramScope p;
    v = 2;
    EXPECT_EQ(m->update_elem(&k, &v, kAny), 0) << "freezing is about the host side";
  }
}

TEST(HostAccess, NullPointers) {
  auto m = make(def_of(MapType::Hash, 4, 8, 4));
  uint32_t k = 1;
  uint64_t v = 1;
  EXPECT_EQ(m->host_lookup(nullptr, 4, &v, 8), -EFAULT);
  EXPECT_EQ(m->host_lookup(&k, 4, nullptr, 8), -EFAULT);
  EXPECT_EQ(m->host_update(nullptr, 4, &v, 8, kAny), -EFAULT);
  EXPECT_EQ(m->host_update(&k, 4, nullptr, 8, kAny), -EFAULT);
  EXPECT_EQ(m->host_delete(nullptr, 4), -EFAULT);
  EXPECT_EQ(m->host_get_next_key(nullptr, nullptr, 4), -EFAULT);
}

TEST(HostAccess, HostCommandsNeedNoSlotOrSection) {
  auto m = make(def_of(MapType::PercpuHash, 4, 8, 4));
  std::thread t([&] {
    EXPECT_LT(cpu::current(), 0);
    EXPECT_FALSE(rcu::read_ongoing());
    uint32_t k = 1;
    std::vector<uint64_t> v(cpu::nr_cpus(), 3);
    EXPECT_EQ(m->host_update(&k, sizeof k, v.data(), v.size() * sizeof v[0], kAny), 0);
    EXPECT_EQ(m->host_lookup(&k, sizeof k, v.data(), v.size() * sizeof v[0]), 0);
    EXPECT_LT(cpu::current(), 0) << "the slot is given back";
    EXPECT_FALSE(rcu::read_ongoing());
  });
  t.join();
}

}  // namespace
}  // namespace ringb::maps::test
