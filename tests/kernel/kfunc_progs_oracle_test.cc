// The kfunc availability table (src/platform/kfunc_progs.cc) against the
// running kernel: for every kfunc and program type it describes, a program
// of that type calling the kfunc by its vmlinux BTF id is loaded; the
// kernel's verifier either refuses it with "calling kernel function X is not
// allowed" or goes on to check the arguments. ringb must say the same.
// Skips without bpf() or without the kernel's BTF.
#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <string>

#include "raw_call_load.h"
#include "ringb/kfunc_progs.h"

namespace {

using ringb::ProgType;

// 1: the kernel refused the call for the type, 0: it did not; -1: bpf()
// is not permitted. The log in *log.
int kernel_refuses(ProgType type, int id, std::string* log) {
  if (!ringb::testing::kernel_load_call(type, ringb::testing::CallKind::Kfunc, id, log)) return -1;
  return log->find("is not allowed") != std::string::npos ? 1 : 0;
}

TEST(KfuncProgs, EveryRowAgreesWithTheKernel) {
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
    for (ProgType t : ringb::testing::kOracleProgTypes) {
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
