// soundness.cc — mutants of corpus programs, verified and run (soundness.h).
#include "soundness.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "ringb/disasm.h"
#include "ringb/insn.h"
#include "ringb/runtime.h"
#include "ringb/verifier.h"
#include "ringb_test_packet.h"

#if defined(__SANITIZE_ADDRESS__)
#define RINGB_SOUNDNESS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RINGB_SOUNDNESS_ASAN 1
#endif
#endif
#ifdef RINGB_SOUNDNESS_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace ringb::soundness {
namespace {

// Instructions an accepted mutant may run (loops the verifier bounds by its
// 1M processed instructions may still run long; they stop here, harmlessly).
constexpr uint64_t kInsnBudget = 200000;
// Seeds whose own walk is longer are left out: mutants of them would make
// the fuzzer slow. (By instructions, not time: the seed list, and so what
// an input means, must not depend on the machine's load.)
constexpr uint32_t kMaxSeedInsns = 20000;
constexpr uint32_t kMaxMutantInsns = 100000;

// Reads the mutation script; 0 once it runs out.
struct Script {
  const uint8_t* p;
  size_t n;
  bool done() const { return n == 0; }
  uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(byte()) << (8 * i);
    return v;
  }
  size_t index(size_t bound) {  // in [0, bound)
    const uint32_t v = byte() | static_cast<uint32_t>(byte()) << 8;
    return bound ? v % bound : 0;
  }
};

// Does insn k carry a pc-relative target, and through which field?
enum class Rel { None, Off, Imm };
Rel relative(const Insn& i) {
  const uint8_t c = isa::cls(i.code);
  if (isa::is_ld_imm64(i)) return i.src == isa::kPseudoFunc ? Rel::Imm : Rel::None;
  if (c != isa::kJmp && c != isa::kJmp32) return Rel::None;
  const uint8_t o = isa::op(i.code);
  if (o == isa::kExit) return Rel::None;
  if (o == isa::kCall) return i.src == isa::kPseudoCall ? Rel::Imm : Rel::None;
  if (o == isa::kJa && c == isa::kJmp32) return Rel::Imm;  // gotol
  return Rel::Off;
}

// Moves every pc-relative target and function start across an insertion
// (delta +1: a new instruction at `at`) or a deletion (delta -1: the
// instruction at `at` is gone; what jumped to it goes to the next one).
void retarget(Program& p, const std::vector<Insn>& before, size_t at, int delta) {
  auto moved = [&](int64_t idx) -> int64_t {
    if (delta > 0) return idx >= static_cast<int64_t>(at) ? idx + 1 : idx;
    return idx > static_cast<int64_t>(at) ? idx - 1 : idx;
  };
  for (size_t k = 0; k < before.size(); ++k) {
    if (delta < 0 && k == at) continue;
    const Insn& old = before[k];
    const Rel r = relative(old);
    if (r == Rel::None) continue;
    const int64_t rel = r == Rel::Off ? old.off : old.imm;
    const int64_t target = static_cast<int64_t>(k) + 1 + rel;
    const int64_t nk = moved(static_cast<int64_t>(k)), nt = moved(target);
    const int64_t nrel = nt - nk - 1;
    Insn& now = p.insns[static_cast<size_t>(nk)];
    if (r == Rel::Off)
      now.off = static_cast<int16_t>(std::clamp<int64_t>(nrel, INT16_MIN, INT16_MAX));
    else
      now.imm = static_cast<int32_t>(nrel);
  }
  for (size_t f = 1; f < p.funcs.size(); ++f) {  // the program itself starts at 0
    const int64_t s = p.funcs[f].insn;
    if (delta > 0 ? s >= static_cast<int64_t>(at) : s > static_cast<int64_t>(at)) p.funcs[f].insn += delta;
  }
  if (p.exception_cb != Program::kNoExceptionCallback) {
    const int64_t s = p.exception_cb;
    if (delta > 0 ? s >= static_cast<int64_t>(at) : s > static_cast<int64_t>(at)) p.exception_cb += delta;
  }
}

int16_t interesting_off(Script& s) {
  static constexpr int16_t kOffs[] = {0, 1, -1, 2, 4, 8, -8, 16, -16, 63, 64, -64, 255, 256,
                                      -512, -511, 511, 512, INT16_MAX, INT16_MIN};
  return kOffs[s.byte() % std::size(kOffs)];
}

int32_t interesting_imm(Script& s) {
  static constexpr int32_t kImms[] = {0, 1, -1, 2, 4, 7, 8, 16, 31, 32, 63, 64, 255, 256, 512,
                                      -512, 4096, 65535, 65536, INT32_MAX, INT32_MIN, 0x7ff, -4096};
  return kImms[s.byte() % std::size(kImms)];
}

// The mutant the crash dump prints (set only while check() runs one).
const Seed* g_seed = nullptr;
const Program* g_mutant = nullptr;

void print_current() {
  if (!g_seed || !g_mutant) return;
  const std::string d = dump(g_seed->obj, *g_mutant);
  std::fprintf(stderr, "== soundness: the verifier accepted this mutant of %s/%s, and its run failed:\n%s",
               g_seed->file.c_str(), g_seed->obj.programs[g_seed->prog].name.c_str(), d.c_str());
}

std::vector<uint8_t> packet() {
  const uint8_t bytes[] = {RINGB_TEST_PACKET_BYTES};
  return std::vector<uint8_t>(bytes, bytes + sizeof bytes);
}

}  // namespace

std::vector<Seed> load_seeds(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().string().ends_with(".bpf.o")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<Seed> seeds;
  for (const auto& f : files) {
    auto obj = Object::open_file(f.string());
    if (!obj) continue;
    for (size_t i = 0; i < obj->programs.size(); ++i) {
      // Long walks (loops of many iterations) are left out before they
      // take long: a sanitizer build verifies far slower.
      verifier::Options vo;
      vo.insn_limit = kMaxSeedInsns;
      const verifier::Result r = verifier::verify(*obj, i, vo);
      if (!r.unmodelled.empty() || r.stats.insns_processed >= kMaxSeedInsns) continue;
      seeds.push_back(Seed{f.filename().string(), *obj, i});
    }
  }
  return seeds;
}

Program mutate(const Program& base, const uint8_t* data, size_t size) {
  Program p = base;
  p.lines.clear();  // line info indexes instructions that move
  Script s{data, size};
  // Few mutations at a time: most mutants with many are rejected.
  const int count = 1 + s.byte() % 3;
  for (int m = 0; m < count && !s.done() && !p.insns.empty(); ++m) {
    const uint8_t kind = s.byte() % 10;
    const size_t i = s.index(p.insns.size());
    Insn& in = p.insns[i];
    switch (kind) {
      case 0:  // opcode: a random one, or another instruction's
        in.code = (s.byte() & 1) ? s.byte() : p.insns[s.index(p.insns.size())].code;
        break;
      case 1:
        in.dst = s.byte() % 11;
        break;
      case 2:
        in.src = s.byte() % 11;
        break;
      case 3:
        in.off = (s.byte() & 1) ? interesting_off(s) : static_cast<int16_t>(in.off + static_cast<int8_t>(s.byte()));
        break;
      case 4:
        // nudged with wrap-around (in unsigned arithmetic: no signed overflow)
        in.imm = (s.byte() & 1) ? interesting_imm(s)
                                : static_cast<int32_t>(static_cast<uint32_t>(in.imm) +
                                                       static_cast<uint32_t>(static_cast<int8_t>(s.byte())));
        break;
      case 5: {  // insert a copy of another instruction before i
        const Insn copy = p.insns[s.index(p.insns.size())];
        const std::vector<Insn> before = p.insns;
        p.insns.insert(p.insns.begin() + static_cast<std::ptrdiff_t>(i), copy);
        retarget(p, before, i, +1);
        break;
      }
      case 6: {
        if (p.insns.size() < 2) break;
        const std::vector<Insn> before = p.insns;
        p.insns.erase(p.insns.begin() + static_cast<std::ptrdiff_t>(i));
        retarget(p, before, i, -1);
        break;
      }
      case 7:
        std::swap(in, p.insns[s.index(p.insns.size())]);
        break;
      case 8: {  // raw bytes
        uint8_t raw[8];
        for (uint8_t& b : raw) b = s.byte();
        std::memcpy(&in, raw, sizeof raw);
        break;
      }
      default:  // a register-to-register change of a load's or store's width or mode
        in.code = static_cast<uint8_t>((in.code & ~0x18) | ((s.byte() & 3) << 3));
        break;
    }
  }
  return p;
}

Outcome check(const Seed& seed, const Program& mutant) {
  Object obj = seed.obj;
  obj.programs[seed.prog] = mutant;
  // The verdict first, under a smaller limit (a mutant may loop long), and
  // without creating maps for the many it rejects.
  verifier::Options vo;
  vo.insn_limit = kMaxMutantInsns;
  const verifier::Result v = verifier::verify(obj, seed.prog, vo);
  if (!v.unmodelled.empty() || v.stats.insns_processed >= kMaxMutantInsns) return {Verdict::Unjudged, v.message};
  if (!v.ok) return {Verdict::Rejected, v.message};
  const std::string name = mutant.name;
  // One runtime for every mutant: each load is an object of its own.
  static const Runtime rt([] {
    Runtime::Options ro;
    ro.verify = true;
    ro.verify_strict = true;
    return ro;
  }());
  Runtime::LoadOptions lo;
  lo.programs = {name};
  auto loaded = rt.load(std::move(obj), lo);
  if (!loaded) {
    const std::string& msg = loaded.error().message;
    if (msg.find("does not model") != std::string::npos) return {Verdict::Unjudged, msg};
    return {Verdict::Rejected, msg};  // by the verifier, or by the loader before it
  }
  TestRunOptions o;
  o.data_in = packet();
  if (prog_type_takes_ctx_in(mutant.type)) o.ctx_in = packet();
  o.insn_budget = kInsnBudget;
  // Named until the object is unloaded: its maps' teardown frees what the
  // run left in them, and a fault there is this mutant's too.
  struct Current {
    Current(const Seed& s, const Program& m) { g_seed = &s, g_mutant = &m; }
    ~Current() { g_seed = nullptr, g_mutant = nullptr; }
  } current(seed, mutant);
  auto r = (*loaded)->test_run(name, o);
  loaded->reset();
  if (r) return {Verdict::Accepted, ""};
  const std::string& msg = r.error().message;
  // Not a run that stopped (a context the type has no test run for, …).
  if (msg.find("stopped:") == std::string::npos) return {Verdict::Accepted, msg};
  // Runs that may stop in a sound program: out of budget, a probe the
  // kernel would also let fail, and tail calls from functions past ringb's
  // 4 KiB stack arena (the kernel bounds them at 33 x 256 bytes of kept
  // frames; ringb stops the run cleanly instead: docs/vm.md).
  if (msg.find("instruction budget exhausted") != std::string::npos ||
      msg.find("process_vm_readv") != std::string::npos ||
      msg.find("the tail call's target does not fit below its caller's frames") != std::string::npos)
    return {Verdict::Accepted, msg};
  return {Verdict::Violation, msg};
}

std::string dump(const Object& obj, const Program& p) {
  std::ostringstream os;
  for (size_t i = 0; i < p.insns.size(); ++i) {
    const Insn& in = p.insns[i];
    char raw[64];
    std::snprintf(raw, sizeof raw, "%4zu: %02x %x %x %6d %11d  ", i, in.code, in.dst, in.src, in.off, in.imm);
    os << raw << (isa::is_ld_imm64(in) && i + 1 >= p.insns.size() ? "(ld_imm64 cut short)" : disasm(&in, &obj.kfuncs)) << "\n";
  }
  for (const Program::Func& f : p.funcs) os << "  func " << f.name << " at " << f.insn << "\n";
  return os.str();
}

void install_crash_dump() {
#ifdef RINGB_SOUNDNESS_ASAN
  __sanitizer_set_death_callback(print_current);
#endif
  // ringb's own debug checks (RINGB_DEBUG_CHECKS: double frees, foreign
  // pointers) abort, and a wild access without ASan faults: print the mutant
  // first. Not async-signal-safe, but the process is ending anyway.
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS})
    std::signal(sig, [](int s) {
      print_current();
      std::signal(s, SIG_DFL);
      std::raise(s);
    });
}

}  // namespace ringb::soundness
