// Fault-tolerant loads (the kernel's PROBE_MEM) in tracing program types:
// a load through NULL or through unmapped memory reads 0 instead of
// crashing; a load of real memory reads it. Other program types keep plain
// loads.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include "ringb/cpu.h"
#include "ringb/vm.h"
#include "vm/asm.h"

namespace ringb::vm {
namespace {

using namespace ringb::testing::as;

// r1 = ctx[0]; r0 = *(size *)(r1 + off) (+ 7, to tell 0 from "did not run").
uint64_t deref_ctx(ProgType type, uint64_t* ctx, uint8_t sz, int16_t off, bool sx = false,
                   const char** error = nullptr) {
  Program p;
  p.name = "probe";
  p.type = type;
  p.insns = {ldx(kDW, 1, 1, 0), sx ? ldxsx(sz, 0, 1, off) : ldx(sz, 0, 1, off), alu64_imm(kAdd, 0, 7), exit_()};
  auto exe = Executable::create(p, {}, {}, Functions::builtin());
  EXPECT_TRUE(exe.ok()) << (exe.ok() ? "" : exe.error().message);
  RunState rs;
  cpu::CpuGuard g;
  rs.cpu = g.cpu();
  const uint64_t r = (*exe)->run(reinterpret_cast<uint64_t>(ctx), rs);
  if (error) *error = rs.error;
  return r;
}

TEST(Probe, NullBtfPointerReadsZero) {
  uint64_t ctx[8] = {};  // a zeroed test context: every pointer argument is NULL
  const char* error = "unset";
  EXPECT_EQ(deref_ctx(ProgType::Tracing, ctx, kDW, 200, false, &error), 7u);
  EXPECT_EQ(error, nullptr);
  EXPECT_EQ(deref_ctx(ProgType::Lsm, ctx, kW, 8), 7u);
}

TEST(Probe, UnmappedMemoryReadsZero) {
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(page, MAP_FAILED);
  ASSERT_EQ(munmap(page, 4096), 0);
  uint64_t ctx[1] = {reinterpret_cast<uint64_t>(page)};
  EXPECT_EQ(deref_ctx(ProgType::Tracing, ctx, kDW, 16), 7u);
  uint64_t wild[1] = {0xdead000000000000ull};  // not canonical
  EXPECT_EQ(deref_ctx(ProgType::Tracing, wild, kB, 0), 7u);
}

TEST(Probe, RealMemoryReadsItsValue) {
  struct Obj {
    uint64_t a;
    int8_t b;
  } obj{0x1234, -2};
  uint64_t ctx[1] = {reinterpret_cast<uint64_t>(&obj)};
  EXPECT_EQ(deref_ctx(ProgType::Tracing, ctx, kDW, 0), 0x1234u + 7);
  EXPECT_EQ(deref_ctx(ProgType::Tracing, ctx, kB, 8, true), static_cast<uint64_t>(-2 + 7));
  EXPECT_EQ(deref_ctx(ProgType::SchedCls, ctx, kDW, 0), 0x1234u + 7);  // a plain load
}

}  // namespace
}  // namespace ringb::vm
