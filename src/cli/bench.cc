// bench.cc — `ringb bench`: the same BPF objects in ringb and in the live
// kernel, side by side in one run, as ratios:
//   interp_loops  ALU- and division-heavy loops: ringb's interpreter against
//                 the kernel's JIT, and ringb's ns per executed instruction
//   htab_ops      10 × (update, lookup, delete) on hash maps, preallocated
//                 or not, plain or per-cpu; plus no-prealloc / prealloc
// Each figure is the median of 5 runs of `repeat` test runs.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "commands.h"
#include "kernel_run.h"
#include "load.h"

#ifndef RINGB_BENCH_BPF_DIR
#define RINGB_BENCH_BPF_DIR "bench/bpf"
#endif

namespace ringb::cli {
namespace {

constexpr int kRounds = 5;

struct Row {
  std::string object, prog;
  double ringb_ns = 0, kernel_ns = 0, insns = 0;
  uint32_t ringb_ret = 0, kernel_ret = 0;
  std::string kernel_note;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

Row measure(const Runtime& rt, const std::string& dir, const std::string& object,
            const std::string& prog, uint32_t repeat, const std::vector<uint8_t>& pkt) {
  Row row;
  row.object = object;
  row.prog = prog;
  const std::string path = dir + "/" + object + ".bpf.o";
  auto lo = rt.load(path);
  if (!lo) {
    row.kernel_note = "ringb: " + lo.error().message;
    return row;
  }
  std::vector<double> ringb_ns, kernel_ns;
  for (int round = 0; round < kRounds; ++round) {
    TestRunOptions o;
    o.data_in = pkt;
    o.repeat = repeat;
    if (auto r = (*lo)->test_run(prog, o)) {
      ringb_ns.push_back(static_cast<double>(r->duration_ns));
      row.ringb_ret = r->retval;
    }
    if (auto k = kernel_test_run(path, prog, pkt, repeat)) {
      kernel_ns.push_back(static_cast<double>(k->duration_ns));
      row.kernel_ret = k->retval;
    } else {
      row.kernel_note = k.error().message;
    }
  }
  TestRunOptions counted;
  counted.data_in = pkt;
  counted.count_insns = true;
  if (auto r = (*lo)->test_run(prog, counted)) row.insns = static_cast<double>(r->insns);
  row.ringb_ns = median(ringb_ns);
  row.kernel_ns = median(kernel_ns);
  return row;
}

}  // namespace

int run_bench(int argc, char** argv) {
  std::string dir = RINGB_BENCH_BPF_DIR;
  uint32_t repeat = 10000;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--objects" && i + 1 < argc) dir = argv[++i];
    else if (a == "--repeat" && i + 1 < argc) repeat = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 0));
    else {
      std::fprintf(stderr, "usage: ringb bench [--objects DIR] [--repeat N]\n");
      return 2;
    }
  }
  if (repeat == 0) repeat = 1;
  Runtime rt;
  const std::vector<uint8_t> pkt = default_packet();
  const std::pair<const char*, const char*> cases[] = {
      {"interp_loops", "alu_loop"},        {"interp_loops", "div_loop"},
      {"htab_ops", "ops_prealloc"},        {"htab_ops", "ops_dynamic"},
      {"htab_ops", "ops_percpu_prealloc"}, {"htab_ops", "ops_percpu_dynamic"},
  };
  std::vector<Row> rows;
  for (const auto& [object, prog] : cases) {
    const uint32_t n = std::string(object) == "interp_loops" ? std::max(repeat / 100, 1u) : repeat;
    rows.push_back(measure(rt, dir, object, prog, n, pkt));
  }

  std::printf("ringb bench: medians of %d rounds; ns per test run (the kernel: its JIT)\n\n", kRounds);
  std::printf("%-24s %12s %12s %14s %12s %10s\n", "program", "ringb ns", "kernel ns",
              "ringb/kernel", "insns/run", "ns/insn");
  std::map<std::string, double> ringb_of, kernel_of;
  bool mismatch = false;
  for (const Row& r : rows) {
    ringb_of[r.prog] = r.ringb_ns;
    kernel_of[r.prog] = r.kernel_ns;
    char kernel[32] = "n/a", ratio[32] = "n/a";
    if (r.kernel_ns > 0) {
      std::snprintf(kernel, sizeof kernel, "%.0f", r.kernel_ns);
      std::snprintf(ratio, sizeof ratio, "%.2f", r.ringb_ns / r.kernel_ns);
    }
    std::printf("%-24s %12.0f %12s %14s %12.0f %10.2f\n", r.prog.c_str(), r.ringb_ns, kernel, ratio,
                r.insns, r.insns > 0 ? r.ringb_ns / r.insns : 0.0);
    if (r.kernel_ns > 0 && r.kernel_ret != r.ringb_ret) {
      std::printf("  !! return values differ: ringb %u, kernel %u\n", r.ringb_ret, r.kernel_ret);
      mismatch = true;
    }
    if (!r.kernel_note.empty()) std::printf("  (%s)\n", r.kernel_note.c_str());
  }
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::printf("\nno-prealloc / prealloc (seed: dynamic maps \"equal to full prealloc\"; goal <= 1.05 in ringb)\n");
  std::printf("  hash         ringb %.2f   kernel %.2f\n", ratio(ringb_of["ops_dynamic"], ringb_of["ops_prealloc"]),
              ratio(kernel_of["ops_dynamic"], kernel_of["ops_prealloc"]));
  std::printf("  percpu hash  ringb %.2f   kernel %.2f\n",
              ratio(ringb_of["ops_percpu_dynamic"], ringb_of["ops_percpu_prealloc"]),
              ratio(kernel_of["ops_percpu_dynamic"], kernel_of["ops_percpu_prealloc"]));
  return mismatch ? 1 : 0;
}

}  // namespace ringb::cli
