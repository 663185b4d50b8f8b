// run.cc — `ringb run OBJ`: one program, BPF_PROG_TEST_RUN style: its return
// value and the time per run, optionally from several threads at once. Only
// that program (--prog, else the first autoloaded one) and what it uses load.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "load.h"
#include "print_ringbuf.h"
#include "show_maps.h"

namespace ringb::cli {
namespace {

struct RunArgs {
  std::string path, prog, data_in, ctx_in, kconfig, dot;
  std::string data_out, ctx_out;  // --data-out / --ctx-out: the run's data_out / ctx_out written there
  uint32_t repeat = 1;
  uint64_t cgroup_id = 0;  // --cgroup-id: TestRunOptions::cgroup_storage_id
  int threads = 1;
  bool json = false, stats = false, show_maps = false, ringbuf = false;
  std::string kernel_btf;  // --kernel-btf: Runtime::Options::kernel_btf
  bool verify = true;  // --no-verify: skip ringb's verifier (Runtime::Options::verify)
};

bool parse(int argc, char** argv, RunArgs& a) {
  for (int i = 0; i < argc; ++i) {
    const std::string s = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (s == "--prog" && v) a.prog = argv[++i];
    else if (s == "--data-in" && v) a.data_in = argv[++i];
    else if (s == "--ctx-in" && v) a.ctx_in = argv[++i];
    else if (s == "--data-out" && v) a.data_out = argv[++i];
    else if (s == "--ctx-out" && v) a.ctx_out = argv[++i];
    else if (s == "--kconfig" && v) a.kconfig = argv[++i];
    else if (s == "--kernel-btf" && v) a.kernel_btf = argv[++i];
    else if (s == "--repeat" && v) a.repeat = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 0));
    else if (s == "--threads" && v) a.threads = std::atoi(argv[++i]);
    else if (s == "--cgroup-id" && v) a.cgroup_id = std::strtoull(argv[++i], nullptr, 0);
    else if (s == "--json") a.json = true;
    else if (s == "--no-verify") a.verify = false;
    else if (s == "--stats") a.stats = true;
    else if (s == "--show-maps") a.show_maps = true;
    else if (s == "--ringbuf") a.ringbuf = true;
    else if (s == "--dot" && v) a.dot = argv[++i];
    else if (!s.empty() && s[0] != '-' && a.path.empty()) a.path = s;
    else {
      std::fprintf(stderr, "ringb run: unknown or incomplete option '%s'\n", s.c_str());
      return false;
    }
  }
  if (a.path.empty() || a.repeat == 0 || a.threads < 1 || a.threads > 256) {
    std::fprintf(stderr,
                 "usage: ringb run OBJ [--prog NAME] [--data-in FILE] [--ctx-in FILE] [--data-out FILE] [--ctx-out FILE] "
                 "[--kconfig FILE] [--kernel-btf FILE] [--repeat N>0] [--threads 1..256] [--cgroup-id N] [--json] [--stats] [--no-verify] [--show-maps] "
                 "[--dot FILE] [--ringbuf]\n");
    return false;
  }
  return true;
}

// Writes what a test run handed back (data_out, ctx_out), as bpftool's
// `prog run ... data_out F ctx_out F` does.
bool write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return std::fprintf(stderr, "ringb run: cannot write %s\n", path.c_str()), false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !ok) return std::fprintf(stderr, "ringb run: cannot write %s\n", path.c_str()), false;
  return true;
}

}  // namespace

int run_run(int argc, char** argv) {
  RunArgs a;
  if (!parse(argc, argv, a)) return 2;
  Runtime::Options ro;
  ro.verify = a.verify;
  ro.kernel_btf = a.kernel_btf;
  if (!a.verify)
    std::fprintf(stderr, "ringb run: warning: --no-verify runs code no verifier has checked; only the vm's own checks stand between it and this process\n");
  if (!a.kconfig.empty()) {
    auto text = read_file(a.kconfig);
    if (!text) {
      std::fprintf(stderr, "ringb run: %s\n", text.error().message.c_str());
      return 2;
    }
    ro.kconfig.assign(text->begin(), text->end());
  }
  Runtime rt(ro);
  auto opened = Object::open_file(a.path);
  if (!opened) {
    std::fprintf(stderr, "ringb run: %s\n", opened.error().message.c_str());
    return 1;
  }
  if (a.prog.empty()) {
    for (const Program& p : opened->programs)
      if (p.autoload) {
        a.prog = p.name;
        break;
      }
    if (a.prog.empty()) a.prog = opened->programs.front().name;
  }
  // Only the program and what it uses: another program's unknown kfunc or
  // unsupported map is not its problem.
  Runtime::LoadOptions lo;
  lo.programs = {a.prog};
  auto obj = rt.load(std::move(opened.value()), lo);
  if (!obj) {
    std::fprintf(stderr, "ringb run: %s\n", obj.error().message.c_str());
    return 1;
  }
  for (const std::string& u : (*obj)->unverified()) std::fprintf(stderr, "ringb run: warning: %s\n", u.c_str());
  TestRunOptions opts;
  opts.repeat = a.repeat;
  opts.count_insns = a.stats;
  opts.cgroup_storage_id = a.cgroup_id;
  if (!a.data_in.empty()) {
    auto d = read_file(a.data_in);
    if (!d) return std::fprintf(stderr, "ringb run: %s\n", d.error().message.c_str()), 1;
    opts.data_in = std::move(d.value());
  } else {
    opts.data_in = default_packet();
  }
  if (!a.ctx_in.empty()) {
    auto d = read_file(a.ctx_in);
    if (!d) return std::fprintf(stderr, "ringb run: %s\n", d.error().message.c_str()), 1;
    opts.ctx_in = std::move(d.value());
  }

  std::vector<Expected<TestRunResult>> results(static_cast<size_t>(a.threads), Error{EINVAL, "not run"});
  std::vector<std::thread> threads;
  for (int t = 0; t < a.threads; ++t)
    threads.emplace_back([&, t] { results[static_cast<size_t>(t)] = (*obj)->test_run(a.prog, opts); });
  for (auto& th : threads) th.join();

  uint64_t total_ns = 0, insns = 0;
  for (const auto& r : results) {
    if (!r) {
      std::fprintf(stderr, "ringb run: %s\n", r.error().message.c_str());
      return 1;
    }
    total_ns += r.value().duration_ns;
    insns += r.value().insns;
  }
  const TestRunResult& first = results.front().value();
  const uint64_t ns = total_ns / static_cast<uint64_t>(a.threads);
  const uint64_t runs = static_cast<uint64_t>(a.repeat) * static_cast<uint64_t>(a.threads);
  if (a.json) {
    std::printf("{\"program\": \"%s\", \"retval\": %u, \"duration_ns\": %llu, \"repeat\": %u, "
                "\"threads\": %d",
                a.prog.c_str(), first.retval, static_cast<unsigned long long>(ns), a.repeat,
                a.threads);
    if (a.stats)
      std::printf(", \"insns_per_run\": %.1f", static_cast<double>(insns) / static_cast<double>(runs));
    std::printf("}\n");
  } else {
    std::printf("%s: retval %u (0x%x), %llu ns/run over %u run%s%s\n", a.prog.c_str(),
                first.retval, first.retval, static_cast<unsigned long long>(ns), a.repeat,
                a.repeat == 1 ? "" : "s",
                a.threads > 1 ? (" on each of " + std::to_string(a.threads) + " threads").c_str() : "");
    if (a.stats && insns)
      std::printf("%.1f instructions per run, %.2f ns per instruction\n",
                  static_cast<double>(insns) / static_cast<double>(runs),
                  static_cast<double>(total_ns) * static_cast<double>(a.repeat) /
                      static_cast<double>(insns));
  }
  if (!a.data_out.empty() && !write_bytes(a.data_out, first.data_out)) return 1;
  if (!a.ctx_out.empty() && !write_bytes(a.ctx_out, first.ctx_out)) return 1;
  if (a.show_maps) show_maps(**obj, stdout);
  if (a.ringbuf && print_ringbufs(**obj, stdout) < 0) return 1;
  if (!a.dot.empty()) {
    auto written = write_dot(**obj, a.dot);
    if (!written) return std::fprintf(stderr, "ringb run: %s\n", written.error().message.c_str()), 1;
    std::printf("object graph: %s\n", written->c_str());
  }
  for (const auto& r : results)
    if (r.value().retval != first.retval) {
      std::fprintf(stderr, "ringb run: threads disagree on the return value\n");
      return 1;
    }
  return 0;
}

}  // namespace ringb::cli
