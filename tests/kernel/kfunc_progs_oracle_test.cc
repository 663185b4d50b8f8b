// The kfunc availability table (src/platform/kfunc_progs.cc) against the
// running kernel: for every kfunc and program type it describes, a program
// of that type calling the kfunc by its vmlinux BTF id is loaded; the
// kernel's verifier either refuses it with "calling kernel function X is not
// allowed" or goes on to check the arguments. ringb must say the same.
// Skips without bpf() or without the kernel's BTF.
#include <bpf/btf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ringb/kfunc_progs.h"

namespace {

using ringb::ProgType;

// 1: the kernel refused the kfunc for the type, 0: it did not; -1: bpf()
// is not permitted. The log in *log.
int kernel_refuses(ProgType type, int btf_id, std::string* log) {
  const bpf_insn insns[] = {
      {BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, btf_id},
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
  return log->find("is not allowed") != std::string::npos ? 1 : 0;
}

TEST(KfuncProgs, EveryRowAgreesWithTheKernel) {
  const ProgType types[] = {ProgType::SocketFilter, ProgType::Kprobe,  ProgType::SchedCls,     ProgType::SchedAct,
                            ProgType::Tracepoint,   ProgType::Xdp,     ProgType::PerfEvent,    ProgType::CgroupSkb,
                            ProgType::LwtIn,        ProgType::LwtOut,  ProgType::LwtXmit,      ProgType::SkSkb,
                            ProgType::SkMsg,        ProgType::RawTracepoint, ProgType::LwtSeg6local,
                            ProgType::FlowDissector, ProgType::Syscall};
  btf* vmlinux = btf__load_vmlinux_btf();
  if (!vmlinux) GTEST_SKIP() << "no kernel BTF here";
  size_t n = 0;
  const char* const* names = ringb::platform::kfunc_table_names(&n);
  ASSERT_GT(n, 60u);
  int checked = 0;
  for (size_t i = 0; i < n; ++i) {
    const int id = btf__find_by_name_kind(vmlinux, names[i], BTF_KIND_FUNC);
    EXPECT_GT(id, 0) << names[i] << " is not a function of this kernel";
    if (id <= 0) continue;
    for (ProgType t : types) {
      std::string log;
      const int refused = kernel_refuses(t, id, &log);
      if (refused < 0) {
        btf__free(vmlinux);
        GTEST_SKIP() << "bpf() is not permitted here";
      }
      EXPECT_EQ(refused == 1, !ringb::platform::kfunc_allowed(t, names[i]))
          << names[i] << " for " << ringb::prog_type_name(t) << "; the kernel said:\n" << log;
      ++checked;
    }
  }
  btf__free(vmlinux);
  RecordProperty("rows_checked", checked);
}

TEST(KfuncProgs, NamesWithoutImplCountAsTheirImplForm) {
  EXPECT_FALSE(ringb::platform::kfunc_allowed(ProgType::SocketFilter, "bpf_obj_new"));
  EXPECT_TRUE(ringb::platform::kfunc_allowed(ProgType::SchedCls, "bpf_obj_new"));
  EXPECT_FALSE(ringb::platform::kfunc_allowed(ProgType::SchedCls, "bpf_cpumask_create"));
  EXPECT_TRUE(ringb::platform::kfunc_allowed(ProgType::Syscall, "bpf_cpumask_create"));
  EXPECT_TRUE(ringb::platform::kfunc_allowed(ProgType::Tracing, "bpf_cpumask_create"));  // not described: allowed
  EXPECT_TRUE(ringb::platform::kfunc_allowed(ProgType::SocketFilter, "host_kfunc_of_its_own"));
}

}  // namespace
