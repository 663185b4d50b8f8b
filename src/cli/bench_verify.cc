// bench_verify.cc — `ringb bench`'s verification-time section: per object,
// ringb's verifier against the kernel's on the programs both accept. The
// kernel's own figure is the "verification time N usec" of its
// BPF_LOG_STATS log (log level 4), one BPF_PROG_LOAD per program; ringb's
// is Result::stats.seconds. Both are medians (5 runs of ringb's, 3 loads). Without
// bpf() (not root, a container) the kernel column reads n/a.
#include "bench_verify.h"

#include <bpf/libbpf.h>
#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ringb/object.h"
#include "ringb/verifier.h"

namespace ringb::cli {
namespace {

constexpr int kRounds = 5;
constexpr int kKernelRounds = 3;  // a load each: libbpf opens the object every time

int quiet(enum libbpf_print_level, const char*, va_list) { return 0; }

bool kernel_timed_any = false;  // some program got a kernel time: bpf() works here

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The kernel's verification time of one program in usec, or a negative
// number: -1 it refused the program, -2 no bpf() here, -3 libbpf could not
// load this program or its log has no time (that program only: one such
// object must not hide every other kernel figure); `insns`: the
// instructions it processed.
double kernel_verify_usec(const std::string& path, const std::string& prog, uint64_t& insns) {
  libbpf_set_print(quiet);
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) return -3;
  bpf_program* target = nullptr;
  bpf_program* p;
  bpf_object__for_each_program(p, obj) {
    const bool wanted = prog == bpf_program__name(p);
    bpf_program__set_autoload(p, wanted);
    if (wanted) target = p;
  }
  if (!target) {
    bpf_object__close(obj);
    return -3;
  }
  static char log[1 << 16];
  log[0] = 0;
  bpf_program__set_log_buf(target, log, sizeof log);
  bpf_program__set_log_level(target, 4);  // BPF_LOG_STATS
  const int err = bpf_object__load(obj);
  bpf_object__close(obj);
  if (err == -EPERM || err == -ENOSYS) return -2;
  if (err) return -1;
  const char* at = std::strstr(log, "verification time ");
  if (!at) return -3;
  if (const char* pr = std::strstr(log, "processed ")) insns = std::strtoull(pr + std::strlen("processed "), nullptr, 10);
  return std::strtod(at + std::strlen("verification time "), nullptr);
}

struct Totals {
  int programs = 0;
  double ringb_us = 0, kernel_us = 0;
  uint64_t insns = 0, kernel_insns = 0;
  int no_kernel = 0;  // programs ringb accepts that libbpf could not time (left out)
};

// One object: the programs ringb accepts (and the kernel too, where it can
// say), with times summed. Programs over `show_us` of ringb time get a row.
Totals bench_object(const std::string& path, bool kernel, bool& kernel_ok, double show_us) {
  Totals t;
  auto obj = Object::open_file(path);
  if (!obj) {
    std::printf("  %s: %s\n", path.c_str(), obj.error().message.c_str());
    return t;
  }
  std::string name = path.substr(path.find_last_of('/') + 1);
  for (size_t i = 0; i < obj->programs.size(); ++i) {
    std::vector<double> ours, theirs;
    verifier::Result r;
    for (int k = 0; k < kRounds; ++k) {
      r = verifier::verify(*obj, i, verifier::Options{});
      ours.push_back(r.stats.seconds * 1e6);
    }
    if (!r.ok) continue;  // rejected or no verdict: not a like-for-like time
    double kus = -2;
    uint64_t kinsns = 0;
    if (kernel && kernel_ok) {
      for (int k = 0; k < kKernelRounds; ++k) {
        const double u = kernel_verify_usec(path, obj->programs[i].name, kinsns);
        if (u < 0) {
          kus = u;
          break;
        }
        theirs.push_back(u);
      }
      // EPERM after the kernel timed others: this kernel build refuses
      // that one program (a local restriction), bpf() itself works.
      if (kus == -2 && theirs.empty()) {
        if (kernel_timed_any) kus = -3;
        else kernel_ok = false;
      }
      if (!theirs.empty()) kus = median(theirs), kernel_timed_any = true;
    }
    if (kus == -1) continue;  // the kernel refuses it
    if (kus == -3) {  // no kernel time for it: not like-for-like either
      ++t.no_kernel;
      continue;
    }
    const double us = median(ours);
    ++t.programs;
    t.ringb_us += us;
    t.insns += r.stats.insns_processed;
    if (kus >= 0) t.kernel_us += kus, t.kernel_insns += kinsns;
    if (us >= show_us) {
      char k[32] = "n/a", ratio[32] = "n/a", ki[32] = "n/a";
      if (kus > 0) {
        std::snprintf(k, sizeof k, "%.0f", kus);
        std::snprintf(ratio, sizeof ratio, "%.1f", kus / us);
        std::snprintf(ki, sizeof ki, "%llu", static_cast<unsigned long long>(kinsns));
      }
      std::printf("  %-44s %9.0f %9s %12s %9llu %9s\n", (name + "/" + obj->programs[i].name).c_str(), us, k, ratio,
                  static_cast<unsigned long long>(r.stats.insns_processed), ki);
    }
  }
  return t;
}

std::vector<std::string> objects_in(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n.size() > 6 && n.compare(n.size() - 6, 6, ".bpf.o") == 0) out.push_back(dir + "/" + n);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

bool bench_verify(const std::string& bench_dir, const std::string& corpus_dir, const std::vector<std::string>& extra,
                  bool kernel) {
  std::printf("\nverification: usec per program (medians), ringb's verifier against the kernel's own\n"
              "\"verification time\" (BPF_LOG_STATS); kernel/ringb is how many times faster ringb is (goal >= 5)\n\n");
  std::printf("  %-44s %9s %9s %12s %9s %9s\n", "program (ringb >= 1000 usec)", "ringb", "kernel", "kernel/ringb",
              "insns", "k. insns");
  std::vector<std::pair<std::string, Totals>> rows;
  bool kernel_ok = kernel;
  std::vector<std::string> objects = objects_in(bench_dir);
  for (const std::string& o : objects_in(corpus_dir)) objects.push_back(o);
  for (const std::string& o : extra) objects.push_back(o);
  Totals all;
  for (const std::string& path : objects) {
    const Totals t = bench_object(path, kernel, kernel_ok, 1000);
    rows.emplace_back(path.substr(path.find_last_of('/') + 1), t);
    all.programs += t.programs;
    all.ringb_us += t.ringb_us;
    all.kernel_us += t.kernel_us;
    all.insns += t.insns;
    all.kernel_insns += t.kernel_insns;
    all.no_kernel += t.no_kernel;
  }
  std::printf("\n  %-28s %8s %12s %12s %12s %10s %10s\n", "object", "programs", "ringb usec", "kernel usec",
              "kernel/ringb", "insns", "k. insns");
  for (const auto& [name, t] : rows) {
    if (!t.programs) continue;
    char k[32] = "n/a", ratio[32] = "n/a";
    if (kernel_ok && t.kernel_us > 0) {
      std::snprintf(k, sizeof k, "%.0f", t.kernel_us);
      std::snprintf(ratio, sizeof ratio, "%.1f", t.kernel_us / t.ringb_us);
    }
    std::printf("  %-28s %8d %12.0f %12s %12s %10llu %10llu\n", name.c_str(), t.programs, t.ringb_us, k, ratio,
                static_cast<unsigned long long>(t.insns), static_cast<unsigned long long>(t.kernel_insns));
  }
  char k[32] = "n/a", ratio[32] = "n/a";
  if (kernel_ok && all.kernel_us > 0) {
    std::snprintf(k, sizeof k, "%.0f", all.kernel_us);
    std::snprintf(ratio, sizeof ratio, "%.1f", all.kernel_us / all.ringb_us);
  }
  std::printf("  %-28s %8d %12.0f %12s %12s %10llu %10llu\n", "all", all.programs, all.ringb_us, k, ratio,
              static_cast<unsigned long long>(all.insns), static_cast<unsigned long long>(all.kernel_insns));
  if (!kernel_ok) std::printf("  (the kernel column needs bpf(): run as root on Linux)\n");
  if (all.no_kernel)
    std::printf("  (%d programs left out: the kernel or libbpf would not load them on their own, or gave no time)\n",
                all.no_kernel);
  return true;
}

}  // namespace ringb::cli
