// Cgroup storage through test runs (ringb/cgroup_storage.h): a run's own
// storages are zeroed and kept across its `repeat` runs, as the kernel's
// BPF_PROG_TEST_RUN (on Linux 6.18 storage_kept_across_repeats returns 1 for
// repeat 1 and 2 for repeat 5, and a second run starts again from zero);
// a run naming a cgroup id uses the storage attached there, which lives on
// between runs and is what the host's commands see. A prog array takes only
// programs of its first program's storage maps (or none).
#include <gtest/gtest.h>

#include <linux/bpf.h>

#include <cstring>
#include <string>
#include <vector>

#include "ringb/cgroup_storage.h"
#include "ringb/cpu.h"
#include "ringb/runtime.h"
#include "ringb_bpf_corpus.h"
#include "ringb_test_packet.h"

namespace ringb {
namespace {

const std::string kObj = std::string(RINGB_BPF_CORPUS_DIR) + "/cgroup_storage.bpf.o";
const std::vector<uint8_t> kPacket = {RINGB_TEST_PACKET_BYTES};

struct Counter {  // struct counter of cgroup_storage.bpf.c
  uint64_t runs, bytes;
  char pad[48];
};

std::unique_ptr<LoadedObject> load(const Runtime& rt) {
  auto lo = rt.load(kObj);
  EXPECT_TRUE(lo.ok()) << (lo.ok() ? "" : lo.error().message);
  return lo.ok() ? std::move(lo.value()) : nullptr;
}

uint32_t run(const LoadedObject& lo, const char* prog, uint32_t repeat, uint64_t cgroup_id = 0) {
  TestRunOptions o;
  o.data_in = kPacket;
  o.repeat = repeat;
  o.cgroup_storage_id = cgroup_id;
  auto r = lo.test_run(prog, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r->retval : ~0u;
}

TEST(CgroupStorageRun, ARunsStorageIsKeptAcrossRepeatAndFreedAfter) {
  Runtime rt;
  auto lo = load(rt);
  ASSERT_NE(lo, nullptr);
  EXPECT_EQ(run(*lo, "storage_kept_across_repeats", 1), 1u);
  EXPECT_EQ(run(*lo, "storage_kept_across_repeats", 5), 2u);
  EXPECT_EQ(run(*lo, "storage_kept_across_repeats", 5), 2u);  // fresh again
  EXPECT_EQ(run(*lo, "storage_kept_across_repeats", 6), 0u);
  // No storage became a map element.
  maps::CgroupStorageKey next;
  EXPECT_EQ(lo->map("cg_storage")->host_get_next_key(nullptr, &next, sizeof next), -ENOENT);
}

TEST(CgroupStorageRun, AnAttachedStorageLivesOnAndTheHostSeesIt) {
  Runtime rt;
  auto lo = load(rt);
  ASSERT_NE(lo, nullptr);
  EXPECT_EQ(run(*lo, "storage_kept_across_repeats", 1, 42), 1u);
  EXPECT_EQ(run(*lo, "storage_kept_across_repeats", 4, 42), 2u);  // runs 2..5
  maps::Map* m = lo->map("cg_storage");
  // The program's section is cgroup_skb/egress: BPF_CGROUP_INET_EGRESS.
  maps::CgroupStorageKey key{42, BPF_CGROUP_INET_EGRESS};
  Counter c{};
  ASSERT_EQ(m->host_lookup(&key, sizeof key, &c, sizeof c), 0);
  EXPECT_EQ(c.runs, 5u);
  maps::CgroupStorageKey next;
  ASSERT_EQ(m->host_get_next_key(nullptr, &next, sizeof next), 0);
  EXPECT_EQ(next.cgroup_inode_id, 42u);
  EXPECT_EQ(next.attach_type, uint32_t{BPF_CGROUP_INET_EGRESS});
  c.runs = 0;
  ASSERT_EQ(m->host_update(&key, sizeof key, &c, sizeof c, 0), 0);
  EXPECT_EQ(run(*lo, "storage_kept_across_repeats", 1, 42), 1u);
  // Another cgroup has its own; a run of none still starts from zero.
  EXPECT_EQ(run(*lo, "storage_kept_across_repeats", 1, 43), 1u);
  EXPECT_EQ(run(*lo, "storage_kept_across_repeats", 1), 1u);
}

TEST(CgroupStorageRun, PercpuStorageIsTheRunningCpusCopy) {
  Runtime rt;
  auto lo = load(rt);
  ASSERT_NE(lo, nullptr);
  EXPECT_EQ(run(*lo, "percpu_storage_counts", 1, 7), 1u);  // this cpu's copy: 3
  EXPECT_LE(run(*lo, "percpu_storage_counts", 1, 7), 1u);  // 0: the same cpu's copy (6); 1: another's (3)
  maps::Map* m = lo->map("pcpu_storage");
  std::vector<uint64_t> v(cpu::nr_cpus());
  uint64_t key = 7;  // key_size 8: the cgroup alone
  ASSERT_EQ(m->host_lookup(&key, sizeof key, v.data(), v.size() * 8), 0);
  uint64_t sum = 0;
  for (uint64_t x : v) sum += x;
  EXPECT_EQ(sum, 6u);
}

// The kernel (Linux 6.18) answers the same: callee_b -EINVAL, callee_none
// and callee_a stored, and caller → callee_a returns 3.
TEST(CgroupStorageRun, AProgArrayTakesProgramsOfItsStorageOrNone) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/cgroup_storage_tail.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  // caller uses jmp and storage_a: the array's programs may use storage_a or none.
  Status s = (*lo)->prog_array_set("jmp", 0, "callee_b");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, EINVAL) << s.error().message;
  EXPECT_TRUE((*lo)->prog_array_set("jmp", 0, "callee_none").ok());
  EXPECT_EQ(run(**lo, "caller", 1), 2u);
  ASSERT_TRUE((*lo)->prog_array_set("jmp", 0, "callee_a").ok());
  EXPECT_EQ(run(**lo, "caller", 1), 3u);  // the callee counts on in the caller's storage
}

}  // namespace
}  // namespace ringb
