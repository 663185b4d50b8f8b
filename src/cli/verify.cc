// verify.cc — `ringb verify OBJ [--prog NAME] [--json] [--log-level N]
// [--repeat N]`: each program (or NAME) through ringb's verifier: verdict,
// the message in the kernel's words and its instruction, veristat-like
// statistics, and with --log-level the verifier log in the kernel's format.
// --repeat verifies each program N times and reports the median time (for
// profiling and timing one program).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "ringb/kernel_btf.h"
#include "commands.h"
#include "ringb/object.h"
#include "ringb/verifier.h"

namespace ringb::cli {
namespace {

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\', o += c;
    else if (c == '\n') o += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); o += b; }
    else o += c;
  }
  return o;
}

}  // namespace

int run_verify(int argc, char** argv) {
  std::string path, prog;
  bool json = false;
  int repeat = 1;
  verifier::Options opts;
  std::string kernel_btf;  // empty: the running kernel's, when it has one
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--prog" && i + 1 < argc) prog = argv[++i];
    else if (a == "--json") json = true;
    else if (a == "--kernel-btf" && i + 1 < argc) kernel_btf = argv[++i];
    else if (a == "--insn-limit" && i + 1 < argc) opts.insn_limit = static_cast<uint32_t>(std::atol(argv[++i]));
    else if (a == "--log-level" && i + 1 < argc) opts.log_level = std::atoi(argv[++i]);
    else if (a == "--repeat" && i + 1 < argc) repeat = std::clamp(std::atoi(argv[++i]), 1, 1000000);
    else if (path.empty() && a[0] != '-') path = a;
    else return std::fprintf(stderr, "ringb verify: unknown argument '%s'\n", a.c_str()), 2;
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: ringb verify OBJ [--prog NAME] [--json] [--log-level N] [--kernel-btf FILE] "
                         "[--insn-limit N] [--repeat N]\n");
    return 2;
  }
  auto kbtf = kernel_btf::load_default(kernel_btf);
  if (!kbtf) return std::fprintf(stderr, "ringb verify: %s\n", kbtf.error().message.c_str()), 2;
  opts.kernel_btf = *kbtf;
  auto obj = Object::open_file(path);
  if (!obj) return std::fprintf(stderr, "ringb verify: %s\n", obj.error().message.c_str()), 1;
  int rejected = 0, shown = 0;
  if (json) std::printf("[");
  for (size_t i = 0; i < obj->programs.size(); ++i) {
    const Program& p = obj->programs[i];
    if (!prog.empty() && p.name != prog) continue;
    verifier::Result r = verifier::verify(*obj, i, opts);
    if (repeat > 1) {
      std::vector<double> secs{r.stats.seconds};
      for (int k = 1; k < repeat; ++k) secs.push_back(verifier::verify(*obj, i, opts).stats.seconds);
      std::nth_element(secs.begin(), secs.begin() + secs.size() / 2, secs.end());
      r.stats.seconds = secs[secs.size() / 2];
    }
    rejected += !r.ok;
    if (json) {
      std::printf("%s\n  {\"program\": \"%s\", \"verdict\": \"%s\", \"message\": \"%s\", \"insn\": %lld, "
                  "\"insns_processed\": %llu, \"total_states\": %u, \"peak_states\": %u, "
                  "\"max_states_per_insn\": %u, \"stack_depth\": %u, \"seconds\": %.9f%s%s%s}",
                  shown ? "," : "", json_escape(p.name).c_str(), r.ok ? "accepted" : "rejected",
                  json_escape(r.message).c_str(), static_cast<long long>(r.insn),
                  static_cast<unsigned long long>(r.stats.insns_processed), r.stats.total_states, r.stats.peak_states,
                  r.stats.max_states_per_insn, r.stats.stack_depth, r.stats.seconds, r.log.empty() ? "" : ", \"log\": \"",
                  json_escape(r.log).c_str(), r.log.empty() ? "" : "\"");
    } else {
      if (!r.log.empty()) std::printf("%s", r.log.c_str());
      if (r.ok) {
        std::printf("%-40s accepted  %s, %.3f ms\n", p.name.c_str(), verifier::stats_line(r.stats, opts).c_str(),
                    r.stats.seconds * 1e3);
      } else {
        std::printf("%-40s rejected at insn %lld: %s\n", p.name.c_str(), static_cast<long long>(r.insn),
                    r.message.c_str());
      }
    }
    ++shown;
  }
  if (json) std::printf("\n]\n");
  if (!shown) return std::fprintf(stderr, "ringb verify: no program '%s' in %s\n", prog.c_str(), path.c_str()), 1;
  return rejected ? 1 : 0;
}

}  // namespace ringb::cli
