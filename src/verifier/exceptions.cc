// exceptions.cc — bpf_throw and the exception callback, as the kernel has
// them: a throw is an exit of the whole program (no reference, lock or RCU
// section may be left; without an exception callback the cookie in R1 is
// the program's return value and meets its return rules); the callback
// (`__exception_cb(fn)`) is a global function of one integer argument
// returning a scalar, verified as an entry of its own with the program's
// return rules, never called directly; and no callback — bpf_loop's,
// for_each's, the rbtree's `less`, the exception callback itself — may
// throw, nor any function one of them calls (check_max_stack_depth).
#include <bpf/btf.h>

#include <string_view>

#include "state.h"

namespace ringb::verifier {
namespace {

using namespace isa;

constexpr std::string_view kExcTag = "exception_callback:";

}  // namespace

bool Verifier::is_throw(const Insn& in) const {
  return in.code == (kJmp | kCall) && in.src == kPseudoKfuncCall && in.off == 0 && in.imm >= 0 &&
         static_cast<size_t>(in.imm) < obj_.kfuncs.size() && obj_.kfuncs[static_cast<size_t>(in.imm)] == "bpf_throw";
}

void Verifier::check_exception_cb_static() {
  if (obj_.btf && prog_.btf_func_id) {
    int tags = 0;
    for (const std::string& t : obj_.btf->decl_tags(prog_.btf_func_id))
      if (t.compare(0, kExcTag.size(), kExcTag) == 0) ++tags;
    if (tags > 1) fail("multiple exception callback tags for main subprog");
  }
  if (prog_.exception_cb >= insns_.size()) return;
  exc_cb_sub_ = subprog_of(prog_.exception_cb);
  for (size_t i = 0; i < insns_.size(); ++i) {
    const Insn& in = insns_[i];
    if (second_half_[i] || in.code != (kJmp | kCall) || in.src != kPseudoCall) continue;
    const int64_t t = static_cast<int64_t>(i) + in.imm + 1;
    if (t == static_cast<int64_t>(prog_.exception_cb)) {
      cur_insn_ = static_cast<uint32_t>(i);
      fail("insn " + std::to_string(i) + " cannot call exception cb directly");
    }
  }
  // btf_prepare_func_args: a scalar return, one integer argument
  const Program::Func& fn = prog_.funcs[exc_cb_sub_];
  const btf_type* func = obj_.btf ? obj_.btf->type(fn.btf_id) : nullptr;
  const btf_type* proto = func ? obj_.btf->type(func->type) : nullptr;
  if (!proto) return;
  const btf_type* ret = obj_.btf->type(obj_.btf->skip_modifiers(proto->type));
  if (!ret || !(btf_is_int(ret) || btf_is_enum(ret) || btf_is_enum64(ret)))
    fail("Global function " + fn.name + "() doesn't return scalar. Only those are supported.");
  bool ok = btf_vlen(proto) == 1;
  if (ok) {
    const btf_type* a = obj_.btf->type(obj_.btf->skip_modifiers(btf_params(proto)[0].type));
    ok = a && (btf_is_int(a) || btf_is_enum(a) || btf_is_enum64(a));
  }
  if (!ok) fail("exception cb only supports single integer argument");
}

void Verifier::check_throw(State& st) {
  // the kernel's exception exit: process_bpf_exit_full with exception_exit
  if (any_lock_held(st)) fail("bpf_throw cannot be used inside bpf_spin_lock-ed region");
  check_ref_leak(st, "bpf_throw");
  if (st.rcu_depth) fail("bpf_throw cannot be used inside bpf_rcu_read_lock-ed region");
  // without a callback of its own the cookie is what the program returns
  if (exc_cb_sub_ == UINT32_MAX) check_return_range(st, 1);
  path_done(st);
}

void Verifier::walk_exception_cb() {
  if (exc_cb_sub_ == UINT32_MAX) return;
  State s;
  s.frames.emplace_back();
  Frame& f = s.frames[0];
  f.subprog = exc_cb_sub_;
  mark_unknown(f.regs[1]);  // the cookie
  mark_known(f.regs[10], 0);
  f.regs[10].type = RegType::Stack;
  s.insn = prog_.exception_cb;
  pending_.push_back(std::move(s));
  walk();
}

// After the walk, along the call graph (calls and callback references) from
// the program and from the exception callback: no throw in a callback or
// in what it calls.
void Verifier::check_throw_callers() {
  const size_t nf = func_start_.size();
  std::vector<bool> cb = is_cb_;
  cb.resize(nf);
  if (exc_cb_sub_ != UINT32_MAX) cb[exc_cb_sub_] = true;
  // subprogs reached with a callback somewhere on the chain
  std::vector<bool> under_cb(nf), seen(nf * 2);
  std::vector<std::pair<uint32_t, bool>> work{{0u, false}};
  if (exc_cb_sub_ != UINT32_MAX) work.emplace_back(exc_cb_sub_, true);
  while (!work.empty()) {
    auto [sub, in_cb] = work.back();
    work.pop_back();
    in_cb = in_cb || cb[sub];
    if (seen[sub * 2 + in_cb]) continue;
    seen[sub * 2 + in_cb] = true;
    if (in_cb) under_cb[sub] = true;
    const uint32_t end = sub + 1 < nf ? func_start_[sub + 1] : static_cast<uint32_t>(insns_.size());
    for (uint32_t i = func_start_[sub]; i < end; ++i) {
      const Insn& in = insns_[i];
      if (second_half_[i]) continue;
      const bool call = in.code == (kJmp | kCall) && in.src == kPseudoCall;
      const bool func = is_ld_imm64(in) && in.src == kPseudoFunc;
      if (!call && !func) continue;
      const uint32_t t = static_cast<uint32_t>(static_cast<int64_t>(i) + in.imm + 1);
      if (t < insns_.size()) work.emplace_back(subprog_of(t), in_cb);
    }
  }
  for (uint32_t sub = 0; sub < nf; ++sub) {
    if (!under_cb[sub]) continue;
    const uint32_t end = sub + 1 < nf ? func_start_[sub + 1] : static_cast<uint32_t>(insns_.size());
    for (uint32_t i = func_start_[sub]; i < end; ++i) {
      if (second_half_[i] || !is_throw(insns_[i])) continue;
      cur_insn_ = i;
      fail("bpf_throw kfunc (insn " + std::to_string(i) + ") cannot be called from callback subprog " +
           std::to_string(sub));
    }
  }
}

}  // namespace ringb::verifier
