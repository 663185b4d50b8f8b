// provenance.cc — see provenance.h. A worklist over straight-line blocks;
// each block starts from the join of the states flowing into it.
#include "provenance.h"

#include <array>

#include "ringb/insn.h"
#include "ringb/maps.h"
#include "ringb/objects.h"

namespace ringb::vm {

using namespace isa;
using K = AbstractValue::Kind;

namespace {

constexpr int kSlots = kStackSize / 8;

struct State {
  std::array<AbstractValue, 11> r{};
  std::array<AbstractValue, kSlots> stack{};  // slot i: bytes [r10 - 8(i+1), r10 - 8i)
  bool reached = false;
};

AbstractValue join(const AbstractValue& a, const AbstractValue& b) { return a == b ? a : AbstractValue{}; }

// Merges `from` into `into`; true when `into` changed.
bool merge(State& into, const State& from) {
  if (!into.reached) {
    into = from;
    into.reached = true;
    return true;
  }
  bool changed = false;
  auto m = [&](AbstractValue& a, const AbstractValue& b) {
    const AbstractValue j = join(a, b);
    if (!(j == a)) {
      a = j;
      changed = true;
    }
  };
  for (size_t i = 0; i < into.r.size(); ++i) m(into.r[i], from.r[i]);
  for (size_t i = 0; i < into.stack.size(); ++i) m(into.stack[i], from.stack[i]);
  return changed;
}

bool is_pointer(const AbstractValue& v) {
  return v.kind == K::MapValue || v.kind == K::Object || v.kind == K::Stack;
}

AbstractValue object(const obj::Type* t, int64_t off) {
  return t ? AbstractValue{K::Object, t, off} : AbstractValue{};
}

// The 8-byte slot holding byte `stack_off` (from r10, negative), or -1.
int slot_of(int64_t stack_off) {
  if (stack_off >= 0 || stack_off < -kStackSize) return -1;
  return static_cast<int>((-stack_off - 1) / 8);
}

class Analysis {
 public:
  Analysis(const Program& p, const std::vector<bool>& second_half, const std::vector<bool>& jump_targets,
           const std::vector<maps::Map*>& maps, const std::vector<std::string>& kfuncs, const Bindings& b)
      : p_(p), half_(second_half), maps_(maps), kfuncs_(kfuncs), b_(b), n_(p.insns.size()),
        leader_(jump_targets) {
    for (size_t i = 0; i < n_; ++i) {
      if (half_[i]) continue;
      const Insn& in = p_.insns[i];
      const uint8_t c = cls(in.code);
      const bool jump = (c == kJmp || c == kJmp32) && !is_call(in);
      if (jump && i + 1 < n_) leader_[i + 1] = true;
      if (is_ld_imm64(in) && in.src == kPseudoFunc) callbacks_.push_back(static_cast<size_t>(static_cast<int64_t>(i) + 1 + in.imm));
    }
    leader_[0] = true;
    state_of_.assign(n_, -1);
    for (size_t i = 0; i < n_; ++i)
      if (leader_[i]) state_of_[i] = static_cast<int32_t>(in_.size()), in_.emplace_back();
  }

  std::map<size_t, CallSiteArgs> run() {
    State entry;
    entry.r[10] = AbstractValue{K::Stack, nullptr, 0};
    push(0, entry);
    for (size_t cb : callbacks_) push(cb, entry);  // callbacks start knowing nothing
    while (!work_.empty()) {
      const size_t l = work_.back();
      work_.pop_back();
      walk(l, false);
    }
    for (size_t i = 0; i < n_; ++i)
      if (leader_[i] && in(i).reached) walk(i, true);
    return sites_;
  }

 private:
  State& in(size_t leader) { return in_[static_cast<size_t>(state_of_[leader])]; }

  void push(size_t at, const State& s) {
    if (at >= n_ || state_of_[at] < 0) return;  // every target is a leader; decode checked them
    if (merge(in(at), s)) work_.push_back(at);
  }

  const std::string* kfunc_name(const Insn& in) const {
    if (in.src != kPseudoKfuncCall || in.imm < 0 || static_cast<size_t>(in.imm) >= kfuncs_.size()) return nullptr;
    return &kfuncs_[static_cast<size_t>(in.imm)];
  }

  maps::Map* map_of(int32_t idx) const {
    return idx >= 0 && static_cast<size_t>(idx) < maps_.size() ? maps_[static_cast<size_t>(idx)] : nullptr;
  }

  // What a graph root holds: its node struct, at the node's offset.
  AbstractValue node_of_root(const AbstractValue& root) const {
    const Field* f = field_at(root);
    if (!f || !b_.types || (f->kind != FieldKind::ListHead && f->kind != FieldKind::RbRoot)) return {};
    return object(b_.types->type(f->node_struct_id), f->node_offset);
  }

  // The object a kptr field holds.
  AbstractValue pointee_of(const AbstractValue& field) const {
    const Field* f = field_at(field);
    if (!f || !b_.types || !(static_cast<uint32_t>(f->kind) & kAnyKptr) || f->kind == FieldKind::KptrPercpu) return {};
    return object(b_.types->type(f->pointee_id), 0);
  }

  AbstractValue kfunc_result(const std::string& name, const State& s) const {
    if (name == "bpf_obj_new_impl" || name == "bpf_obj_new") {
      if (s.r[1].kind == K::Const && b_.types && s.r[1].value >= 0 && s.r[1].value <= UINT32_MAX)
        return object(b_.types->type(static_cast<uint32_t>(s.r[1].value)), 0);
      return {};
    }
    if (name == "bpf_refcount_acquire_impl" || name == "bpf_refcount_acquire")
      return s.r[1].kind == K::Object && s.r[1].value == 0 ? s.r[1] : AbstractValue{};
    if (name == "bpf_list_pop_front" || name == "bpf_list_pop_back" || name == "bpf_list_front" ||
        name == "bpf_list_back" || name == "bpf_rbtree_first" || name == "bpf_rbtree_root" ||
        name == "bpf_rbtree_remove" || name == "bpf_rbtree_left" || name == "bpf_rbtree_right")
      return node_of_root(s.r[1]);
    return {};
  }

  AbstractValue helper_result(int32_t id, const State& s) const {
    if (id == 1 && s.r[1].kind == K::MapPtr) {  // bpf_map_lookup_elem
      const auto* m = static_cast<const maps::Map*>(s.r[1].base);
      const auto t = static_cast<MapType>(m->def().type);
      if (t == MapType::ArrayOfMaps || t == MapType::HashOfMaps) return {};
      return AbstractValue{K::MapValue, m, 0};
    }
    if (id == 194) return pointee_of(s.r[1]);  // bpf_kptr_xchg
    return {};
  }

  void alu(const Insn& in, State& s) {
    AbstractValue& d = s.r[in.dst];
    if (cls(in.code) != kAlu64) {
      d = {};
      return;
    }
    const bool k = src_bit(in.code) == kK;
    const AbstractValue src = k ? AbstractValue{K::Const, nullptr, in.imm} : s.r[in.src];
    switch (op(in.code)) {
      case kMov:
        d = in.off == 0 ? src : AbstractValue{};  // MOVSX: a number of a narrower width
        return;
      case kAdd:
      case kSub: {
        const int64_t sign = op(in.code) == kAdd ? 1 : -1;
        if (is_pointer(d) && src.kind == K::Const) d.value += sign * src.value;
        else if (d.kind == K::Const && src.kind == K::Const) d.value += sign * src.value;
        else if (op(in.code) == kAdd && d.kind == K::Const && is_pointer(src)) d = {src.kind, src.base, src.value + d.value};
        else d = {};
        return;
      }
      default:
        d = {};
    }
  }

  void load(const Insn& in, State& s) {
    const AbstractValue base = s.r[in.src];
    AbstractValue v;
    if (size(in.code) == kDW && mode(in.code) == kMem) {
      if (base.kind == K::Stack) {
        const int64_t off = base.value + in.off;
        const int sl = off % 8 ? -1 : slot_of(off);
        if (sl >= 0) v = s.stack[static_cast<size_t>(sl)];
      } else {
        v = pointee_of(AbstractValue{base.kind, base.base, base.value + in.off});  // a kptr read under RCU
      }
    }
    s.r[in.dst] = v;
  }

  void store(const Insn& in, State& s) {
    const AbstractValue base = s.r[in.dst];
    if (base.kind != K::Stack) return;
    const int64_t off = base.value + in.off;
    const bool whole = size(in.code) == kDW && mode(in.code) == kMem && off % 8 == 0;
    if (whole) {
      if (const int sl = slot_of(off); sl >= 0)
        s.stack[static_cast<size_t>(sl)] = cls(in.code) == kSt ? AbstractValue{K::Const, nullptr, in.imm} : s.r[in.src];
      return;
    }
    // A narrower store (or an atomic) leaves the slots it touches unknown.
    for (int64_t b = off; b < off + size_bytes(in.code); ++b)
      if (const int sl = slot_of(b); sl >= 0) s.stack[static_cast<size_t>(sl)] = {};
  }

  // Runs block `l`; `record` notes the arguments of kfunc calls.
  void walk(size_t l, bool record) {
    State s = in(l);
    for (size_t i = l; i < n_; ++i) {
      if (i != l && leader_[i]) {
        if (!record) push(i, s);
        return;
      }
      if (half_[i]) continue;
      const Insn& in = p_.insns[i];
      const uint8_t c = cls(in.code);
      // A register past r10 traps when the run reaches it (decode.cc): no
      // state flows on from it.
      if (in.dst > 10 || in.src > 10) return;
      if (is_ld_imm64(in)) {
        const Insn& next = p_.insns[i + 1];
        AbstractValue v;
        if (in.src == 0) v = {K::Const, nullptr, static_cast<int64_t>(static_cast<uint32_t>(in.imm) | (uint64_t{static_cast<uint32_t>(next.imm)} << 32))};
        else if (in.src == kPseudoMapFd || in.src == kPseudoMapIdx) {
          if (maps::Map* m = map_of(in.imm)) v = {K::MapPtr, m, 0};
        } else if (in.src == kPseudoMapValue || in.src == kPseudoMapIdxValue) {
          if (maps::Map* m = map_of(in.imm)) v = {K::MapValue, m, next.imm};
        }
        s.r[in.dst] = v;
        continue;
      }
      if (c == kAlu || c == kAlu64) {
        alu(in, s);
        continue;
      }
      if (c == kLdx) {
        load(in, s);
        continue;
      }
      if (c == kSt || c == kStx) {
        if (c == kStx && mode(in.code) == kAtomic && (in.imm & kFetch)) s.r[in.imm == kCmpXchg ? 0 : in.src] = {};
        store(in, s);
        continue;
      }
      if (c == kLd) {  // LD_ABS / LD_IND
        for (int r = 0; r <= 5; ++r) s.r[static_cast<size_t>(r)] = {};
        continue;
      }
      // Jumps and calls.
      if (is_exit(in)) return;
      if (is_call(in)) {
        if (in.src == kPseudoCall) {
          State callee;
          for (int r = 1; r <= 5; ++r) callee.r[static_cast<size_t>(r)] = s.r[static_cast<size_t>(r)];
          callee.r[10] = AbstractValue{K::Stack, nullptr, 0};
          if (!record) push(static_cast<size_t>(static_cast<int64_t>(i) + 1 + in.imm), callee);
          for (int r = 0; r <= 5; ++r) s.r[static_cast<size_t>(r)] = {};
          continue;
        }
        AbstractValue r0;
        if (const std::string* name = kfunc_name(in)) {
          if (record) {
            auto& site = sites_[i];
            site.r1 = seen_[i] ? join(site.r1, s.r[1]) : s.r[1];
            site.r2 = seen_[i] ? join(site.r2, s.r[2]) : s.r[2];
            seen_[i] = true;
          }
          r0 = kfunc_result(*name, s);
        } else if (in.src == 0) {
          r0 = helper_result(in.imm, s);
        }
        for (int r = 1; r <= 5; ++r) s.r[static_cast<size_t>(r)] = {};
        s.r[0] = r0;
        continue;
      }
      const int64_t d = (c == kJmp32 && op(in.code) == kJa) ? in.imm : in.off;
      const int64_t to = static_cast<int64_t>(i) + 1 + d;
      if (!record && to >= 0) push(static_cast<size_t>(to), s);
      if (op(in.code) == kJa) return;  // unconditional
    }
  }

  const Program& p_;
  const std::vector<bool>& half_;
  const std::vector<maps::Map*>& maps_;
  const std::vector<std::string>& kfuncs_;
  const Bindings& b_;
  size_t n_;
  std::vector<bool> leader_;
  std::vector<int32_t> state_of_;  // leader → index into in_
  std::vector<State> in_;          // the state entering each leader
  std::vector<size_t> work_, callbacks_;
  std::map<size_t, CallSiteArgs> sites_;
  std::map<size_t, bool> seen_;
};

}  // namespace

const Field* field_at(const AbstractValue& v, int64_t extra) {
  const int64_t off = v.value + extra;
  if (off < 0 || off > UINT32_MAX) return nullptr;
  if (v.kind == K::MapValue) return static_cast<const maps::Map*>(v.base)->def().fields.at(static_cast<uint32_t>(off));
  if (v.kind == K::Object) return static_cast<const obj::Type*>(v.base)->record.fields.at(static_cast<uint32_t>(off));
  return nullptr;
}

std::map<size_t, CallSiteArgs> kfunc_call_args(const Program& prog, const std::vector<bool>& second_half,
                                               const std::vector<bool>& jump_targets,
                                               const std::vector<maps::Map*>& maps,
                                               const std::vector<std::string>& kfuncs, const Bindings& bindings,
                                               size_t max_insns) {
  if (prog.insns.size() > max_insns) return {};
  bool any = false;
  for (const Insn& in : prog.insns) any |= is_call(in) && in.src == kPseudoKfuncCall;
  if (!any) return {};
  return Analysis(prog, second_half, jump_targets, maps, kfuncs, bindings).run();
}

}  // namespace ringb::vm
