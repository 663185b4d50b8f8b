// CGROUP_STORAGE (19) and PERCPU_CGROUP_STORAGE (21): host commands on the
// attached storages, the storages of test runs, and the kernel's answers for
// a map with no storage (the kernel's are all of that kind here: ringb's
// tests never attach a program). Creation is in create_cases.h.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ringb/cgroup_storage.h"
#include "test_util.h"

namespace ringb::maps::test {
namespace {

MapDef storage_def(uint32_t type, uint32_t key_size, uint32_t value_size) {
  MapDef d;
  d.name = "cg";
  d.type = type;
  d.key_size = key_size;
  d.value_size = value_size;
  return d;
}

CgroupStorageMap& storages_of(Map& m) { return dynamic_cast<CgroupStorageMap&>(m); }

TEST(CgroupStorage, HostSeesAttachedStoragesOnly) {
  auto m = make(storage_def(19, 16, 12));
  ASSERT_NE(m, nullptr);
  CgroupStorageKey key{7, 1};
  uint8_t v[12] = {};
  EXPECT_EQ(m->host_lookup(&key, 16, v, 12), -ENOENT);
  EXPECT_EQ(m->host_update(&key, 16, v, 12, kAny), -ENOENT);
  CgroupStorageKey next;
  EXPECT_EQ(m->host_get_next_key(nullptr, &next, 16), -ENOENT);
  // A test run's own storage is no element of the map.
  auto run = storages_of(*m).new_storage();
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(m->host_get_next_key(nullptr, &next, 16), -ENOENT);

  CgroupStorage* s = storages_of(*m).attached_storage(7, 1);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(storages_of(*m).attached_storage(7, 1), s);
  std::memset(v, 0x11, sizeof v);
  EXPECT_EQ(m->host_lookup(&key, 16, v, 12), 0);
  for (uint8_t b : v) EXPECT_EQ(b, 0);  // made zeroed
  std::memset(v, 0x22, sizeof v);
  EXPECT_EQ(m->host_update(&key, 16, v, 12, kAny), 0);
  EXPECT_EQ(m->host_update(&key, 16, v, 12, kExist), 0);
  EXPECT_EQ(m->host_update(&key, 16, v, 12, kNoExist), -EINVAL);
  EXPECT_EQ(m->host_update(&key, 16, v, 12, kFLock), -EINVAL);  // no bpf_spin_lock in the value
  {
    ProgramScope p;
    EXPECT_EQ(static_cast<uint8_t*>(s->value(p.cpu.cpu()))[11], 0x22);
  }
  EXPECT_EQ(m->host_delete(&key, 16), -EINVAL);
  // Another attach type of the same cgroup is another storage (key_size 16).
  CgroupStorageKey other{7, 2};
  EXPECT_EQ(m->host_lookup(&other, 16, v, 12), -ENOENT);
  ASSERT_NE(storages_of(*m).attached_storage(7, 2), nullptr);
  // Newest first, then -ENOENT after the last and for a missing key.
  ASSERT_EQ(m->host_get_next_key(nullptr, &next, 16), 0);
  EXPECT_EQ(next.cgroup_inode_id, 7u);
  EXPECT_EQ(next.attach_type, 2u);
  ASSERT_EQ(m->host_get_next_key(&next, &next, 16), 0);
  EXPECT_EQ(next.attach_type, 1u);
  EXPECT_EQ(m->host_get_next_key(&next, &next, 16), -ENOENT);
  CgroupStorageKey missing{8, 1};
  EXPECT_EQ(m->host_get_next_key(&missing, &next, 16), -ENOENT);
  EXPECT_EQ(m->stats().elements, 2u);
}

TEST(CgroupStorage, U64KeyIsTheCgroupAlone) {
  auto m = make(storage_def(19, 8, 4));
  ASSERT_NE(m, nullptr);
  CgroupStorage* s = storages_of(*m).attached_storage(5, 1);
  EXPECT_EQ(storages_of(*m).attached_storage(5, 2), s);  // attach types share it
  uint64_t key = 5, next = 0;
  ASSERT_EQ(m->host_get_next_key(nullptr, &next, 8), 0);
  EXPECT_EQ(next, 5u);
  EXPECT_EQ(m->host_get_next_key(&key, &next, 8), -ENOENT);
  uint32_t v = 0xabcd;
  EXPECT_EQ(m->host_update(&key, 8, &v, 4, kAny), 0);
  v = 0;
  EXPECT_EQ(m->host_lookup(&key, 8, &v, 4), 0);
  EXPECT_EQ(v, 0xabcdu);
}

TEST(CgroupStorage, UpdateSwapsTheBufferAReaderHolds) {
  auto m = make(storage_def(19, 8, 8));
  ASSERT_NE(m, nullptr);
  CgroupStorage* s = storages_of(*m).attached_storage(1, 0);
  uint64_t key = 1, v = 1;
  ASSERT_EQ(m->host_update(&key, 8, &v, 8, kAny), 0);
  ProgramScope p;  // a program holding the old value sees it whole
  const uint64_t* old = static_cast<const uint64_t*>(s->value(p.cpu.cpu()));
  v = 2;
  ASSERT_EQ(m->host_update(&key, 8, &v, 8, kAny), 0);
  EXPECT_EQ(*old, 1u);
  EXPECT_EQ(*static_cast<const uint64_t*>(s->value(p.cpu.cpu())), 2u);
}

TEST(CgroupStorage, LockedUpdateWritesInPlace) {
  MapDef d = storage_def(19, 8, 8);
  d.spin_lock_off = 0;
  auto m = make(d);
  ASSERT_NE(m, nullptr);
  CgroupStorage* s = storages_of(*m).attached_storage(1, 0);
  ProgramScope p;
  auto* before = static_cast<uint32_t*>(s->value(p.cpu.cpu()));
  uint64_t key = 1;
  uint32_t v[2] = {0xffffffff, 9};
  ASSERT_EQ(m->host_update(&key, 8, v, 8, kFLock), 0);
  EXPECT_EQ(s->value(p.cpu.cpu()), before);
  EXPECT_EQ(before[0], 0u);  // the lock: not copied, unlocked
  EXPECT_EQ(before[1], 9u);
  uint32_t out[2] = {1, 1};
  ASSERT_EQ(m->host_lookup(&key, 8, out, 8), 0);
  EXPECT_EQ(out[0], 0u);
  EXPECT_EQ(out[1], 9u);
}

TEST(CgroupStorage, PercpuCopiesEveryCpu) {
  auto m = make(storage_def(21, 8, 4));
  ASSERT_NE(m, nullptr);
  const unsigned n = cpu::nr_cpus();
  ASSERT_EQ(m->value_size_for_host(), 8u * n);
  CgroupStorage* s = storages_of(*m).attached_storage(3, 0);
  uint64_t key = 3;
  std::vector<uint64_t> v(n);
  for (unsigned c = 0; c < n; ++c) v[c] = 100 + c;
  EXPECT_EQ(m->host_update(&key, 8, v.data(), 8 * n, kNoExist), -EINVAL);
  EXPECT_EQ(m->host_update(&key, 8, v.data(), 8 * n, kFLock), -EINVAL);
  ASSERT_EQ(m->host_update(&key, 8, v.data(), 8 * n, kExist), 0);
  {
    ProgramScope p;
    EXPECT_EQ(*static_cast<uint32_t*>(s->value(p.cpu.cpu())), 100u + static_cast<unsigned>(p.cpu.cpu()));
  }
  std::vector<uint64_t> out(n, 0);
  ASSERT_EQ(m->host_lookup(&key, 8, out.data(), 8 * n), 0);
  EXPECT_EQ(out, v);  // the rounded copies, padding included
  EXPECT_EQ(m->host_lookup_and_delete(&key, 8, out.data(), 8 * n), -kENOTSUPP);
}

TEST(CgroupStorage, RunStoragesAreFreshAndZeroed) {
  auto m = make(storage_def(21, 16, 24));
  ASSERT_NE(m, nullptr);
  auto a = storages_of(*m).new_storage();
  auto b = storages_of(*m).new_storage();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  for (unsigned c = 0; c < cpu::nr_cpus(); ++c) {
    const auto* bytes = static_cast<const uint8_t*>(a->value(static_cast<int>(c)));
    for (int i = 0; i < 24; ++i) EXPECT_EQ(bytes[i], 0);
  }
  EXPECT_NE(a->value(0), b->value(0));
  if (cpu::nr_cpus() > 1) {
    EXPECT_NE(a->value(0), a->value(1)) << "a copy per cpu";
  }
}

// ---- the running kernel, for a map with no storage ---------------------------

int kernel_map(uint32_t type, uint32_t key_size, uint32_t value_size) {
  const int fd = bpf_map_create(static_cast<bpf_map_type>(type), "ringb_cgs", key_size, value_size, 0, nullptr);
  return fd < 0 ? -errno : fd;
}
long kernel_rc(int rc) { return rc < 0 ? -errno : rc; }

TEST(CgroupStorage, EmptyMapAnswersAsTheKernel) {
  for (uint32_t type : {19u, 21u}) {
    for (uint32_t key_size : {8u, 16u}) {
      SCOPED_TRACE(std::to_string(type) + "/" + std::to_string(key_size));
      const int fd = kernel_map(type, key_size, 8);
      if (fd == -EPERM || fd == -ENOSYS) GTEST_SKIP() << "cannot create BPF maps here";
      ASSERT_GE(fd, 0);
      if (type == 21 && libbpf_num_possible_cpus() != static_cast<int>(cpu::nr_cpus())) {
        close(fd);
        GTEST_SKIP() << "ringb's cpu count differs from the kernel's possible cpus";
      }
      auto m = make(storage_def(type, key_size, 8));
      ASSERT_NE(m, nullptr);
      const size_t vs = m->value_size_for_host();
      std::vector<uint8_t> kv(vs), rv(vs);
      CgroupStorageKey key{1, 2}, next;
      for (uint64_t flags : {kAny, kNoExist, kExist, kFLock, uint64_t{8}})
        EXPECT_EQ(m->host_update(&key, key_size, rv.data(), vs, flags),
                  kernel_rc(bpf_map_update_elem(fd, &key, kv.data(), flags)))
            << "update flags " << flags;
      EXPECT_EQ(m->host_lookup(&key, key_size, rv.data(), vs), kernel_rc(bpf_map_lookup_elem(fd, &key, kv.data())));
      EXPECT_EQ(m->host_delete(&key, key_size), kernel_rc(bpf_map_delete_elem(fd, &key)));
      EXPECT_EQ(m->host_get_next_key(nullptr, &next, key_size), kernel_rc(bpf_map_get_next_key(fd, nullptr, &next)));
      EXPECT_EQ(m->host_get_next_key(&key, &next, key_size), kernel_rc(bpf_map_get_next_key(fd, &key, &next)));
      EXPECT_EQ(m->host_lookup_and_delete(&key, key_size, rv.data(), vs),
                kernel_rc(bpf_map_lookup_and_delete_elem(fd, &key, kv.data())));
      close(fd);
    }
  }
}

}  // namespace
}  // namespace ringb::maps::test
