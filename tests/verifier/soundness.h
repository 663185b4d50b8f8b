// soundness.h — the verifier's soundness check (issue 10): corpus programs
// mutated instruction by instruction, each mutant verified by ringb's
// verifier and, when accepted, run in the interpreter under an instruction
// budget. An accepted program that stops on a runtime error (a TRAP, the
// stack exhausted, …) or trips ASan is a soundness violation: the verifier
// let through something unsafe. Used by the libFuzzer target
// (tests/fuzz/verifier_soundness_fuzz.cc) and by the replay test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ringb/object.h"

namespace ringb::soundness {

// One program of one corpus object: what mutants start from.
struct Seed {
  std::string file;  // the object's file name
  Object obj;
  size_t prog = 0;   // index in obj.programs
};

// Every program of every *.bpf.o in `dir` that ringb's verifier judges
// (accepted or rejected, not "does not model") in at most 20,000 steps.
std::vector<Seed> load_seeds(const std::string& dir);

// The mutant `script` describes: its first two bytes pick the seed (the
// caller does), the rest one to three mutations — opcode, register, offset and
// immediate changes, inserting, deleting and swapping instructions (jumps,
// calls and function starts move with insertions and deletions), and raw
// instruction bytes. A script that runs out of bytes ends.
Program mutate(const Program& p, const uint8_t* script, size_t size);

enum class Verdict { Unjudged, Rejected, Accepted, Violation };

struct Outcome {
  Verdict verdict = Verdict::Unjudged;
  std::string why;  // the verifier's message, or the violation
};

// Verifies `mutant` in place of the seed's program and runs it if accepted.
Outcome check(const Seed& seed, const Program& mutant);

// The program as the verifier's log prints instructions, one a line.
std::string dump(const Object& obj, const Program& p);

// While check() runs a mutant, a sanitizer report prints it (the seed, the
// instructions) to stderr before the process ends.
void install_crash_dump();

}  // namespace ringb::soundness
