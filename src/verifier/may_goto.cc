// may_goto.cc — BPF_JMP|BPF_JCOND may_goto as the kernel's
// check_cond_jmp_op and is_state_visited treat it: the walk goes on at the
// target (the budget spent) and queues the fall-through (one more turn,
// may_goto_depth + 1) with its imprecise scalars widened against the
// previous loop entry; at the may_goto itself, a forced checkpoint, a state
// covered (range within) by one still on the path at another depth ends the
// path, so a loop bounded only by may_goto converges instead of unrolling.
#include "state.h"

namespace ringb::verifier {
namespace {

using namespace isa;

// Past this many turns every changed scalar widens (kfuncs_dynptr_iter.cc
// does the same for iterators): the liveness pre-pass is coarser than
// precision marks, and this keeps such loops finite.
constexpr uint32_t kWidenAllDepth = 32;
constexpr uint8_t kJcond = 0xe0;  // BPF_JCOND: may_goto

}  // namespace

bool Verifier::is_may_goto(uint32_t insn) const {
  return insn < insns_.size() && (cls(insns_[insn].code) == kJmp || cls(insns_[insn].code) == kJmp32) &&
         op(insns_[insn].code) == kJcond;
}

bool Verifier::check_may_goto(State& st, const Insn& in) {
  ++jmps_since_state_;
  const uint32_t i = st.insn;
  State q = st;
  q.insn = i + 1;
  q.prev_insn = i;
  ++q.may_goto_depth;
  // find_prev_entry: the loop's previous entry here on this path, past the
  // state the checkpoint just recorded.
  bool skipped = false;
  for (int32_t p = st.parent; p >= 0; p = explored_[static_cast<size_t>(p)].parent) {
    const Explored& e = explored_[static_cast<size_t>(p)];
    if (e.state.insn != i || e.state.frames.size() != q.frames.size()) continue;
    if (!skipped) {
      skipped = true;
      continue;
    }
    widen_imprecise(e.state, q, q.may_goto_depth > kWidenAllDepth);
    break;
  }
  push_branch(q, q.insn);
  st.insn = static_cast<uint32_t>(static_cast<int64_t>(i) + in.off + 1);
  return true;
}

}  // namespace ringb::verifier
