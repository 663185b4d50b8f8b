// test.cc — `ringb test [--data-in FILE] OBJ…`: runs every program that
// carries a test annotation (comment:test_retval=N, the kernel selftests'
// __retval) and compares; a closing "N passed, N failed, N skipped" line.
// As the kernel's test_loader does, each program loads alone — with its
// subprograms, the maps it uses, the programs of its prog arrays' `.values`
// and the object's __auxiliary programs — in a fresh object (its own maps
// and globals), with 64 zero bytes as data_in unless --data-in says
// otherwise. So a program fails for what it calls itself (every unknown
// helper and kfunc named), and the others still run.
#include <cstdio>
#include <string>
#include <vector>

#include "ringb/kernel_btf.h"
#include "commands.h"
#include "load.h"
#include "ringb/test_ctx.h"
#include "ringb/test_msg.h"
#include "ringb/verifier.h"

namespace ringb::cli {
namespace {

struct Counts {
  int passed = 0, failed = 0, skipped = 0;
};

// One run of `prog` against `want`; `label`: "" or " @unpriv".
void run_case(const Runtime& rt, const Object& obj, const std::string& prog, const std::vector<std::string>& aux,
              const ExpectedRetval& want, const char* label, const std::vector<uint8_t>& data_in, Counts& c) {
  Runtime::LoadOptions lo;
  lo.programs = aux;
  lo.programs.push_back(prog);
  auto loaded = rt.load(obj, lo);
  const char* name = obj.name.c_str();
  if (!loaded) {
    std::printf("FAIL %s/%s%s: %s\n", name, prog.c_str(), label, loaded.error().message.c_str());
    ++c.failed;
    return;
  }
  TestRunOptions opts;
  opts.data_in = data_in;
  // Tracing programs take the packet's bytes as their context (the corpus's
  // convention; the kernel test-runs raw_tp with ctx_in only).
  const Program* p = obj.find_program(prog);
  if (p && prog_type_takes_ctx_in(p->type)) opts.ctx_in = data_in;
  if (p && p->type == ProgType::SkLookup) {  // a lookup's context (ringb/test_ctx.h), no packet
    const bpf_sk_lookup lk = corpus_sk_lookup_ctx();
    opts.data_in.clear();
    opts.ctx_in.assign(reinterpret_cast<const uint8_t*>(&lk), reinterpret_cast<const uint8_t*>(&lk) + sizeof lk);
  }
  auto r = (*loaded)->test_run(prog, opts);
  if (!r) {
    std::printf("FAIL %s/%s%s: %s\n", name, prog.c_str(), label, r.error().message.c_str());
    ++c.failed;
  } else if (!want.matches(r->retval)) {
    std::printf("FAIL %s/%s%s: retval %d (0x%x), expected %d (0x%x)\n", name, prog.c_str(), label,
                static_cast<int32_t>(r->retval), r->retval, static_cast<int32_t>(want.value), want.value);
    ++c.failed;
  } else if (want.any) {
    std::printf("ok   %s/%s%s: retval %d (POINTER_VALUE: any value)\n", name, prog.c_str(), label,
                static_cast<int32_t>(r->retval));
    ++c.passed;
  } else {
    std::printf("ok   %s/%s%s: retval %d\n", name, prog.c_str(), label, static_cast<int32_t>(want.value));
    ++c.passed;
  }
}

// --kernel-btf, or the running kernel's: types tracing programs' arguments.
std::shared_ptr<const Btf> g_kernel_btf;

// __failure / __success / __msg: the verdict of ringb's verifier, and the
// messages in its log (level 2), in order.
bool verdict_case(const Object& o, size_t index, const TestAnnotations& t, Counts& c) {
  const char* name = o.name.c_str();
  const char* prog = o.programs[index].name.c_str();
  verifier::Options vo;
  vo.kernel_btf = g_kernel_btf;
  vo.log_level = t.messages.empty() ? 0 : 2;
  const verifier::Result r = verifier::verify(o, index, vo);
  if (!r.unmodelled.empty()) {  // no verdict: a __failure cannot be judged, a __retval still runs
    if (!t.expect_failure) return true;
    std::printf("SKIP %s/%s: %s\n", name, prog, r.message.c_str());
    ++c.skipped;
    return false;
  }
  if (t.expect_failure && r.ok) {
    std::printf("FAIL %s/%s: expected a verifier rejection, ringb's verifier accepted it\n", name, prog);
    ++c.failed;
    return false;
  }
  if (!t.expect_failure && !r.ok) {
    std::printf("FAIL %s/%s: ringb's verifier rejected it at insn %lld: %s\n", name, prog,
                static_cast<long long>(r.insn), r.message.c_str());
    ++c.failed;
    return false;
  }
  std::string missing;
  if (!test_msgs_match(t.messages, r.log, &missing)) {
    std::printf("FAIL %s/%s: the verifier log lacks __msg(\"%s\"); ringb said: %s\n", name, prog, missing.c_str(),
                r.ok ? "(accepted)" : r.message.c_str());
    ++c.failed;
    return false;
  }
  return true;
}

void test_object(const Runtime& rt, const Object& o, const std::vector<uint8_t>& data_in, Counts& c) {
  std::vector<TestAnnotations> ann;
  std::vector<std::string> aux;
  for (const Program& p : o.programs) {
    ann.push_back(annotations_of(o, p));
    if (ann.back().auxiliary) aux.push_back(p.name);
  }
  for (size_t i = 0; i < o.programs.size(); ++i) {
    const TestAnnotations& t = ann[i];
    const char* prog = o.programs[i].name.c_str();
    if (t.auxiliary) continue;  // loaded with every test, not a test itself
    if (!t.malformed.empty()) {
      std::printf("FAIL %s/%s: cannot read annotation '%s' (a __retval is a number, INT_MIN, INT_MAX, "
                  "TEST_DATA_LEN or POINTER_VALUE)\n", o.name.c_str(), prog, t.malformed.front().c_str());
      ++c.failed;
      continue;
    }
    const bool judged = t.expect_failure || t.expect_success || !t.messages.empty();
    if (judged && !verdict_case(o, i, t, c)) continue;
    if (t.expect_failure) {
      std::printf("ok   %s/%s: rejected: %s\n", o.name.c_str(), prog,
                  t.messages.empty() ? "" : t.messages.back().c_str());
      ++c.passed;
    } else if (t.has_retval) {
      run_case(rt, o, prog, aux, t.retval, "", data_in, c);
    }
    else if (judged) {
      std::printf("ok   %s/%s: accepted\n", o.name.c_str(), prog);
      ++c.passed;
    }
    // ringb has no unprivileged mode: the run is the same, checked against
    // the unprivileged value, when the annotations give one.
    const bool unpriv_fails = t.expect_failure_unpriv || (t.expect_failure && !t.expect_success_unpriv);
    if (t.has_retval_unpriv && !unpriv_fails) run_case(rt, o, prog, aux, t.retval_unpriv, " @unpriv", data_in, c);
  }
}

}  // namespace

int run_test(int argc, char** argv) {
  std::vector<uint8_t> data_in = default_packet();
  std::vector<std::string> paths;
  std::string kernel_btf;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--kernel-btf" && i + 1 < argc) {
      kernel_btf = argv[++i];
    } else if (a == "--data-in" && i + 1 < argc) {
      auto d = read_file(argv[++i]);
      if (!d) return std::fprintf(stderr, "ringb test: %s\n", d.error().message.c_str()), 2;
      data_in = std::move(d.value());
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) {
    std::fprintf(stderr, "usage: ringb test [--data-in FILE] [--kernel-btf FILE] OBJ...\n");
    return 2;
  }
  auto kbtf = kernel_btf::load_default(kernel_btf);
  if (!kbtf) return std::fprintf(stderr, "ringb test: %s\n", kbtf.error().message.c_str()), 2;
  g_kernel_btf = *kbtf;
  Counts c;
  Runtime::Options ro;
  ro.kernel_btf = kernel_btf;
  Runtime rt(ro);
  for (const std::string& path : paths) {
    auto obj = Object::open_file(path);
    if (!obj) {
      std::printf("FAIL %s: %s\n", path.c_str(), obj.error().message.c_str());
      ++c.failed;
      continue;
    }
    test_object(rt, *obj, data_in, c);
  }
  std::printf("%d passed, %d failed, %d skipped\n", c.passed, c.failed, c.skipped);
  return c.failed ? 1 : 0;
}

}  // namespace ringb::cli
