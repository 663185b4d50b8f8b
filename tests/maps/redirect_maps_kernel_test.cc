// The XDP redirect maps (devmap, devmap_hash, cpumap, xskmap) against the
// running kernel: the same scripts of host commands, with explicit values
// (an ifindex or qsize and a program fd/id), on a kernel map and a ringb map
// side by side; return codes, returned values and the keys a full walk
// visits must agree. Only values without programs are compared (ringb names
// entry programs by id, the kernel by fd). Skipped without bpf().
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <vector>

#include "test_util.h"

namespace ringb::maps::test {
namespace {

constexpr MapType kDevMap = static_cast<MapType>(14), kCpuMap = static_cast<MapType>(16),
                  kXskMap = static_cast<MapType>(17), kDevMapHash = static_cast<MapType>(25);

int kernel_create(const MapDef& d) {
  LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = d.map_flags);
  const int fd = bpf_map_create(static_cast<bpf_map_type>(d.type), "ringb_redir", d.key_size, d.value_size,
                                d.max_entries, &o);
  return fd < 0 ? -errno : fd;
}

bool kernel_available() {
  static const bool ok = [] {
    const int fd = kernel_create(def_of(MapType::Array, 4, 4, 1));
    if (fd < 0) return false;
    close(fd);
    return true;
  }();
  return ok;
}

enum class Op { Lookup, Update, Delete, NextKey };

struct Step {
  Op op;
  int64_t key;  // -1: null key
  uint32_t v0 = 0, v1 = 0;  // the value for Update: ifindex/qsize, program fd
  uint64_t flags = 0;
};

long kernel_run(int fd, const Step& s, const void* key, void* out) {
  int rc = 0;
  switch (s.op) {
    case Op::Lookup: rc = bpf_map_lookup_elem(fd, key, out); break;
    case Op::Update: rc = bpf_map_update_elem(fd, key, out, s.flags); break;
    case Op::Delete: rc = bpf_map_delete_elem(fd, key); break;
    case Op::NextKey: rc = bpf_map_get_next_key(fd, key, out); break;
  }
  return rc < 0 ? -errno : rc;
}

long ringb_run(Map& m, const Step& s, const void* key, void* out) {
  const size_t vs = m.def().value_size;
  switch (s.op) {
    case Op::Lookup: return m.host_lookup(key, 4, out, vs);
    case Op::Update: return m.host_update(key, 4, out, vs, s.flags);
    case Op::Delete: return m.host_delete(key, 4);
    case Op::NextKey: return m.host_get_next_key(key, out, 4);
  }
  return -EINVAL;
}

std::vector<uint32_t> kernel_walk(int fd) {
  std::vector<uint32_t> keys;
  uint32_t k = 0, next = 0;
  for (const void* prev = nullptr; bpf_map_get_next_key(fd, prev, &next) == 0 && keys.size() < 1000; prev = &k) {
    keys.push_back(next);
    k = next;
  }
  return keys;
}

void run_script(const MapDef& def, const std::vector<Step>& steps) {
  const int fd = kernel_create(def);
  ASSERT_GE(fd, 0) << "kernel map: " << -fd;
  auto m = make(def);
  ASSERT_NE(m, nullptr);
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    const uint32_t key = static_cast<uint32_t>(s.key);
    const void* keyp = s.key < 0 ? nullptr : &key;
    uint32_t kout[2] = {s.v0, s.v1}, rout[2] = {s.v0, s.v1};
    if (s.op != Op::Update) kout[0] = kout[1] = rout[0] = rout[1] = 0x5a5a5a5a;
    const long krc = kernel_run(fd, s, keyp, kout);
    const long rrc = ringb_run(*m, s, keyp, rout);
    EXPECT_EQ(rrc, krc) << "step " << i << " (op " << static_cast<int>(s.op) << ", key " << s.key << ", value "
                        << s.v0 << "/" << s.v1 << ", flags " << s.flags << ")";
    if (krc == 0 && rrc == 0 && s.op != Op::Update) {
      EXPECT_EQ(rout[0], kout[0]) << "step " << i;
      EXPECT_EQ(rout[1], kout[1]) << "step " << i;
    }
  }
  EXPECT_EQ(walk_keys<uint32_t>(*m), kernel_walk(fd)) << "the keys a full walk visits, in order";
  close(fd);
}

#define REQUIRE_KERNEL()                                                                 \
  do {                                                                                   \
    if (!kernel_available()) GTEST_SKIP() << "cannot create BPF maps here (root, bpf())"; \
  } while (0)

using O = Op;
constexpr uint32_t kLo = 1;                // the loopback interface: every namespace has it
constexpr uint32_t kNoDev = 0x7fff0001;    // an ifindex no interface has
constexpr uint32_t kNoProg = 0xffffffffu;  // bpf_prog.fd -1: no program

TEST(RedirectMapsKernel, Devmap) {
  REQUIRE_KERNEL();
  for (uint32_t vs : {4u, 8u}) {
    SCOPED_TRACE(vs);
    run_script(def_of(kDevMap, 4, vs, 4),
               {{O::Lookup, 0},
                {O::Update, 0, kLo, 0, 3},
                {O::Update, 0, kLo, 0, kNoExist},
                {O::Update, 4, kLo, 0, kAny},
                {O::Update, 0, kNoDev, 0, kAny},
                {O::Update, 0, kLo, 0, kAny},
                {O::Update, 1, kLo, kNoProg, kExist},
                {O::Lookup, 0},
                {O::Lookup, 1},
                {O::Lookup, 4},
                {O::Update, 1, 0, 0, kAny},  // ifindex 0 empties the slot
                {O::Lookup, 1},
                {O::Update, 2, kLo, 0, kFLock},
                {O::Delete, 2},  // empty: 0
                {O::Delete, 4},
                {O::Delete, 0},
                {O::Lookup, 0},
                {O::Update, 3, kLo, 0, kAny},
                {O::NextKey, -1},
                {O::NextKey, 2},
                {O::NextKey, 3},
                {O::NextKey, 9}});
  }
}

TEST(RedirectMapsKernel, DevmapProgramFdWithoutDevice) {
  REQUIRE_KERNEL();
  // ifindex 0 with a program: EINVAL (fd 5 need not be a program: the check comes first)
  run_script(def_of(kDevMap, 4, 8, 2), {{O::Update, 0, 0, 5, kAny}, {O::Update, 0, 0, kNoProg, kAny}});
}

TEST(RedirectMapsKernel, DevmapHash) {
  REQUIRE_KERNEL();
  for (uint32_t vs : {4u, 8u}) {
    SCOPED_TRACE(vs);
    // 4 buckets: 1, 5 and 9 share one, newest first
    run_script(def_of(kDevMapHash, 4, vs, 4),
               {{O::NextKey, -1},
                {O::Lookup, 1},
                {O::Update, 1, kLo, 0, 3},
                {O::Update, 1, 0, 0, kAny},
                {O::Update, 1, kNoDev, 0, kAny},
                {O::Update, 1, kLo, 0, kExist},  // inserts: the kernel does not check BPF_EXIST
                {O::Update, 1, kLo, 0, kNoExist},
                {O::Update, 5, kLo, 0, kAny},
                {O::Update, 9, kLo, kNoProg, kAny},
                {O::Update, 2, kLo, 0, kAny},
                {O::Update, 3, kLo, 0, kAny},  // full
                {O::Update, 5, kLo, 0, kAny},  // a replace in a full map works
                {O::Lookup, 5},
                {O::Lookup, 7},
                {O::NextKey, -1},
                {O::NextKey, 9},
                {O::NextKey, 5},
                {O::NextKey, 1},
                {O::NextKey, 2},
                {O::NextKey, 77},
                {O::Delete, 7},
                {O::Delete, 5},
                {O::Lookup, 5},
                {O::Update, 3, kLo, 0, kAny}});
  }
}

TEST(RedirectMapsKernel, Cpumap) {
  REQUIRE_KERNEL();
  if (libbpf_num_possible_cpus() != static_cast<int>(cpu::nr_cpus()))
    GTEST_SKIP() << "ringb's cpu count differs from the kernel's possible cpus";
  const uint32_t past_cpus = cpu::nr_cpus();
  for (uint32_t vs : {4u, 8u}) {
    SCOPED_TRACE(vs);
    run_script(def_of(kCpuMap, 4, vs, past_cpus + 2),
               {{O::Lookup, 0},
                {O::Update, 0, 192, 0, 3},
                {O::Update, past_cpus + 2, 192, 0, kAny},
                {O::Update, 0, 192, 0, kNoExist},
                {O::Update, 0, 16385, 0, kAny},
                {O::Update, past_cpus, 192, 0, kAny},  // not a possible cpu
                {O::Update, 0, 192, 0, kAny},
                {O::Update, 0, 16384, kNoProg, kExist},
                {O::Lookup, 0},
                {O::Lookup, 1},
                {O::Lookup, past_cpus + 2},
                {O::Update, 0, 0, 0, kAny},  // qsize 0 empties it
                {O::Lookup, 0},
                {O::Update, 0, 64, 0, kAny},
                {O::Delete, 0},
                {O::Delete, 1},
                {O::Delete, past_cpus + 2},
                {O::Lookup, 0},
                {O::NextKey, -1},
                {O::NextKey, 0},
                {O::NextKey, past_cpus + 1}});
  }
}

TEST(RedirectMapsKernel, Xskmap) {
  REQUIRE_KERNEL();
  // 0x7fff0001: no such fd (EBADF in both)
  run_script(def_of(kXskMap, 4, 4, 4),
             {{O::Lookup, 0},
              {O::Lookup, 9},
              {O::Update, 0, 0x7fff0001, 0, 3},
              {O::Update, 9, 0x7fff0001, 0, kAny},
              {O::Update, 0, 0x7fff0001, 0, kAny},
              {O::Update, 0, 0x7fff0001, 0, kNoExist},
              {O::Delete, 0},
              {O::Delete, 4},
              {O::NextKey, -1},
              {O::NextKey, 3},
              {O::NextKey, 8}});
}

}  // namespace
}  // namespace ringb::maps::test
