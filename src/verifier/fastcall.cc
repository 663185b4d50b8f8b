// fastcall.cc — bpf_fastcall: a call the kernel inlines (or a KF_FASTCALL
// kfunc) clobbers only its result and argument registers, so the compiler's
// spills and fills of the other caller-saved registers around it are
// removed at load and their stack does not count toward the function's
// depth. The kernel's mark_fastcall_patterns, check_fastcall_stack_contract
// and remove_fastcall_spills_fills; ringb's interpreter runs the spills and
// fills as they are (its frames have room), only the depth check changes.
#include "state.h"

#include <algorithm>
#include <climits>

#include "ringb/helpers.h"
#include "ringb/kfuncs.h"

namespace ringb::verifier {
namespace {

constexpr uint32_t kCallerSaved = 0x3f;  // r0..r5

// The registers a call leaves alone under the fastcall contract, and
// whether it follows that contract here (false: it does not, but a pattern
// around it still keeps the region).
struct CallSummary {
  uint32_t kept = 0;
  bool fastcall = false;
};

// get_call_summary: a helper or kfunc with a known prototype.
bool call_summary(const Object& obj, const std::vector<kfuncs::Proto>& host, const Insn& in, CallSummary* cs) {
  int params = 0;
  bool is_void = false;
  if (in.src == 0) {
    const helpers::Proto* p = helpers::find(in.imm);
    if (!p) return false;
    for (const helpers::Arg& a : p->args) params += a.kind != helpers::ArgKind::None;
    is_void = p->ret == helpers::RetKind::Void;
    cs->fastcall = p->allow_fastcall;
  } else if (in.src == isa::kPseudoKfuncCall) {
    if (in.imm < 0 || static_cast<size_t>(in.imm) >= obj.kfuncs.size()) return false;
    const std::string& name = obj.kfuncs[static_cast<size_t>(in.imm)];
    const kfuncs::Proto* p = kfuncs::find(kfuncs::builtin(), name);
    if (!p) p = kfuncs::find(host, name);
    if (!p) return false;
    params = static_cast<int>(p->args.size());
    is_void = p->ret == kfuncs::Ret::Void;
    cs->fastcall = p->flags & kfuncs::kFastcall;
  } else {
    return false;
  }
  // r0 unless void, and r1..r{params}
  uint32_t clobbered = 0;
  for (int r = is_void ? 1 : 0; r <= params; ++r) clobbered |= 1u << r;
  cs->kept = kCallerSaved & ~clobbered;
  return true;
}

}  // namespace

void Verifier::mark_fastcall_patterns() {
  const size_t n = insns_.size();
  fastcall_pattern_.assign(n + 1, false);
  fastcall_spills_.assign(n + 1, 0);
  fastcall_stack_off_.assign(func_start_.size(), INT16_MAX);
  keep_fastcall_stack_.assign(func_start_.size(), false);
  const uint8_t stx_dw = isa::kStx | isa::kMem | isa::kDW, ldx_dw = isa::kLdx | isa::kMem | isa::kDW;
  for (size_t s = 0; s < func_start_.size(); ++s) {
    const size_t begin = func_start_[s], end = s + 1 < func_start_.size() ? func_start_[s + 1] : n;
    // The patterns' slots start at the function's lowest spill.
    int16_t lowest = 0;
    for (size_t i = begin; i < end; ++i)
      if (insns_[i].code == stx_dw && insns_[i].dst == 10) lowest = std::min(lowest, insns_[i].off);
    for (size_t i = begin; i < end; ++i) {
      if (second_half_[i] || !isa::is_call(insns_[i])) continue;
      CallSummary cs;
      if (!call_summary(obj_, opts_.host_kfuncs, insns_[i], &cs)) continue;
      uint32_t expected = cs.kept;
      int pairs = 0;
      int off = lowest;
      for (int k = 1; k <= 6; ++k, off += 8) {
        if (i < static_cast<size_t>(k) || i + static_cast<size_t>(k) >= n) break;
        const Insn& stx = insns_[i - static_cast<size_t>(k)];
        const Insn& ldx = insns_[i + static_cast<size_t>(k)];
        if (stx.code != stx_dw || ldx.code != ldx_dw || stx.dst != 10 || ldx.src != 10) break;
        if (stx.src != ldx.dst || !((1u << stx.src) & expected)) break;
        if (stx.off != off || ldx.off != off) break;
        expected &= ~(1u << stx.src);
        fastcall_pattern_[i - static_cast<size_t>(k)] = fastcall_pattern_[i + static_cast<size_t>(k)] = true;
        ++pairs;
      }
      if (!pairs) continue;
      if (cs.fastcall) fastcall_spills_[i] = static_cast<uint8_t>(pairs);
      else keep_fastcall_stack_[s] = true;
      fastcall_stack_off_[s] = static_cast<int16_t>(std::min<int>(fastcall_stack_off_[s], off));
    }
  }
}

// An access below the patterns' region that is not part of one: the
// function keeps its spills, and its full depth.
void Verifier::check_fastcall_contract(uint32_t subprog, int64_t off) {
  if (fastcall_stack_off_.empty() || fastcall_stack_off_[subprog] <= off || fastcall_pattern_[cur_insn_]) return;
  fastcall_stack_off_[subprog] = INT16_MIN;
  const size_t begin = func_start_[subprog];
  const size_t end = subprog + 1 < func_start_.size() ? func_start_[subprog + 1] : insns_.size();
  for (size_t i = begin; i < end; ++i) fastcall_pattern_[i] = false, fastcall_spills_[i] = 0;
}

// remove_fastcall_spills_fills: a function whose patterns stand uses the
// stack above them only.
void Verifier::apply_fastcall_depths() {
  for (size_t s = 0; s < func_start_.size(); ++s) {
    const size_t begin = func_start_[s], end = s + 1 < func_start_.size() ? func_start_[s + 1] : insns_.size();
    bool removed = false;
    for (size_t i = begin; i < end; ++i) removed |= fastcall_spills_[i] > 0;
    if (removed && !keep_fastcall_stack_[s]) stack_depth_[s] = static_cast<uint32_t>(-fastcall_stack_off_[s]);
  }
}

}  // namespace ringb::verifier
