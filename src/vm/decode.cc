// decode.cc — checks the shape of a linked program and decodes it into Ops.
//
// Rejected here, with the instruction named: what the kernel refuses before
// its verifier walks the code (unknown opcodes, ld_imm64 forms, LDX fields;
// encoding.h) and the reserved fields of every class, with the kernel's
// messages; jumps outside the program or into the middle of an ld_imm64,
// unknown helpers and kfuncs, map references the object does not define,
// and code that can run off the end. Bad registers and writes to r10, which
// the kernel refuses only in code it reaches, become traps: a run that gets
// there stops with that error. What remains is the verifier's: types and
// bounds of memory.
#include <algorithm>
#include <cstring>

#include "ringb/encoding.h"
#include "kfunc_binding.h"
#include "ops.h"
#include "ringb/helper_progs.h"
#include "ringb/kfunc_progs.h"
#include "ringb/maps.h"
#include "stack_depth.h"

namespace ringb::vm {
namespace {

using namespace isa;
using encoding::field_error;
using encoding::prewalk_error;
using encoding::register_error;

class Decoder {
 public:
  Decoder(const Program& p, const std::vector<maps::Map*>& maps,
          const std::vector<std::string>& kfuncs, const Functions& fns, const Bindings& bindings,
          std::vector<std::unique_ptr<BoundCall>>& bound)
      : p_(p), maps_(maps), kfuncs_(kfuncs), fns_(fns), bindings_(bindings), bound_(bound),
        n_(p.insns.size()) {}

  // Fills kinds/aux per instruction; targets hold instruction indexes.
  // `shaped` is the program with each Op's imm/off as the interpreter needs
  // them (CALL_LOCAL: the stack depths); depth0 the first function's.
  Status decode(std::vector<Kind>& kinds, std::vector<uint64_t>& aux,
                std::vector<bool>& aux_is_target, std::vector<Insn>& shaped, uint32_t& depth0);

 private:
  Error bad(size_t i, const std::string& what) const {
    return Error{EINVAL, "program '" + p_.name + "', instruction " + std::to_string(i) + " (" +
                             hex(p_.insns[i].code) + "): " + what};
  }
  static std::string hex(uint8_t code) {
    char b[8];
    std::snprintf(b, sizeof b, "0x%02x", code);
    return b;
  }
  Status check_target(size_t i, int64_t target) const {
    if (target < 0 || static_cast<size_t>(target) >= n_)
      return bad(i, "jump to " + std::to_string(target) + ", outside the program (0…" +
                        std::to_string(n_ - 1) + ")");
    if (second_half_[static_cast<size_t>(target)])
      return bad(i, "jump into the middle of a 64-bit load at " + std::to_string(target - 1));
    return {};
  }
  Expected<Kind> alu(size_t i, const Insn& in) const;
  Expected<Kind> jmp(size_t i, const Insn& in, uint64_t& aux, bool& is_target);
  Expected<Kind> mem(size_t i, const Insn& in) const;
  Expected<Kind> ld(size_t i, const Insn& in, uint64_t& aux, bool& is_target);
  Status function_starts();
  std::vector<bool> jump_targets_;  // instructions something jumps or calls to
  bool analysed_ = false;
  std::map<size_t, CallSiteArgs> call_args_;  // provenance.h, for binding kfunc calls
  size_t function_of(size_t i) const {
    return static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), i) - starts_.begin()) - 1;
  }

  const Program& p_;
  const std::vector<maps::Map*>& maps_;
  const std::vector<std::string>& kfuncs_;
  const Functions& fns_;
  const Bindings& bindings_;
  std::vector<std::unique_ptr<BoundCall>>& bound_;
  size_t n_;
  std::vector<bool> second_half_;
  std::vector<size_t> starts_;  // first instruction of each function, sorted
  // Loads the kernel would mark PROBE_MEM (through BTF pointers) can only
  // happen in these program types, or through bpf_rdonly_cast's untrusted
  // pointer, which any program may make of any value; ringb makes every
  // load there fault-tolerant except those off r10 (docs/vm.md).
  bool probe_loads_ = false;
  bool calls_rdonly_cast() const {
    for (size_t i = 0; i < n_; ++i) {
      const Insn& in = p_.insns[i];
      if (isa::is_call(in) && in.src == isa::kPseudoKfuncCall && in.imm >= 0 &&
          static_cast<size_t>(in.imm) < kfuncs_.size() && kfuncs_[static_cast<size_t>(in.imm)] == "bpf_rdonly_cast")
        return true;
    }
    return false;
  }
};

Kind kind4(Kind base, bool is64, bool reg) {
  // Every 4-way family is laid out 64_K, 64_X, 32_K, 32_X.
  return static_cast<Kind>(static_cast<int>(base) + (is64 ? 0 : 2) + (reg ? 1 : 0));
}

Expected<Kind> Decoder::alu(size_t i, const Insn& in) const {
  const bool is64 = cls(in.code) == kAlu64;
  const bool reg = src_bit(in.code) == kX;
  switch (op(in.code)) {
    case kNeg:
      if (reg || in.off) return bad(i, "invalid neg encoding");
      return is64 ? Kind::NEG64 : Kind::NEG32;
    case kEnd:
      if (in.off) return bad(i, "invalid byte swap encoding");
      if (is64) {
        if (reg) return bad(i, "invalid bswap encoding");
        if (in.imm == 16) return Kind::BSWAP16;
        if (in.imm == 32) return Kind::BSWAP32;
        if (in.imm == 64) return Kind::BSWAP64;
      } else {
        if (in.imm == 16) return reg ? Kind::BE16 : Kind::LE16;
        if (in.imm == 32) return reg ? Kind::BE32 : Kind::LE32;
        if (in.imm == 64) return reg ? Kind::BE64 : Kind::LE64;
      }
      return bad(i, "byte swap of " + std::to_string(in.imm) + " bits");
    case kMov:
      if (in.off == 0) return kind4(Kind::MOV64_K, is64, reg);
      if (!reg) return bad(i, "sign-extending move from an immediate");
      if (in.off == 8) return is64 ? Kind::MOVSX64_8 : Kind::MOVSX32_8;
      if (in.off == 16) return is64 ? Kind::MOVSX64_16 : Kind::MOVSX32_16;
      if (in.off == 32 && is64) return Kind::MOVSX64_32;
      return bad(i, "sign-extending move from " + std::to_string(in.off) + " bits");
    case kDiv:
    case kMod: {
      if (in.off != 0 && in.off != 1) return bad(i, "invalid division encoding (off " + std::to_string(in.off) + ")");
      const bool is_div = op(in.code) == kDiv;
      Kind base = in.off ? (is_div ? Kind::SDIV64_K : Kind::SMOD64_K)
                         : (is_div ? Kind::DIV64_K : Kind::MOD64_K);
      return kind4(base, is64, reg);
    }
    default:
      break;
  }
  if (in.off) return bad(i, "nonzero offset on an ALU instruction");
  Kind base;
  switch (op(in.code)) {
    case kAdd: base = Kind::ADD64_K; break;
    case kSub: base = Kind::SUB64_K; break;
    case kMul: base = Kind::MUL64_K; break;
    case kOr: base = Kind::OR64_K; break;
    case kAnd: base = Kind::AND64_K; break;
    case kXor: base = Kind::XOR64_K; break;
    case kLsh: base = Kind::LSH64_K; break;
    case kRsh: base = Kind::RSH64_K; break;
    case kArsh: base = Kind::ARSH64_K; break;
    default: return bad(i, "unknown ALU operation");
  }
  return kind4(base, is64, reg);
}

Expected<Kind> Decoder::jmp(size_t i, const Insn& in, uint64_t& aux, bool& is_target) {
  const bool is64 = cls(in.code) == kJmp;
  const bool reg = src_bit(in.code) == kX;
  switch (op(in.code)) {
    case kJa: {
      const int64_t t = static_cast<int64_t>(i) + 1 + (is64 ? in.off : in.imm);
      if (Status s = check_target(i, t); !s) return s.error();
      aux = static_cast<uint64_t>(t);
      is_target = true;
      return Kind::JA;
    }
    case kExit:
      if (!is64) return bad(i, "exit in the 32-bit jump class");
      return Kind::EXIT;
    case 0xe0: {  // may_goto: jumps to off when the frame's loop budget is spent
      if (!is64) return bad(i, "unknown opcode " + hex(in.code));
      const int64_t t = static_cast<int64_t>(i) + 1 + in.off;
      if (Status s = check_target(i, t); !s) return s.error();
      aux = static_cast<uint64_t>(t);
      is_target = true;
      return Kind::MAY_GOTO;
    }
    case kCall: {
      if (!is64) return bad(i, "call in the 32-bit jump class");
      if (in.src == kPseudoCall) {
        const int64_t t = static_cast<int64_t>(i) + 1 + in.imm;
        if (Status s = check_target(i, t); !s) return s.error();
        aux = static_cast<uint64_t>(t);
        is_target = true;
        return Kind::CALL_LOCAL;
      }
      if (in.src == kPseudoKfuncCall) {
        if (in.imm < 0 || static_cast<size_t>(in.imm) >= kfuncs_.size())
          return bad(i, "kfunc index " + std::to_string(in.imm) + " out of range");
        const std::string& name = kfuncs_[static_cast<size_t>(in.imm)];
        const Functions::Kfunc* k = fns_.kfunc_entry(name);
        if (!k) return bad(i, "unknown kfunc '" + name + "' (neither built in nor registered by the host)");
        if (!platform::kfunc_allowed(p_.type, name))  // the kernel's kfunc sets per program type
          return bad(i, "calling kernel function " + name + " is not allowed (program type " +
                            prog_type_name(p_.type) + ")");
        if (!k->proto) {
          aux = reinterpret_cast<uint64_t>(k->fn);
          return Kind::CALL_FN;
        }
        if (!analysed_) {  // once per program, at its first kfunc call
          call_args_ = kfunc_call_args(p_, second_half_, jump_targets_, maps_, kfuncs_, bindings_);
          analysed_ = true;
        }
        const auto found = call_args_.find(i);
        const CallSiteArgs* args = found == call_args_.end() ? nullptr : &found->second;
        Expected<std::unique_ptr<BoundCall>> b = bind_kfunc_call(i, args, name, *k, bindings_);
        if (!b) return bad(i, b.error().message);
        if (!*b) {  // nothing implicit to bind
          aux = reinterpret_cast<uint64_t>(k->fn);
          return Kind::CALL_FN;
        }
        aux = reinterpret_cast<uint64_t>(b->get());
        bound_.push_back(std::move(*b));
        return Kind::CALL_BOUND;
      }
      if (in.src != 0) return bad(i, "call with unknown src " + std::to_string(in.src));
      if (in.imm == kHelperTailCall) return Kind::TAIL_CALL;  // the interpreter's own
      const Function* fn = fns_.helper(in.imm);
      if (!fn) {
        const std::string name = fns_.helper_name(in.imm);
        return bad(i, "unknown helper " + std::to_string(in.imm) +
                          (name.empty() ? "" : " (" + name + " is not available in ringb)"));
      }
      if (!platform::helper_allowed(p_.type, in.imm))  // the kernel's get_func_proto for the type
        return bad(i, "program of this type cannot use helper " + fns_.helper_name(in.imm) + "#" +
                          std::to_string(in.imm) + " (program type " + prog_type_name(p_.type) + ")");
      aux = reinterpret_cast<uint64_t>(*fn);
      return Kind::CALL_FN;
    }
    default:
      break;
  }
  Kind base;
  switch (op(in.code)) {
    case kJeq: base = Kind::JEQ64_K; break;
    case kJne: base = Kind::JNE64_K; break;
    case kJgt: base = Kind::JGT64_K; break;
    case kJge: base = Kind::JGE64_K; break;
    case kJlt: base = Kind::JLT64_K; break;
    case kJle: base = Kind::JLE64_K; break;
    case kJset: base = Kind::JSET64_K; break;
    case kJsgt: base = Kind::JSGT64_K; break;
    case kJsge: base = Kind::JSGE64_K; break;
    case kJslt: base = Kind::JSLT64_K; break;
    case kJsle: base = Kind::JSLE64_K; break;
    default: return bad(i, "unknown jump operation");
  }
  const int64_t t = static_cast<int64_t>(i) + 1 + in.off;
  if (Status s = check_target(i, t); !s) return s.error();
  aux = static_cast<uint64_t>(t);
  is_target = true;
  return kind4(base, is64, reg);
}

Expected<Kind> Decoder::mem(size_t i, const Insn& in) const {
  const int sz = size(in.code);
  const int idx = sz == kB ? 0 : sz == kH ? 1 : sz == kW ? 2 : 3;
  auto pick = [&](Kind b, Kind h, Kind w, Kind dw) {
    const Kind k[] = {b, h, w, dw};
    return k[idx];
  };
  switch (cls(in.code)) {
    case kLdx: {
      const bool probe = probe_loads_ && in.src != 10;
      if (mode(in.code) == kMem)
        return probe ? pick(Kind::PROBE_LDX_B, Kind::PROBE_LDX_H, Kind::PROBE_LDX_W, Kind::PROBE_LDX_DW)
                     : pick(Kind::LDX_B, Kind::LDX_H, Kind::LDX_W, Kind::LDX_DW);
      if (mode(in.code) == kMemSx && idx < 3)
        return probe ? pick(Kind::PROBE_LDXSX_B, Kind::PROBE_LDXSX_H, Kind::PROBE_LDXSX_W, Kind::INVALID)
                     : pick(Kind::LDXSX_B, Kind::LDXSX_H, Kind::LDXSX_W, Kind::INVALID);
      return bad(i, "unknown load mode");
    }
    case kSt:
      if (mode(in.code) == kMem) return pick(Kind::ST_B, Kind::ST_H, Kind::ST_W, Kind::ST_DW);
      return bad(i, "unknown store mode");
    default:  // kStx
      if (mode(in.code) == kMem) return pick(Kind::STX_B, Kind::STX_H, Kind::STX_W, Kind::STX_DW);
      if (mode(in.code) != kAtomic) return bad(i, "unknown store mode");
      if (in.imm == 0x100) {  // load-acquire
        return pick(Kind::LOAD_ACQ_B, Kind::LOAD_ACQ_H, Kind::LOAD_ACQ_W, Kind::LOAD_ACQ_DW);
      }
      if (in.imm == 0x110) return pick(Kind::STORE_REL_B, Kind::STORE_REL_H, Kind::STORE_REL_W, Kind::STORE_REL_DW);
      if (idx < 2) return bad(i, "atomic operation on fewer than 32 bits");
      const bool is64 = idx == 3;
      Kind k;
      switch (in.imm) {
        case kAdd: k = Kind::ATOMIC_ADD32; break;
        case kAnd: k = Kind::ATOMIC_AND32; break;
        case kOr: k = Kind::ATOMIC_OR32; break;
        case kXor: k = Kind::ATOMIC_XOR32; break;
        case kAdd | kFetch: k = Kind::FETCH_ADD32; break;
        case kAnd | kFetch: k = Kind::FETCH_AND32; break;
        case kOr | kFetch: k = Kind::FETCH_OR32; break;
        case kXor | kFetch: k = Kind::FETCH_XOR32; break;
        case kXchg: k = Kind::XCHG32; break;
        case kCmpXchg: k = Kind::CMPXCHG32; break;
        default: return bad(i, "unknown atomic operation " + std::to_string(in.imm));
      }
      return static_cast<Kind>(static_cast<int>(k) + (is64 ? 1 : 0));
  }
}

Expected<Kind> Decoder::ld(size_t i, const Insn& in, uint64_t& aux, bool& is_target) {
  if (in.code == (kLd | kImm | kDW)) {
    if (i + 1 >= n_) return bad(i, "64-bit load without its second half");
    const Insn& next = p_.insns[i + 1];
    if (next.code || next.dst || next.src || next.off)
      return bad(i, "malformed second half of a 64-bit load");
    switch (in.src) {
      case 0:
        aux = static_cast<uint32_t>(in.imm) | (static_cast<uint64_t>(static_cast<uint32_t>(next.imm)) << 32);
        return Kind::LD_IMM64;
      // An object's maps are numbered by index: the fd forms (what libbpf
      // emits) and the index forms (light skeletons' fd_array) coincide.
      case kPseudoMapFd:
      case kPseudoMapValue:
      case kPseudoMapIdx:
      case kPseudoMapIdxValue: {
        const auto& raw = p_.unresolved_map_fds;
        if (std::find(raw.begin(), raw.end(), static_cast<uint32_t>(i)) != raw.end())  // the ELF's own fd, unrelocated
          return bad(i, "fd " + std::to_string(in.imm) + " is not pointing to valid bpf_map");
        if (in.imm < 0 || static_cast<size_t>(in.imm) >= maps_.size() || !maps_[static_cast<size_t>(in.imm)])
          return bad(i, "reference to map " + std::to_string(in.imm) + ", which does not exist");
        maps::Map* m = maps_[static_cast<size_t>(in.imm)];
        if (in.src == kPseudoMapFd || in.src == kPseudoMapIdx) {
          aux = reinterpret_cast<uint64_t>(m);
          return Kind::LD_IMM64;
        }
        char* base = static_cast<char*>(m->direct_value_addr());
        if (!base) return bad(i, "direct value access to map '" + m->def().name + "', which is not an array");
        if (next.imm < 0 || static_cast<uint32_t>(next.imm) >= m->def().value_size)
          return bad(i, "offset " + std::to_string(next.imm) + " outside the value of map '" + m->def().name + "'");
        aux = reinterpret_cast<uint64_t>(base + next.imm);
        return Kind::LD_IMM64;
      }
      case kPseudoFunc: {
        const int64_t t = static_cast<int64_t>(i) + 1 + in.imm;
        if (Status s = check_target(i, t); !s) return s.error();
        aux = static_cast<uint64_t>(t);  // a callback: its instruction index
        return Kind::LD_IMM64;
      }
      case kPseudoBtfId:
        return bad(i, "kernel symbol " + std::to_string(in.imm) +
                          " was not resolved (Runtime::load gives __ksym loads their address)");
      default:
        return bad(i, "64-bit load of unknown kind " + std::to_string(in.src));
    }
  }
  (void)is_target;
  const int sz = size(in.code);
  if ((mode(in.code) == kAbs || mode(in.code) == kInd) && sz != kDW) {
    // The kernel's may_access_skb; the loads read the skb behind r6's
    // __sk_buff (ringb/test_ctx.h), which only these types' contexts have.
    if (p_.type != ProgType::SocketFilter && p_.type != ProgType::SchedCls && p_.type != ProgType::SchedAct)
      return bad(i, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
    const bool abs = mode(in.code) == kAbs;
    if (sz == kB) return abs ? Kind::LD_ABS_B : Kind::LD_IND_B;
    if (sz == kH) return abs ? Kind::LD_ABS_H : Kind::LD_IND_H;
    return abs ? Kind::LD_ABS_W : Kind::LD_IND_W;
  }
  return bad(i, "unknown load instruction");
}

Status Decoder::function_starts() {
  starts_.assign(1, 0);
  for (size_t i = 0; i < n_; ++i) {
    if (second_half_[i]) continue;
    const Insn& in = p_.insns[i];
    const bool local_call = is_call(in) && in.src == kPseudoCall;
    const bool func_ref = is_ld_imm64(in) && in.src == kPseudoFunc;
    if (!local_call && !func_ref) continue;
    const int64_t t = static_cast<int64_t>(i) + 1 + in.imm;
    if (Status s = check_target(i, t); !s) return s;
    starts_.push_back(static_cast<size_t>(t));
  }
  std::sort(starts_.begin(), starts_.end());
  starts_.erase(std::unique(starts_.begin(), starts_.end()), starts_.end());
  return {};
}

Status Decoder::decode(std::vector<Kind>& kinds, std::vector<uint64_t>& aux,
                       std::vector<bool>& is_target, std::vector<Insn>& shaped, uint32_t& depth0) {
  if (n_ == 0) return Error{EINVAL, "program '" + p_.name + "' has no instructions"};
  second_half_.assign(n_, false);
  for (size_t i = 0; i + 1 < n_; ++i)
    if (is_ld_imm64(p_.insns[i])) second_half_[++i] = true;
  // What the kernel refuses before anything else, anywhere in the program:
  // functions that do not end in exit or a jump (check_subprogs), then the
  // opcodes and ld_imm64 forms (resolve_pseudo_ldimm64).
  auto ends_well = [&](size_t last) {
    const uint8_t c = p_.insns[last].code;
    return c == (kJmp | kExit) || c == (kJmp | kJa) || c == (kJmp32 | kJa);
  };
  if (!ends_well(n_ - 1)) return bad(n_ - 1, "last insn is not an exit or jmp");
  if (Status s = function_starts(); !s) return s;
  for (size_t f = 1; f < starts_.size(); ++f)
    if (!ends_well(starts_[f] - 1)) return bad(starts_[f] - 1, "last insn is not an exit or jmp");
  for (size_t i = 0; i < n_; ++i)
    if (!second_half_[i])
      if (std::string e = prewalk_error(p_.insns.data(), n_, i); !e.empty()) return bad(i, e);
  jump_targets_ = find_jump_targets(p_.insns, second_half_, starts_);
  const std::vector<uint32_t> depths = stack_depths(p_.insns, starts_, second_half_);
  depth0 = depths[0];
  probe_loads_ = p_.type == ProgType::Tracing || p_.type == ProgType::Lsm || p_.type == ProgType::StructOps ||
                 calls_rdonly_cast();
  shaped = p_.insns;
  kinds.assign(n_, Kind::INVALID);
  aux.assign(n_, 0);
  is_target.assign(n_, false);
  for (size_t i = 0; i < n_; ++i) {
    if (second_half_[i]) continue;
    const Insn& in = p_.insns[i];
    if (std::string e = field_error(in); !e.empty()) return bad(i, e);
    if (const char* reason = register_error(in)) {  // refused only if reached
      kinds[i] = Kind::TRAP;
      aux[i] = reinterpret_cast<uint64_t>(reason);
      continue;
    }
    Expected<Kind> k = Kind::INVALID;
    bool target = false;
    switch (cls(in.code)) {
      case kAlu:
      case kAlu64: k = alu(i, in); break;
      case kJmp:
      case kJmp32: k = jmp(i, in, aux[i], target); break;
      case kLd: k = ld(i, in, aux[i], target); break;
      default: k = mem(i, in); break;
    }
    if (!k) return k.error();
    kinds[i] = *k;
    is_target[i] = target;
    if (*k == Kind::CALL_LOCAL) {
      shaped[i].imm = static_cast<int32_t>(depths[function_of(i)]);
      shaped[i].off = static_cast<int16_t>(depths[function_of(aux[i])]);
    }
  }
  return {};
}

std::vector<Op> build_ops(const std::vector<Insn>& insns, const std::vector<Kind>& kinds,
                          const std::vector<uint64_t>& aux, const std::vector<bool>& is_target,
                          bool counting) {
  const void* const* table = handler_table(counting);
  std::vector<Op> ops(kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) {
    const Insn& in = insns[i];
    ops[i] = Op{table[static_cast<size_t>(kinds[i])], in.imm, in.off, in.dst, in.src, aux[i]};
    if (is_target[i]) ops[i].aux = 0;  // fixed up below, once the vector stands still
  }
  for (size_t i = 0; i < kinds.size(); ++i)
    if (is_target[i]) ops[i].aux = reinterpret_cast<uint64_t>(&ops[aux[i]]);
  return ops;
}

}  // namespace

Expected<std::unique_ptr<Executable>> Executable::create(const Program& prog,
                                                         const std::vector<maps::Map*>& maps,
                                                         const std::vector<std::string>& kfuncs,
                                                         const Functions& fns,
                                                         const Bindings& bindings) {
  std::vector<Kind> kinds;
  std::vector<uint64_t> aux;
  std::vector<bool> is_target;
  std::vector<Insn> shaped;
  uint32_t depth0 = kStackSize;
  std::unique_ptr<Executable> exe(new Executable());
  Decoder d(prog, maps, kfuncs, fns, bindings, exe->bound_);
  if (Status s = d.decode(kinds, aux, is_target, shaped, depth0); !s) return s.error();
  exe->types_ = bindings.types;
  exe->prog_ = prog;
  exe->stack_depth_ = depth0;
  exe->ops_ = build_ops(shaped, kinds, aux, is_target, false);
  exe->counting_ops_ = build_ops(shaped, kinds, aux, is_target, true);
  return exe;
}

Executable::~Executable() = default;

const Op* Executable::ops(bool counting) const { return counting ? counting_ops_.data() : ops_.data(); }

uint64_t Executable::run(uint64_t ctx, RunState& rs) const {
  alignas(16) uint8_t stack[kStackArena];
  const bool counting = rs.options && (rs.options->count_insns || rs.options->insn_budget);
  const std::vector<Op>& ops = counting ? counting_ops_ : ops_;
  rs.exe = this;
  rs.tail_calls = 0;
  rs.error = nullptr;
  rs.error_code = 0;
  rs.error_insn = -1;
  rs.error_prog = nullptr;
  const uint64_t args[5] = {ctx, 0, 0, 0, 0};
  rs.held_lock = nullptr;
  const uint64_t r = interpret(counting, ops.data(), ops.data(), args, rs, stack);
  if (rs.held_lock) {  // stopped inside a locked section (budget, fault)
    maps::value_unlock(rs.held_lock);
    rs.held_lock = nullptr;
  }
  return rs.error == RunState::kThrown ? rs.finish_throw() : r;
}

// After a bpf_throw has unwound the run: the cookie, or the result of the
// exception callback of the program that threw (a tail call's target has
// its own), called with r1 = cookie.
uint64_t RunState::finish_throw() {
  error = nullptr;
  const Executable* prog = thrower;
  const uint32_t cb = prog ? prog->program().exception_cb : Program::kNoExceptionCallback;
  if (cb == Program::kNoExceptionCallback) return thrown_cookie;
  exe = prog;
  const uint64_t r = call_callback(cb, thrown_cookie, 0, 0, 0, 0);
  if (error == kThrown) {
    error = nullptr;
    fail("bpf_throw in the exception callback", EINVAL, prog, cb);
  }
  return r;
}

uint64_t RunState::call_callback(uint64_t target, uint64_t r1, uint64_t r2, uint64_t r3,
                                 uint64_t r4, uint64_t r5) {
  if (error) return 0;  // the run is already failing
  if (!exe || target >= exe->ops_.size()) {
    fail("callback outside the program", EINVAL, exe, -1);
    return 0;
  }
  if (callback_depth >= kMaxCallFrames) {
    fail("callbacks nested more than 8 deep", E2BIG, exe, -1);
    return 0;
  }
  alignas(16) uint8_t stack[kStackArena];
  const bool counting = options && (options->count_insns || options->insn_budget);
  const std::vector<Op>& ops = counting ? exe->counting_ops_ : exe->ops_;
  const uint64_t args[5] = {r1, r2, r3, r4, r5};
  const Executable* caller = exe;  // a tail call inside the callback changes exe
  ++callback_depth;
  const uint64_t r = interpret(counting, ops.data(), ops.data() + target, args, *this, stack);
  --callback_depth;
  exe = caller;
  return r;
}

}  // namespace ringb::vm
