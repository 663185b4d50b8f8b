// kernel_btf_test — tracing programs' arguments typed from a kernel BTF
// (ringb/kernel_btf.h, src/verifier/btf_ptrs.cc): against mini_vmlinux.c's
// small BTF, so they do not need the machine's, and against
// /sys/kernel/btf/vmlinux where it exists.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <linux/btf.h>

#include <map>

#include "annotations.h"
#include "ringb/kernel_btf.h"
#include "ringb/object.h"
#include "ringb/test_msg.h"
#include "ringb/verifier.h"

namespace ringb {
namespace {

std::shared_ptr<const Btf> mini() {
  auto b = kernel_btf::load(RINGB_MINI_VMLINUX);
  EXPECT_TRUE(b) << b.error().message;
  return b ? *b : nullptr;
}

TEST(KernelBtf, TpBtfTargetSkipsTheContextArgument) {
  auto kb = mini();
  ASSERT_TRUE(kb);
  auto t = kernel_btf::target(*kb, "tp_btf/task_newtask");
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->args.size(), 2u);
  EXPECT_EQ(kb->name(kernel_btf::pointee_struct(*kb, t->args[0].type)), "task_struct");
  EXPECT_EQ(kernel_btf::pointee_struct(*kb, t->args[1].type), 0u);
  EXPECT_TRUE(t->trusted);
  EXPECT_FALSE(t->has_ret);
  EXPECT_EQ(t->func, "task_newtask");
}

TEST(KernelBtf, FentryFexitLsmTargets) {
  auto kb = mini();
  ASSERT_TRUE(kb);
  auto fe = kernel_btf::target(*kb, "fentry/find_leader");
  ASSERT_TRUE(fe);
  EXPECT_EQ(fe->args.size(), 2u);
  EXPECT_FALSE(fe->trusted);
  EXPECT_FALSE(fe->has_ret);
  auto fx = kernel_btf::target(*kb, "fexit/find_leader");
  ASSERT_TRUE(fx);
  EXPECT_TRUE(fx->has_ret);
  EXPECT_EQ(kb->name(kernel_btf::pointee_struct(*kb, fx->ret)), "task_struct");
  auto ok = kernel_btf::target(*kb, "lsm/task_alloc");
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->trusted);
  auto freed = kernel_btf::target(*kb, "lsm/task_free");
  ASSERT_TRUE(freed);
  EXPECT_FALSE(freed->trusted);  // bpf_lsm_is_trusted
}

TEST(KernelBtf, MissingTargetsFailWithLibbpfsMessage) {
  auto kb = mini();
  ASSERT_TRUE(kb);
  auto t = kernel_btf::target(*kb, "tp_btf/no_such_tp");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ESRCH);
  EXPECT_EQ(t.error().message, "failed to find kernel BTF type ID of 'no_such_tp': -3");
  EXPECT_FALSE(kernel_btf::target(*kb, "fentry/nope"));
  EXPECT_FALSE(kernel_btf::target(*kb, "lsm/nope"));
}

TEST(KernelBtf, MemberLoads) {
  auto kb = mini();
  ASSERT_TRUE(kb);
  const uint32_t task = kb->find("task_struct", BTF_KIND_STRUCT);
  ASSERT_NE(task, 0u);
  const int64_t size = kb->size_of(task);
  auto leader = kernel_btf::member_load(*kb, task, 8, 8);
  EXPECT_TRUE(leader.ok);
  EXPECT_EQ(leader.field, "group_leader");
  EXPECT_EQ(leader.pointee, task);
  auto half = kernel_btf::member_load(*kb, task, 8, 4);  // part of a pointer: a scalar
  EXPECT_TRUE(half.ok);
  EXPECT_EQ(half.pointee, 0u);
  EXPECT_TRUE(kernel_btf::member_load(*kb, task, size - 1, 1).ok);   // comm's last byte
  EXPECT_FALSE(kernel_btf::member_load(*kb, task, size - 4, 8).ok);  // beyond the struct
  EXPECT_FALSE(kernel_btf::member_load(*kb, task, -8, 8).ok);
}

TEST(KernelBtf, UnreadableFileIsAnError) {
  auto b = kernel_btf::load("/nonexistent/vmlinux");
  EXPECT_FALSE(b);
  auto d = kernel_btf::load_default("/nonexistent/vmlinux");
  EXPECT_FALSE(d);
  auto none = kernel_btf::load_default(kernel_btf::kNone);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

// Every annotated program of the corpus object verifier_tracing_btf gets
// its expected verdict and messages with `kbtf`.
void check_corpus_object(const std::shared_ptr<const Btf>& kbtf) {
  const std::string path = bpf_corpus::object_path("verifier_tracing_btf");
  auto obj = Object::open_file(path);
  ASSERT_TRUE(obj) << obj.error().message;
  std::vector<bpf_corpus::ProgramAnnotations> anns;
  std::string err;
  ASSERT_TRUE(bpf_corpus::read_annotations(path, &anns, &err)) << err;
  int judged = 0;
  for (const auto& a : anns) {
    for (size_t i = 0; i < obj->programs.size(); ++i) {
      if (obj->programs[i].name != a.function) continue;
      verifier::Options vo;
      vo.kernel_btf = kbtf;
      vo.log_level = 2;
      const verifier::Result r = verifier::verify(*obj, i, vo);
      EXPECT_TRUE(r.unmodelled.empty()) << a.function << ": " << r.message;
      EXPECT_EQ(r.ok, !a.expect_failure) << a.function << ": " << r.message;
      std::string missing;
      EXPECT_TRUE(test_msgs_match(a.messages, r.log, &missing)) << a.function << " lacks " << missing << ": " << r.message;
      ++judged;
    }
  }
  EXPECT_EQ(judged, 21);  // every annotated program of verifier_tracing_btf
}

TEST(KernelBtf, CorpusVerdictsWithTheSmallBtf) { check_corpus_object(mini()); }

TEST(KernelBtf, CorpusVerdictsWithTheMachinesBtf) {
  struct stat sb {};
  if (::stat(kernel_btf::kVmlinux, &sb) != 0) GTEST_SKIP() << "no " << kernel_btf::kVmlinux;
  auto kb = kernel_btf::load_default("");
  ASSERT_TRUE(kb && *kb);
  check_corpus_object(*kb);
}

TEST(KernelBtf, WithoutKernelBtfAKfuncArgumentGivesNoVerdict) {
  const std::string path = bpf_corpus::object_path("verifier_tracing_btf");
  auto obj = Object::open_file(path);
  ASSERT_TRUE(obj);
  for (size_t i = 0; i < obj->programs.size(); ++i) {
    if (obj->programs[i].name != "acquire_release") continue;
    const verifier::Result r = verifier::verify(*obj, i, verifier::Options{});
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.unmodelled.find("needs kernel BTF for tp_btf/task_newtask"), std::string::npos) << r.message;
    return;
  }
  FAIL() << "no acquire_release";
}

// fentry/fexit/lsm: the kernel here refuses to load them (EPERM), so these
// are recorded expectations from its rules.
TEST(KernelBtf, FentryFexitLsmVerdicts) {
  auto obj = Object::open_file(RINGB_TRACING_TARGETS);
  ASSERT_TRUE(obj) << obj.error().message;
  const std::map<std::string, std::string> want = {
      {"fentry_acquire", "R1 must be a rcu pointer"},
      {"fentry_read", ""},
      {"fexit_ret", ""},
      {"lsm_trusted", ""},
      {"lsm_untrusted", "R1 must be a rcu pointer"},
      {"fentry_missing", "failed to find kernel BTF type ID of 'no_such_function': -3"},
  };
  verifier::Options vo;
  vo.kernel_btf = mini();
  size_t seen = 0;
  for (size_t i = 0; i < obj->programs.size(); ++i) {
    auto it = want.find(obj->programs[i].name);
    if (it == want.end()) continue;
    ++seen;
    const verifier::Result r = verifier::verify(*obj, i, vo);
    EXPECT_TRUE(r.unmodelled.empty()) << it->first << ": " << r.message;
    if (it->second.empty()) {
      EXPECT_TRUE(r.ok) << it->first << ": " << r.message;
    } else {
      EXPECT_FALSE(r.ok) << it->first;
      EXPECT_EQ(r.message, it->second) << it->first;
    }
  }
  EXPECT_EQ(seen, want.size());
}

}  // namespace
}  // namespace ringb
