// calls.cc — calls and exits: bpf-to-bpf calls (static functions walked in
// the caller's context, global ones checked once on their own), frames and
// the stack limit across them, exits from functions, callbacks and the
// program (return values, references and locks left over), ld_imm64 and
// LD_ABS/LD_IND.
#include <algorithm>

#include <bpf/btf.h>

#include "ringb/helpers.h"
#include "ringb/prog_ctx.h"
#include "state.h"

namespace ringb::verifier {
namespace {

using namespace isa;

bool is_global(const Object& obj, const Program::Func& fn) {
  if (!obj.btf || !fn.btf_id) return false;
  const btf_type* t = obj.btf->type(fn.btf_id);
  return t && btf_kind(t) == BTF_KIND_FUNC && btf_vlen(t) == BTF_FUNC_GLOBAL;
}

}  // namespace

void Verifier::clear_caller_saved(State& st) {
  for (int r = 0; r <= 5; ++r) st.cur().regs[r] = Reg{};
}

bool Verifier::check_call(State& st, const Insn& in) {
  if (in.src == kPseudoCall) {  // static functions may be called under a lock (Linux 6.9+)
    check_subprog_call(st, in);
    return true;
  }
  if (any_lock_held(st) && in.src == 0 && in.imm != 94) fail("function calls are not allowed while holding a lock");
  if (in.src == kPseudoKfuncCall) {
    check_kfunc_call(st, in);
  } else {
    check_helper_call(st, in);
  }
  return true;
}

// The kernel's changes_pkt_data of a subprog (check_cfg): it, or a function
// it calls, calls a helper that may move the packet, or tail-calls.
bool Verifier::subprog_changes_pkt_data(uint32_t sub) {
  if (changes_pkt_.size() != func_start_.size()) changes_pkt_.assign(func_start_.size(), -1);
  if (changes_pkt_[sub] >= 0) return changes_pkt_[sub];
  changes_pkt_[sub] = 0;  // a recursion adds nothing
  const uint32_t end = sub + 1 < func_start_.size() ? func_start_[sub + 1] : static_cast<uint32_t>(insns_.size());
  bool changes = false;
  for (uint32_t i = func_start_[sub]; i < end && !changes; ++i) {
    const Insn& in = insns_[i];
    if (second_half_[i] || cls(in.code) != kJmp || op(in.code) != kCall) continue;
    if (in.src == 0) {
      const helpers::Proto* p = helpers::find(in.imm);
      changes = in.imm == 12 || (p && p->changes_pkt_data);
    } else if (in.src == kPseudoCall) {
      const int64_t t = static_cast<int64_t>(i) + in.imm + 1;
      if (t >= 0 && static_cast<size_t>(t) < insns_.size()) changes = subprog_changes_pkt_data(subprog_of(static_cast<uint32_t>(t)));
    }
  }
  changes_pkt_[sub] = changes;
  return changes;
}

bool is_ctx_type_name(const std::string& name) {
  return name == "__sk_buff" || name == "xdp_md" || name == "pt_regs" || name == "bpf_raw_tracepoint_args";
}

uint8_t Verifier::global_arg_tags(const Program::Func& fn, int a) {
  // Read off the BTF once per argument: each walked call asks again.
  const uint64_t key = uint64_t{fn.btf_id} << 3 | static_cast<uint64_t>(a);
  if (auto it = arg_tags_.find(key); it != arg_tags_.end()) return it->second;
  uint8_t tags = 0;
  for (const std::string& t : obj_.btf->decl_tags(fn.btf_id, a)) {
    if (t.rfind("arg:", 0) != 0) continue;
    const std::string tag = t.substr(4);
    if (tag == "ctx") tags |= kArgCtx;
    else if (tag == "nonnull") tags |= kArgNonnull;
    else if (tag == "nullable") tags |= kArgNullable;
    else if (tag == "trusted") tags |= kArgTrusted;
    else if (tag == "untrusted" || tag == "arena") unmodelled("the global function argument tag arg:" + tag);
    else fail("arg#" + std::to_string(a) + " has unsupported set of tags");
  }
  const bool bad = ((tags & kArgCtx) && tags != kArgCtx) || ((tags & kArgNonnull) && (tags & (kArgNullable | kArgTrusted)));
  if (bad) fail("arg#" + std::to_string(a) + " has invalid combination of tags");
  arg_tags_.emplace(key, tags);
  return tags;
}

namespace {
// A type's name without its CO-RE flavour ("task_struct___local").
std::string without_flavour(const std::string& name) {
  const size_t at = name.find("___");
  return at == std::string::npos ? name : name.substr(0, at);
}
}  // namespace

// btf_check_func_arg_match: what a global function's pointer argument (as
// the function is checked on its own, run()) needs from its caller — the
// context itself; a trusted kernel object (__arg_trusted, maybe NULL with
// __arg_nullable); or NULL (not with __arg_nonnull) or memory of the
// pointee's size, readable and writable (a soundness mutant passed a packet
// byte as the context).
void Verifier::check_global_ptr_arg(State& st, int regno, uint32_t pointee_type, uint8_t tags) {
  const uint32_t pointee = obj_.btf->skip_modifiers(pointee_type);
  Reg& r = st.cur().regs[regno];
  const std::string arg = "arg#" + std::to_string(regno - 1);
  if ((tags & kArgCtx) || is_ctx_type_name(obj_.btf->name(pointee))) {
    if (r.type != RegType::Ctx) fail(arg + " expects pointer to ctx");
    check_ptr_off_reg(r, regno);
    return;
  }
  if (tags & kArgTrusted) {
    if ((tags & kArgNullable) && r.is_null_const()) return;
    const bool trusted = r.ref_obj_id || (r.type == RegType::BtfId && !(r.flags & (kUntrusted | kRcu)) &&
                                          !(r.aux2 & kBtfLegacy));
    if (!trusted) fail("R" + std::to_string(regno) + " must be referenced or trusted");
    if (r.type != RegType::BtfId || ((r.flags & kMaybeNull) && !(tags & kArgNullable)))
      fail("R" + std::to_string(regno) + " type=" + type_str(r) + " expected=ptr_, trusted_ptr_, rcu_ptr_");
    const std::string have = without_flavour(btf_name(r)), want = without_flavour(obj_.btf->name(pointee));
    if (have != want) fail("R" + std::to_string(regno) + " is of type " + have + " but " + want + " is expected");
    check_ptr_off_reg(r, regno);
    return;
  }
  if (r.is_null_const()) {
    if (tags & kArgNonnull) fail(arg + " is expected to be non-NULL");
    return;
  }
  const int64_t size = obj_.btf->size_of(pointee);
  const bool memory = r.type == RegType::Stack || r.type == RegType::Packet || r.type == RegType::PacketMeta ||
                      r.type == RegType::MapKey || r.type == RegType::MapValue || r.type == RegType::Mem ||
                      (r.type == RegType::BtfId && !(r.flags & kUntrusted));
  if (!memory || size <= 0) fail("R" + std::to_string(regno) + " type=" + type_str(r) + " expected=fp");
  const Reg saved = r;
  r.flags &= ~kMaybeNull;  // checked as if present (check_mem_reg)
  check_helper_mem(st, regno, size, size, false, true, -1);
  check_helper_mem(st, regno, size, size, true, true, -1);
  r = saved;
  if ((tags & kArgNonnull) && (r.flags & kMaybeNull)) fail(arg + " is expected to be non-NULL");
}

void Verifier::check_subprog_call(State& st, const Insn& in) {
  const uint32_t here = st.insn;
  const uint32_t target = static_cast<uint32_t>(static_cast<int64_t>(here) + in.imm + 1);
  const uint32_t sub = subprog_of(target);
  const uint32_t caller = st.cur().subprog;
  if (std::find(callees_[caller].begin(), callees_[caller].end(), sub) == callees_[caller].end())
    callees_[caller].push_back(sub);
  const Program::Func& fn = prog_.funcs[sub];
  if (is_global(obj_, fn)) {
    if (any_lock_held(st))
      fail("global function calls are not allowed while holding a lock,\nuse static function instead");
    // Checked on its own, against its BTF signature; here only the arguments.
    const btf_type* proto = btf__type_by_id(obj_.btf->raw(), btf__type_by_id(obj_.btf->raw(), fn.btf_id)->type);
    const int nargs = proto ? btf_vlen(proto) : 0;
    const btf_param* params = proto ? btf_params(proto) : nullptr;
    for (int a = 0; a < nargs && a < 5; ++a) {
      const int regno = a + 1;
      check_reg_read(st, regno);
      const Reg& r = st.cur().regs[regno];
      const uint32_t tid = obj_.btf->skip_modifiers(params[a].type);
      const btf_type* t = obj_.btf->type(tid);
      if (t && btf_is_int(t) && !r.is_scalar())
        fail("R" + std::to_string(regno) + " is not a scalar");
      if (t && btf_is_ptr(t)) {
        try {
          check_global_ptr_arg(st, regno, t->type, global_arg_tags(fn, a));
        } catch (const VerifyError& e) {
          if (!e.unmodelled.empty()) throw;
          fail(e.message + "\nCaller passes invalid args into func#" + std::to_string(sub) + " ('" + fn.name + "')");
        }
      }
    }
    if (!global_done_[sub]) {
      global_done_[sub] = true;
      global_queue_.push_back(sub);
    }
    clear_caller_saved(st);
    mark_unknown(st.cur().regs[0]);
    if (subprog_changes_pkt_data(sub)) clear_packet_pointers(st);
    st.insn = here + 1;
    return;
  }
  if (st.frames.size() >= static_cast<size_t>(kMaxCallFrames))
    fail("the call stack of " + std::to_string(st.frames.size() + 1) + " frames is too deep !");
  Frame callee;
  for (int r = 1; r <= 5; ++r) callee.regs[r] = st.cur().regs[r];
  callee.regs[10].type = RegType::Stack;
  callee.regs[10].frameno = static_cast<uint8_t>(st.frames.size());
  mark_known(callee.regs[10], 0);
  callee.regs[10].type = RegType::Stack;
  callee.regs[10].frameno = static_cast<uint8_t>(st.frames.size());
  callee.callsite = here;
  callee.subprog = sub;
  st.frames.push_back(std::move(callee));
  st.insn = target;
}

bool Verifier::check_exit(State& st) {
  if (st.frames.size() > 1) {
    Frame& callee = st.cur();
    if (callee.in_callback) check_reg_read(st, 0);  // a static function may return nothing
    const Reg r0 = callee.regs[0];
    if (r0.type == RegType::Stack && r0.frameno == st.frames.size() - 1)
      fail("cannot return stack pointer to the caller");
    if (callee.in_callback) {
      mark_precise(st, 0);
      if (!r0.is_scalar() || r0.smin < 0 || r0.smax > 1 || static_cast<int64_t>(r0.umax) > 1) {
        fail("At callback return the register R0 has " +
             (r0.is_scalar() ? "smin=" + std::to_string(r0.smin) + " smax=" + std::to_string(r0.smax)
                             : std::string("type=") + type_str(r0)) +
             " should have been in [0, 1]");
      }
      const uint32_t callsite = callee.callsite;
      st.frames.pop_back();
      st.insn = callsite;  // the helper runs the callback again, or returns
      st.from_callback = true;
      ++st.callback_depth;
      return true;
    }
    const uint32_t callsite = callee.callsite;
    st.frames.pop_back();
    Frame& caller = st.cur();
    for (int r = 1; r <= 5; ++r) caller.regs[r] = Reg{};
    caller.regs[0] = r0;
    st.insn = callsite + 1;
    return true;
  }
  // The program's (or a global function's) exit.
  if (any_lock_held(st)) fail("BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region");
  check_ref_leak(st, "BPF_EXIT instruction in main prog");
  if (st.rcu_depth) fail("BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region");
  check_reg_read(st, 0);
  if (st.cur().subprog == 0 || st.cur().subprog == exc_cb_sub_) check_return_range(st, 0);
  else if (!st.cur().regs[0].is_scalar())
    fail(std::string("At subprogram exit the register R0 is not a scalar value (") + type_str(st.cur().regs[0]) + ")");
  path_done(st);
  return false;
}

// check_return_code: what a program (or its exception callback, or a throw
// without one: regno 1, the cookie) may return.
void Verifier::check_return_range(const State& st, int regno) {
  const Reg& r = st.cur().regs[regno];
  const std::string name = "R" + std::to_string(regno);
  int32_t lo = 0, hi = 0;
  if (prog_.type == ProgType::Tracing &&
      (prog_.section.rfind("fentry", 0) == 0 || prog_.section.rfind("fexit", 0) == 0)) {
    lo = hi = 0;
  } else if (!prog_ctx::return_range(prog_.type, prog_.attach, lo, hi)) {
    return;
  }
  if (!r.is_scalar())
    fail("At program exit the register " + name + " is not a known value (" + type_str(r) + ")");
  mark_precise(st, regno);
  if (r.smin < lo || r.smax > hi) {
    // verbose_invalid_scalar
    std::string has;
    if (r.smin > INT64_MIN) has += " smin=" + std::to_string(r.smin);
    if (r.smax < INT64_MAX) has += " smax=" + std::to_string(r.smax);
    if (has.empty()) has = " unknown scalar value";
    fail("At program exit the register " + name + " has" + has + " should have been in [" + std::to_string(lo) +
         ", " + std::to_string(hi) + "]");
  }
}

void Verifier::check_ref_leak(const State& st, const char* prefix) {
  std::string msg;
  for (const RefState& r : st.refs) {
    if (r.kind != kRefPtr) continue;
    msg += "Unreleased reference id=" + std::to_string(r.id) + " alloc_insn=" + std::to_string(r.insn) + "\n";
  }
  if (!msg.empty()) fail(msg + prefix + " would lead to reference leak");
}

void Verifier::check_ld_imm64(State& st, const Insn& in, const Insn& next) {
  check_reg_write(in.dst);
  Reg& d = st.cur().regs[in.dst];
  switch (in.src) {
    case 0:
      mark_known(d, (static_cast<uint64_t>(static_cast<uint32_t>(next.imm)) << 32) | static_cast<uint32_t>(in.imm));
      return;
    case kPseudoMapFd:
    case kPseudoMapIdx:
    case kPseudoMapValue:
    case kPseudoMapIdxValue: {
      const uint32_t at = static_cast<uint32_t>(&in - insns_.data());
      const auto& raw = prog_.unresolved_map_fds;
      if (std::find(raw.begin(), raw.end(), at) != raw.end())  // a raw fd in the ELF, no map of the object's
        fail("fd " + std::to_string(in.imm) + " is not pointing to valid bpf_map");
      if (in.imm < 0 || static_cast<size_t>(in.imm) >= obj_.maps.size()) fail("fd " + std::to_string(in.imm) + " is not pointing to valid bpf_map");
      d = Reg{};
      mark_known(d, 0);
      d.aux = static_cast<uint32_t>(in.imm);
      if (in.src == kPseudoMapFd || in.src == kPseudoMapIdx) {
        d.type = RegType::MapPtr;
        return;
      }
      const MapDef& m = obj_.maps[static_cast<size_t>(in.imm)];
      if (static_cast<uint32_t>(next.imm) >= m.value_size && m.value_size)
        fail("invalid access to map value pointer, value_size=" + std::to_string(m.value_size) + " off=" +
             std::to_string(static_cast<uint32_t>(next.imm)));
      d.type = RegType::MapValue;
      d.off = next.imm;
      return;
    }
    case kPseudoFunc: {
      const uint32_t target = static_cast<uint32_t>(static_cast<int64_t>(st.insn) + in.imm + 1);
      mark_known(d, 0);
      d.type = RegType::Func;
      d.aux = subprog_of(target);
      return;
    }
    default: {  // a __ksym: a kernel symbol's address, read-only memory of its type's size
      mark_known(d, 0);
      d.type = RegType::Mem;
      d.flags = kRdonly;
      d.aux = 0;
      if (in.imm >= 0 && static_cast<size_t>(in.imm) < obj_.ksyms.size() && obj_.btf) {
        const uint32_t var = obj_.btf->find(obj_.ksyms[static_cast<size_t>(in.imm)].name, BTF_KIND_VAR);
        const btf_type* t = var ? obj_.btf->type(var) : nullptr;
        const int64_t sz = t ? obj_.btf->size_of(t->type) : 0;
        if (sz > 0) d.aux = static_cast<uint32_t>(sz);
      }
      return;
    }
  }
}

void Verifier::check_ld_abs(State& st, const Insn& in) {
  if (prog_.type != ProgType::SocketFilter && prog_.type != ProgType::SchedCls && prog_.type != ProgType::SchedAct)
    fail("BPF_LD_[ABS|IND] instructions not allowed for this program type");
  if (any_lock_held(st)) fail("BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region");
  check_ref_leak(st, "BPF_LD_[ABS|IND]");
  if (st.rcu_depth) fail("BPF_LD_[ABS|IND] cannot be used inside bpf_rcu_read_lock-ed region");
  Frame& f = st.cur();
  check_reg_read(st, 6);
  if (f.regs[6].type != RegType::Ctx) fail("at the time of BPF_LD_ABS|IND R6 != pointer to skb");
  if (isa::mode(in.code) == kInd) check_reg_read(st, in.src);
  clear_caller_saved(st);
  mark_unknown(f.regs[0]);
  const int size = size_bytes(in.code);
  if (size < 8) coerce_to_size(f.regs[0], size);
}

bool Verifier::has_tail_call(uint32_t sub) const {
  const uint32_t end = sub + 1 < func_start_.size() ? func_start_[sub + 1] : static_cast<uint32_t>(insns_.size());
  for (uint32_t i = func_start_[sub]; i < end; ++i) {
    const Insn& in = insns_[i];
    if (!second_half_[i] && cls(in.code) == kJmp && op(in.code) == kCall && in.src == 0 && in.imm == 12) return true;
  }
  return false;
}

// check_max_stack_depth: along every chain of calls from the program, the
// frames' depths (each rounded up to 16, as the kernel's JIT rounds them) add up to at most 512.
void Verifier::check_stack_depths() {
  struct Walk {
    const Verifier& v;
    std::string error;
    void go(uint32_t sub, uint32_t total, int frames) {
      // The kernel's walk follows the call graph, not the paths: a
      // recursion that the paths bound still runs out of frames here.
      if (frames - 1 >= kMaxCallFrames) {
        if (error.empty()) error = "the call stack of " + std::to_string(frames - 1) + " frames is too deep !";
        return;
      }
      // A tail call keeps its callers' frames: below 256 bytes of them, 33
      // tail calls stay within 8 KiB (and within ringb's stack arena).
      if (sub && total >= 256 && v.has_tail_call(sub)) {
        if (error.empty())
          error = "tail_calls are not allowed when call stack of previous frames is " + std::to_string(total) +
                  " bytes. Too large";
        return;
      }
      // round_up_stack_depth with the JIT on (as on this machine's x86_64
      // kernel): to 16 bytes, and a function without stack takes none.
      total += (v.stack_depth_[sub] + 15) / 16 * 16;
      if (total > 512 && error.empty()) {
        error = "combined stack size of " + std::to_string(frames) + " calls is " + std::to_string(total) + ". Too large";
        return;
      }
      for (uint32_t c : v.callees_[sub]) go(c, total, frames + 1);
    }
  } w{*this, {}};
  w.go(0, 0, 1);
  if (!w.error.empty()) fail(w.error);
}

}  // namespace ringb::verifier
