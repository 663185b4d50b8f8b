// kernel_verdict.cc — see kernel_verdict.h.
#include "kernel_verdict.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace ringb::cli {
namespace {

// libbpf prints the verifier log of a failed load through its print
// callback, between these markers; everything it prints is kept here.
std::string g_printed;

int keep(enum libbpf_print_level, const char* fmt, va_list ap) {
  va_list again;
  va_copy(again, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, ap);  // a verifier log comes in one piece
  if (n > 0) {
    const size_t at = g_printed.size();
    g_printed.resize(at + static_cast<size_t>(n) + 1);
    std::vsnprintf(g_printed.data() + at, static_cast<size_t>(n) + 1, fmt, again);
    g_printed.resize(at + static_cast<size_t>(n));
  }
  va_end(again);
  return 0;
}

std::string between(const std::string& s, const char* open, const char* close) {
  const size_t a = s.find(open);
  if (a == std::string::npos) return {};
  const size_t from = s.find('\n', a);
  const size_t b = s.find(close, from);
  if (from == std::string::npos || b == std::string::npos) return {};
  return s.substr(from + 1, b - from - 1);
}

// The last line libbpf printed before its closing "failed to load
// object", for a failure that is not the verifier's.
std::string last_line(const std::string& s) {
  std::string best;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    std::string l = s.substr(start, end - start);
    if (l.rfind("libbpf: ", 0) == 0) l.erase(0, 8);
    if (!l.empty() && l.find("failed to load object") == std::string::npos) best = l;
    start = end + 1;
  }
  return best;
}

bool has_struct_ops(bpf_object* obj) {
  bpf_program* p;
  bpf_object__for_each_program(p, obj) if (bpf_program__type(p) == BPF_PROG_TYPE_STRUCT_OPS) return true;
  bpf_map* m;
  bpf_object__for_each_map(m, obj) if (bpf_map__type(m) == BPF_MAP_TYPE_STRUCT_OPS) return true;
  return false;
}

void test_run(bpf_program* p, const std::vector<uint8_t>& data_in, KernelVerdict& v) {
  std::vector<uint8_t> out(data_in.size() * 4 + 256);
  bpf_test_run_opts opts;
  std::memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts;
  if (bpf_program__type(p) != BPF_PROG_TYPE_SYSCALL) {
    opts.data_in = data_in.data();
    opts.data_size_in = static_cast<__u32>(data_in.size());
    opts.data_out = out.data();
    opts.data_size_out = static_cast<__u32>(out.size());
    opts.repeat = 1;
  }
  if (bpf_prog_test_run_opts(bpf_program__fd(p), &opts)) {
    v.run_error = std::string("test run failed: ") + std::strerror(errno);
    return;
  }
  v.ran = true;
  v.retval = opts.retval;
}

}  // namespace

KernelVerdict kernel_verdict(const std::string& path, const std::string& prog,
                             const std::vector<std::string>& aux, bool run,
                             const std::vector<uint8_t>& data_in) {
  KernelVerdict v;
  g_printed.clear();
  libbpf_set_print(keep);
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) {
    v.why = "libbpf 1.1 cannot open the object: " + last_line(g_printed);
    return v;
  }
  if (has_struct_ops(obj)) {
    bpf_object__close(obj);
    v.why = "struct_ops: not loaded into this machine's kernel";
    return v;
  }
  bpf_program* target = nullptr;
  bpf_program* p;
  bpf_object__for_each_program(p, obj) {
    const std::string name = bpf_program__name(p);
    const bool wanted = name == prog || std::find(aux.begin(), aux.end(), name) != aux.end();
    bpf_program__set_autoload(p, wanted);
    if (name == prog) target = p;
  }
  if (!target) {
    bpf_object__close(obj);
    v.why = "libbpf does not see program " + prog;
    return v;
  }
  g_printed.clear();
  const int err = bpf_object__load(obj);
  if (err == 0) {
    v.kind = KernelVerdict::Kind::Accepted;
    if (run) test_run(target, data_in, v);
  } else {
    v.err = -err;
    v.log = between(g_printed, "-- BEGIN PROG LOAD LOG --", "-- END PROG LOAD LOG --");
    // EPERM (fentry, lsm here), ENOTSUPP and a missing attach target are the
    // machine's answer, not the verifier's.
    const bool verifier = !v.log.empty() && v.err != EPERM && v.err != 524 && v.err != ESRCH;
    if (verifier) {
      v.kind = KernelVerdict::Kind::Rejected;
    } else {
      v.why = std::string(std::strerror(v.err)) + ": " + last_line(g_printed);
    }
  }
  bpf_object__close(obj);
  return v;
}

}  // namespace ringb::cli
