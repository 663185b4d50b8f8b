// verify.cc — the walk: the program's control-flow checks first (jumps in
// range, no fall-through off a function, every instruction reachable), then
// a depth-first walk of every path with a stack of pending branch states,
// checking each instruction where it is reached (encoding.h's field and
// register rules included), up to the kernel's 1 M processed instructions.
#include <bpf/btf.h>

#include <algorithm>

#include "ringb/encoding.h"
#include "state.h"

namespace ringb::verifier {
namespace {

using namespace isa;

constexpr uint8_t kJcond = 0xe0;

}  // namespace

Verifier::Verifier(const Object& obj, const Program& prog, const Options& opts)
    : obj_(obj), prog_(prog), opts_(opts), insns_(prog.insns) {
  for (const MapDef& m : obj_.maps) maps_.push_back(&m);
}

void Verifier::fail(const std::string& msg) {
  fail_insn_ = cur_insn_;
  throw VerifyError{msg, ""};
}

void Verifier::unmodelled(const std::string& what) {
  fail_insn_ = cur_insn_;
  throw VerifyError{"ringb's verifier does not model " + what + " yet", what};
}

void Verifier::check_reg_read(const State& st, int r) {
  if (r > 10) fail("R" + std::to_string(r) + " is invalid");
  if (st.cur().regs[r].type == RegType::NotInit) fail("R" + std::to_string(r) + " !read_ok");
}

void Verifier::check_reg_write(int r) {
  if (r > 10) fail("R" + std::to_string(r) + " is invalid");
  if (r == 10) fail("frame pointer is read only");
}

uint32_t Verifier::subprog_of(uint32_t insn) const {
  auto it = std::upper_bound(func_start_.begin(), func_start_.end(), insn);
  return static_cast<uint32_t>(it - func_start_.begin()) - 1;
}

void Verifier::push_branch(const State& st, uint32_t insn) { push_branch(copy_state(st), insn); }

// Copy assignment into a spare state's vectors reuses their capacity (the
// frames', each frame's stack's, the history's): the same values as a copy
// construction, without the mallocs.
State Verifier::copy_state(const State& st) {
  if (spare_.empty()) return st;
  State s = std::move(spare_.back());
  spare_.pop_back();
  s = st;
  return s;
}

void Verifier::recycle(State&& st) {
  if (spare_.size() < 16) spare_.push_back(std::move(st));
}

void Verifier::push_branch(State&& st, uint32_t insn) {
  (void)insn;
  if (st.parent >= 0) ++explored_[static_cast<size_t>(st.parent)].branches;
  pending_.push_back(std::move(st));
  if (pending_.size() > 8192) fail("The sequence of " + std::to_string(pending_.size()) + " jumps is too complex.");
}

// check_cfg and check_subprogs: shape of the control flow.
void Verifier::check_function_starts() {
  const size_t n = insns_.size();
  if (n == 0) fail("program has no instructions");
  for (const Program::Func& fn : prog_.funcs) func_start_.push_back(fn.insn);
  if (func_start_.empty() || func_start_[0] != 0) func_start_.insert(func_start_.begin(), 0);
  std::sort(func_start_.begin(), func_start_.end());
  second_half_.assign(n, false);
  std::vector<bool>& second = second_half_;
  succ_.assign(n, {});
  pred_.assign(n, {});
  for (size_t i = 0; i < n; ++i) {
    cur_insn_ = static_cast<uint32_t>(i);
    if (second[i]) continue;
    if (std::string e = encoding::prewalk_error(insns_.data(), n, i); !e.empty()) fail(e);
    if (is_ld_imm64(insns_[i])) second[i + 1] = true;
  }
  // Edges; reachability from the program's first instruction.
  std::vector<std::vector<uint32_t>> succ(n);
  // A jump into an ld_imm64's second half: refused after the reachability
  // check, as the kernel's check_cfg reports the ld_imm64 it skips first.
  std::string into_ld_imm64;
  for (size_t i = 0; i < n; ++i) {
    if (second[i]) continue;
    cur_insn_ = static_cast<uint32_t>(i);
    const Insn& in = insns_[i];
    const uint32_t fn = subprog_of(static_cast<uint32_t>(i));
    const uint32_t fn_end = fn + 1 < func_start_.size() ? func_start_[fn + 1] : static_cast<uint32_t>(n);
    auto edge = [&](int64_t t, bool is_call) {
      if (t < 0 || static_cast<size_t>(t) >= n || (!is_call && (t < func_start_[fn] || t >= fn_end)))
        fail("jump out of range from insn " + std::to_string(i) + " to " + std::to_string(t));
      if (second[static_cast<size_t>(t)]) {
        if (into_ld_imm64.empty())
          into_ld_imm64 = "jump out of range from insn " + std::to_string(i) + " to " + std::to_string(t);
        return;
      }
      succ[i].push_back(static_cast<uint32_t>(t));
      if (!is_call) succ_[i].push_back(static_cast<uint32_t>(t));
    };
    const size_t next = i + (is_ld_imm64(in) ? 2 : 1);
    const uint8_t c = cls(in.code);
    bool falls = true;
    if (c == kJmp || c == kJmp32) {
      const uint8_t o = op(in.code);
      if (o == kExit) {
        falls = false;
      } else if (o == kJa) {
        edge(static_cast<int64_t>(i) + (c == kJmp32 ? in.imm : in.off) + 1, false);
        falls = false;
      } else if (o == kCall) {
        if (in.src == kPseudoCall) {
          const int64_t t = static_cast<int64_t>(i) + in.imm + 1;
          edge(t, true);
          if (!std::binary_search(func_start_.begin(), func_start_.end(), static_cast<uint32_t>(t)))
            fail("call to invalid destination");
        }
      } else {
        edge(static_cast<int64_t>(i) + in.off + 1, false);
      }
    } else if (is_ld_imm64(in) && in.src == kPseudoFunc) {
      edge(static_cast<int64_t>(i) + in.imm + 1, true);
    }
    if (falls) {
      if (next >= fn_end) fail("last insn is not an exit or jmp");  // check_subprogs
      succ[i].push_back(static_cast<uint32_t>(next));
      succ_[i].push_back(static_cast<uint32_t>(next));
    }
    // Prune points, as the kernel marks them.
    if (c == kJmp || c == kJmp32) {
      const uint8_t o = op(in.code);
      if (o == kJa) { if (!succ[i].empty()) prune_point_[succ[i][0]] = true; }
      else if (o == kCall) {
        if (next < n) prune_point_[next] = true;
        if (in.src == kPseudoCall) prune_point_[i] = true;
        if (in.src == 0 && (in.imm == 181 || in.imm == 164 || in.imm == 209)) prune_point_[i] = true;
        if (in.src == kPseudoKfuncCall) prune_point_[i] = true;
      } else if (o != kExit) {
        prune_point_[i] = true;
      }
    }
  }
  for (size_t i = 0; i < n; ++i)
    for (uint32_t t : succ_[i]) pred_[t].push_back(static_cast<uint32_t>(i));
  std::vector<bool> reached(n);
  std::vector<uint32_t> work{0};
  reached[0] = true;
  // The exception callback is an entry of its own (exceptions.cc).
  if (const uint32_t cb = prog_.exception_cb; cb < n && !reached[cb]) reached[cb] = true, work.push_back(cb);
  while (!work.empty()) {
    const uint32_t i = work.back();
    work.pop_back();
    for (uint32_t t : succ[i])
      if (!reached[t]) reached[t] = true, work.push_back(t);
  }
  for (size_t i = 0; i < n; ++i) {
    if (!second[i] && !reached[i]) {
      cur_insn_ = static_cast<uint32_t>(i);
      fail("unreachable insn " + std::to_string(i));
    }
  }
  if (!into_ld_imm64.empty()) fail(into_ld_imm64);
}

// check_btf_func: a function the program calls may use LD_ABS/LD_IND or a
// tail call only if it returns a scalar (its BTF says an int or an enum), as
// both may leave it early with 0.
void Verifier::check_scalar_returns() {
  for (const Program::Func& fn : prog_.funcs) {
    if (fn.insn == 0 || fn.insn >= insns_.size()) continue;
    const uint32_t sub = subprog_of(fn.insn);
    const uint32_t end = sub + 1 < func_start_.size() ? func_start_[sub + 1] : static_cast<uint32_t>(insns_.size());
    bool ld_abs = false, tail_call = false;
    for (uint32_t i = fn.insn; i < end; ++i) {
      if (second_half_[i]) continue;
      const Insn& in = insns_[i];
      if (cls(in.code) == kLd && !is_ld_imm64(in)) ld_abs = true;
      if (cls(in.code) == kJmp && op(in.code) == kCall && in.src == 0 && in.imm == 12) tail_call = true;
    }
    if (!ld_abs && !tail_call) continue;
    cur_insn_ = fn.insn;
    if (!obj_.btf || !fn.btf_id)  // check_abnormal_return: without BTF nothing says what it returns
      fail(ld_abs ? "LD_ABS is not allowed in subprogs without BTF" : "tail_call is not allowed in subprogs without BTF");
    const btf_type* func = obj_.btf->type(fn.btf_id);
    const btf_type* proto = func ? obj_.btf->type(func->type) : nullptr;
    const btf_type* ret = proto && proto->type ? obj_.btf->type(obj_.btf->skip_modifiers(proto->type)) : nullptr;
    const bool scalar = ret && ((btf_is_int(ret) && ret->size <= 8) || btf_is_any_enum(ret));
    if (scalar) continue;
    fail(ld_abs ? "LD_ABS is only allowed in functions that return 'int'."
                : "tail_call is only allowed in functions that return 'int'.");
  }
}

// save_aux_ptr_type: one load or store instruction serves one kind of
// pointer where the kernel rewrites the access by it (contexts, sockets,
// BTF pointers); memory of other kinds may mix. Loads through BTF pointers
// of different trust may mix too.
void Verifier::save_ptr_type(uint32_t insn, RegType t, bool load) {
  auto rewritten = [](RegType r) {
    return r == RegType::Ctx || r == RegType::Sock || r == RegType::SockCommon || r == RegType::TcpSock ||
           r == RegType::XdpSock || r == RegType::BtfId;
  };
  RegType& prev = ptr_type_[insn];
  if (prev == RegType::NotInit) {
    prev = t;
    return;
  }
  if (t == prev || (!rewritten(t) && !rewritten(prev))) return;
  (void)load;  // BTF pointers share one key here, so trust never mismatches
  fail("same insn cannot be used with different pointers");
}

bool Verifier::step(State& st) {
  const uint32_t i = st.insn;
  if (i >= insns_.size()) fail("invalid insn idx " + std::to_string(i) + " insn_cnt " + std::to_string(insns_.size()));
  cur_insn_ = i;
  if (prune_point_[i] && visit_prune_point(st)) {
    if (opts_.log_level > 0) log_ += std::to_string(i) + ": safe\n";
    return false;
  }
  st.hist.push_back(HistEntry{i, static_cast<uint8_t>(st.frames.size() - 1),
                              static_cast<uint8_t>(st.cur().in_callback ? kHistCallback : 0), 0, 0, 0});
  if (++processed_ > opts_.insn_limit)
    fail("BPF program is too large. Processed " + std::to_string(opts_.insn_limit + 1) + " insn");
  ++insns_since_state_;
  const Insn& in = insns_[i];
  if (opts_.log_level > 0) log_insn(st, i);
  if (!encoding_ok_[i]) {  // a property of the instruction: checked where the walk first reaches it
    if (std::string e = encoding::field_error(in); !e.empty()) fail(e);
    if (const char* e = encoding::register_error(in)) fail(e);
    encoding_ok_[i] = true;
  }
  bool go_on = true;
  switch (cls(in.code)) {
    case kAlu:
    case kAlu64:
      check_alu(st, in);
      st.insn = i + 1;
      break;
    case kLdx: {
      const RegType t = in.src < 11 ? st.cur().regs[in.src].type : RegType::NotInit;
      check_load(st, in);
      save_ptr_type(i, t, true);
      st.insn = i + 1;
      break;
    }
    case kSt:
    case kStx: {
      const RegType t = in.dst < 11 ? st.cur().regs[in.dst].type : RegType::NotInit;
      if (cls(in.code) == kStx && mode(in.code) == kAtomic) check_atomic(st, in);
      else check_store(st, in);
      save_ptr_type(i, t, false);
      st.insn = i + 1;
      break;
    }
    case kLd:
      if (is_ld_imm64(in)) {
        check_ld_imm64(st, in, insns_[i + 1]);
        st.insn = i + 2;
      } else {
        check_ld_abs(st, in);
        st.insn = i + 1;
        // In a called function, a load outside the packet returns 0 from
        // that function (the kernel rewrites it into a helper call and an
        // exit), so the caller sees that path too.
        if (st.frames.size() > 1) {
          push_branch(st, i + 1);
          mark_known(st.cur().regs[0], 0);
          go_on = check_exit(st);
        }
      }
      break;
    default: {  // kJmp, kJmp32
      const uint8_t o = op(in.code);
      if (o != kExit) ++jmps_since_state_;  // calls too (do_check counts every jump class insn but exits)
      if (o == kJa) {
        st.insn = static_cast<uint32_t>(static_cast<int64_t>(i) + (cls(in.code) == kJmp32 ? in.imm : in.off) + 1);
      } else if (o == kCall) {
        check_call(st, in);  // with st.insn still at the call: callbacks return here
        if (in.src != kPseudoCall) st.insn = i + 1;
        if (is_throw(in)) go_on = false;  // an exit of the program (exceptions.cc)
      } else if (o == kExit) {
        go_on = check_exit(st);
      } else if (o == kJcond) {
        go_on = check_may_goto(st, in);
      } else {
        go_on = check_jump(st, in);
      }
      break;
    }
  }
  if (opts_.log_level > 0) {
    if (opts_.log_level > 1 && go_on) {
      log_ += " ; ";
      log_state(st);
    }
    log_ += "\n";
  }
  return go_on;
}

void Verifier::walk() {
  while (!pending_.empty()) {
    State st = std::move(pending_.back());
    pending_.pop_back();
    if (opts_.log_level > 0) {
      log_ += "from " + std::to_string(st.prev_insn) + " to " + std::to_string(st.insn) + ": ";
      log_state(st);
      log_ += "\n";
    }
    while (step(st)) {
      st.prev_insn = cur_insn_;
    }
    recycle(std::move(st));
  }
}

Result Verifier::run() {
  const auto t0 = std::chrono::steady_clock::now();
  Result res;
  const size_t n = insns_.size();
  prune_point_.assign(n + 1, false);
  ptr_type_.assign(n + 1, RegType::NotInit);
  calls_callback_.assign(n + 1, false);
  encoding_ok_.assign(n + 1, false);
  cmp_hint_.assign(n + 1, 0xff);
  explored_at_.assign(n + 1, {});
  try {
    check_cgroup_storages();  // resolve_pseudo_ldimm64 runs before check_cfg
    check_function_starts();
    check_scalar_returns();
    tracing_target();  // a tracing program's target must exist (btf_ptrs.cc)
    is_cb_.assign(func_start_.size(), false);
    check_exception_cb_static();
    compute_liveness();
    stack_depth_.assign(func_start_.size(), 0);
    mark_fastcall_patterns();
    callees_.assign(func_start_.size(), {});
    global_done_.assign(func_start_.size(), false);
    global_done_[0] = true;
    State init;
    init.frames.emplace_back();
    Frame& f = init.frames[0];
    mark_known(f.regs[1], 0);
    f.regs[1].type = RegType::Ctx;
    mark_known(f.regs[10], 0);
    f.regs[10].type = RegType::Stack;
    pending_.push_back(std::move(init));
    walk();
    // Global functions, each on its own, with arguments from its BTF.
    auto walk_globals = [&] {
    while (!global_queue_.empty()) {
      const uint32_t sub = global_queue_.back();
      global_queue_.pop_back();
      State g;
      g.frames.emplace_back();
      Frame& gf = g.frames[0];
      gf.subprog = sub;
      mark_known(gf.regs[10], 0);
      gf.regs[10].type = RegType::Stack;
      const Program::Func& fn = prog_.funcs[sub];
      const btf_type* func = obj_.btf->type(fn.btf_id);
      const btf_type* proto = func ? obj_.btf->type(func->type) : nullptr;
      const int nargs = proto ? btf_vlen(proto) : 0;
      for (int a = 0; a < nargs && a < 5; ++a) {
        const uint32_t tid = obj_.btf->skip_modifiers(btf_params(proto)[a].type);
        const btf_type* t = obj_.btf->type(tid);
        Reg& r = gf.regs[a + 1];
        if (t && btf_is_ptr(t)) {
          const uint32_t pointee = obj_.btf->skip_modifiers(t->type);
          const std::string name = obj_.btf->name(pointee);
          mark_known(r, 0);
          const uint8_t tags = global_arg_tags(fn, a);
          if ((tags & kArgCtx) || is_ctx_type_name(name)) {
            r.type = RegType::Ctx;
          } else if (tags & kArgTrusted) {
            // PTR_TO_BTF_ID | PTR_TRUSTED, of the type a flavour names
            r.type = RegType::BtfId;
            const size_t flavour = name.find("___");
            const uint32_t base = flavour == std::string::npos ? 0 : obj_.btf->find(name.substr(0, flavour), BTF_KIND_STRUCT);
            r.aux = base && obj_.btf->size_of(base) > 0 ? base : pointee;
            if (tags & kArgNullable) {
              r.flags = kMaybeNull;
              r.id = ++id_gen_;
            }
          } else {
            const int64_t sz = obj_.btf->size_of(pointee);
            if (sz <= 0) fail("arg#" + std::to_string(a) + " reference type('UNKNOWN ') size cannot be determined");
            r.type = RegType::Mem;
            r.aux = static_cast<uint32_t>(sz);
            if (!(tags & kArgNonnull)) {
              r.flags = kMaybeNull;
              r.id = ++id_gen_;
            }
          }
        } else {
          mark_unknown(r);
        }
      }
      g.insn = fn.insn;
      pending_.push_back(std::move(g));
      walk();
    }
    };
    walk_globals();
    // The exception callback: an entry of its own (it may call globals too).
    walk_exception_cb();
    walk_globals();
    check_throw_callers();
    apply_fastcall_depths();
    check_stack_depths();
    res.ok = true;
    for (const auto& [insn, seen] : inserts_)
      if (!seen.conflict) res.graph_inserts.push_back({insn, seen.node_struct_id, seen.node_offset});
  } catch (const VerifyError& e) {
    res.ok = false;
    res.message = e.message;
    res.unmodelled = e.unmodelled;
    res.insn = fail_insn_;
    if (opts_.log_level > 0) log_ += "\n" + e.message + "\n";
  }
  stats_.insns_processed = std::min<uint64_t>(processed_, opts_.insn_limit + 1);
  stats_.stack_depth = stack_depth_.empty() ? 0 : stack_depth_[0];
  stats_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  res.stats = stats_;
  if (opts_.log_level > 0) res.log = log_ + stats_line(stats_, opts_) + "\n";
  return res;
}

Result verify(const Object& obj, size_t prog_index, const Options& options) {
  if (prog_index >= obj.programs.size()) {
    Result r;
    r.message = "no program " + std::to_string(prog_index);
    return r;
  }
  Verifier v(obj, obj.programs[prog_index], options);
  return v.run();
}

}  // namespace ringb::verifier
