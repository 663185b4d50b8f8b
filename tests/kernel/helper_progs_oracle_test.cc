// The helper availability table (src/platform/helper_progs.cc) against the
// running kernel: for every helper and program type it lists, a program of
// that type calling the helper is loaded; the kernel's verifier either
// refuses it with "program of this type cannot use helper" or goes on to
// check the arguments. ringb must say the same. Skips without bpf().
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "raw_call_load.h"
#include "ringb/helper_progs.h"

namespace {

using ringb::ProgType;

// 1: the kernel refused the call for the type, 0: it did not; -1: bpf()
// is not permitted. The log in *log.
int kernel_refuses(ProgType type, int id, std::string* log) {
  if (!ringb::testing::kernel_load_call(type, ringb::testing::CallKind::Helper, id, log)) return -1;
  return log->find("cannot use helper") != std::string::npos ? 1 : 0;
}

TEST(HelperProgs, EveryRowAgreesWithTheKernel) {
  size_t n = 0;
  const int* ids = ringb::platform::helper_table_ids(&n);
  ASSERT_GT(n, 40u);
  int checked = 0;
  for (ProgType t : ringb::testing::kOracleProgTypes) {
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
