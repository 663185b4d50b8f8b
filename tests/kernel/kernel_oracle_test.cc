// The kernel as test oracle for the BPF corpus (tests/bpf/progs).
//
// For every program of every corpus object that carries a __retval
// annotation, load it into the running kernel with libbpf, run it once with
// BPF_PROG_TEST_RUN and expect the annotated return value.  Packet programs
// (tc, xdp, cgroup_skb, lwt_in/out/xmit, flow_dissector) get the fixed
// 64-byte packet of ringb_test_packet.h as data_in, raw_tp programs as
// ctx_in; SEC("syscall") programs run without context. Types the kernel
// cannot test-run (sk_skb, sk_msg, kprobe, tracepoint, perf_event,
// lwt_seg6local) are loaded and verified, then skipped.  __failure programs must be
// rejected by the verifier, with every __msg in the log.
//
// Nothing is attached anywhere and nothing is pinned: each test loads one
// program (plus the maps and subprograms it uses) and closes the object,
// which unloads it.  Each test starts from fresh maps and globals.
//
// Without BPF (not root, seccomp, no CONFIG_BPF_SYSCALL) the tests skip.

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <unistd.h>
#include <vector>

#include "annotations.h"
#include "ringb/test_ctx.h"
#include "ringb/test_msg.h"
#include "ringb_bpf_corpus.h"
#include "ringb_test_packet.h"

namespace {

using ringb::bpf_corpus::object_path;
using ringb::bpf_corpus::ProgramAnnotations;
using ringb::bpf_corpus::read_annotations;

constexpr unsigned char kPacket[] = {RINGB_TEST_PACKET_BYTES};
static_assert(sizeof(kPacket) == RINGB_TEST_PACKET_LEN);

const char* const kCorpusObjects[] = {
#define RINGB_OBJECT_NAME(name) #name,
    RINGB_BPF_CORPUS_OBJECTS(RINGB_OBJECT_NAME)
#undef RINGB_OBJECT_NAME
};

// ---- libbpf diagnostics ---------------------------------------------------

// libbpf's warnings (including verifier logs of rejected programs) go into
// the active LibbpfLog, so they are printed only when a test fails.
std::string* g_libbpf_log = nullptr;

int libbpf_print(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  if (g_libbpf_log == nullptr) return std::vfprintf(stderr, fmt, args);
  va_list copy;
  va_copy(copy, args);
  char small[1024];
  int n = std::vsnprintf(small, sizeof(small), fmt, args);
  if (n >= static_cast<int>(sizeof(small))) {
    std::string big(static_cast<size_t>(n) + 1, '\0');
    std::vsnprintf(big.data(), big.size(), fmt, copy);
    g_libbpf_log->append(big.data(), static_cast<size_t>(n));
  } else if (n > 0) {
    g_libbpf_log->append(small, static_cast<size_t>(n));
  }
  va_end(copy);
  return n;
}

class LibbpfLog {
 public:
  LibbpfLog() {
    g_libbpf_log = &text_;
    previous_ = libbpf_set_print(libbpf_print);
  }
  ~LibbpfLog() {
    libbpf_set_print(previous_);
    g_libbpf_log = nullptr;
  }
  LibbpfLog(const LibbpfLog&) = delete;
  LibbpfLog& operator=(const LibbpfLog&) = delete;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  libbpf_print_fn_t previous_ = nullptr;
};

// ---- is BPF usable here? --------------------------------------------------

// Empty if this process may load and run BPF programs, else why not.  Probed
// once, with a trivial "r0 = 0; exit" SCHED_CLS program.
const std::string& bpf_unavailable_reason() {
  static const std::string reason = [] {
    const struct bpf_insn insns[] = {
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
        {.code = BPF_JMP | BPF_EXIT, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
    };
    LibbpfLog quiet;
    int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "ringb_probe", "GPL", insns,
                           sizeof(insns) / sizeof(insns[0]), nullptr);
    if (fd >= 0) {
      close(fd);
      return std::string();
    }
    int err = errno;
    if (err == EPERM || err == EACCES || err == ENOSYS) {
      return std::string("BPF is not available to this process (bpf(BPF_PROG_LOAD) "
                         "of a trivial program failed: ") +
             std::strerror(err) + "); kernel oracle tests need root / CAP_BPF";
    }
    return std::string();  // something else is wrong: let the tests fail loudly
  }();
  return reason;
}

// Some kernel builds refuse a call (seen: bpf_dynptr_slice_rdwr on Linux
// 6.18.44 here, December 2026) with EPERM and "NAME() is not allowed" after
// a verifier log: a local restriction, not a verifier rule, so the kernel
// cannot judge such a program.
bool refused_by_local_policy(int err, const std::string& log) {
  return err == -EPERM && log.find("() is not allowed") != std::string::npos;
}

// ---- the corpus -----------------------------------------------------------

struct CorpusProgram {
  std::string object;             // corpus object name, e.g. "alu64"
  ProgramAnnotations annotations; // annotations.function is the program name
  std::string error;              // set if the object is unusable: the test fails with it
};

void PrintTo(const CorpusProgram& p, std::ostream* os) {
  *os << p.object << "/" << p.annotations.function;
}

// The testable programs of corpus object `object`: those with a __retval or
// __failure annotation.  An unreadable object or one without such programs
// yields a single placeholder whose test fails with the reason.
std::vector<CorpusProgram> programs_of(const char* object) {
  std::vector<CorpusProgram> out;
  std::vector<ProgramAnnotations> all;
  std::string error;
  auto placeholder = [&](const char* name, std::string why) {
    ProgramAnnotations a;
    a.function = name;
    out.push_back({object, std::move(a), std::move(why)});
  };
  if (!read_annotations(object_path(object), &all, &error)) {
    placeholder("unreadable_object", error);
    return out;
  }
  for (ProgramAnnotations& a : all) {
    if (a.retval || a.expect_failure || a.expect_success) out.push_back({object, std::move(a), ""});
  }
  if (out.empty()) {
    placeholder("no_annotated_programs",
                object_path(object) + ": no program has a __retval or __failure annotation");
  }
  return out;
}

std::string program_name(const testing::TestParamInfo<CorpusProgram>& info) {
  return info.param.annotations.function;
}

using ObjectPtr = std::unique_ptr<struct bpf_object, decltype(&bpf_object__close)>;

ObjectPtr open_object(const std::string& path) {
  return ObjectPtr(bpf_object__open_file(path.c_str(), nullptr), bpf_object__close);
}

// An object opened from the corpus with only one of its programs loaded
// (plus the maps and subprograms it uses), so a rejected neighbour cannot
// fail it.
struct LoadedProgram {
  ObjectPtr obj{nullptr, bpf_object__close};
  struct bpf_program* prog = nullptr;
  int err = 0;            // bpf_object__load's result (negative errno)
  std::string messages;   // libbpf's warnings
  std::string verifier_log;  // only if asked for (log_level > 0)
};

bool is_failure_program(const std::vector<ProgramAnnotations>& all, const char* name) {
  for (const ProgramAnnotations& a : all) {
    if (a.function == name) return a.expect_failure;
  }
  return false;
}

LoadedProgram load_one(const std::string& path, const std::string& program, int log_level) {
  LoadedProgram l;
  LibbpfLog log;
  l.obj = open_object(path);
  if (l.obj == nullptr) {
    l.err = -errno;
    l.messages = "bpf_object__open_file(" + path + "): " + std::strerror(errno) + "\n" + log.text();
    return l;
  }
  l.prog = bpf_object__find_program_by_name(l.obj.get(), program.c_str());
  if (l.prog == nullptr) {
    l.err = -ENOENT;
    l.messages = path + " has a FUNC '" + program +
                 "' with test annotations, but libbpf sees no program of that name";
    return l;
  }
  // libbpf fills a prog array's `.values` at load and fails the load if a
  // target program was not loaded: objects with prog arrays load every
  // program but the other __failure ones (never a prog array's target).
  bool has_prog_array = false;
  struct bpf_map* map = nullptr;
  bpf_object__for_each_map(map, l.obj.get()) {
    if (bpf_map__type(map) == BPF_MAP_TYPE_PROG_ARRAY) has_prog_array = true;
  }
  std::vector<ProgramAnnotations> all;
  std::string annotations_error;
  if (has_prog_array) read_annotations(path, &all, &annotations_error);
  struct bpf_program* other = nullptr;
  bpf_object__for_each_program(other, l.obj.get()) {
    const bool needed = has_prog_array && !is_failure_program(all, bpf_program__name(other));
    bpf_program__set_autoload(other, other == l.prog || needed);
  }
  std::vector<char> buf;
  if (log_level > 0) {
    buf.assign(16u << 20, '\0');
    bpf_program__set_log_buf(l.prog, buf.data(), buf.size());
    bpf_program__set_log_level(l.prog, log_level);
  }
  l.err = bpf_object__load(l.obj.get());
  l.messages = log.text();
  if (log_level > 0) l.verifier_log = buf.data();
  return l;
}

// A second, logged load attempt: the verifier's log for `program`, or, if
// the kernel gave none, libbpf's messages (e.g. when it refused the program
// before verifying it).  *verified tells which.
std::string verifier_log_of(const std::string& path, const std::string& program,
                            bool* verified = nullptr) {
  LoadedProgram l = load_one(path, program, 1);
  if (verified != nullptr) *verified = !l.verifier_log.empty();
  return l.verifier_log.empty() ? l.messages : l.verifier_log;
}


// ---- one test per program -------------------------------------------------

class KernelOracle : public testing::TestWithParam<CorpusProgram> {
 protected:
  void SetUp() override {
    if (!GetParam().error.empty()) return;  // the test body reports it
    if (!bpf_unavailable_reason().empty()) GTEST_SKIP() << bpf_unavailable_reason();
  }
};

TEST_P(KernelOracle, Run) {
  const CorpusProgram& p = GetParam();
  ASSERT_TRUE(p.error.empty()) << p.error;
  const ProgramAnnotations& a = p.annotations;
  const std::string path = object_path(p.object);
  if (!a.description.empty()) RecordProperty("description", a.description);

  // Load without a verifier log (fast); on failure, load again with one.
  LoadedProgram l = load_one(path, a.function, 0);
  ASSERT_NE(l.prog, nullptr) << l.messages;
  std::string vlog;
  bool verified = true;
  if (l.err != 0 || !a.messages.empty()) vlog = verifier_log_of(path, a.function, &verified);
  // The verifier also rejects programs with EACCES or EPERM; only a refusal
  // without any verifier log means missing privileges.
  if ((l.err == -EPERM || l.err == -EACCES) && !verified) {
    GTEST_SKIP() << "loading " << path << " was refused (" << std::strerror(-l.err)
                 << ") before verification; kernel oracle tests need root / CAP_BPF\n"
                 << vlog;
  }
  if (refused_by_local_policy(l.err, vlog)) {
    GTEST_SKIP() << "this kernel build refuses a call of " << a.function
                 << " with EPERM (a local restriction, not a verifier rule):\n" << vlog;
  }
  if (a.expect_failure) {
    EXPECT_NE(l.err, 0) << a.function << " is annotated __failure but the verifier accepted it";
  } else {
    ASSERT_EQ(l.err, 0) << "loading " << a.function << " from " << path << " failed ("
                        << std::strerror(-l.err) << "); verifier log:\n"
                        << vlog;
  }
  // In order, {{regex}} parts as regular expressions: test_loader's rules.
  std::string missing;
  EXPECT_TRUE(ringb::test_msgs_match(a.messages, vlog, &missing))
      << "verifier log lacks __msg(\"" << missing << "\"):\n" << vlog;
  if (a.expect_failure || !a.retval) return;

  struct bpf_program* prog = l.prog;
  const enum bpf_prog_type type = bpf_program__type(prog);
  struct bpf_test_run_opts opts;
  std::memset(&opts, 0, sizeof(opts));
  opts.sz = sizeof(opts);
  unsigned char packet[sizeof(kPacket)];
  std::memcpy(packet, kPacket, sizeof(packet));
  bpf_sk_lookup lookup = ringb::corpus_sk_lookup_ctx();
  switch (type) {
    case BPF_PROG_TYPE_SCHED_CLS:
    case BPF_PROG_TYPE_SOCKET_FILTER:
    case BPF_PROG_TYPE_XDP:
    case BPF_PROG_TYPE_CGROUP_SKB:
    case BPF_PROG_TYPE_LWT_IN:
    case BPF_PROG_TYPE_LWT_OUT:
    case BPF_PROG_TYPE_LWT_XMIT:
    case BPF_PROG_TYPE_FLOW_DISSECTOR:
      opts.data_in = packet;
      opts.data_size_in = sizeof(packet);
      opts.repeat = 1;
      break;
    case BPF_PROG_TYPE_RAW_TRACEPOINT:  // the packet as its arguments; no data, no repeat
      opts.ctx_in = packet;
      opts.ctx_size_in = sizeof(packet);
      break;
    case BPF_PROG_TYPE_SYSCALL:
      break;  // no context; repeat must stay 0 for syscall programs
    case BPF_PROG_TYPE_SK_LOOKUP:  // a lookup's context (ringb/test_ctx.h), no data
      opts.ctx_in = &lookup;
      opts.ctx_size_in = sizeof(lookup);
      opts.repeat = 1;
      break;
    case BPF_PROG_TYPE_SK_SKB:
    case BPF_PROG_TYPE_SK_MSG:
    case BPF_PROG_TYPE_KPROBE:
    case BPF_PROG_TYPE_TRACEPOINT:
    case BPF_PROG_TYPE_PERF_EVENT:
    case BPF_PROG_TYPE_LWT_SEG6LOCAL:
    case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
    case BPF_PROG_TYPE_CGROUP_SOCK:
    case BPF_PROG_TYPE_CGROUP_SYSCTL:
    case BPF_PROG_TYPE_SOCK_OPS:
      GTEST_SKIP() << "the kernel has no test run for " << libbpf_bpf_prog_type_str(type)
                   << " programs (loaded and verified only; ringb's corpus test checks the value)";
    default:
      FAIL() << a.function << ": program type " << libbpf_bpf_prog_type_str(type)
             << " is not supported by this test (use SEC(\"tc\") or SEC(\"syscall\"))";
  }
  const int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
  ASSERT_EQ(err, 0) << "BPF_PROG_TEST_RUN of " << a.function
                    << " failed: " << std::strerror(errno);

  if (a.retval_any) return;  // __retval(POINTER_VALUE): any value
  const uint32_t expected = static_cast<uint32_t>(*a.retval);
  EXPECT_EQ(opts.retval, expected)
      << p.object << "/" << a.function << " returned " << static_cast<int32_t>(opts.retval)
      << " (0x" << std::hex << opts.retval << "), annotated __retval(" << std::dec << *a.retval
      << ")" << (a.description.empty() ? "" : "\n  description: ") << a.description;
}

#define RINGB_INSTANTIATE(name) \
  INSTANTIATE_TEST_SUITE_P(name, KernelOracle, testing::ValuesIn(programs_of(#name)), program_name);
RINGB_BPF_CORPUS_OBJECTS(RINGB_INSTANTIATE)
#undef RINGB_INSTANTIATE

// ---- whole-corpus checks --------------------------------------------------

// Every program in the corpus must be tested: a program without __retval,
// __failure or __success (loaded, not run: a verifier's accepted edge) would
// silently never be checked.  Needs no privileges.
TEST(Corpus, EveryProgramIsAnnotated) {
  for (const char* object : kCorpusObjects) {
    SCOPED_TRACE(object);
    const std::string path = object_path(object);
    std::vector<ProgramAnnotations> all;
    std::string error;
    ASSERT_TRUE(read_annotations(path, &all, &error)) << error;
    LibbpfLog log;
    ObjectPtr obj = open_object(path);
    ASSERT_NE(obj, nullptr) << "bpf_object__open_file(" << path
                            << "): " << std::strerror(errno) << "\n" << log.text();
    int programs = 0;
    struct bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, obj.get()) {
      ++programs;
      const char* name = bpf_program__name(prog);
      bool annotated = false;
      for (const ProgramAnnotations& a : all) {
        if (a.function == name) annotated = a.retval.has_value() || a.expect_failure || a.expect_success;
      }
      EXPECT_TRUE(annotated) << path << ": program " << name
                             << " has neither __retval, __failure nor __success";
    }
    EXPECT_GT(programs, 0) << path << " has no programs";
  }
}

// Each object must also load as a whole (all its accepted programs at once),
// as a loader that takes whole objects would do.
TEST(Corpus, EveryObjectLoadsWhole) {
  if (!bpf_unavailable_reason().empty()) GTEST_SKIP() << bpf_unavailable_reason();
  for (const char* object : kCorpusObjects) {
    SCOPED_TRACE(object);
    const std::string path = object_path(object);
    std::vector<ProgramAnnotations> all;
    std::string error;
    ASSERT_TRUE(read_annotations(path, &all, &error)) << error;
    LibbpfLog log;
    ObjectPtr obj = open_object(path);
    ASSERT_NE(obj, nullptr) << "bpf_object__open_file(" << path
                            << "): " << std::strerror(errno) << "\n" << log.text();
    struct bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, obj.get()) {
      bpf_program__set_autoload(prog, !is_failure_program(all, bpf_program__name(prog)));
    }
    int err = bpf_object__load(obj.get());
    if (refused_by_local_policy(err, log.text())) {
      std::printf("[ NOTE ] %s: this kernel build refuses a call in it with EPERM (a local restriction)\n",
                  path.c_str());
      continue;
    }
    EXPECT_EQ(err, 0) << "loading " << path << " as a whole failed: " << std::strerror(-err)
                      << "\n" << log.text();
  }
}

}  // namespace
