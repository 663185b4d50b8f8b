// The kfunc table is data the vm and the verifier share: every built-in
// prototype has a body, under its name and (for `_impl` kfuncs) under Linux
// 7.1's name without `_impl`, and the flags are the kernel's values.
#include <gtest/gtest.h>

#include "ringb/kfuncs.h"
#include "ringb/vm.h"

namespace ringb::vm {
namespace {

TEST(KfuncTable, EveryBuiltinPrototypeHasABody) {
  const Functions fns = Functions::builtin();
  for (const kfuncs::Proto& p : kfuncs::builtin()) {
    const Functions::Kfunc* k = fns.kfunc_entry(p.name);
    ASSERT_NE(k, nullptr) << p.name;
    ASSERT_NE(k->proto, nullptr) << p.name;
    EXPECT_FALSE(k->implicit_args) << p.name;
    if (!p.implicit_alias.empty()) {
      const Functions::Kfunc* a = fns.kfunc_entry(p.implicit_alias);
      ASSERT_NE(a, nullptr) << p.implicit_alias;
      EXPECT_TRUE(a->implicit_args) << p.implicit_alias;
      EXPECT_EQ(a->fn, k->fn) << p.implicit_alias;
    }
  }
}

TEST(KfuncTable, FlagsAreTheKernels) {
  // include/linux/btf.h
  EXPECT_EQ(kfuncs::kAcquire, 1u << 0);
  EXPECT_EQ(kfuncs::kRelease, 1u << 1);
  EXPECT_EQ(kfuncs::kRetNull, 1u << 2);
  EXPECT_EQ(kfuncs::kTrustedArgs, 1u << 4);
  EXPECT_EQ(kfuncs::kRcu, 1u << 7);
  EXPECT_EQ(kfuncs::kRcuProtected, 1u << 11);
  bool implicit = false;
  const kfuncs::Proto* p = kfuncs::find(kfuncs::builtin(), "bpf_obj_new", &implicit);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "bpf_obj_new_impl");
  EXPECT_TRUE(implicit);
  EXPECT_EQ(p->flags, kfuncs::kAcquire | kfuncs::kRetNull);
  EXPECT_EQ(p->arg_index(kfuncs::Arg::Meta), 1);
  p = kfuncs::find(kfuncs::builtin(), "bpf_rbtree_add_impl", &implicit);
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(implicit);
  EXPECT_EQ(p->arg_index(kfuncs::Arg::Callback), 2);
  EXPECT_EQ(p->arg_index(kfuncs::Arg::NodeOffset), 4);
}

}  // namespace
}  // namespace ringb::vm
