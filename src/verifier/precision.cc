// precision.cc — precision tracking, after the kernel's mark_chain_precision
// and backtrack_insn. Explored states mark the scalars whose exact value
// some path from them needed (a pointer's offset, a branch decided by it, a
// helper's size or constant argument, a checked return value, a stored
// zero); pruning compares only those exactly (states.cc), the others match
// any scalar. A use walks the current path back through the instructions
// of each state's history (State::hist), turning "this register now" into
// "these registers and stack slots then", and marks them in every
// checkpoint it passes, until nothing is left to explain.
//
// Where backtracking cannot follow (a callback's frame, an atomic on a
// value it tracks, an inconsistency), every scalar on the path becomes
// precise: always sound, as the kernel's mark_all_scalars_precise.
#include "ringb/encoding.h"
#include "state.h"

namespace ringb::verifier {
namespace {

using namespace isa;

constexpr uint16_t kArgRegs = 0x3e;  // r1-r5

bool has(const PreciseSet& bt, int f, int r) { return bt.regs[f] >> r & 1; }
void set(PreciseSet& bt, int f, int r) { bt.regs[f] = static_cast<uint16_t>(bt.regs[f] | 1u << r); }
void clear(PreciseSet& bt, int f, int r) { bt.regs[f] = static_cast<uint16_t>(bt.regs[f] & ~(1u << r)); }

bool intersects(const PreciseSet& a, const PreciseSet& b) {
  for (int f = 0; f < kMaxCallFrames; ++f)
    if ((a.regs[f] & b.regs[f]) || (a.stack[f] & b.stack[f])) return true;
  return false;
}

void add(PreciseSet& a, const PreciseSet& b) {
  for (int f = 0; f < kMaxCallFrames; ++f) a.regs[f] = static_cast<uint16_t>(a.regs[f] | b.regs[f]), a.stack[f] |= b.stack[f];
}

// Both run at every instruction a walk goes back over: an OR over every
// frame without early exits (the compiler vectorises it).
bool any_stack(const PreciseSet& bt) {
  uint64_t any = 0;
  for (int f = 0; f < kMaxCallFrames; ++f) any |= bt.stack[f];
  return any != 0;
}

// bt names registers of frame f and nothing else.
bool only_regs_of(const PreciseSet& bt, int f) {
  uint32_t others = 0;
  for (int g = 0; g < kMaxCallFrames; ++g) others |= g == f ? 0u : bt.regs[g];
  return !any_stack(bt) && others == 0;
}

HistEntry now_entry(const State& st) {
  HistEntry e;
  e.insn = st.insn;
  e.frame = static_cast<uint8_t>(st.frames.size() - 1);
  e.flags = st.cur().in_callback ? kHistCallback : 0;
  return e;
}

}  // namespace

void Verifier::mark_precise(const State& st, int regno) {
  if (regno >= 0 && regno <= 9) mark_precise_regs(st, static_cast<uint16_t>(1u << regno));
}

void Verifier::mark_precise_regs(const State& st, uint16_t regs) {
  PreciseSet bt;
  const int f = static_cast<int>(st.frames.size() - 1);
  for (int r = 0; r <= 9; ++r)
    if ((regs >> r & 1) && st.cur().regs[r].is_scalar()) set(bt, f, r);
  if (bt.regs[f]) mark_chain(st, bt, now_entry(st), true);  // one walk for all of them
}

void Verifier::mark_precise_slot(const State& st, int frame, size_t spi) {
  if (spi >= 64) return mark_all_precise(st);
  PreciseSet bt;
  bt.stack[frame] = 1ull << spi;
  mark_chain(st, bt, now_entry(st), true);
}

void Verifier::propagate_precision(const State& old, const State& cur) {
  // Only what the comparison looked at: live values that may reach a
  // decision (liveness.cc), as states_equal.
  PreciseSet bt;
  for (size_t f = 0; f < old.frames.size(); ++f) {
    uint32_t at = cur.insn;
    if (f + 1 < cur.frames.size()) {
      const Frame& above = cur.frames[f + 1];
      at = above.in_callback ? above.callsite : above.callsite + 1;
    }
    const Locs& prec = precise_[at];
    const Frame& of = old.frames[f];
    for (int r = 0; r < 10; ++r)
      if (of.regs[r].is_scalar() && of.regs[r].precise && (prec.regs >> r & 1)) set(bt, static_cast<int>(f), r);
    for (size_t spi = 0; spi < of.stack.size() && spi < 64; ++spi) {
      const StackSlot& s = of.stack[spi];
      if (s.type[7] == Slot::Spill && s.spilled.is_scalar() && s.spilled.precise && (prec.stack >> spi & 1))
        bt.stack[f] |= 1ull << spi;
    }
  }
  if (!bt.empty()) mark_chain(cur, bt, now_entry(cur), false);
}

void Verifier::mark_all_precise(const State& cur) {
  for (int32_t p = cur.parent; p >= 0; p = explored_[static_cast<size_t>(p)].parent) {
    Explored& e = explored_[static_cast<size_t>(p)];
    if (e.all_precise) break;
    e.all_precise = true;
    for (Frame& f : e.state.frames) {
      for (Reg& r : f.regs)
        if (r.is_scalar()) r.precise = true;
      for (StackSlot& s : f.stack)
        if (s.type[7] == Slot::Spill && s.spilled.is_scalar()) s.spilled.precise = true;
    }
  }
}

// `now`: the instruction being checked (skip_now: its own effect is not
// walked back: the use is before it) or the one a pruned state stands at.
//
// A loop's counter is decided on at every turn, and each walk for it would
// go back over the same history to the same checkpoint: a walk that
// reaches a point where an earlier walk started (HistEntry::walked),
// needing no more registers than it did, stops there.
void Verifier::mark_chain(const State& cur, PreciseSet bt, const HistEntry& now, bool skip_now) {
  const HistEntry* later = &now;
  size_t end = cur.hist.size();
  if (skip_now && end && cur.hist[end - 1].insn == now.insn) later = &cur.hist[--end];
  const HistEntry* start = end < cur.hist.size() ? &cur.hist[end] : nullptr;
  const bool regs_only = start && only_regs_of(bt, start->frame);
  const uint16_t start_regs = start ? bt.regs[start->frame] : 0;
  const int walked = backtrack_hist(cur.hist, end, later, bt);
  if (!walked) return mark_all_precise(cur);
  if (regs_only) start->walked = static_cast<uint16_t>(start->walked | start_regs);
  if (walked == 2) return;
  for (int32_t p = cur.parent; p >= 0 && !bt.empty(); p = explored_[static_cast<size_t>(p)].parent) {
    State& s = explored_[static_cast<size_t>(p)].state;
    if (!mark_in(s, bt)) return mark_all_precise(cur);
    if (bt.empty()) return;
    const int walked_here = backtrack_hist(s.hist, s.hist.size(), later, bt);
    if (!walked_here) return mark_all_precise(cur);
    if (walked_here == 2) return;
  }
}

int Verifier::backtrack_hist(const std::vector<HistEntry>& h, size_t end, const HistEntry*& later, PreciseSet& bt) {
  for (size_t k = end; k-- > 0;) {
    if (k + 1 < h.size()) {
      const HistEntry& next = h[k + 1];
      if (next.walked && !(bt.regs[next.frame] & ~next.walked) && only_regs_of(bt, next.frame)) return 2;
    }
    if (!backtrack_insn(h[k], later, bt)) return 0;
    later = &h[k];
    if (bt.empty()) return 1;
  }
  return 1;
}

// Marks what bt needs in a checkpoint; what it has exactly already (a
// pointer, a precise scalar, whose sources were marked then) leaves bt.
// False: bt names something the state does not have.
bool Verifier::mark_in(State& s, PreciseSet& bt) {
  for (int f = 0; f < kMaxCallFrames; ++f) {
    if (!bt.regs[f] && !bt.stack[f]) continue;
    if (static_cast<size_t>(f) >= s.frames.size()) return false;
    Frame& fr = s.frames[static_cast<size_t>(f)];
    for (uint32_t m = bt.regs[f]; m; m &= m - 1) {
      const int r = __builtin_ctz(m);
      Reg& reg = fr.regs[r];
      if (!reg.is_scalar() || reg.precise) clear(bt, f, r);
      else reg.precise = true;
    }
    for (uint64_t m = bt.stack[f]; m; m &= m - 1) {
      const size_t spi = static_cast<size_t>(__builtin_ctzll(m));
      StackSlot* sl = spi < fr.stack.size() ? &fr.stack[spi] : nullptr;
      if (!sl || sl->type[7] != Slot::Spill || !sl->spilled.is_scalar() || sl->spilled.precise)
        bt.stack[f] &= ~(1ull << spi);
      else
        sl->spilled.precise = true;
    }
  }
  return true;
}

// What bt needs after instruction e, turned into what it needs before it.
// `later`: the instruction walked after e (for calls and exits between frames).
// False: backtracking cannot follow here.
bool Verifier::backtrack_insn(const HistEntry& e, const HistEntry* later, PreciseSet& bt) const {
  const int f = e.frame;
  if (later && later->frame != e.frame) {
    if (e.frame + 1 == later->frame) {  // e called the function whose first instruction is `later`
      const int cf = later->frame;
      if ((later->flags & kHistCallback) || bt.stack[cf] || (bt.regs[cf] & ~(kArgRegs | 1u << 10))) return false;
      bt.regs[f] = static_cast<uint16_t>(bt.regs[f] | (bt.regs[cf] & kArgRegs));
      bt.regs[cf] = 0;
      return true;  // the arguments are the caller's registers
    }
    if (e.frame == later->frame + 1) {  // e is the callee's exit, `later` after the call
      const int cf = later->frame;
      if ((e.flags & kHistCallback) || (bt.regs[cf] & kArgRegs)) return false;
      if (has(bt, cf, 0)) clear(bt, cf, 0), set(bt, f, 0);
      return true;
    }
    return false;
  }
  const PreciseSet* linked = e.linked ? &linked_[e.linked - 1] : nullptr;
  if (!bt.regs[f] && !linked && !any_stack(bt)) return true;  // nothing here to explain
  if (linked && intersects(bt, *linked)) add(bt, *linked);
  const Insn& in = insns_[e.insn];
  const int d = in.dst, s = in.src;
  switch (cls(in.code)) {
    case kAlu:
    case kAlu64: {
      if (!has(bt, f, d)) break;
      const uint8_t o = op(in.code);
      const bool x = src_bit(in.code) == kX && o != kEnd && o != kNeg;
      if (o == kMov) clear(bt, f, d);
      if (x) set(bt, f, s);
      break;
    }
    case kLdx:
      if (!has(bt, f, d)) break;
      clear(bt, f, d);
      if (e.flags & kHistStack) bt.stack[e.st_frame] |= 1ull << e.spi;  // a fill: the slot's value
      break;
    case kSt:
    case kStx:
      if (cls(in.code) == kStx && mode(in.code) == kAtomic) {
        // an atomic's fetched value, or a slot it changes: not followed
        if (any_stack(bt) || has(bt, f, s) || has(bt, f, 0) || has(bt, f, d)) return false;
        break;
      }
      if (!(e.flags & kHistStack) || !(bt.stack[e.st_frame] >> e.spi & 1)) break;
      bt.stack[e.st_frame] &= ~(1ull << e.spi);  // a spill: the stored register's value
      if (cls(in.code) == kStx) set(bt, f, s);
      break;
    case kLd:
      if (is_ld_imm64(in)) {
        if (has(bt, f, d)) clear(bt, f, d);
      } else {  // LD_ABS/IND: r0 is packet data, r1-r5 are clobbered
        clear(bt, f, 0);
        if (bt.regs[f] & kArgRegs) return false;
      }
      break;
    default: {
      const uint8_t o = op(in.code);
      if (o == kJa || o == kExit) break;
      if (o == kCall) {  // a helper's, kfunc's or global function's result (a static one's: above)
        clear(bt, f, 0);
        if (bt.regs[f] & kArgRegs) return false;
        break;
      }
      if (src_bit(in.code) == kX && (has(bt, f, d) || has(bt, f, s))) set(bt, f, d), set(bt, f, s);
      break;
    }
  }
  if (linked && intersects(bt, *linked)) add(bt, *linked);
  return true;
}

void Verifier::note_stack_access(State& st, const Frame& f, int64_t off) {
  if (st.hist.empty() || off >= 0 || off < -kStackSize) return;
  HistEntry& e = st.hist.back();
  e.flags |= kHistStack;
  e.st_frame = static_cast<uint8_t>(&f - st.frames.data());
  e.spi = static_cast<uint8_t>((-off - 1) / 8);
}

// Scalars sharing an id with a conditional jump's operands learn what it
// narrows (jumps.cc): one of them needed exactly needs them all.
void Verifier::note_linked(State& st, State& other, uint32_t id1, uint32_t id2) {
  if ((!id1 && !id2) || st.hist.empty()) return;
  PreciseSet l;
  int n = 0;
  for (size_t f = 0; f < st.frames.size(); ++f) {
    const Frame& fr = st.frames[f];
    for (int r = 0; r < 10; ++r) {
      const Reg& q = fr.regs[r];
      if (q.is_scalar() && q.id && (link_base(q) == id1 || link_base(q) == id2)) set(l, static_cast<int>(f), r), ++n;
    }
    for (size_t spi = 0; spi < fr.stack.size() && spi < 64; ++spi) {
      const StackSlot& sl = fr.stack[spi];
      if (sl.type[7] == Slot::Spill && sl.spilled.is_scalar() && sl.spilled.id &&
          (link_base(sl.spilled) == id1 || link_base(sl.spilled) == id2))
        l.stack[f] |= 1ull << spi, ++n;
    }
  }
  if (n < 2) return;
  linked_.push_back(l);
  st.hist.back().linked = other.hist.back().linked = static_cast<uint32_t>(linked_.size());
}

}  // namespace ringb::verifier
