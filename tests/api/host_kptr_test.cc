// A kernel-side kptr type a host supplies: the host's acquire/release kfuncs
// (declared with KF_ACQUIRE | KF_RET_NULL, KF_RELEASE, KF_RCU prototypes) and
// a KptrType naming its release function. Programs stash the host's objects
// in a map, read them under RCU and release them; what a map still holds
// when it goes is released through the KptrType; the last release frees an
// object after an RCU grace period.
#include <gtest/gtest.h>

#include <atomic>

#include "ringb/rcu.h"
#include "ringb/runtime.h"

#ifndef RINGB_API_BPF_DIR
#error "RINGB_API_BPF_DIR must name the directory of host_kptr.bpf.o"
#endif

namespace ringb {
namespace {

std::atomic<int> g_live{0}, g_freed{0};

struct HostConn {
  uint32_t id;  // what programs see (struct host_conn)
  std::atomic<int> refs{1};
  rcu::Head head;
};

void free_conn(rcu::Head* h) {
  delete reinterpret_cast<HostConn*>(reinterpret_cast<char*>(h) - offsetof(HostConn, head));
  g_live.fetch_sub(1);
  g_freed.fetch_add(1);
}

void release(void* p) {
  auto* c = static_cast<HostConn*>(p);
  if (c->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) rcu::call(rcu::Domain::Rcu, &c->head, free_conn);
}

uint64_t acquire_kf(vm::RunState&, uint64_t id, uint64_t, uint64_t, uint64_t, uint64_t) {
  auto* c = new HostConn;
  c->id = static_cast<uint32_t>(id);
  g_live.fetch_add(1);
  return reinterpret_cast<uint64_t>(c);
}
uint64_t release_kf(vm::RunState&, uint64_t p, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (p) release(reinterpret_cast<void*>(p));
  return 0;
}
uint64_t id_kf(vm::RunState&, uint64_t p, uint64_t, uint64_t, uint64_t, uint64_t) {
  return reinterpret_cast<const HostConn*>(p)->id;
}

struct Args {
  int32_t slot;
  uint32_t id;
};

int64_t run(const LoadedObject& lo, const char* prog, Args a) {
  TestRunOptions o;
  o.ctx_in.assign(reinterpret_cast<const uint8_t*>(&a), reinterpret_cast<const uint8_t*>(&a) + sizeof a);
  auto r = lo.test_run(prog, o);
  EXPECT_TRUE(r) << prog << ": " << (r ? "" : r.error().message);
  return r ? static_cast<int32_t>(r->retval) : -1000;
}

void register_host_conn(Runtime& rt) {
  using namespace kfuncs;
  rt.functions().add_kfunc(Proto{"host_conn_acquire", kAcquire | kRetNull, Ret::Pointer, "host_conn",
                                 {{Arg::Scalar, ""}}, kAnyProg, ""},
                           acquire_kf);
  rt.functions().add_kfunc(
      Proto{"host_conn_release", kRelease, Ret::Void, "", {{Arg::Pointer, "host_conn"}}, kAnyProg, ""}, release_kf);
  rt.functions().add_kfunc(
      Proto{"host_conn_id", kRcu, Ret::Scalar, "", {{Arg::Pointer, "host_conn"}}, kAnyProg, ""}, id_kf);
  rt.kptr_types().add(obj::KptrType{"host_conn", release});
}

TEST(HostKptr, ProgramsStashReadAndReleaseTheHostsObjects) {
  const int live_before = g_live.load();
  {
    Runtime rt;
    register_host_conn(rt);
    auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/host_kptr.bpf.o");
    ASSERT_TRUE(lo) << lo.error().message;
    EXPECT_EQ(run(**lo, "peek", {0, 0}), -2);  // nothing stashed
    EXPECT_EQ(run(**lo, "stash", {0, 41}), 0);
    EXPECT_EQ(run(**lo, "peek", {0, 0}), 41);
    EXPECT_EQ(run(**lo, "stash", {0, 42}), 0);  // 41 released
    EXPECT_EQ(run(**lo, "peek", {0, 0}), 42);
    EXPECT_EQ(run(**lo, "take", {0, 0}), 1);
    EXPECT_EQ(run(**lo, "take", {0, 0}), 0);
    EXPECT_EQ(run(**lo, "stash", {1, 7}), 0);  // left in the map for the unload
    EXPECT_EQ(run(**lo, "stash", {2, 8}), 0);
    rcu::barrier(rcu::Domain::Rcu);
    EXPECT_EQ(g_live.load() - live_before, 2);
  }
  rcu::barrier(rcu::Domain::Rcu);
  EXPECT_EQ(g_live.load(), live_before);
}

}  // namespace
}  // namespace ringb
