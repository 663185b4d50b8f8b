// A program that allocates 10,000 map elements in one run, from a cold
// allocator, gets every one — from a thread and from a signal handler
// (interrupt context, where the slab refills the caches).
#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "ringb/cpu.h"
#include "ringb/rcu.h"
#include "ringb/runtime.h"

#ifndef RINGB_API_BPF_DIR
#error "RINGB_API_BPF_DIR must name the directory of alloc_burst.bpf.o"
#endif

namespace ringb {
namespace {

const vm::Executable* g_prog = nullptr;
vm::RunOptions g_options;
uint64_t g_handler_result = 0;

void run_in_handler(int) {
  cpu::CpuGuard nmi(cpu::Context::Interrupt);
  if (nmi.cpu() < 0) return;  // cannot happen here: this thread holds no slot, and none is busy
  rcu::ReadGuard rcu;
  vm::RunState rs;
  rs.cpu = nmi.cpu();
  rs.options = &g_options;
  uint64_t ctx[8] = {};
  g_handler_result = g_prog->run(reinterpret_cast<uint64_t>(ctx), rs);
  if (rs.error) g_handler_result = ~uint64_t{0};
}

class AllocBurst : public ::testing::TestWithParam<const char*> {};

TEST_P(AllocBurst, TenThousandInsertsInOneRunAllSucceed) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/alloc_burst.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  auto r = (*lo)->test_run(GetParam(), {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->retval, 10000u) << "failed inserts × 100000 + keys found";
}

TEST_P(AllocBurst, TheSameFromASignalHandler) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/alloc_burst.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  g_prog = (*lo)->program(GetParam());
  ASSERT_NE(g_prog, nullptr);
  struct sigaction sa = {}, old;
  sa.sa_handler = run_in_handler;
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR2, &sa, &old), 0);
  g_handler_result = 0;
  raise(SIGUSR2);
  sigaction(SIGUSR2, &old, nullptr);
  EXPECT_EQ(g_handler_result, 10000u);
  g_prog = nullptr;
}

INSTANTIATE_TEST_SUITE_P(Maps, AllocBurst, ::testing::Values("burst_of_inserts", "burst_of_percpu_inserts"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace ringb
