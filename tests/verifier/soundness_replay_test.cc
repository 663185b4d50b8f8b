// soundness_replay_test.cc — the soundness fuzzer's check as a plain test:
// mutants from a fixed pseudo-random stream (RINGB_SOUNDNESS_MUTANTS of them,
// 3000 by default, for at most RINGB_SOUNDNESS_SECONDS, 20 by default),
// each verified and, when accepted, run; a violation fails with the mutant.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "soundness.h"

namespace ringb::soundness {
namespace {

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

TEST(Soundness, AcceptedMutantsRunWithoutFaults) {
  install_crash_dump();
  const std::vector<Seed> seeds = load_seeds(RINGB_BPF_CORPUS_DIR);
  ASSERT_GT(seeds.size(), 100u) << "the corpus objects in " << RINGB_BPF_CORPUS_DIR;
  const uint64_t n = env_or("RINGB_SOUNDNESS_MUTANTS", 3000);
  const double limit = static_cast<double>(env_or("RINGB_SOUNDNESS_SECONDS", 20));
  std::mt19937_64 rng(env_or("RINGB_SOUNDNESS_SEED", 10));
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t done = 0, accepted = 0, rejected = 0, unjudged = 0;
  for (; done < n; ++done) {
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > limit) break;
    uint8_t script[40];
    for (uint8_t& b : script) b = static_cast<uint8_t>(rng());
    const size_t len = 4 + rng() % (sizeof script - 4);
    const Seed& seed = seeds[rng() % seeds.size()];
    const Program mutant = mutate(seed.obj.programs[seed.prog], script, len);
    const Outcome o = check(seed, mutant);
    switch (o.verdict) {
      case Verdict::Accepted: ++accepted; break;
      case Verdict::Rejected: ++rejected; break;
      case Verdict::Unjudged: ++unjudged; break;
      case Verdict::Violation:
        FAIL() << "mutant " << done << " of " << seed.file << "/" << mutant.name << ": " << o.why << "\n"
               << dump(seed.obj, mutant);
    }
  }
  std::printf("soundness replay: %zu seeds, %llu mutants, %llu accepted and run, %llu rejected, %llu unjudged\n",
              seeds.size(), static_cast<unsigned long long>(done), static_cast<unsigned long long>(accepted),
              static_cast<unsigned long long>(rejected), static_cast<unsigned long long>(unjudged));
}

}  // namespace
}  // namespace ringb::soundness
