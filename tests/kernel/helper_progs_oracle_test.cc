// The helper availability table (src/platform/helper_progs.cc) against the
// running kernel: for every helper and program type it lists, a program of
// that type calling the helper is loaded; the kernel's verifier either
// refuses it with "program of this type cannot use helper" or goes on to
// check the arguments. ringb must say the same. Skips without bpf().
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "ringb/helper_progs.h"

namespace {

using ringb::ProgType;

// The kernel's verdict: true when it refused the helper for the type; the
// log in *log. -1: bpf() is not permitted.
int kernel_refuses(ProgType type, int id, std::string* log) {
  const bpf_insn insns[] = {
      {BPF_JMP | BPF_CALL, 0, 0, 0, id},
      {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  static char buf[1 << 16];
  buf[0] = 0;
  bpf_attr a;
  std::memset(&a, 0, sizeof a);
  a.prog_type = static_cast<uint32_t>(type);
  a.insn_cnt = 3;
  a.insns = reinterpret_cast<uint64_t>(insns);
  a.license = reinterpret_cast<uint64_t>("GPL");
  a.log_level = 1;
  a.log_size = sizeof buf;
  a.log_buf = reinterpret_cast<uint64_t>(buf);
  if (type == ProgType::Syscall) a.prog_flags = BPF_F_SLEEPABLE;
  const int fd = static_cast<int>(syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a));
  if (fd >= 0) close(fd);
  *log = buf;
  if (fd < 0 && (errno == EPERM || errno == ENOSYS) && log->empty()) return -1;
  return log->find("cannot use helper") != std::string::npos ? 1 : 0;
}

TEST(HelperProgs, EveryRowAgreesWithTheKernel) {
  const ProgType types[] = {ProgType::SocketFilter, ProgType::Kprobe,  ProgType::SchedCls,     ProgType::SchedAct,
                            ProgType::Tracepoint,   ProgType::Xdp,     ProgType::PerfEvent,    ProgType::CgroupSkb,
                            ProgType::LwtIn,        ProgType::LwtOut,  ProgType::LwtXmit,      ProgType::SkSkb,
                            ProgType::SkMsg,        ProgType::RawTracepoint, ProgType::LwtSeg6local,
                            ProgType::FlowDissector, ProgType::Syscall};
  size_t n = 0;
  const int* ids = ringb::platform::helper_table_ids(&n);
  ASSERT_GT(n, 40u);
  int checked = 0;
  for (ProgType t : types) {
    ASSERT_TRUE(ringb::platform::helper_table_covers(t)) << ringb::prog_type_name(t);
    for (size_t i = 0; i < n; ++i) {
      std::string log;
      const int refused = kernel_refuses(t, ids[i], &log);
      if (refused < 0) GTEST_SKIP() << "bpf() is not permitted here";
      EXPECT_EQ(refused == 1, !ringb::platform::helper_allowed(t, ids[i]))
          << "helper " << ids[i] << " for " << ringb::prog_type_name(t) << "; the kernel said:\n" << log;
      ++checked;
    }
  }
  RecordProperty("rows_checked", checked);
}

}  // namespace
