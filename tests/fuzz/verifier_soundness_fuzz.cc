// verifier_soundness_fuzz.cc — libFuzzer target for the verifier's
// soundness (issue 10): the input picks a corpus program (first two bytes)
// and a mutation script (the rest, tests/verifier/soundness.h); the mutant
// is verified and, when accepted, run with ASan under an instruction
// budget. A runtime error or a sanitizer report in an accepted program
// crashes the fuzzer, with the mutant printed.
// The corpus objects come from RINGB_SOUNDNESS_OBJS (a directory), else the
// build's tests/bpf. Stats go to stderr every RINGB_SOUNDNESS_REPORT inputs
// and at exit.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "soundness.h"

namespace {

std::vector<ringb::soundness::Seed>* g_seeds = nullptr;
uint64_t g_runs = 0, g_accepted = 0, g_rejected = 0, g_unjudged = 0;

void report() {
  std::fprintf(stderr, "soundness: %llu mutants, %llu accepted and run, %llu rejected, %llu unjudged, 0 violations\n",
               static_cast<unsigned long long>(g_runs), static_cast<unsigned long long>(g_accepted),
               static_cast<unsigned long long>(g_rejected), static_cast<unsigned long long>(g_unjudged));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("RINGB_SOUNDNESS_OBJS");
  g_seeds = new std::vector<ringb::soundness::Seed>(
      ringb::soundness::load_seeds(dir && *dir ? dir : RINGB_BPF_CORPUS_DIR));
  std::fprintf(stderr, "soundness: %zu seed programs\n", g_seeds->size());
  if (g_seeds->empty()) std::abort();
  ringb::soundness::install_crash_dump();
  std::atexit(report);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const ringb::soundness::Seed& seed = (*g_seeds)[(data[0] | data[1] << 8) % g_seeds->size()];
  const ringb::Program mutant = ringb::soundness::mutate(seed.obj.programs[seed.prog], data + 2, size - 2);
  const ringb::soundness::Outcome o = ringb::soundness::check(seed, mutant);
  ++g_runs;
  switch (o.verdict) {
    case ringb::soundness::Verdict::Accepted: ++g_accepted; break;
    case ringb::soundness::Verdict::Rejected: ++g_rejected; break;
    case ringb::soundness::Verdict::Unjudged: ++g_unjudged; break;
    case ringb::soundness::Verdict::Violation:
      std::fprintf(stderr, "== soundness violation in a mutant of %s/%s: %s\n%s", seed.file.c_str(),
                   mutant.name.c_str(), o.why.c_str(), ringb::soundness::dump(seed.obj, mutant).c_str());
      std::abort();
  }
  static const uint64_t every = [] {
    const char* v = std::getenv("RINGB_SOUNDNESS_REPORT");
    return v && *v ? std::strtoull(v, nullptr, 10) : 20000ull;
  }();
  if (every && g_runs % every == 0) report();
  return 0;
}
