// ringb against the running kernel. The creation table (create_cases.h) and
// scripts of host commands run on a kernel map and on a ringb map side by
// side; return codes and returned bytes must agree. Skipped where the kernel
// does not let this process create maps (no root, no bpf()). Only small maps
// are created, and nothing is ever attached.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "create_cases.h"
#include "test_util.h"

namespace ringb::maps::test {
namespace {

int kernel_create(uint32_t type, uint32_t key, uint32_t value, uint32_t max, uint32_t flags,
                  uint64_t extra = 0) {
  LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags, .map_extra = extra);
  const int fd = bpf_map_create(static_cast<bpf_map_type>(type), "ringb_parity", key, value, max, &o);
  return fd < 0 ? -errno : fd;
}

bool kernel_available() {
  static const bool ok = [] {
    const int fd = kernel_create(1, 4, 8, 1, 0);
    if (fd < 0) return false;
    close(fd);
    return true;
  }();
  return ok;
}

#define REQUIRE_KERNEL()                                                                 \
  do {                                                                                   \
    if (!kernel_available()) GTEST_SKIP() << "cannot create BPF maps here (root, bpf())"; \
  } while (0)

class KernelCreate : public ::testing::TestWithParam<CreateCase> {};

TEST_P(KernelCreate, TableMatchesTheKernel) {
  REQUIRE_KERNEL();
  const CreateCase& c = GetParam();
  if (!checkable_here(c)) GTEST_SKIP() << "this machine has " << c.enomem_bytes << " bytes or more";
  const int fd = kernel_create(c.type, c.key_size, c.value_size, c.max_entries, c.flags, c.map_extra);
  if (fd >= 0) close(fd);
  EXPECT_EQ(fd >= 0 ? 0 : -fd, c.expected_errno);
}

std::vector<CreateCase> kernel_cases() {
  std::vector<CreateCase> v;
  for (const CreateCase& c : create_cases())
    if (!c.ringb_only) v.push_back(c);
  return v;
}

INSTANTIATE_TEST_SUITE_P(Table, KernelCreate, ::testing::ValuesIn(kernel_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- scripts of host commands -------------------------------------------------

enum class Op { Lookup, Update, Delete, NextKey, LookupAndDelete, Freeze };

struct Step {
  Op op;
  int64_t key;        // -1: null key
  uint8_t fill = 0;   // value bytes for Update
  uint64_t flags = 0;
  bool compare_output = true;  // hash iteration order is the implementation's
};

struct Target {
  virtual ~Target() = default;
  virtual long run(Op op, const void* key, void* value, uint64_t flags) = 0;
};

struct KernelTarget : Target {
  int fd;
  explicit KernelTarget(int f) : fd(f) {}
  ~KernelTarget() override { close(fd); }
  long run(Op op, const void* key, void* value, uint64_t flags) override {
    int rc = 0;
    switch (op) {
      case Op::Lookup: rc = bpf_map_lookup_elem(fd, key, value); break;
      case Op::Update: rc = bpf_map_update_elem(fd, key, value, flags); break;
      case Op::Delete: rc = bpf_map_delete_elem(fd, key); break;
      case Op::NextKey: rc = bpf_map_get_next_key(fd, key, value); break;
      case Op::LookupAndDelete: rc = bpf_map_lookup_and_delete_elem_flags(fd, key, value, flags); break;
      case Op::Freeze: rc = bpf_map_freeze(fd); break;
    }
    return rc < 0 ? -errno : rc;
  }
};

struct RingbTarget : Target {
  std::unique_ptr<Map> map;
  explicit RingbTarget(std::unique_ptr<Map> m) : map(std::move(m)) {}
  // The script's keys are 4 bytes; a null key stands for the map's own size
  // (the buffers are as the syscall would read them).
  size_t ksize(const void* key) const { return key ? 4 : map->def().key_size; }
  size_t vsize() const { return map->value_size_for_host(); }
  long run(Op op, const void* key, void* value, uint64_t flags) override {
    switch (op) {
      case Op::Lookup: return map->host_lookup(key, ksize(key), value, vsize());
      case Op::Update: return map->host_update(key, ksize(key), value, vsize(), flags);
      case Op::Delete: return map->host_delete(key, ksize(key));
      case Op::NextKey: return map->host_get_next_key(key, value, ksize(key));
      case Op::LookupAndDelete: return map->host_lookup_and_delete(key, ksize(key), value, vsize(), flags);
      case Op::Freeze: return map->host_freeze();
    }
    return -EINVAL;
  }
};

void run_script(const MapDef& def, const std::vector<Step>& steps) {
  const int fd = kernel_create(def.type, def.key_size, def.value_size, def.max_entries, def.map_flags, def.map_extra);
  ASSERT_GE(fd, 0) << "kernel map: " << -fd;
  KernelTarget kernel(fd);
  RingbTarget ringb(make(def));
  ASSERT_NE(ringb.map, nullptr);
  const size_t vsize = ringb.map->value_size_for_host();
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    const uint32_t key = static_cast<uint32_t>(s.key);
    const void* keyp = s.key < 0 ? nullptr : &key;
    std::vector<uint8_t> kout(std::max<size_t>(vsize, 8), 0x5a), rout(kout);
    if (s.op == Op::Update || s.fill) {  // (a bloom filter's lookup takes a value too)
      std::fill(kout.begin(), kout.end(), s.fill);
      std::fill(rout.begin(), rout.end(), s.fill);
    }
    const long krc = kernel.run(s.op, keyp, kout.data(), s.flags);
    const long rrc = ringb.run(s.op, keyp, rout.data(), s.flags);
    EXPECT_EQ(rrc, krc) << "step " << i << " (op " << static_cast<int>(s.op) << ", key " << s.key
                        << ", flags " << s.flags << ")";
    if (krc == 0 && rrc == 0 && s.compare_output) {
      EXPECT_EQ(rout, kout) << "step " << i << ": returned bytes differ";
    }
  }
  // Whatever is left, a full walk visits the same keys.
  if (def.key_size == 4) {
    std::set<uint32_t> kkeys, rkeys;
    uint32_t k = 0, next = 0;
    for (const void* prev = nullptr; bpf_map_get_next_key(fd, prev, &next) == 0; prev = &k) {
      kkeys.insert(next);
      k = next;
    }
    for (uint32_t key : walk_keys<uint32_t>(*ringb.map)) rkeys.insert(key);
    EXPECT_EQ(rkeys, kkeys);
  }
}

using O = Op;

TEST(KernelParity, Hash) {
  REQUIRE_KERNEL();
  for (uint32_t flags : {0u, kFNoPrealloc}) {
    SCOPED_TRACE(flags);
    run_script(def_of(MapType::Hash, 4, 8, 2, flags),
               {{O::Update, 1, 7, 3},   {O::Update, 1, 7, kFLock}, {O::Update, 1, 7, kExist},
                {O::Update, 1, 7, kNoExist}, {O::Update, 1, 8, kNoExist}, {O::Lookup, 1},
                {O::Update, 2, 9, kAny}, {O::Update, 3, 9, kAny},  {O::Update, 3, 9, kNoExist},
                {O::Update, 3, 9, kExist}, {O::Update, 2, 10, kAny}, {O::Update, 2, 11, kExist},
                {O::Lookup, 2},          {O::Lookup, 9},           {O::Delete, 9},
                {O::NextKey, 9, 0, 0, false}, {O::NextKey, -1, 0, 0, false},
                {O::LookupAndDelete, 1, 0, kFLock}, {O::LookupAndDelete, 1, 0, 1},
                {O::LookupAndDelete, 1}, {O::LookupAndDelete, 1}, {O::Lookup, 1},
                {O::Update, 4, 12, kAny}, {O::Delete, 4},          {O::Delete, 4},
                {O::Update, 5, 13, kAny}, {O::Freeze, -1},         {O::Freeze, -1},
                {O::Update, 6, 1, kAny}, {O::Delete, 5},           {O::Lookup, 5},
                {O::LookupAndDelete, 5}});
  }
}

TEST(KernelParity, HashGetNextKeyEnds) {
  REQUIRE_KERNEL();
  // One key: after it, -ENOENT; from a missing key, that key again.
  run_script(def_of(MapType::Hash, 4, 8, 4),
             {{O::NextKey, -1}, {O::Update, 3, 1, kAny}, {O::NextKey, -1}, {O::NextKey, 3},
              {O::NextKey, 77}});
}

TEST(KernelParity, Array) {
  REQUIRE_KERNEL();
  run_script(def_of(MapType::Array, 4, 12, 3),
             {{O::Lookup, 1},          {O::Update, 3, 7, kAny},  {O::Update, 3, 7, 5},
              {O::Update, 1, 7, kNoExist}, {O::Update, 1, 7, kExist}, {O::Update, 1, 7, kFLock},
              {O::Lookup, 1},          {O::Lookup, 3},           {O::Delete, 1},
              {O::Delete, 5},          {O::NextKey, -1},         {O::NextKey, 7},
              {O::NextKey, 0},         {O::NextKey, 1},          {O::NextKey, 2},
              {O::LookupAndDelete, 1}, {O::Freeze, -1},          {O::Update, 1, 9, kAny},
              {O::Lookup, 1}});
}

TEST(KernelParity, PercpuMaps) {
  REQUIRE_KERNEL();
  if (libbpf_num_possible_cpus() != static_cast<int>(cpu::nr_cpus()))
    GTEST_SKIP() << "ringb's cpu count differs from the kernel's possible cpus";
  run_script(def_of(MapType::PercpuArray, 4, 12, 3),
             {{O::Update, 1, 0x11, kAny}, {O::Update, 1, 0x11, kFLock}, {O::Update, 1, 0x11, kNoExist},
              {O::Update, 1, 0x11, 3},    {O::Update, 5, 0x11, kAny},   {O::Lookup, 1},
              {O::Lookup, 0},             {O::Delete, 1},               {O::LookupAndDelete, 1}});
  for (uint32_t flags : {0u, kFNoPrealloc})
    run_script(def_of(MapType::PercpuHash, 4, 12, 3, flags),
               {{O::Update, 1, 0x11, kFLock}, {O::Update, 1, 0x11, 3}, {O::Update, 1, 0x22, kAny},
                {O::Lookup, 1},               {O::Update, 1, 0x33, kExist}, {O::Lookup, 1},
                {O::LookupAndDelete, 1},      {O::Lookup, 1},          {O::Update, 2, 1, kAny}});
}

TEST(KernelParity, QueueAndStack) {
  REQUIRE_KERNEL();
  for (MapType t : {MapType::Queue, MapType::Stack})
    run_script(def_of(t, 0, 12, 2),
               {{O::Lookup, -1},           {O::LookupAndDelete, -1}, {O::Update, -1, 1, kAny},
                {O::Update, -1, 2, kNoExist}, {O::Update, -1, 2, 3},  {O::Update, -1, 2, kAny},
                {O::Update, -1, 3, kAny},  {O::Update, -1, 3, kExist}, {O::Lookup, -1},
                {O::LookupAndDelete, -1, 0, 1}, {O::LookupAndDelete, -1}, {O::Lookup, -1},
                {O::Delete, -1},           {O::NextKey, -1},         {O::Lookup, 0},
                {O::LookupAndDelete, -1},  {O::LookupAndDelete, -1}, {O::Freeze, -1},
                {O::Update, -1, 4, kAny},  {O::LookupAndDelete, -1}});
}

TEST(KernelParity, ReadOnlyAndWriteOnlyMaps) {
  REQUIRE_KERNEL();
  run_script(def_of(MapType::Hash, 4, 8, 2, kFRdonly),
             {{O::Update, 1, 1, kAny}, {O::Lookup, 1}, {O::NextKey, -1}, {O::Delete, 1},
              {O::LookupAndDelete, 1}, {O::Freeze, -1}});
  run_script(def_of(MapType::Hash, 4, 8, 2, kFWronly),
             {{O::Update, 1, 1, kAny}, {O::Lookup, 1}, {O::NextKey, -1}, {O::LookupAndDelete, 1},
              {O::Delete, 1}, {O::Delete, 1}, {O::Freeze, -1}});
}

// LRU maps from the host, on one cpu (the thread pinned, so the kernel's
// syscalls and ringb's host calls each use a single cpu's lists): the same
// errnos step by step, and the same keys left — host lookups do not set the
// reference bit, a full map evicts even for an update that fails its flags.
class PinnedToOneCpu {
 public:
  PinnedToOneCpu() {
    sched_getaffinity(0, sizeof old_, &old_);
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &old_)) {
        CPU_SET(c, &one);
        break;
      }
    sched_setaffinity(0, sizeof one, &one);
  }
  ~PinnedToOneCpu() { sched_setaffinity(0, sizeof old_, &old_); }

 private:
  cpu_set_t old_;
};

TEST(KernelParity, LruMaps) {
  REQUIRE_KERNEL();
  if (libbpf_num_possible_cpus() != static_cast<int>(cpu::nr_cpus()))
    GTEST_SKIP() << "ringb's cpu count differs from the kernel's possible cpus";
  PinnedToOneCpu pin;
  for (MapType t : {MapType::LruHash, MapType::LruPercpuHash})
    for (uint32_t flags : {0u, kFNoCommonLru}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(t)) + "/" + std::to_string(flags));
      run_script(def_of(t, 4, 8, 4, flags),
                 {{O::Update, 1, 1, kAny},     {O::Update, 2, 2, kAny},      {O::Update, 3, 3, kAny},
                  {O::Update, 4, 4, kAny},     {O::Lookup, 1},               {O::Update, 5, 5, kAny},
                  {O::Lookup, 1},              {O::Update, 5, 6, kNoExist},  {O::Update, 9, 6, kExist},
                  {O::Update, 3, 7, kFLock},   {O::Update, 3, 7, 3},         {O::Delete, 4},
                  {O::Delete, 4},              {O::Update, 6, 8, kAny},      {O::LookupAndDelete, 6},
                  {O::LookupAndDelete, 6},     {O::LookupAndDelete, 5, 0, kFLock},
                  {O::Update, 7, 9, kAny},     {O::Update, 8, 9, kAny},      {O::Update, 7, 10, kExist},
                  {O::Lookup, 7},              {O::Update, 10, 11, kAny},    {O::Update, 11, 11, kAny}});
    }
}

// Bloom filters from the host with BPF_F_ZERO_SEED: the kernel's bits, so the
// same hits, misses and false positives (a 64-bit filter, 1 hash: after 1,
// the value 13 is a false positive), and the same errnos for the rest.
TEST(KernelParity, BloomFilter) {
  REQUIRE_KERNEL();
  MapDef d = def_of(MapType::BloomFilter, 0, 4, 1, kFZeroSeed);
  d.map_extra = 1;
  std::vector<Step> steps = {{O::Update, -1, 1, kAny}, {O::Update, -1, 1, kExist}, {O::Delete, -1},
                             {O::NextKey, -1},         {O::LookupAndDelete, -1},   {O::Lookup, -1}};
  run_script(d, steps);
  // Values 0x01010101 pushed; peek every one-byte-filled value: the same
  // answers (each value's 4 bytes are the step's fill byte).
  std::vector<Step> peeks = {{O::Update, -1, 1, kAny}};
  for (int b = 0; b < 256; ++b) peeks.push_back({O::Lookup, -1, static_cast<uint8_t>(b), 0, false});
  run_script(d, peeks);
}

}  // namespace
}  // namespace ringb::maps::test
