// bench.cc — `ringb bench`: the same BPF objects in ringb and in the live
// kernel, side by side in one run, as ratios:
//   interp_loops  ALU- and division-heavy loops: ringb's interpreter against
//                 the kernel's JIT, and ringb's ns per executed instruction
//   htab_ops      10 × (update, lookup, delete) on hash maps, preallocated
//                 or not, plain or per-cpu; plus no-prealloc / prealloc
//   lru_ops       the same on LRU hash maps, and inserts into full ones
//                 (evicting) against a hash map deleting by hand; LRU / hash
//   lpm_ops       an LPM trie: update/lookup/delete, and longest-prefix
//                 lookups in a trie of 32 nested prefixes
//   objects       the object model (obj_new/drop, lists, rbtrees, refcounts,
//                 kptrs, cpumasks) against the kernel and the same work in
//                 native C++ (bench_native.h)
//   verification  ringb's verifier against the kernel's own verification
//                 time, per program of the corpus (bench_verify.h)
// Each figure is the median of 5 runs of `repeat` test runs.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "bench_native.h"
#include "bench_verify.h"
#include "commands.h"
#include "kernel_run.h"
#include "load.h"

#ifndef RINGB_BENCH_BPF_DIR
#define RINGB_BENCH_BPF_DIR "bench/bpf"
#endif
#ifndef RINGB_CORPUS_BPF_DIR
#define RINGB_CORPUS_BPF_DIR "tests/bpf"
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

// The object model, three ways: ringb's interpreter, the kernel's JIT, and
// native C++ doing the same work. False when results disagree.
bool bench_objects(const Runtime& rt, const std::string& dir, uint32_t repeat, const std::vector<uint8_t>& pkt) {
  const char* progs[] = {"new_drop_16", "new_drop_1000", "list_fifo_10", "rbtree_7",
                         "refcount_graph", "kptr_stash", "cpumask_acq_rel"};
  std::printf("\nobjects: ns per run; native = C++ with %s, a spinlock, an intrusive list, std::multiset\n",
              native_allocator().c_str());
  std::printf("(goals: ringb/native <= 5, ringb/kernel <= 0.2; cpumask_acq_rel is a syscall program,\n"
              " timed around the call, syscall included, in the kernel)\n\n");
  std::printf("%-18s %10s %10s %10s %13s %13s\n", "program", "ringb", "kernel", "native", "ringb/kernel",
              "ringb/native");
  bool ok = true;
  for (const char* prog : progs) {
    const uint32_t n = std::string(prog) == "cpumask_acq_rel" ? std::max(repeat / 10, 1u) : repeat;
    const Row r = measure(rt, dir, "objects", prog, n, pkt);
    int64_t native_ret = 0;
    const double native = native_ns(prog, n, kRounds, native_ret);
    char kernel[32] = "n/a", rk[32] = "n/a", rn[32] = "n/a";
    if (r.kernel_ns > 0) {
      std::snprintf(kernel, sizeof kernel, "%.0f", r.kernel_ns);
      std::snprintf(rk, sizeof rk, "%.3f", r.ringb_ns / r.kernel_ns);
    }
    if (native > 0) std::snprintf(rn, sizeof rn, "%.2f", r.ringb_ns / native);
    std::printf("%-18s %10.0f %10s %10.0f %13s %13s\n", prog, r.ringb_ns, kernel, native, rk, rn);
    if (r.kernel_ns > 0 && r.kernel_ret != r.ringb_ret) {
      std::printf("  !! return values differ: ringb %u, kernel %u\n", r.ringb_ret, r.kernel_ret);
      ok = false;
    }
    if (static_cast<int64_t>(static_cast<int32_t>(r.ringb_ret)) != native_ret) {
      std::printf("  !! return values differ: ringb %u, native %lld\n", r.ringb_ret, static_cast<long long>(native_ret));
      ok = false;
    }
    if (!r.kernel_note.empty()) std::printf("  (%s)\n", r.kernel_note.c_str());
  }
  return ok;
}

}  // namespace

int run_bench(int argc, char** argv) {
  std::string dir = RINGB_BENCH_BPF_DIR, corpus = RINGB_CORPUS_BPF_DIR;
  uint32_t repeat = 10000;
  bool verify_only = false;
  std::vector<std::string> verify_extra;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--objects" && i + 1 < argc) dir = argv[++i];
    else if (a == "--corpus" && i + 1 < argc) corpus = argv[++i];
    else if (a == "--repeat" && i + 1 < argc) repeat = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 0));
    else if (a == "--verify-only") verify_only = true;
    else if (a == "--verify-object" && i + 1 < argc) verify_extra.push_back(argv[++i]);
    else {
      std::fprintf(stderr,
                   "usage: ringb bench [--objects DIR] [--corpus DIR] [--repeat N] [--verify-only] "
                   "[--verify-object OBJ]...\n");
      return 2;
    }
  }
  if (verify_only) return bench_verify(dir, corpus, verify_extra, true) ? 0 : 1;
  if (repeat == 0) repeat = 1;
  Runtime rt;
  const std::vector<uint8_t> pkt = default_packet();
  const std::pair<const char*, const char*> cases[] = {
      {"interp_loops", "alu_loop"},        {"interp_loops", "div_loop"},
      {"htab_ops", "ops_prealloc"},        {"htab_ops", "ops_dynamic"},
      {"htab_ops", "ops_percpu_prealloc"}, {"htab_ops", "ops_percpu_dynamic"},
      {"lru_ops", "lru_ops"},              {"lru_ops", "lru_percpu_ops"},
      {"lru_ops", "lru_evict"},            {"lru_ops", "lru_nc_evict"},
      {"lru_ops", "hash_churn"},
      {"lpm_ops", "lpm_ops"},              {"lpm_ops", "lpm_lookup"},
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
  std::printf("\nLRU / hash (LRU maps on the allocator; the kernel's are preallocated)\n");
  std::printf("  update+lookup+delete  lru/hash ringb %.2f  kernel %.2f;  lru/hash(no prealloc) ringb %.2f  kernel %.2f\n",
              ratio(ringb_of["lru_ops"], ringb_of["ops_prealloc"]), ratio(kernel_of["lru_ops"], kernel_of["ops_prealloc"]),
              ratio(ringb_of["lru_ops"], ringb_of["ops_dynamic"]), ratio(kernel_of["lru_ops"], kernel_of["ops_dynamic"]));
  std::printf("  per-cpu               lru/hash ringb %.2f  kernel %.2f\n",
              ratio(ringb_of["lru_percpu_ops"], ringb_of["ops_percpu_prealloc"]),
              ratio(kernel_of["lru_percpu_ops"], kernel_of["ops_percpu_prealloc"]));
  std::printf("  insert into full      lru_evict/hash_churn ringb %.2f  kernel %.2f;  no_common ringb %.2f  kernel %.2f\n",
              ratio(ringb_of["lru_evict"], ringb_of["hash_churn"]), ratio(kernel_of["lru_evict"], kernel_of["hash_churn"]),
              ratio(ringb_of["lru_nc_evict"], ringb_of["hash_churn"]),
              ratio(kernel_of["lru_nc_evict"], kernel_of["hash_churn"]));
  if (!bench_objects(rt, dir, repeat, pkt)) mismatch = true;
  if (!bench_verify(dir, corpus, verify_extra, true)) mismatch = true;
  return mismatch ? 1 : 0;
}

}  // namespace ringb::cli
