// states.cc — state equivalence and pruning (the kernel's is_state_visited
// and states_equal): a path reaching a prune point in a state that an
// explored state there subsumes is safe and stops; a state equal to one
// still being explored on the same path is an infinite loop. A scalar is
// compared only where it is live (liveness.cc) and precise: marked so in
// the explored state by backtracking (precision.cc), and not ruled out by
// liveness.cc's static bound on what may reach a decision.
#include <algorithm>

#include "state.h"

namespace ringb::verifier {
namespace {

// Old ids to current ids, consistently (check_ids). The first pairs live
// inline: a states_equal call allocates nothing unless it links many ids
// (malloc/free were ~7% of a prune-heavy verification).
// (The pairs are a plain struct: std::pair's constructor zeroed all 16 on
// every call, a fifth of states_equal's time.)
struct IdMap {
  static constexpr size_t kInline = 16;
  struct Pair {
    uint32_t first, second;
  };
  Pair small[kInline];
  size_t n = 0;
  std::vector<std::pair<uint32_t, uint32_t>> more;
  bool check(uint32_t old_id, uint32_t cur_id) {
    if (!old_id && !cur_id) return true;
    if (!old_id || !cur_id) return false;
    for (size_t k = 0; k < n; ++k) {
      if (small[k].first == old_id) return small[k].second == cur_id;
      if (small[k].second == cur_id) return false;
    }
    for (auto& [o, c] : more) {
      if (o == old_id) return c == cur_id;
      if (c == cur_id) return false;
    }
    if (n < kInline) small[n++] = {old_id, cur_id};
    else more.emplace_back(old_id, cur_id);
    return true;
  }
};

bool range_within(const Reg& o, const Reg& c) {
  return o.umin <= c.umin && o.umax >= c.umax && o.smin <= c.smin && o.smax >= c.smax && o.u32_min <= c.u32_min &&
         o.u32_max >= c.u32_max && o.s32_min <= c.s32_min && o.s32_max >= c.s32_max;
}

bool same_reg(const Reg& a, const Reg& b) {
  return a.type == b.type && a.flags == b.flags && a.frameno == b.frameno && a.off == b.off && a.var_off == b.var_off &&
         a.smin == b.smin && a.smax == b.smax && a.umin == b.umin && a.umax == b.umax && a.s32_min == b.s32_min &&
         a.s32_max == b.s32_max && a.u32_min == b.u32_min && a.u32_max == b.u32_max && a.aux == b.aux &&
         a.aux2 == b.aux2;
}

// mode: 0 range_within (pruning), 1 exact (loops), 2 shape (scalars always
// match: used to widen callback iterations).
bool reg_safe(const Reg& o, const Reg& c, int mode, IdMap& ids, bool live = true, bool precise = true) {
  const bool exact = mode == 1;
  if (mode == 0 && !live) return true;  // never read again: anything will do
  if (mode == 0 && !precise && o.type == RegType::Scalar && c.type == RegType::Scalar) return true;
  if (o.type == RegType::NotInit) return !exact || c.type == RegType::NotInit;
  if (mode == 2 && o.type == RegType::Scalar) return c.type == RegType::Scalar;
  if (exact) return same_reg(o, c) && ids.check(o.id, c.id) && ids.check(o.ref_obj_id, c.ref_obj_id);
  if (o.type != c.type) return false;
  if (o.type == RegType::Scalar) {
    // An old scalar with no link asks only for its range; a linked one for
    // the same links at the same distances (regsafe, as Linux 7.0 has it:
    // 6.18 also refused a current link the old state did not have).
    if (o.id) {
      if ((o.id & kIdAddConst) != (c.id & kIdAddConst) || link_delta(o) != link_delta(c)) return false;
      if (!ids.check(link_base(o), link_base(c))) return false;
    }
    return range_within(o, c) && o.var_off.includes(c.var_off);
  }
  if (o.flags != c.flags || o.off != c.off || o.frameno != c.frameno || o.aux2 != c.aux2) return false;
  if (o.type == RegType::Packet || o.type == RegType::PacketMeta) {
    if (c.aux < o.aux) return false;  // the current range must cover the old one
  } else if (o.aux != c.aux) {
    return false;
  }
  if (!range_within(o, c) || !o.var_off.includes(c.var_off)) return false;
  return ids.check(o.id, c.id) && ids.check(o.ref_obj_id, c.ref_obj_id);
}

// states_maybe_looping: a cheap necessary condition for an exact match,
// the current frame's registers alike (ids aside).
bool maybe_looping(const State& o, const State& c) {
  if (o.frames.size() != c.frames.size()) return false;
  const Frame& of = o.frames.back();
  const Frame& cf = c.frames.back();
  for (int r = 0; r < kMaxReg; ++r) {
    if (of.regs[r].type == RegType::NotInit && cf.regs[r].type == RegType::NotInit) continue;
    if (!same_reg(of.regs[r], cf.regs[r])) return false;
  }
  return true;
}

bool is_unknown_scalar(const Reg& r) { return r.is_scalar() && r.var_off.is_unknown() && r.smin == INT64_MIN && r.umax == UINT64_MAX; }

// An explored spilled scalar no path from it needed exactly: any data or
// scalar in the current slot will do.
bool imprecise_spill(const StackSlot& os, const StackSlot& cs) {
  if (os.obj || cs.obj || os.type[7] != Slot::Spill || !os.spilled.is_scalar() || os.spilled.precise) return false;
  if (cs.type[7] == Slot::Spill && !cs.spilled.is_scalar()) return false;
  for (int i = 0; i < 8; ++i)  // as the rule for slots no decision reads: written bytes stay written
    if (os.type[i] != Slot::Invalid && cs.type[i] == Slot::Invalid) return false;
  return true;
}

// One stack slot of a frame (spi) against the old state's.
bool slot_safe(const Frame& o, const Frame& c, size_t spi, int mode, IdMap& ids, const Locs& live, const Locs& prec,
               bool dyn) {
  const bool exact = mode == 1;
  static const StackSlot kEmpty{};
  const StackSlot& os = spi < o.stack.size() ? o.stack[spi] : kEmpty;
  const StackSlot& cs = spi < c.stack.size() ? c.stack[spi] : kEmpty;
  const bool ospill = os.type[7] == Slot::Spill, cspill = cs.type[7] == Slot::Spill;
  const bool slot_live = spi >= 64 || (live.stack >> spi & 1), slot_prec = spi >= 64 || (prec.stack >> spi & 1);
  if (mode == 0 && !slot_live) return true;
  if (mode == 0 && dyn && imprecise_spill(os, cs)) return true;
  if (mode == 0 && !slot_prec) {
    // only the kind of contents matters: data, or a spilled pointer
    const bool optr = ospill && !os.spilled.is_scalar(), cptr = cspill && !cs.spilled.is_scalar();
    if (!optr && !cptr) {
      bool ok = true;
      for (int i = 0; i < 8; ++i)
        if (os.type[i] != Slot::Invalid && cs.type[i] == Slot::Invalid && os.type[i] != Slot::Misc) ok = false;
      if (ok) return true;
    }
  }
  if (os.obj != cs.obj) return false;  // a dynptr or iterator, against anything else
  if (exact) {
    for (int i = 0; i < 8; ++i)
      if (os.type[i] != cs.type[i]) return false;
    if (ospill && !reg_safe(os.spilled, cs.spilled, 1, ids)) return false;
    return true;
  }
  if (ospill && cspill && std::equal(os.type, os.type + 8, cs.type)) return reg_safe(os.spilled, cs.spilled, mode, ids);
  for (int i = 0; i < 8; ++i) {
    const Slot ot = os.type[i], ct = cs.type[i];
    if (ot == Slot::Invalid) continue;
    if (ot == Slot::Misc || (mode == 2 && ot == Slot::Zero)) {
      if (ct == Slot::Spill && !cs.spilled.is_scalar()) return false;
      continue;  // as root, uninitialised stack reads as data too
    }
    if (ot == Slot::Zero) {
      if (ct == Slot::Zero) continue;
      if (ct == Slot::Spill && cs.spilled.is_null_const()) continue;
      return false;
    }
    // old: part of a spilled register
    if (ospill && os.spilled.is_scalar() && (mode == 2 || is_unknown_scalar(os.spilled)) && ct != Slot::Spill) continue;
    if (ct != Slot::Spill) return false;
    if (!reg_safe(os.spilled, cs.spilled, mode, ids)) return false;
  }
  return true;
}

// A frame's stack: in pruning only the live slots (their bits), in the
// other modes every slot.
bool stack_safe(const Frame& o, const Frame& c, int mode, IdMap& ids, const Locs& live, const Locs& prec, bool dyn) {
  const size_t n = std::max(o.stack.size(), c.stack.size());
  if (mode != 0) {
    for (size_t spi = 0; spi < n; ++spi)
      if (!slot_safe(o, c, spi, mode, ids, live, prec, dyn)) return false;
    return true;
  }
  const uint64_t within = n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
  for (uint64_t m = live.stack & within; m; m &= m - 1)
    if (!slot_safe(o, c, static_cast<size_t>(__builtin_ctzll(m)), mode, ids, live, prec, dyn)) return false;
  for (size_t spi = 64; spi < n; ++spi)
    if (!slot_safe(o, c, spi, mode, ids, live, prec, dyn)) return false;
  return true;
}

}  // namespace

bool Verifier::regs_equal(const Reg& old, const Reg& cur, bool exact) const {
  IdMap ids;
  return reg_safe(old, cur, exact ? 1 : 0, ids);
}

bool Verifier::states_equal(const State& o, const State& c, int mode_arg, bool dyn) const {
  const int mode = mode_arg == 3 ? 0 : mode_arg;
  // Most comparisons in a loop fail on a counter: an old precise constant
  // (the hint's register, below) the current state does not have. Checked
  // first, before anything is set up: a necessary condition of reg_safe.
  if (mode_arg == 0 && cmp_hint_[c.insn] < kMaxReg && o.frames.size() == c.frames.size()) {
    const int r = cmp_hint_[c.insn];
    const Reg& oreg = o.frames.back().regs[r];
    const Reg& creg = c.frames.back().regs[r];
    const bool live = r == 10 || (live_[c.insn].regs >> r & 1);
    const bool prec = (precise_[c.insn].regs >> r & 1) && (!dyn || oreg.precise);
    if (live && prec && oreg.type == RegType::Scalar && oreg.var_off.is_const() &&
        (creg.type != RegType::Scalar || !(creg.var_off == oreg.var_off)))
      return false;
  }
  if (o.frames.size() != c.frames.size() || o.lock_off != c.lock_off || o.lock_map != c.lock_map ||
      o.rcu_depth != c.rcu_depth || o.refs.size() != c.refs.size() || (o.lock_id == 0) != (c.lock_id == 0))
    return false;
  IdMap ids;
  for (size_t i = 0; i < o.refs.size(); ++i)
    if (o.refs[i].kind != c.refs[i].kind || o.refs[i].lock_map != c.refs[i].lock_map ||
        !ids.check(o.refs[i].id, c.refs[i].id))
      return false;
  if (o.lock_id && !(o.lock_id & 0x80000000u) && !ids.check(o.lock_id, c.lock_id)) return false;
  // What frame i compares: the live and precise locations where it resumes
  // (the top frame here, callers after their call). Mode 3 (an iterator's
  // next call): every register and slot counts, as the kernel's RANGE_WITHIN.
  auto locs_of = [&](size_t i, Locs& live, Locs& prec) {
    uint32_t at = c.insn;
    if (i + 1 < c.frames.size()) {
      const Frame& above = c.frames[i + 1];
      at = above.in_callback ? above.callsite : above.callsite + 1;
    }
    const Locs all{0xffff, ~uint64_t{0}};
    live = mode_arg == 3 ? all : live_[at], prec = mode_arg == 3 ? all : precise_[at];
  };
  auto reg_ok = [&](const Frame& of, const Frame& cf, int r, const Locs& prec) {
    const Reg& oreg = of.regs[r];
    const Reg& creg = cf.regs[r];
    const bool p = r == 10 || ((prec.regs >> r & 1) && (!dyn || oreg.precise));
    if (mode == 0 && !p && oreg.type == RegType::Scalar && creg.type == RegType::Scalar) return true;
    return reg_safe(oreg, creg, mode, ids, true, p);
  };
  // Pruning first compares the top frame's register that last told two
  // states apart here (a loop's counter, mostly): most comparisons fail,
  // and the order does not change the answer.
  const size_t top = o.frames.size() - 1;
  uint8_t& hint = cmp_hint_[c.insn];
  if (mode == 0 && hint < kMaxReg) {
    Locs live, prec;
    locs_of(top, live, prec);
    if ((live.regs | 1u << 10) >> hint & 1 && !reg_ok(o.frames[top], c.frames[top], hint, prec)) return false;
  }
  for (size_t i = 0; i < o.frames.size(); ++i) {
    const Frame& of = o.frames[i];
    const Frame& cf = c.frames[i];
    if (of.callsite != cf.callsite || of.subprog != cf.subprog || of.in_callback != cf.in_callback) return false;
    // bpf_loop runs still allowed: the old state's walk covered no fewer.
    if (mode == 1 ? of.loop_iters != cf.loop_iters : of.loop_iters > cf.loop_iters) return false;
    Locs live, prec;
    locs_of(i, live, prec);
    // Pruning compares only the live registers (r10 always): most at a
    // prune point are dead, and walking only the live ones' bits is a
    // good part of what a comparison costs.
    const uint32_t regs = mode == 0 ? (live.regs | 1u << 10) & 0x7ffu : 0x7ffu;
    for (uint32_t m = regs; m; m &= m - 1) {
      const int r = __builtin_ctz(m);
      if (reg_ok(of, cf, r, prec)) continue;
      if (mode == 0 && i == top) hint = static_cast<uint8_t>(r);
      return false;
    }
    if (!stack_safe(of, cf, mode, ids, live, prec, dyn && mode == 0)) return false;
  }
  return true;
}

void Verifier::widen(const State& old, State& cur) {
  for (size_t fi = 0; fi < cur.frames.size(); ++fi) {
    const Frame& of = old.frames[fi];
    Frame& cf = cur.frames[fi];
    for (int r = 0; r < kMaxReg; ++r) {
      Reg& c = cf.regs[r];
      if (c.is_scalar() && !regs_equal(of.regs[r], c, false)) mark_unknown(c);
    }
    for (size_t spi = 0; spi < cf.stack.size(); ++spi) {
      StackSlot& cs = cf.stack[spi];
      const StackSlot* os = spi < of.stack.size() ? &of.stack[spi] : nullptr;
      const bool same_spill = os && cs.type[7] == Slot::Spill && os->type[7] == Slot::Spill &&
                              regs_equal(os->spilled, cs.spilled, false);
      if (cs.type[7] == Slot::Spill && cs.spilled.is_scalar() && !same_spill) {
        for (Slot& t : cs.type)
          if (t == Slot::Spill || t == Slot::Zero) t = Slot::Misc;
        cs.spilled = Reg{};
      } else {
        for (int k = 0; k < 8; ++k)
          if (cs.type[k] == Slot::Zero && !(os && os->type[k] == Slot::Zero)) cs.type[k] = Slot::Misc;
      }
    }
  }
}

void Verifier::path_done(const State& st) {
  int32_t p = st.parent;
  while (p >= 0) {
    Explored& e = explored_[static_cast<size_t>(p)];
    if (--e.branches > 0) break;
    --cur_states_;
    p = e.parent;
  }
}

bool Verifier::visit_prune_point(State& st) {
  const uint32_t i = st.insn;
  bool add = jmps_since_state_ >= 2 && insns_since_state_ >= 8;
  if (calls_callback_[i]) add = true;
  const bool iter_next = is_iter_next_call(i);
  const bool may_goto = is_may_goto(i);
  if (iter_next || may_goto) add = true;  // a forced checkpoint: loops converge here
  auto& list = explored_at_[i];
  if (calls_callback_[i] && st.from_callback && !loop_limit_reached(st, i)) {
    // A callback's next iteration: against the previous one (the nearest
    // state at this call on the path), scalars that changed become
    // unknown, so the iterations converge (what the kernel gets from
    // imprecise scalars).
    for (int32_t p = st.parent; p >= 0; p = explored_[static_cast<size_t>(p)].parent) {
      const Explored& e = explored_[static_cast<size_t>(p)];
      if (e.state.insn != i) continue;
      if (states_equal(e.state, st, 2)) widen(e.state, st);
      break;
    }
  }
  st.from_callback = false;
  // The kernel's list walk: a state that prunes counts a hit; one that does
  // not counts a miss when a new state will be added, and leaves the list
  // once misses outnumber hits (miss_cnt > hit_cnt * n + n; n is 64 for a
  // forced checkpoint still being explored, 3 otherwise). An evicted state
  // stays in explored_ for the parent chain; only the list forgets it. This
  // keeps a loop's list short, so each visit costs a few comparisons.
  // The kernel pushes new states at the head of its list: newest first.
  const bool force = calls_callback_[i] || iter_next || may_goto;
  bool evicted = false;
  auto forget_evicted = [&] {
    if (evicted) list.erase(std::remove(list.begin(), list.end(), -1), list.end());
  };
  for (size_t k = list.size(); k-- > 0;) {
    Explored& e = explored_[static_cast<size_t>(list[k])];
    bool hit = false;
    if (e.branches > 0) {
      if (iter_next) {
        // An iterator loop converges when a state with the iterator still
        // active is covered by one on the path (is_state_visited).
        hit = states_equal(e.state, st, 3) && iter_active_at_r1(st);
      } else if (may_goto && e.state.may_goto_depth != st.may_goto_depth && states_equal(e.state, st, 3)) {
        hit = true;  // a may_goto loop converges (is_state_visited)
      } else if (force && !may_goto) {
        hit = states_equal(e.state, st, 0);
      } else if (e.state.callback_depth == st.callback_depth && e.state.may_goto_depth == st.may_goto_depth &&
                 maybe_looping(e.state, st) &&
                 states_equal(e.state, st, 1) && !iter_depths_differ(e.state, st)) {
        fail("infinite loop detected at insn " + std::to_string(i));
      }
      // A loop closing on a state still being explored: its precision
      // marks are not complete, so every scalar on the path counts.
      if (hit) mark_all_precise(st);
    } else {
      hit = states_equal(e.state, st, 0, true);
      if (hit) propagate_precision(e.state, st);  // what its paths needed, this one needs
    }
    if (hit) {
      ++e.hit_cnt;
      forget_evicted();
      path_done(st);
      return true;
    }
    // in a loop, new states are added less often (from here on in the
    // walk, as the kernel's add_new_state)
    if (e.branches > 0 && !force && jmps_since_state_ < 20 && insns_since_state_ < 100) add = false;
    if (add) ++e.miss_cnt;
    const uint32_t n = force && e.branches > 0 ? 64 : 3;
    if (e.miss_cnt > e.hit_cnt * n + n) list[k] = -1, evicted = true;
  }
  forget_evicted();
  if (!add) return false;
  Explored e;
  e.state = st;
  st.hist.clear();  // the new state's history starts here
  e.parent = st.parent;
  e.branches = 1;
  explored_.push_back(std::move(e));
  const int32_t idx = static_cast<int32_t>(explored_.size() - 1);
  list.push_back(idx);
  st.parent = idx;
  jmps_since_state_ = insns_since_state_ = 0;
  ++stats_.total_states;
  ++cur_states_;
  stats_.peak_states = std::max(stats_.peak_states, cur_states_);
  stats_.max_states_per_insn = std::max<uint32_t>(stats_.max_states_per_insn, static_cast<uint32_t>(list.size()));
  return false;
}

}  // namespace ringb::verifier
