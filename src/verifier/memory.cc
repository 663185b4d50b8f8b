// memory.cc — loads, stores and atomics: check_mem_access and its
// per-pointer-type checks (map values and keys, packet, context, memory,
// allocated objects), with the kernel's messages.
#include <cstring>

#include "ringb/fields.h"
#include "ringb/prog_ctx.h"
#include "state.h"

namespace ringb::verifier {
namespace {

using namespace isa;

constexpr uint32_t kRdonlyProg = 1U << 7;  // BPF_F_RDONLY_PROG
constexpr uint32_t kWronlyProg = 1U << 8;  // BPF_F_WRONLY_PROG

std::string R(int r) { return "R" + std::to_string(r); }

// __check_mem_access's message for an access outside [0, mem_size).
std::string mem_message(const Reg& r, int regno, int64_t off, int size, int64_t mem_size) {
  const std::string o = std::to_string(off), s = std::to_string(size), m = std::to_string(mem_size);
  switch (r.type) {
    case RegType::MapKey: return "invalid access to map key, key_size=" + m + " off=" + o + " size=" + s;
    case RegType::MapValue: return "invalid access to map value, value_size=" + m + " off=" + o + " size=" + s;
    case RegType::Packet: case RegType::PacketMeta: case RegType::PacketEnd:
      return "invalid access to packet, off=" + o + " size=" + s + ", " + R(regno) + "(id=" + std::to_string(r.id) +
             ",off=" + o + ",r=" + m + ")";
    default: return "invalid access to memory, mem_size=" + m + " off=" + o + " size=" + s;
  }
}

bool in_bounds(int64_t off, int size, int64_t mem_size, bool zero_ok) {
  const bool size_ok = size > 0 || (size == 0 && zero_ok);
  return off >= 0 && size_ok && off + size <= mem_size;
}

}  // namespace


void Verifier::check_map_value_access(const State& st, int regno, const Reg& r, int32_t off, int size, bool write,
                                      bool helper) {
  (void)st;
  const MapDef& m = map(r.aux);
  const int64_t vs = m.value_size;
  // check_map_access_type, before the bounds: what the map lets programs do
  // devmaps: the kernel adds BPF_F_RDONLY_PROG at creation (dev_map_init_map)
  const bool devmap = m.type == 14 || m.type == 25;
  if (write && (m.read_only || (m.map_flags & kRdonlyProg) || devmap))  // .rodata, or BPF_F_RDONLY_PROG
    fail("write into map forbidden, value_size=" + std::to_string(vs) + " off=" + std::to_string(off) + " size=" +
         std::to_string(size));
  if (!write && (m.map_flags & kWronlyProg))
    fail("read from map forbidden, value_size=" + std::to_string(vs) + " off=" + std::to_string(off) + " size=" +
         std::to_string(size));
  if (r.smin < 0 && (r.smin == INT64_MIN || off + r.smin != static_cast<int32_t>(off + r.smin) || r.smin + off < 0))
    fail(R(regno) + " min value is negative, either use unsigned index or do a if (index >=0) check.");
  if (!in_bounds(r.smin + off, size, vs, helper))
    fail(mem_message(r, regno, r.smin + off, size, vs) + "\n" + R(regno) + " min value is outside of the allowed memory range");
  if (r.umax >= static_cast<uint64_t>(kMaxVarOff))
    fail(R(regno) + " unbounded memory access, make sure to bounds check any such access");
  if (!in_bounds(static_cast<int64_t>(r.umax) + off, size, vs, helper))
    fail(mem_message(r, regno, static_cast<int64_t>(r.umax) + off, size, vs) + "\n" + R(regno) +
         " max value is outside of the allowed memory range");
  // Special fields: only kptrs may be loaded and stored directly.
  const int64_t lo = r.smin + off, hi = static_cast<int64_t>(r.umax) + off + size;
  for (const Field& fld : m.fields.fields) {
    if (!(hi > fld.offset && lo < int64_t{fld.offset} + fld.size)) continue;
    const bool kptr = static_cast<uint32_t>(fld.kind) & kAnyKptr;
    if (!kptr || fld.kind == FieldKind::Uptr) {
      if (helper && fld.kind == FieldKind::SpinLock) continue;  // bpf_spin_lock's own argument
      fail(std::string(field_kind_name(fld.kind)) + " cannot be accessed directly by load/store");
    }
    if (helper) fail("kptr cannot be accessed indirectly by helper");
    if (!r.var_off.is_const()) fail("kptr access cannot have variable offset");
    if (int64_t{fld.offset} != off + static_cast<int64_t>(r.var_off.value))
      fail("kptr access misaligned expected=" + std::to_string(fld.offset) + " off=" +
           std::to_string(off + static_cast<int64_t>(r.var_off.value)));
    if (size != 8) fail("kptr access size must be BPF_DW");
    // check_map_kptr_access: referenced kptrs change only by bpf_kptr_xchg.
    if (write && (fld.kind == FieldKind::Kptr || fld.kind == FieldKind::KptrPercpu))
      fail("store to referenced kptr disallowed");
  }
}

void Verifier::check_packet_access(int regno, const Reg& r, int32_t off, int size, bool helper) {
  if (r.smin < 0)
    fail(R(regno) + " min value is negative, either use unsigned index or do a if (index >=0) check.");
  // The range counts from the pointer with its variable part (every pointer
  // of the same id has it): only the fixed offset is checked against it.
  if (!in_bounds(off, size, r.aux, helper) || r.umax > static_cast<uint64_t>(kMaxPacketOff))
    fail(mem_message(r, regno, off, size, r.aux) + "\n" + R(regno) + " offset is outside of the packet");
}

// __check_ptr_off_reg without a fixed offset: r points at its object's (or
// function's) start.
void Verifier::check_ptr_off_reg(const Reg& r, int regno) {
  if (r.off < 0) fail(std::string("negative offset ") + type_str(r) + " ptr " + R(regno) + " off=" + std::to_string(r.off) + " disallowed");
  if (r.off) fail(std::string("dereference of modified ") + type_str(r) + " ptr " + R(regno) + " off=" + std::to_string(r.off) + " disallowed");
  if (!r.var_off.equals_const(0)) fail(std::string("variable ") + type_str(r) + " access var_off=" + r.var_off.str() + " disallowed");
}

// check_ptr_alignment, strict: d + insn_off is a multiple of size.
void Verifier::check_aligned(const Reg& d, int32_t insn_off, int size) {
  const Tnum at = tnum_add(d.var_off, Tnum::constant(static_cast<uint64_t>(static_cast<int64_t>(d.off) + insn_off)));
  if (!((at.value | at.mask) & static_cast<uint64_t>(size - 1))) return;
  const char* desc = d.type == RegType::MapValue ? "value " : d.type == RegType::MapKey ? "key " : d.type == RegType::Stack ? "stack " : "";
  fail(std::string("misaligned ") + desc + "access off " +
       (d.var_off.is_const() ? std::to_string(d.var_off.value) : d.var_off.str()) + "+" + std::to_string(d.off) + "+" +
       std::to_string(insn_off) + " size " + std::to_string(size));
}

void Verifier::check_mem_access(State& st, int regno, int32_t insn_off, int size, bool write, int value_regno,
                                bool sign_ext, const Insn& in) {
  Frame& f = st.cur();
  const Reg r = f.regs[regno];
  const int64_t off = int64_t{insn_off} + r.off;
  Reg loaded;
  mark_unknown(loaded);
  bool have_value = value_regno >= 0 && !write;
  auto var_ok_const = [&](const char* what) {
    if (r.off || !r.var_off.equals_const(0)) {
      if (r.off && r.var_off.equals_const(0))
        fail("dereference of modified " + std::string(what) + " ptr " + R(regno) + " off=" + std::to_string(r.off) +
             " disallowed");
      fail("variable " + std::string(what) + " access var_off=" + r.var_off.str() + " disallowed");
    }
  };
  switch (r.type) {
    case RegType::MapValue: {
      if (r.flags & kMaybeNull) fail(R(regno) + " invalid mem access '" + type_str(r) + "'");
      check_map_value_access(st, regno, r, static_cast<int32_t>(off), size, write, false);
      const MapDef& m = map(r.aux);
      const Field* kf = m.fields.at(static_cast<uint32_t>(off + static_cast<int64_t>(r.var_off.value)));
      if (have_value && kf && (static_cast<uint32_t>(kf->kind) & kAnyKptr)) {
        loaded = Reg{};
        loaded.type = RegType::BtfId;
        loaded.aux = kf->pointee_id;
        // check_map_kptr_access: an untrusted kptr loads untrusted; a
        // referenced or per-cpu one as btf_ld_kptr_type says (btf_ptrs.cc).
        loaded.flags = kf->kind == FieldKind::KptrUntrusted ? kMaybeNull | kUntrusted : loaded_kptr_flags(st, *kf);
        loaded.id = ++id_gen_;
        mark_known(f.regs[value_regno], 0);
        f.regs[value_regno] = loaded;
        return;
      }
      // A read-only map's contents are known: frozen .rodata.
      if (have_value && m.read_only && r.var_off.is_const() && !m.initial_value.empty()) {
        const int64_t at = off + static_cast<int64_t>(r.var_off.value);
        if (at >= 0 && at + size <= static_cast<int64_t>(m.initial_value.size())) {
          uint64_t v = 0;
          std::memcpy(&v, m.initial_value.data() + at, static_cast<size_t>(size));
          mark_known(loaded, v);
          if (sign_ext) coerce_to_size_sx(loaded, size);
        }
      }
      break;
    }
    case RegType::MapKey: {
      const int64_t ks = map(r.aux).key_size;
      if (write) fail("write to change key " + R(regno) + " not allowed");
      if (r.smin + off < 0 || !in_bounds(r.smin + off, size, ks, false) ||
          !in_bounds(static_cast<int64_t>(r.umax) + off, size, ks, false))
        fail(mem_message(r, regno, r.smin + off, size, ks));
      break;
    }
    case RegType::Mem: {
      if (r.flags & kMaybeNull) fail(R(regno) + " invalid mem access '" + type_str(r) + "'");
      if (write && (r.flags & kRdonly)) fail(R(regno) + " cannot write into " + type_str(r));
      const int64_t ms = r.aux;
      if (r.smin < 0 && (r.smin == INT64_MIN || r.smin + off < 0))
        fail(R(regno) + " min value is negative, either use unsigned index or do a if (index >=0) check.");
      if (!in_bounds(r.smin + off, size, ms, false))
        fail(mem_message(r, regno, r.smin + off, size, ms) + "\n" + R(regno) + " min value is outside of the allowed memory range");
      if (r.umax >= static_cast<uint64_t>(kMaxVarOff))
        fail(R(regno) + " unbounded memory access, make sure to bounds check any such access");
      if (!in_bounds(static_cast<int64_t>(r.umax) + off, size, ms, false))
        fail(mem_message(r, regno, static_cast<int64_t>(r.umax) + off, size, ms) + "\n" + R(regno) +
             " max value is outside of the allowed memory range");
      break;
    }
    case RegType::Ctx: {
      var_ok_const("ctx");
      if (!prog_ctx::modelled(prog_.type))
        unmodelled(std::string("the context of program type ") + prog_type_name(prog_.type));
      const prog_ctx::Access a = prog_ctx::check(prog_.type, off, size, write, prog_.attach);
      // A packet pointer field is never read sign-extended (the kernel's
      // is_valid_access refuses is_ldsx there).
      const bool packet_field = a.loaded == prog_ctx::Loaded::Packet || a.loaded == prog_ctx::Loaded::PacketEnd ||
                                a.loaded == prog_ctx::Loaded::PacketMeta;
      if (!a.ok || (sign_ext && packet_field))
        fail("invalid bpf_context access off=" + std::to_string(off) + " size=" + std::to_string(size));
      if (have_value && load_ctx_arg(st, off, size, value_regno)) return;  // btf_ptrs.cc
      if (have_value && a.loaded != prog_ctx::Loaded::Scalar) {
        loaded = Reg{};
        switch (a.loaded) {
          case prog_ctx::Loaded::Packet: loaded.type = RegType::Packet; break;
          case prog_ctx::Loaded::PacketEnd: loaded.type = RegType::PacketEnd; break;
          case prog_ctx::Loaded::PacketMeta: loaded.type = RegType::PacketMeta; break;
          case prog_ctx::Loaded::Sock: loaded.type = RegType::Sock; break;
          case prog_ctx::Loaded::FlowKeys: loaded.type = RegType::FlowKeys; break;
          case prog_ctx::Loaded::SockOrNull: loaded.type = RegType::Sock; loaded.flags = kMaybeNull; loaded.id = ++id_gen_; break;
          default: loaded.type = RegType::SockCommon; loaded.flags = kMaybeNull; loaded.id = ++id_gen_; break;
        }
        f.regs[value_regno] = loaded;
        return;
      }
      break;
    }
    case RegType::Stack: {
      // Alignment first, as the kernel's check_ptr_alignment comes before
      // the stack's bounds.
      if (r.var_off.is_const() && (off + static_cast<int64_t>(r.var_off.value)) % size)
        fail("misaligned stack access off " + std::to_string(r.var_off.value) + "+" + std::to_string(r.off) + "+" +
             std::to_string(insn_off) + " size " + std::to_string(size));
      check_stack_bounds(regno, r, off, size, write ? " write to" : " read from");
      Frame& target = st.frames[r.frameno];
      const int64_t lo = r.var_off.is_const() ? off + static_cast<int64_t>(r.var_off.value) : off + r.smin;
      if (r.var_off.is_const()) {
        const int64_t at = lo;
        grow_stack(target, at, target.subprog);
        if (write) {
          // A spill of a scalar that fits links the slot and the register
          // (assign_scalar_id_before_mov): a comparison of one refines both.
          if (value_regno >= 0 && at % 8 == 0) {
            Reg& v = f.regs[value_regno];
            if (reg_width(v) <= size * 8) link_before_mov(v);
          }
          stack_write(st, target, at, size, value_regno >= 0 ? &f.regs[value_regno] : nullptr, in,
                      value_regno < 0 && cls(in.code) == kSt);
        } else {
          stack_read(st, target, at, size, value_regno);
          if (value_regno >= 0 && f.regs[value_regno].is_scalar() && size < 8) {
            if (sign_ext) coerce_to_size_sx(f.regs[value_regno], size), unlink(f.regs[value_regno]);
            else coerce_to_size(f.regs[value_regno], size);
          }
        }
        return;
      }
      const int64_t hi = off + r.smax;
      grow_stack(target, lo, target.subprog);
      if (write) {
        const Reg* v = value_regno >= 0 ? &f.regs[value_regno] : nullptr;
        const bool zero = v ? v->is_null_const() : cls(in.code) == kSt && in.imm == 0;
        if (zero && v) mark_precise(st, value_regno);  // zero slots stand for the register's value
        stack_var_write(st, target, lo, hi, size, zero);
      } else {
        Reg* d = value_regno >= 0 ? &f.regs[value_regno] : nullptr;
        stack_var_read(target, lo, hi + size, d);
        if (d && size < 8) coerce_to_size(*d, size);
      }
      return;
    }
    case RegType::Packet:
    case RegType::PacketMeta: {
      if (write && !prog_ctx::has_packet(prog_.type))
        fail("cannot write into packet");
      check_packet_access(regno, r, static_cast<int32_t>(off), size, false);
      break;
    }
    case RegType::BtfId: {
      if (r.flags & kMaybeNull) fail(R(regno) + " invalid mem access '" + type_str(r) + "'");
      if (r.smin < 0 || !r.var_off.is_const())
        fail(R(regno) + " is ptr_" + btf_name(r) +
             " invalid negative access: off=" + std::to_string(off));
      // Per-cpu memory only through bpf_this_cpu_ptr/bpf_per_cpu_ptr.
      if (r.flags & kPercpu)
        fail(R(regno) + " is ptr_" + btf_name(r) + " access percpu memory: off=" + std::to_string(off));
      if (write && !(r.flags & kAlloc)) fail("only read is supported");
      if (r.aux2 & kBtfSocket) unmodelled("the fields of the kernel socket a bpf_skc_to_* helper returns");
      if (r.aux2 & kBtfKernel) {  // a kernel type (btf_ptrs.cc)
        if (load_btf_member(st, r, regno, off + static_cast<int64_t>(r.var_off.value), size, write ? -1 : value_regno))
          return;
      } else if (obj_.btf && r.aux) {
        const int64_t sz = obj_.btf->size_of(r.aux);
        const int64_t at = off + static_cast<int64_t>(r.var_off.value);
        if (sz > 0 && (at < 0 || at + size > sz))
          fail("access beyond struct " + obj_.btf->name(r.aux) + " at off " + std::to_string(at) + " size " +
               std::to_string(size));
        if (r.flags & kAlloc) {
          for (const StructMeta& sm : obj_.struct_metas) {
            if (sm.btf_id != r.aux) continue;
            for (const Field& fld : sm.record.fields)
              if (at + size > fld.offset && at < int64_t{fld.offset} + fld.size)
                fail(std::string("direct access to ") + field_kind_name(fld.kind) + " is disallowed");
          }
        }
        if (load_btf_member(st, r, regno, at, size, write ? -1 : value_regno)) return;
      }
      break;
    }
    case RegType::FlowKeys: {
      // check_flow_keys_access: inside struct bpf_flow_keys (56 bytes).
      if (!r.var_off.is_const()) unmodelled("variable offsets into flow keys");
      const int64_t at = off + static_cast<int64_t>(r.var_off.value);
      if (at < 0 || at + size > 56)
        fail("invalid access to flow keys off=" + std::to_string(at) + " size=" + std::to_string(size));
      break;
    }
    case RegType::SockCommon:
    case RegType::Sock:
    case RegType::TcpSock:
    case RegType::XdpSock: {
      // check_sock_access; a maybe-NULL socket is no socket (the default below).
      if (r.flags & kMaybeNull) fail(R(regno) + " invalid mem access '" + type_str(r) + "'");
      if (write) fail(R(regno) + " cannot write into " + type_str(r));
      if (r.smin < 0)
        fail(R(regno) + " min value is negative, either use unsigned index or do a if (index >=0) check.");
      const prog_ctx::SockKind k = r.type == RegType::Sock      ? prog_ctx::SockKind::Sock
                                   : r.type == RegType::TcpSock ? prog_ctx::SockKind::TcpSock
                                   : r.type == RegType::XdpSock ? prog_ctx::SockKind::XdpSock
                                                                : prog_ctx::SockKind::SockCommon;
      if (!prog_ctx::sock_access(k, off, size))
        fail(R(regno) + " invalid " + type_str(r) + " access off=" + std::to_string(off) + " size=" + std::to_string(size));
      break;
    }
    default:
      fail(R(regno) + " invalid mem access '" + type_str(r) + "'");
  }
  if (have_value) {
    if (sign_ext && !loaded.var_off.is_const()) {
      coerce_to_size_sx(loaded, size);
    } else if (size < 8 && !loaded.var_off.is_const()) {
      coerce_to_size(loaded, size);
    }
    f.regs[value_regno] = loaded;
  }
}

void Verifier::check_load(State& st, const Insn& in) {
  check_reg_read(st, in.src);
  check_reg_write(in.dst);
  check_mem_access(st, in.src, in.off, size_bytes(in.code), false, in.dst, mode(in.code) == kMemSx, in);
}

void Verifier::check_store(State& st, const Insn& in) {
  check_reg_read(st, in.dst);
  int value = -1;
  if (cls(in.code) == kStx) {
    check_reg_read(st, in.src);
    value = in.src;
  }
  check_mem_access(st, in.dst, in.off, size_bytes(in.code), true, value, false, in);
}

void Verifier::check_atomic(State& st, const Insn& in) {
  constexpr int32_t kLoadAcq = 0x100, kStoreRel = 0x110;
  if (in.imm == kLoadAcq) {
    check_reg_read(st, in.src);
    check_reg_write(in.dst);
    check_mem_access(st, in.src, in.off, size_bytes(in.code), false, in.dst, false, in);
    return;
  }
  if (in.imm == kStoreRel) {
    check_reg_read(st, in.dst);
    check_reg_read(st, in.src);
    check_mem_access(st, in.dst, in.off, size_bytes(in.code), true, in.src, false, in);
    return;
  }
  Frame& f = st.cur();
  check_reg_read(st, in.src);
  check_reg_read(st, in.dst);
  if (in.imm == kCmpXchg) check_reg_read(st, 0);
  const Reg& d = f.regs[in.dst];
  if (d.type == RegType::Ctx || d.type == RegType::Packet || d.type == RegType::PacketMeta)
    fail("BPF_ATOMIC stores into R" + std::to_string(in.dst) + " " + type_str(d) + " is not allowed");
  const int size = size_bytes(in.code);
  // Atomics are aligned whatever the pointer (check_atomic's strict
  // alignment); the stack's own check says so for stack pointers.
  if (d.type != RegType::Stack && d.is_pointer()) check_aligned(d, in.off, size);
  const int load_reg = in.imm == kCmpXchg ? 0 : (in.imm & kFetch) ? in.src : -1;
  check_mem_access(st, in.dst, in.off, size, false, -1, false, in);
  check_mem_access(st, in.dst, in.off, size, true, -1, false, in);
  if (load_reg >= 0) {
    Reg& out = f.regs[load_reg];
    mark_unknown(out);
    if (size == 4) coerce_to_size(out, 4);
  }
}

}  // namespace ringb::verifier
