// bpf_redirect_map over devmaps and cpumaps the host fills, through the
// runtime (program ids resolved into devmap entries). The corpus
// (tests/bpf/progs/redirect_maps.bpf.c) covers empty maps against the
// kernel; these are the present keys, checked against Linux 6.18 by hand
// with bpftool (map update, then prog run of the same object).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ringb/runtime.h"

namespace ringb {
namespace {

TEST(RedirectMaps, HostFillsProgramsRedirect) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/redirect_host.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  maps::Map* dev = (*lo)->map("dev_map");
  maps::Map* hash = (*lo)->map("dev_hash");
  maps::Map* cpus = (*lo)->map("cpu_map");
  ASSERT_TRUE(dev && hash && cpus);
  auto run = [&](const char* prog) {
    TestRunOptions o;
    o.data_in = std::vector<uint8_t>(64, 0);
    auto r = (*lo)->test_run(prog, o);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? static_cast<int32_t>(r.value().retval) : -1000;
  };
  EXPECT_EQ(run("redirects"), 0x3122);  // every one missing: the flags' actions
  EXPECT_EQ(run("devmap_read"), -1);
  const uint32_t prog = (*lo)->program_id("on_entry");
  ASSERT_NE(prog, 0u);
  uint32_t k1 = 1, k7 = 7, cpu0 = 0;
  uint32_t entry[2] = {1, prog}, ifindex = 1, queue[2] = {64, 0};
  ASSERT_EQ(dev->host_update(&k1, 4, entry, 8, maps::kAny), 0);
  ASSERT_EQ(hash->host_update(&k7, 4, &ifindex, 4, maps::kAny), 0);
  ASSERT_EQ(cpus->host_update(&cpu0, 4, queue, 8, maps::kAny), 0);
  EXPECT_EQ(run("redirects"), 0x4424);
  EXPECT_EQ(run("devmap_read"), static_cast<int32_t>(1u << 16 | prog));
  uint32_t out[2] = {};
  ASSERT_EQ(dev->host_lookup(&k1, 4, out, 8), 0);
  EXPECT_EQ(out[0], 1u);
  EXPECT_EQ(out[1], prog);
  ASSERT_EQ(dev->host_delete(&k1, 4), 0);
  EXPECT_EQ(run("redirects"), 0x4422);
}

// The kernel's bpf_check_tail_call: a devmap's users are of one type.
TEST(RedirectMaps, XdpAndTcCannotShareADevmap) {
  Runtime rt;
  Runtime::LoadOptions o;
  o.programs = {"redirects", "tc_uses_dev_map"};
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/redirect_host.bpf.o", o);
  ASSERT_FALSE(lo.ok());
  EXPECT_NE(lo.error().message.find("program 'tc_uses_dev_map' (sched_cls) uses devmap 'dev_map'"), std::string::npos)
      << lo.error().message;
  o.programs = {"tc_uses_dev_map"};
  EXPECT_TRUE(rt.load(std::string(RINGB_API_BPF_DIR) + "/redirect_host.bpf.o", o).ok());
}

// A devmap entry holding a program of the map's own object: unloading the
// object drops the entry (clear_progs), so nothing is left behind (LSan
// in the sanitized builds would name a cycle's leak).
TEST(RedirectMaps, AnEntryProgramDoesNotKeepItsObjectAlive) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/redirect_host.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  uint32_t k1 = 1, k7 = 7, entry[2] = {1, (*lo)->program_id("on_entry")};
  ASSERT_EQ((*lo)->map("dev_map")->host_update(&k1, 4, entry, 8, maps::kAny), 0);
  ASSERT_EQ((*lo)->map("dev_hash")->host_update(&k7, 4, entry, 4, maps::kAny), 0);
  uint32_t cpu0 = 0, queue[2] = {64, entry[1]};
  ASSERT_EQ((*lo)->map("cpu_map")->host_update(&cpu0, 4, queue, 8, maps::kAny), 0);
  const uint32_t dev_id = (*lo)->map_id("dev_map"), cpu_id = (*lo)->map_id("cpu_map");
  lo->reset();
  EXPECT_FALSE(rt.map_by_id(dev_id).ok()) << "the devmap outlived its object";
  EXPECT_FALSE(rt.map_by_id(cpu_id).ok()) << "the cpumap outlived its object";
}

}  // namespace
}  // namespace ringb
