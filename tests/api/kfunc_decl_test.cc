// kfunc declarations at load: the kernel 7.1 names without `_impl` bind the
// implicit arguments the program leaves out, and a declaration that does
// not match the kfunc's prototype fails the load naming it.
#include <gtest/gtest.h>

#include "ringb/runtime.h"

#ifndef RINGB_API_BPF_DIR
#error "RINGB_API_BPF_DIR must name the directory of kfunc_decls.bpf.o"
#endif

namespace ringb {
namespace {

TEST(KfuncDecls, NamesWithoutImplBindTheImplicitArguments) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/kfunc_decls.bpf.o");
  ASSERT_TRUE(lo) << lo.error().message;
  TestRunOptions o;
  o.data_in.assign(64, 0);
  auto r = (*lo)->test_run("implicit_names", o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->retval, 71u);
}

TEST(KfuncDecls, AMismatchedDeclarationFailsTheLoadNamingTheKfunc) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/kfunc_decls_bad.bpf.o");
  ASSERT_FALSE(lo);
  EXPECT_EQ(lo.error().code, EINVAL);
  EXPECT_NE(lo.error().message.find("kfunc 'bpf_list_pop_back': argument 1 is declared as"), std::string::npos)
      << lo.error().message;
  EXPECT_NE(lo.error().message.find("it must be a pointer"), std::string::npos) << lo.error().message;
}

}  // namespace
}  // namespace ringb
