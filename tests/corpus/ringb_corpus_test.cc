// The BPF test corpus (tests/bpf) through ringb: every program with a
// __retval annotation must load, run and return what the annotation says —
// the same value tests/kernel checks the machine's kernel returns. A second
// test runs each program in the kernel too, where bpf() is allowed, and
// compares the two directly.
#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <string>
#include <vector>

#include "annotations.h"
#include "ringb/kernel_btf.h"
#include "ringb/runtime.h"
#include "ringb/test_ctx.h"
#include "ringb/test_msg.h"
#include "ringb/verifier.h"
#include "ringb_bpf_corpus.h"
#include "ringb_test_packet.h"

namespace ringb {
namespace {

struct Case {
  std::string object, program;
  int64_t retval;
  bool any;  // __retval(POINTER_VALUE)
};

std::vector<Case> corpus_cases() {
  std::vector<Case> cases;
#define RINGB_COLLECT(name)                                                         \
  {                                                                                 \
    std::vector<bpf_corpus::ProgramAnnotations> anns;                               \
    std::string error;                                                              \
    if (bpf_corpus::read_annotations(bpf_corpus::object_path(#name), &anns, &error)) \
      for (const auto& a : anns)                                                    \
        if (a.retval) cases.push_back({#name, a.function, *a.retval, a.retval_any}); \
  }
  RINGB_BPF_CORPUS_OBJECTS(RINGB_COLLECT)
#undef RINGB_COLLECT
  return cases;
}

std::vector<uint8_t> packet() {
  const uint8_t bytes[] = {RINGB_TEST_PACKET_BYTES};
  return std::vector<uint8_t>(bytes, bytes + sizeof bytes);
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.object << "/" << c.program; }

class Corpus : public ::testing::TestWithParam<Case> {};

// The corpus's inputs: the packet as data_in, and as ctx_in for the
// tracing types (pt_regs, a tracepoint record, raw_tp arguments).
TestRunOptions corpus_options(const LoadedObject& lo, const std::string& program) {
  TestRunOptions o;
  o.data_in = packet();
  const Program* p = lo.object().find_program(program);
  if (p && prog_type_takes_ctx_in(p->type)) o.ctx_in = packet();
  if (p && p->type == ProgType::SkLookup) {  // a lookup's context, no packet (the kernel takes none)
    const bpf_sk_lookup c = corpus_sk_lookup_ctx();
    o.data_in.clear();
    o.ctx_in.assign(reinterpret_cast<const uint8_t*>(&c), reinterpret_cast<const uint8_t*>(&c) + sizeof c);
  }
  return o;
}

TEST_P(Corpus, RingbReturnsTheAnnotatedValue) {
  const Case& c = GetParam();
  Runtime rt;
  auto lo = rt.load(bpf_corpus::object_path(c.object));
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  TestRunOptions o = corpus_options(**lo, c.program);
  auto r = (*lo)->test_run(c.program, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  if (!c.any) {
    EXPECT_EQ(static_cast<uint32_t>(r->retval), static_cast<uint32_t>(c.retval)) << c.object << "/" << c.program;
  }
}

TEST_P(Corpus, RingbAgreesWithTheKernel) {
  const Case& c = GetParam();
  const std::string path = bpf_corpus::object_path(c.object);
  libbpf_set_print([](enum libbpf_print_level, const char*, va_list) { return 0; });
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  ASSERT_NE(obj, nullptr);
  if (int err = bpf_object__load(obj)) {
    bpf_object__close(obj);
    if (err == -EPERM || err == -EACCES) GTEST_SKIP() << "bpf() is not permitted here";
    FAIL() << "the kernel rejected " << path << ": " << err;
  }
  bpf_program* p = bpf_object__find_program_by_name(obj, c.program.c_str());
  ASSERT_NE(p, nullptr);
  std::vector<uint8_t> in = packet(), out(in.size() + 256);
  bpf_test_run_opts opts = {};
  opts.sz = sizeof opts;
  opts.data_in = in.data();
  opts.data_size_in = static_cast<__u32>(in.size());
  opts.data_out = out.data();
  opts.data_size_out = static_cast<__u32>(out.size());
  opts.repeat = 1;
  const bpf_prog_type type = bpf_program__type(p);
  switch (type) {
    case BPF_PROG_TYPE_SK_SKB: case BPF_PROG_TYPE_SK_MSG: case BPF_PROG_TYPE_KPROBE:
    case BPF_PROG_TYPE_TRACEPOINT: case BPF_PROG_TYPE_PERF_EVENT: case BPF_PROG_TYPE_LWT_SEG6LOCAL:
    case BPF_PROG_TYPE_CGROUP_SOCK_ADDR: case BPF_PROG_TYPE_CGROUP_SOCK: case BPF_PROG_TYPE_CGROUP_SYSCTL:
    case BPF_PROG_TYPE_SOCK_OPS:
      bpf_object__close(obj);
      GTEST_SKIP() << "the kernel has no test run for " << libbpf_bpf_prog_type_str(type) << " programs";
    default: break;
  }
  if (type == BPF_PROG_TYPE_SYSCALL || type == BPF_PROG_TYPE_RAW_TRACEPOINT) {
    // the kernel takes no packet, and no repeat, for these; raw_tp the packet as ctx_in
    opts.data_in = nullptr;
    opts.data_size_in = 0;
    opts.data_out = nullptr;
    opts.data_size_out = 0;
    opts.repeat = 0;
    if (type == BPF_PROG_TYPE_RAW_TRACEPOINT) {
      opts.ctx_in = in.data();
      opts.ctx_size_in = static_cast<__u32>(in.size());
    }
  }
  bpf_sk_lookup lookup = corpus_sk_lookup_ctx();
  if (type == BPF_PROG_TYPE_SK_LOOKUP) {
    opts.data_in = nullptr;
    opts.data_size_in = 0;
    opts.data_out = nullptr;
    opts.data_size_out = 0;
    opts.ctx_in = &lookup;
    opts.ctx_size_in = sizeof lookup;
  }
  const int rc = bpf_prog_test_run_opts(bpf_program__fd(p), &opts);
  bpf_object__close(obj);
  ASSERT_EQ(rc, 0);

  Runtime rt;
  auto lo = rt.load(path);
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  TestRunOptions o = corpus_options(**lo, c.program);
  auto r = (*lo)->test_run(c.program, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  if (!c.any) {
    EXPECT_EQ(r->retval, opts.retval) << c.object << "/" << c.program;
  }
}

INSTANTIATE_TEST_SUITE_P(Bpf, Corpus, ::testing::ValuesIn(corpus_cases()),
                         [](const auto& info) { return info.param.object + "_" + info.param.program; });

}  // namespace
}  // namespace ringb

namespace ringb {
namespace {

// Every __failure / __success program through ringb's verifier: the
// verdict the annotation (and the machine's kernel, tests/kernel) gives,
// and each __msg in the log, in order.
struct VerdictCase {
  std::string object, program;
  bool expect_failure;
  std::vector<std::string> messages;
};

std::vector<VerdictCase> verdict_cases() {
  std::vector<VerdictCase> cases;
#define RINGB_COLLECT(name)                                                             \
  {                                                                                     \
    std::vector<bpf_corpus::ProgramAnnotations> anns;                                   \
    std::string error;                                                                  \
    if (bpf_corpus::read_annotations(bpf_corpus::object_path(#name), &anns, &error))     \
      for (const auto& a : anns)                                                        \
        if (a.expect_failure || a.expect_success)                                       \
          cases.push_back({#name, a.function, a.expect_failure, a.messages});           \
  }
  RINGB_BPF_CORPUS_OBJECTS(RINGB_COLLECT)
#undef RINGB_COLLECT
  return cases;
}

void PrintTo(const VerdictCase& c, std::ostream* os) { *os << c.object << "/" << c.program; }

class Verdict : public ::testing::TestWithParam<VerdictCase> {};

TEST_P(Verdict, RingbJudgesAsTheKernel) {
  const VerdictCase& c = GetParam();
  auto obj = Object::open_file(bpf_corpus::object_path(c.object));
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  size_t index = obj->programs.size();
  for (size_t i = 0; i < obj->programs.size(); ++i)
    if (obj->programs[i].name == c.program) index = i;
  ASSERT_LT(index, obj->programs.size());
  verifier::Options o;
  o.log_level = 2;
  // tp_btf programs' arguments: the machine's kernel BTF (without one they
  // get no verdict; kernel_btf_tests check them against a BTF of their own).
  auto kbtf = kernel_btf::load_default("");
  if (kbtf) o.kernel_btf = *kbtf;
  const verifier::Result r = verifier::verify(*obj, index, o);
  if (!r.unmodelled.empty() && !o.kernel_btf) GTEST_SKIP() << r.message;
  EXPECT_EQ(r.ok, !c.expect_failure) << r.message;
  std::string missing;
  EXPECT_TRUE(test_msgs_match(c.messages, r.log, &missing)) << "no __msg(\"" << missing << "\"); ringb: " << r.message;
}

// Every __retval program is accepted too (the kernel accepts them all).
TEST_P(Corpus, RingbVerifierAccepts) {
  const Case& c = GetParam();
  auto obj = Object::open_file(bpf_corpus::object_path(c.object));
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  for (size_t i = 0; i < obj->programs.size(); ++i) {
    if (obj->programs[i].name != c.program) continue;
    const verifier::Result r = verifier::verify(*obj, i);
    // No verdict is not a rejection: the program runs unverified (and the
    // differential tests check its result); the skip names what is missing.
    if (!r.unmodelled.empty()) GTEST_SKIP() << r.message;
    EXPECT_TRUE(r.ok) << "insn " << r.insn << ": " << r.message;
  }
}

INSTANTIATE_TEST_SUITE_P(Bpf, Verdict, ::testing::ValuesIn(verdict_cases()),
                         [](const auto& info) { return info.param.object + "_" + info.param.program; });

}  // namespace
}  // namespace ringb
