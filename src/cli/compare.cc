// compare.cc — `ringb compare [--data-in F] [--run-all] [--verbose] OBJ…`:
// every program of every object, judged by the live kernel and by ringb
// side by side. Each program loads alone (with the object's __auxiliary
// programs), in a fresh object, as the kernel selftests' test_loader does;
// programs with a __retval (all test-runnable ones with --run-all) are run
// once in each, with 64 zero bytes as data_in unless --data-in says
// otherwise, and their results compared.
//
// The closing summary counts programs the kernel accepts that ringb loads
// and runs to the same result, those it cannot load (grouped by cause, the
// instruction and names taken out of the message), and programs the kernel
// refuses that ringb refuses too. Differences are printed one per line.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "commands.h"
#include "kernel_verdict.h"
#include "load.h"

namespace ringb::cli {
namespace {

struct Tally {
  int programs = 0, not_here = 0, ringb_cannot_open = 0;
  int annotated = 0, annotated_agree = 0;  // no verdict here, but __success/__failure
  int k_accepts = 0, r_loads = 0, r_fails = 0, ran = 0, same_retval = 0, retval_differs = 0, run_fails = 0;
  int k_rejects = 0, r_rejects = 0, same_message = 0, r_accepts_rejected = 0;
  std::map<std::string, int> causes;     // ringb load failures of accepted programs
  std::map<std::string, int> not_here_why;
};

// A load error as a cause to count: without the object and program names
// and the instruction, so the same cause in many programs counts once per
// program.
std::string cause_of(std::string msg, const std::string& object = "") {
  if (!object.empty() && msg.compare(0, object.size() + 2, object + ": ") == 0) msg.erase(0, object.size() + 2);
  for (const char* lead : {"instruction ", "program '", "section '", "function '"}) {
    size_t at;
    while ((at = msg.find(lead)) != std::string::npos) {
      const size_t colon = msg.find(": ", at);
      const size_t comma = msg.find(", ", at);
      const size_t cut = std::min(colon, comma);
      if (cut == std::string::npos) break;
      msg.erase(at, cut + 2 - at);
    }
  }
  if (msg.size() > 110) msg.resize(110);
  return msg;
}

// The causes of one failed load: each helper and kfunc a "calls … ringb
// lacks" list names ("helper 156 (bpf_task_storage_get)"), else the message.
std::vector<std::string> causes_of(const std::string& msg, const std::string& object) {
  std::vector<std::string> out;
  size_t line = 0;
  while ((line = msg.find('\n', line)) != std::string::npos) {
    ++line;
    const size_t text = msg.find_first_not_of(' ', line);
    if (text == std::string::npos) break;
    const size_t end = msg.find('\n', text);
    std::string l = msg.substr(text, end == std::string::npos ? std::string::npos : end - text);
    if (l.rfind("helper ", 0) != 0 && l.rfind("kfunc ", 0) != 0) continue;
    if (const size_t at = l.find(" at instruction"); at != std::string::npos) l.resize(at);
    if (std::find(out.begin(), out.end(), "lacks " + l) == out.end()) out.push_back("lacks " + l);
  }
  if (out.empty()) out.push_back(cause_of(msg.substr(0, msg.find('\n')), object));
  return out;
}

// Why libbpf gave up: its last line that is not the closing "failed to
// load object", with quoted names taken out.
std::string libbpf_reason(const std::string& why) {
  std::string r = why;
  for (size_t q; (q = r.find('\'')) != std::string::npos;) {
    const size_t e = r.find('\'', q + 1);
    if (e == std::string::npos) break;
    r.replace(q, e - q + 1, "…");
  }
  if (r.size() > 110) r.resize(110);
  return r;
}

// The verifier's own reason: the log's last line before its statistics
// ("processed N insns …").
std::string verifier_reason(const std::string& log) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    if (end > start) lines.push_back(log.substr(start, end - start));
    start = end + 1;
  }
  for (size_t i = lines.size(); i-- > 0;)
    if (lines[i].rfind("processed ", 0) != 0 && lines[i].rfind("verification time", 0) != 0 &&
        lines[i].rfind("stack depth", 0) != 0)
      return lines[i];
  return {};
}

bool runnable(ProgType t) {
  switch (t) {
    case ProgType::SocketFilter: case ProgType::SchedCls: case ProgType::SchedAct:
    case ProgType::Xdp: case ProgType::Syscall: case ProgType::CgroupSkb: return true;
    default: return false;
  }
}

struct Options {
  std::vector<uint8_t> data_in = default_packet();
  bool run_all = false, verbose = false;
};

void compare_program(const Runtime& rt, const std::string& path, const Object& obj, const Program& prog,
                     const TestAnnotations& ann, const std::vector<std::string>& aux, const Options& o,
                     Tally& t) {
  ++t.programs;
  const std::string who = obj.name + "/" + prog.name;
  const bool want_run = (ann.has_retval || (o.run_all && runnable(prog.type))) && runnable(prog.type);
  const KernelVerdict k = kernel_verdict(path, prog.name, aux, want_run, o.data_in);
  Runtime::LoadOptions lo;
  lo.programs = aux;
  lo.programs.push_back(prog.name);
  if (k.kind == KernelVerdict::Kind::NotHere) {
    ++t.not_here;
    ++t.not_here_why[libbpf_reason(k.why)];
    if (o.verbose) std::printf("skip %s: %s\n", who.c_str(), k.why.c_str());
    // The selftests' annotations record the kernel's verdict where this
    // machine cannot give it (libbpf 1.1, EPERM for fentry and lsm).
    if (ann.expect_failure || ann.expect_success) {
      ++t.annotated;
      const bool loads = rt.load(obj, lo).ok();
      if (loads == ann.expect_success && loads != ann.expect_failure) ++t.annotated_agree;
    }
    return;
  }
  auto loaded = rt.load(obj, lo);
  if (k.kind == KernelVerdict::Kind::Rejected) {
    ++t.k_rejects;
    if (o.verbose) std::printf("     the kernel's reason: %s\n", verifier_reason(k.log).c_str());
    if (!loaded) {
      ++t.r_rejects;
      // ringb's reason, in the kernel's words when it is the verifier's.
      const std::string why = cause_of(loaded.error().message.substr(0, loaded.error().message.find('\n')), obj.name);
      if (k.log.find(why) != std::string::npos) ++t.same_message;
      if (o.verbose) std::printf("same %s: both refuse (ringb: %s)\n", who.c_str(), why.c_str());
    } else {
      ++t.r_accepts_rejected;
      if (o.verbose) std::printf("DIFF %s: the kernel refuses, ringb loads it\n", who.c_str());
    }
    return;
  }
  ++t.k_accepts;
  if (!loaded) {
    ++t.r_fails;
    for (const std::string& c : causes_of(loaded.error().message, obj.name)) ++t.causes[c];
    std::printf("DIFF %s: the kernel accepts; ringb: %s\n", who.c_str(), loaded.error().message.c_str());
    return;
  }
  ++t.r_loads;
  if (!want_run || !k.ran) {
    if (o.verbose) std::printf("same %s: both load\n", who.c_str());
    return;
  }
  TestRunOptions ro;
  ro.data_in = prog.type == ProgType::Syscall ? std::vector<uint8_t>{} : o.data_in;
  auto r = (*loaded)->test_run(prog.name, ro);
  ++t.ran;
  if (!r) {
    ++t.run_fails;
    std::printf("DIFF %s: kernel returns %d; ringb's run fails: %s\n", who.c_str(), static_cast<int32_t>(k.retval),
                r.error().message.c_str());
  } else if (r->retval != k.retval && !(ann.has_retval && ann.retval.any)) {
    ++t.retval_differs;
    std::printf("DIFF %s: kernel returns %d, ringb %d\n", who.c_str(), static_cast<int32_t>(k.retval),
                static_cast<int32_t>(r->retval));
  } else {
    ++t.same_retval;
    if (o.verbose) std::printf("same %s: both return %d\n", who.c_str(), static_cast<int32_t>(r->retval));
  }
}

void print_top(const char* title, const std::map<std::string, int>& counts) {
  if (counts.empty()) return;
  std::vector<std::pair<int, std::string>> v;
  for (const auto& [what, n] : counts) v.emplace_back(n, what);
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::printf("%s\n", title);
  for (const auto& [n, what] : v) std::printf("  %5d  %s\n", n, what.c_str());
}

void print_summary(const Tally& t) {
  std::printf("\n%d programs; %d without a verdict here (see below), %d in objects ringb cannot open\n",
              t.programs, t.not_here, t.ringb_cannot_open);
  std::printf("kernel accepts %d: ringb loads %d, cannot load %d; of %d run in both, %d return the same, "
              "%d differ, %d fail in ringb\n",
              t.k_accepts, t.r_loads, t.r_fails, t.ran, t.same_retval, t.retval_differs, t.run_fails);
  std::printf("no verdict here but annotated __success/__failure %d: ringb's verdict agrees on %d\n", t.annotated,
              t.annotated_agree);
  std::printf("kernel refuses %d: ringb refuses %d (%d with a message the kernel's log has), loads %d\n",
              t.k_rejects, t.r_rejects, t.same_message, t.r_accepts_rejected);
  print_top("why ringb cannot load programs the kernel accepts, or objects (count, cause):", t.causes);
  print_top("why the kernel gave no verdict (programs, reason):", t.not_here_why);
}

}  // namespace

int run_compare(int argc, char** argv) {
  Options o;
  std::vector<std::string> paths;
  Runtime::Options ro;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--kernel-btf" && i + 1 < argc) {
      ro.kernel_btf = argv[++i];
    } else if (a == "--data-in" && i + 1 < argc) {
      auto d = read_file(argv[++i]);
      if (!d) return std::fprintf(stderr, "ringb compare: %s\n", d.error().message.c_str()), 2;
      o.data_in = std::move(d.value());
    } else if (a == "--run-all") {
      o.run_all = true;
    } else if (a == "--verbose") {
      o.verbose = true;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "ringb compare: unknown option %s\n", a.c_str());
      return 2;
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) {
    std::fprintf(stderr, "usage: ringb compare [--data-in FILE] [--run-all] [--verbose] [--kernel-btf FILE] OBJ...\n");
    return 2;
  }
  Tally t;
  Runtime rt(ro);
  for (const std::string& path : paths) {
    auto obj = Object::open_file(path);
    if (!obj) {
      std::printf("DIFF %s: ringb cannot open it: %s\n", path.c_str(), obj.error().message.c_str());
      ++t.ringb_cannot_open;
      ++t.causes["cannot open: " + cause_of(obj.error().message, path)];
      continue;
    }
    std::vector<TestAnnotations> ann;
    std::vector<std::string> aux;
    for (const Program& p : obj->programs) {
      ann.push_back(annotations_of(*obj, p));
      if (ann.back().auxiliary) aux.push_back(p.name);
    }
    for (size_t i = 0; i < obj->programs.size(); ++i)
      if (!ann[i].auxiliary) compare_program(rt, path, *obj, obj->programs[i], ann[i], aux, o, t);
    std::fflush(stdout);
  }
  print_summary(t);
  return 0;
}

}  // namespace ringb::cli
