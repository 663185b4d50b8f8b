// liveness.cc — which registers and stack slots matter where, computed once
// before the walk (a backward dataflow over each function's control flow):
//   live:    the value may be read later;
//   precise: the value may reach a decision the verifier makes — a
//            conditional jump, a memory access's address, a helper or
//            function call's arguments, a checked return value.
// Pruning compares only live values, and scalars exactly only where they
// are precise: this stands in for the kernel's liveness marks and precision
// backtracking, conservatively (calls make every stack slot matter, stores
// through pointers other than r10 make the stored value precise).
#include "state.h"

namespace ringb::verifier {
namespace {

using namespace isa;

constexpr uint64_t kAllStack = ~0ull;

struct Use {
  Locs live, precise;
};

void add_reg(Locs& l, int r) {
  if (r >= 0 && r < 10) l.regs |= static_cast<uint16_t>(1u << r);
}
bool has_reg(const Locs& l, int r) { return r >= 0 && r < 10 && (l.regs >> r & 1); }
void del_reg(Locs& l, int r) {
  if (r >= 0 && r < 10) l.regs &= static_cast<uint16_t>(~(1u << r));
}

}  // namespace

// One instruction, backwards: `out` is what matters after it; returns what
// matters before it.
static void transfer(const Insn& in, bool ret_checked, bool is_iter_call, Locs& live, Locs& prec) {
  const uint8_t c = cls(in.code);
  const int d = in.dst, s = in.src;
  auto spi = [&](int16_t off, int size) -> int {
    if (off >= 0 || off < -kStackSize) return -1;
    (void)size;
    return (-off - 1) / 8;
  };
  switch (c) {
    case kAlu:
    case kAlu64: {
      const uint8_t o = op(in.code);
      const bool x = src_bit(in.code) == kX && o != kEnd && o != kNeg;
      const bool dl = has_reg(live, d), dp = has_reg(prec, d);
      if (o == kMov) {
        del_reg(live, d), del_reg(prec, d);
        if (x) {
          if (dl) add_reg(live, s);
          if (dp) add_reg(prec, s);
        }
      } else {
        if (x) {
          if (dl) add_reg(live, s);
          if (dp) add_reg(prec, s);
        }
        // dst is read by the op: live if its result is
      }
      break;
    }
    case kLdx: {
      const bool dl = has_reg(live, d), dp = has_reg(prec, d);
      del_reg(live, d), del_reg(prec, d);
      if (s == 10) {
        const int k = spi(in.off, size_bytes(in.code));
        if (k >= 0) {
          if (dl) live.stack |= 1ull << k;
          if (dp) prec.stack |= 1ull << k;
        }
      } else {
        if (dl) live.stack = kAllStack;
        if (dp) prec.stack = kAllStack;
      }
      add_reg(live, s), add_reg(prec, s);  // the address
      break;
    }
    case kSt:
    case kStx: {
      const bool atomic = c == kStx && mode(in.code) == kAtomic;
      if (d == 10 && !atomic) {
        const int k = spi(in.off, size_bytes(in.code));
        if (k >= 0) {
          const bool sl = live.stack >> k & 1, sp = prec.stack >> k & 1;
          if (size_bytes(in.code) == 8) {
            live.stack &= ~(1ull << k), prec.stack &= ~(1ull << k);
          }
          if (c == kStx) {
            if (sl) add_reg(live, s);
            if (sp) add_reg(prec, s);
          }
        }
      } else {
        if (c == kStx) add_reg(live, s), add_reg(prec, s);
        if (atomic) live.stack = prec.stack = kAllStack;
      }
      add_reg(live, d), add_reg(prec, d);
      if (atomic) add_reg(live, 0), add_reg(prec, 0);
      break;
    }
    case kLd:
      if (is_ld_imm64(in)) {
        del_reg(live, d), del_reg(prec, d);
      } else {  // LD_ABS/IND: r6 is the context, r0 the result, r1-r5 clobbered
        for (int r = 0; r <= 5; ++r) del_reg(live, r), del_reg(prec, r);
        add_reg(live, 6), add_reg(prec, 6);
        if (mode(in.code) == kInd) add_reg(live, s), add_reg(prec, s);
      }
      break;
    default: {  // jumps
      const uint8_t o = op(in.code);
      if (o == kJa || o == 0xe0) break;  // 0xe0: may_goto reads no register
      if (o == kExit) {
        live = prec = Locs{};
        add_reg(live, 0);
        if (ret_checked) add_reg(prec, 0);
        break;
      }
      if (o == kCall) {
        for (int r = 0; r <= 5; ++r) del_reg(live, r), del_reg(prec, r);
        for (int r = 1; r <= 5; ++r) add_reg(live, r), add_reg(prec, r);
        live.stack = kAllStack;
        // An iterator kfunc reads only its iterator, whose state is compared
        // in full anyway: the stack's data decides nothing there.
        if (!is_iter_call) prec.stack = kAllStack;
        break;
      }
      add_reg(live, d), add_reg(prec, d);
      if (src_bit(in.code) == kX) add_reg(live, s), add_reg(prec, s);
      break;
    }
  }
}

void Verifier::compute_liveness() {
  const size_t n = insns_.size();
  live_.assign(n + 1, Locs{});
  precise_.assign(n + 1, Locs{});
  const bool main_ret_checked = prog_.type == ProgType::Tracing;
  // Whose r0 at exit may reach a decision: the program's and the exception
  // callback's when the program type checks it, a callback's (its return is
  // checked), and a static function's where some call of it uses r0 in a
  // decision — found by running the dataflow again until no call adds one
  // (a function returning a value nobody tests prunes like the kernel's
  // imprecise scalars).
  std::vector<bool> ret_checked(func_start_.size(), false);
  ret_checked[0] = main_ret_checked;
  if (exc_cb_sub_ < ret_checked.size()) ret_checked[exc_cb_sub_] = main_ret_checked;
  for (size_t i = 0; i < n; ++i) {
    if (second_half_[i] || !is_ld_imm64(insns_[i]) || insns_[i].src != kPseudoFunc) continue;
    const int64_t t = static_cast<int64_t>(i) + insns_[i].imm + 1;
    if (t >= 0 && static_cast<size_t>(t) < n) ret_checked[subprog_of(static_cast<uint32_t>(t))] = true;
  }
  std::vector<uint32_t> work;
  std::vector<bool> queued(n, false);
  for (bool again = true; again;) {
    for (size_t i = n; i-- > 0;) {
      if (second_half_[i] || queued[i]) continue;
      work.push_back(static_cast<uint32_t>(i));
      queued[i] = true;
    }
    while (!work.empty()) {
      const uint32_t i = work.back();
      work.pop_back();
      queued[i] = false;
      Locs live, prec;
      for (uint32_t t : succ_[i]) {
        live.regs |= live_[t].regs, live.stack |= live_[t].stack;
        prec.regs |= precise_[t].regs, prec.stack |= precise_[t].stack;
      }
      transfer(insns_[i], ret_checked[subprog_of(i)], is_iter_kfunc_call(i), live, prec);
      // precise implies live
      live.regs |= prec.regs, live.stack |= prec.stack;
      if (live.regs == live_[i].regs && live.stack == live_[i].stack && prec.regs == precise_[i].regs &&
          prec.stack == precise_[i].stack)
        continue;
      live_[i] = live, precise_[i] = prec;
      for (uint32_t p : pred_[i])
        if (!queued[p]) queued[p] = true, work.push_back(p);
    }
    again = false;
    for (size_t i = 0; i + 1 < n; ++i) {
      const Insn& in = insns_[i];
      if (second_half_[i] || in.code != (kJmp | kCall) || in.src != kPseudoCall) continue;
      const int64_t t = static_cast<int64_t>(i) + in.imm + 1;
      if (t < 0 || static_cast<size_t>(t) >= n) continue;
      const uint32_t callee = subprog_of(static_cast<uint32_t>(t));
      if (!ret_checked[callee] && (precise_[i + 1].regs & 1)) ret_checked[callee] = true, again = true;
    }
  }
}

}  // namespace ringb::verifier
