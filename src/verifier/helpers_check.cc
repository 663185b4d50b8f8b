// helpers_check.cc — a helper call against its prototype (ringb/helpers.h):
// check_func_arg's type checks and messages, memory the helper reads or
// writes, map/function compatibility, spin locks, kptr_xchg, callbacks
// (bpf_loop, bpf_for_each_map_elem), and the type of r0 afterwards.
#include <algorithm>

#include <cstring>

#include <bpf/btf.h>

#include "ringb/cpu.h"
#include "ringb/disasm.h"
#include "ringb/helper_progs.h"
#include "ringb/helpers.h"
#include "state.h"

namespace ringb::verifier {
namespace {

using helpers::ArgKind;

std::string R(int r) { return "R" + std::to_string(r); }

bool is_sock_map(uint32_t type) { return type == 15 || type == 18; }

// check_map_func_compatibility, both directions.
bool map_func_ok(uint32_t type, int func) {
  const auto t = static_cast<MapType>(type);
  switch (t) {
    case MapType::ProgArray: if (func != 12) return false; break;
    case MapType::ArrayOfMaps:
    case MapType::HashOfMaps: if (func != 1) return false; break;
    case MapType::Queue:
    case MapType::Stack: if (func != 87 && func != 88 && func != 89) return false; break;
    case MapType::BloomFilter: if (func != 87 && func != 89) return false; break;  // push, peek
    case MapType::RingBuf: if (func != 130 && func != 131 && func != 134 && func != 198) return false; break;
    case MapType::UserRingBuf: if (func != 209) return false; break;
    default: break;
  }
  // SOCKMAP (15), SOCKHASH (18): their redirect and update helpers, lookups,
  // bpf_sk_select_reuseport; update/delete by program type (may_update_sockmap).
  constexpr uint32_t kSockMap = 15, kSockHash = 18;
  if (type == kSockMap && func != 52 && func != 53 && func != 60 && func != 82 && func != 1 && func != 2 && func != 3)
    return false;
  if (type == kSockHash && func != 72 && func != 70 && func != 71 && func != 82 && func != 1 && func != 2 && func != 3)
    return false;
  // REUSEPORT_SOCKARRAY (20): bpf_sk_select_reuseport alone, which takes it
  // or a sockmap/sockhash.
  constexpr uint32_t kReuseportArray = 20;
  if (type == kReuseportArray || func == 82) return func == 82 && (type == kReuseportArray || is_sock_map(type));
  if (func == 52 || func == 53 || func == 60) return type == kSockMap;
  if (func == 70 || func == 71 || func == 72) return type == kSockHash;
  // Cgroup storage (CGROUP_STORAGE 19, PERCPU_CGROUP_STORAGE 21): its value
  // through bpf_get_local_storage only, and that helper on these only.
  if (type == 19 || type == 21 || func == 81) return (type == 19 || type == 21) && func == 81;
  // The XDP redirect maps (check_map_func_compatibility): devmaps and
  // xskmaps take bpf_redirect_map and lookups, a cpumap only the redirect.
  constexpr uint32_t kDevMap = 14, kCpuMap = 16, kXskMap = 17, kDevMapHash = 25;
  if (type == kDevMap || type == kDevMapHash || type == kXskMap) return func == 51 || func == 1;
  if (type == kCpuMap) return func == 51;
  if (func == 51) return false;  // bpf_redirect_map: only those
  // Local storage: each type with its own get/delete helpers only.
  constexpr uint32_t kSkStorage = 24, kTaskStorage = 29, kCgrpStorage = 32;
  if (type == kSkStorage || func == 107 || func == 108) return type == kSkStorage && (func == 107 || func == 108);
  if (type == kTaskStorage || func == 156 || func == 157) return type == kTaskStorage && (func == 156 || func == 157);
  if (type == kCgrpStorage || func == 210 || func == 211) return type == kCgrpStorage && (func == 210 || func == 211);
  switch (func) {
    case 12: return t == MapType::ProgArray;
    case 87: case 89: return t == MapType::Queue || t == MapType::Stack || t == MapType::BloomFilter;
    case 88: return t == MapType::Queue || t == MapType::Stack;
    case 164:
      return t == MapType::Hash || t == MapType::Array || t == MapType::PercpuHash || t == MapType::PercpuArray ||
             t == MapType::LruHash || t == MapType::LruPercpuHash;
    case 195: return t == MapType::PercpuArray || t == MapType::PercpuHash || t == MapType::LruPercpuHash;
    case 130: case 131: case 134: case 198: return t == MapType::RingBuf;
    case 209: return t == MapType::UserRingBuf;
    default: return true;
  }
}


// may_update_sockmap: the program types whose sockets are never locked
// where they run, and iterators (tracing programs in an iter/ section, the
// kernel's BPF_TRACE_ITER), sk_lookup and sk_reuseport.
bool may_update_sockmap(ProgType pt, const std::string& section, int func) {
  switch (pt) {
    case ProgType::Tracing: return section.rfind("iter/", 0) == 0 || section.rfind("iter.s/", 0) == 0;
    case ProgType::SockOps: return func == 3;  // updates through bpf_sock_map_update only
    case ProgType::SocketFilter: case ProgType::SchedCls: case ProgType::SchedAct: case ProgType::Xdp:
    case ProgType::FlowDissector: case ProgType::SkLookup: case ProgType::SkReuseport: return true;
    default: return false;
  }
}

const char* expected_types(ArgKind k) {
  switch (k) {
    case ArgKind::ConstMapPtr: return "map_ptr";
    case ArgKind::Ctx: return "ctx";
    case ArgKind::Func: return "func";
    case ArgKind::Stack: return "fp";
    case ArgKind::ConstStr: return "map_value";
    case ArgKind::SpinLock: case ArgKind::Kptr: return "map_value, ptr_";
    case ArgKind::BtfId: return "ptr_";
    case ArgKind::PercpuBtfId: return "percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_";
    case ArgKind::SockCommon: return "sock_common, sock, tcp_sock, xdp_sock";
    case ArgKind::BtfIdSockCommon: return "sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_";
    case ArgKind::Socket: return "sock";
    default: return "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";
  }
}


bool type_ok(const Reg& r, ArgKind k, ProgType pt) {
  // A syscall program's context is plain memory of the size given at run time.
  if (pt == ProgType::Syscall && r.type == RegType::Ctx &&
      (k == ArgKind::MapKey || k == ArgKind::MapValue || k == ArgKind::Mem))
    return true;
  switch (k) {
    case ArgKind::ConstMapPtr: return r.type == RegType::MapPtr;
    case ArgKind::Ctx: return r.type == RegType::Ctx;  // at its start: check_ptr_off_reg
    case ArgKind::Func: return r.type == RegType::Func;
    case ArgKind::Stack: return r.type == RegType::Stack;
    case ArgKind::ConstStr: return r.type == RegType::MapValue;
    // kptr_xchg_dest_types: a map value, or an object the program owns
    // (MEM_ALLOC and nothing else: not a non-owning, RCU or per-cpu one).
    case ArgKind::Kptr: return r.type == RegType::MapValue || (r.type == RegType::BtfId && r.flags == kAlloc);
    case ArgKind::SpinLock: return r.type == RegType::MapValue || (r.type == RegType::BtfId && (r.flags & kAlloc));
    case ArgKind::BtfId: return r.type == RegType::BtfId;
    // a per-cpu kptr read under RCU (or a trusted one), not an owned object
    case ArgKind::PercpuBtfId: return r.type == RegType::BtfId && (r.flags & kPercpu) && !(r.flags & kAlloc);
    case ArgKind::SockCommon:
      return r.type == RegType::SockCommon || r.type == RegType::Sock || r.type == RegType::TcpSock ||
             r.type == RegType::XdpSock;
    case ArgKind::Socket: return r.type == RegType::Sock;
    case ArgKind::BtfIdSockCommon:
      return r.type == RegType::SockCommon || r.type == RegType::Sock || r.type == RegType::TcpSock ||
             r.type == RegType::XdpSock || (r.type == RegType::BtfId && !(r.flags & kUntrusted));
    case ArgKind::MapKey: case ArgKind::MapValue: case ArgKind::Mem:
      return r.type == RegType::Stack || r.type == RegType::Packet || r.type == RegType::PacketMeta ||
             r.type == RegType::MapKey || r.type == RegType::MapValue || r.type == RegType::Mem ||
             (r.type == RegType::BtfId && !(r.flags & kUntrusted));
    default: return true;
  }
}

}  // namespace

// Memory of [size_min, size_max] bytes at register `regno`, read or
// written by a helper (check_helper_mem_access).
void Verifier::check_helper_mem(State& st, int regno, int64_t size_min, int64_t size_max, bool write, bool zero_ok,
                                int size_regno) {
  (void)size_min;
  (void)size_regno;
  Frame& f = st.cur();
  const Reg r = f.regs[regno];
  const int size = static_cast<int>(size_max);
  // A zero-sized access still has its pointer's bounds checked (a stack
  // pointer that may point above the frame is refused, as the kernel's
  // check_stack_access_within_bounds does); only NULL passes unchecked.
  if (size == 0 && zero_ok && (r.type == RegType::BtfId || !r.is_pointer())) return;
  switch (r.type) {
    case RegType::Stack: {
      check_stack_bounds(regno, r, r.off, size, write ? " write to" : " read from");
      Frame& target = st.frames[r.frameno];
      const int64_t lo = r.off + (r.var_off.is_const() ? static_cast<int64_t>(r.var_off.value) : r.smin);
      const int64_t hi = r.off + (r.var_off.is_const() ? static_cast<int64_t>(r.var_off.value) : r.smax) + size;
      grow_stack(target, lo, target.subprog);
      if (write) check_stack_special_write(st, target, lo, hi, true);  // never over a dynptr
      else check_stack_special_read(target, regno, lo, hi, true);
      if (write) {
        for (int64_t o = lo; o < hi; ++o) {
          StackSlot& s = target.stack[static_cast<size_t>((-o - 1) / 8)];
          s.obj = false;
          for (Slot& t : s.type)
            if (t == Slot::Spill) t = Slot::Misc;
          s.type[(-o - 1) % 8] = Slot::Misc;
        }
      }
      return;
    }
    case RegType::MapValue:
      check_map_value_access(st, regno, r, r.off, size, write, true);
      return;
    case RegType::Packet:
    case RegType::PacketMeta:
      check_packet_access(regno, r, r.off, size, true);
      return;
    case RegType::MapKey: {
      const int64_t ks = map(r.aux).key_size;
      if (write || r.off < 0 || r.off + r.smin < 0 || static_cast<int64_t>(r.umax) + r.off + size > ks)
        fail("invalid access to map key, key_size=" + std::to_string(ks) + " off=" + std::to_string(r.off) +
             " size=" + std::to_string(size));
      return;
    }
    case RegType::Mem: {
      if (write && (r.flags & kRdonly)) fail(R(regno) + " cannot write into " + type_str(r));
      const int64_t ms = r.aux;
      if (r.off + r.smin < 0 || static_cast<int64_t>(r.umax) + r.off + size > ms)
        fail("invalid access to memory, mem_size=" + std::to_string(ms) + " off=" + std::to_string(r.off) +
             " size=" + std::to_string(size));
      return;
    }
    case RegType::BtfId:
      check_btf_helper_mem(st, regno, r, size, write);  // btf_ptrs.cc
      return;
    default: return;
  }
}

// The kernel's clear_all_pkt_pointers: after a helper that may move the
// packet, no register or spilled register of any frame points into it.
void Verifier::clear_packet_pointers(State& st) {
  auto is_packet = [](const Reg& r) {
    return r.type == RegType::Packet || r.type == RegType::PacketEnd || r.type == RegType::PacketMeta;
  };
  for (Frame& f : st.frames) {
    for (Reg& r : f.regs)
      if (is_packet(r)) mark_unknown(r);
    for (StackSlot& sl : f.stack)
      if (is_packet(sl.spilled)) mark_unknown(sl.spilled);
  }
  // Slices of skb and xdp dynptrs point into the packet too.
  for (Frame& f : st.frames) {
    for (Reg& r : f.regs)
      if (r.type == RegType::Mem && (r.dyn_type == kDynSkb || r.dyn_type == kDynXdp)) mark_unknown(r);
    for (StackSlot& sl : f.stack)
      if (sl.spilled.type == RegType::Mem && (sl.spilled.dyn_type == kDynSkb || sl.spilled.dyn_type == kDynXdp))
        mark_unknown(sl.spilled);
  }
}

void Verifier::check_helper_call(State& st, const Insn& in) {
  // The kernel's get_func_proto of the program type, as data (helper_progs.h).
  if (!platform::helper_allowed(prog_.type, in.imm) && helper_name(in.imm)[0])
    fail("program of this type cannot use helper " + std::string(helper_name(in.imm)) + "#" + std::to_string(in.imm) +
         " (program type " + prog_type_name(prog_.type) + ")");
  const helpers::Proto* p = helpers::find(in.imm);
  if (!p) {
    // A helper of the kernel's: the vm has it (the load checked that before
    // verifying), but its prototype is not in this verifier's table yet.
    if (helper_name(in.imm)[0]) unmodelled("helper " + std::string(helper_name(in.imm)) + "#" + std::to_string(in.imm));
    fail("invalid func unknown#" + std::to_string(in.imm));
  }
  if (p->gpl_only && obj_.license != "GPL" && obj_.license.find("GPL") == std::string::npos)
    fail("cannot call GPL-restricted function from non-GPL compatible program");
  if (p->might_sleep && !prog_.sleepable) fail("helper call might sleep in a non-sleepable prog");
  if (p->might_sleep && st.rcu_depth)
    fail("sleepable helper " + std::string(p->name) + "#" + std::to_string(p->id) + " in rcu_read_lock region");
  Frame& f = st.cur();
  const uint32_t per_cpu_type_ = f.regs[1].aux;
  const uint32_t cast_ref = f.regs[1].ref_obj_id;  // a pointer cast's result is the same reference
  int map_arg = -1;  // the register holding the map
  uint32_t func_sub = 0;
  bool has_func = false;
  int release_reg = -1;
  int dynptr_reg = -1, dynptr_release = -1;
  uint64_t alloc_size = 0;
  // Scalar arguments (sizes, constants, flags) decide what the call does.
  uint16_t scalar_args = 0;
  for (int a = 0; a < 5 && p->args[a].kind != ArgKind::None; ++a)
    if (p->args[a].kind != ArgKind::Anything) scalar_args = static_cast<uint16_t>(scalar_args | 1u << (a + 1));
  mark_precise_regs(st, scalar_args);
  for (int a = 0; a < 5; ++a) {
    helpers::Arg arg = p->args[a];
    if (arg.kind == ArgKind::None) break;
    const int regno = a + 1;
    // resolve_map_arg_type: a sockmap's value is a socket.
    if (arg.kind == ArgKind::MapValue && map_arg >= 0 && is_sock_map(map(f.regs[map_arg].aux).type)) {
      if (arg.flags) fail("invalid arg_type for sockmap/sockhash");
      arg.kind = ArgKind::BtfIdSockCommon;
    }
    check_reg_read(st, regno);
    const Reg& r = f.regs[regno];
    if (arg.kind == ArgKind::Anything) {
      continue;
    }
    // may_access_direct_pkt_data: only helpers marked pkt_access take packet
    // memory (packet pointers exist only in the types that may read it).
    if ((r.type == RegType::Packet || r.type == RegType::PacketMeta) && !p->pkt_access)
      fail("helper access to the packet is not allowed");
    if (arg.kind == ArgKind::Dynptr) {
      if (r.type != RegType::Stack && r.type != RegType::ConstDynptr)
        fail(R(regno) + " type=" + type_str(r) + " expected=fp, dynptr_ptr");
      if (arg.flags & helpers::kRelease) check_dynptr_release_arg(st, regno);
      const uint8_t want = (arg.flags & helpers::kDynRingbuf) ? kDynRingbuf : (arg.flags & helpers::kDynLocal) ? kDynLocal : 0;
      process_dynptr_arg(st, regno, arg.flags, want, 0);
      if (arg.flags & helpers::kRelease) dynptr_release = regno;
      else if (!(arg.flags & helpers::kUninit)) dynptr_reg = regno;
      continue;
    }
    if (arg.kind == ArgKind::AllocSize) {
      if (!r.is_scalar()) fail(R(regno) + " type=" + type_str(r) + " expected=scalar");
      if (!r.var_off.is_const()) fail(R(regno) + " is not a known constant'");
      alloc_size = r.var_off.value;
      continue;
    }
    if (arg.kind == ArgKind::RingbufMem) {
      if (r.type != RegType::Mem || !(r.flags & kRingbuf) || (r.flags & kMaybeNull))
        fail(R(regno) + " type=" + type_str(r) + " expected=ringbuf_mem");
      if (r.off) fail(R(regno) + " must have zero offset when passed to release func or trusted arg to kfunc");
      if (!r.ref_obj_id) fail(R(regno) + " must be referenced when passed to release function");
      release_reg = regno;
      continue;
    }
    if (arg.kind == ArgKind::FixedMem) {
      if (!type_ok(r, ArgKind::Mem, prog_.type) || ((r.flags & kMaybeNull) && r.is_pointer()))
        fail(R(regno) + " type=" + type_str(r) + " expected=" + expected_types(ArgKind::Mem));
      check_helper_mem(st, regno, arg.size, arg.size, arg.flags & helpers::kUninit, false, -1);
      if (arg.flags & helpers::kAligned) check_aligned(r, 0, arg.size);
      continue;
    }
    if (arg.kind == ArgKind::ConstSize || arg.kind == ArgKind::ConstSizeOrZero) {
      if (!r.is_scalar()) fail(R(regno) + " type=" + type_str(r) + " expected=scalar");
      const bool zero_ok = arg.kind == ArgKind::ConstSizeOrZero;
      if (r.smin < 0) fail(R(regno) + " min value is negative, either use unsigned or 'var &= const'");
      if (r.umin == 0 && !zero_ok)
        fail(R(regno) + " invalid zero-sized read: u64=[" + std::to_string(r.umin) + "," + std::to_string(r.umax) + "]");
      if (r.umax >= static_cast<uint64_t>(kMaxVarOff))
        fail(R(regno) + " unbounded memory access, use 'var &= const' or 'if (var < const)'");
      const helpers::Arg mem = p->args[a - 1];
      const Reg& m = f.regs[regno - 1];
      if (m.is_null_const() && (mem.flags & helpers::kMaybeNull)) {
        // check_helper_mem_access: NULL only with a size that is always 0.
        if (zero_ok && r.umax == 0) continue;
        fail(R(regno - 1) + " type=" + type_str(m) + " expected=fp");
      }
      check_helper_mem(st, regno - 1, static_cast<int64_t>(r.umin), static_cast<int64_t>(r.umax),
                       mem.flags & helpers::kUninit, zero_ok, regno);
      continue;
    }
    const bool null_ok = arg.flags & helpers::kMaybeNull;
    if (r.is_null_const() && null_ok) continue;
    // tp_btf/fentry/lsm arguments are BTF-typed pointers in the kernel;
    // this verifier reads them as scalars.
    if ((arg.kind == ArgKind::BtfId || arg.kind == ArgKind::BtfIdSockCommon) && r.is_scalar() &&
        (prog_.type == ProgType::Tracing || prog_.type == ProgType::Lsm))
      unmodelled("the BTF-typed arguments of " + std::string(prog_type_name(prog_.type)) + " programs");
    // check_reg_type: an _OR_NULL socket argument takes a socket that may be
    // NULL (sk_lookup's bpf_sk_assign(ctx, ctx->sk, ...)).
    const bool maybe_null_ok = null_ok && arg.kind == ArgKind::Socket;
    if (!type_ok(r, arg.kind, prog_.type) || ((r.flags & kMaybeNull) && r.is_pointer() && !maybe_null_ok))
      fail(R(regno) + " type=" + type_str(r) + " expected=" + expected_types(arg.kind));
    switch (arg.kind) {
      case ArgKind::ConstMapPtr: {
        map_arg = regno;  // checked against the helper after every argument, as the kernel does
        break;
      }
      case ArgKind::MapKey:
      case ArgKind::MapValue: {
        if (map_arg < 0) fail(std::string("invalid map_ptr to access map->") + (arg.kind == ArgKind::MapKey ? "key" : "value"));
        const MapDef& m = map(f.regs[map_arg].aux);
        const uint32_t n = arg.kind == ArgKind::MapKey ? m.key_size : m.value_size;
        check_helper_mem(st, regno, n, n, arg.flags & helpers::kUninit, false, -1);
        break;
      }
      case ArgKind::Ctx:
      case ArgKind::PercpuBtfId:  // the object's start (a mutant moved one by 24)
        check_ptr_off_reg(r, regno);
        break;
      case ArgKind::Func:
        check_ptr_off_reg(r, regno);  // a function's start (a mutant moved one by -4)
        // bpf_for_each_map_elem: only maps with a map_for_each_callback.
        if (p->id == 164 && map_arg >= 0 && !map_func_ok(map(f.regs[map_arg].aux).type, 164))
          fail("callback function not allowed for map");
        has_func = true;
        func_sub = r.aux;
        break;
      case ArgKind::Stack: break;
      case ArgKind::ConstStr: {
        const MapDef& m = map(r.aux);
        if (!m.read_only) fail(R(regno) + " does not point to a readonly map'");
        if (!r.var_off.is_const()) fail(R(regno) + " is not a constant address'");
        const int64_t at = r.off + static_cast<int64_t>(r.var_off.value);
        const auto& v = m.initial_value;
        if (at < 0 || static_cast<size_t>(at) >= v.size() ||
            !std::memchr(v.data() + at, 0, v.size() - static_cast<size_t>(at)))
          fail("string is not zero-terminated");
        break;
      }
      case ArgKind::SpinLock: {
        // The `less` callback runs under the tree's lock (locks.cc).
        if (in_rbtree_cb(st)) fail("can't spin_{lock,unlock} in rbtree cb");
        const FieldRecord* rec = record_of(r);
        if (!r.var_off.is_const())
          fail(R(regno) + " doesn't have constant offset. bpf_spin_lock has to be at the constant offset");
        if (!rec || rec->spin_lock_off < 0) {
          if (r.type == RegType::MapValue) fail("map '" + map(r.aux).name + "' has no valid bpf_spin_lock");
          fail("has no valid bpf_spin_lock");
        }
        const int64_t at = r.off + static_cast<int64_t>(r.var_off.value);
        if (at != rec->spin_lock_off)
          fail("off " + std::to_string(at) + " doesn't point to 'struct bpf_spin_lock' that is at " +
               std::to_string(rec->spin_lock_off));
        const uint32_t owner = r.type == RegType::MapValue ? (r.id ? r.id : 0x80000000u | r.aux) : r.ref_obj_id ? r.ref_obj_id : r.id;
        if (p->id == 93) {
          if (st.lock_id) fail("Locking two bpf_spin_locks are not allowed");
          st.lock_id = owner ? owner : 1;
          st.lock_map = r.type == RegType::MapValue ? r.aux + 1 : 0;
          st.lock_off = static_cast<int32_t>(at);
        } else {
          if (!any_lock_held(st)) fail("bpf_spin_unlock without taking a lock");
          if (st.lock_id != (owner ? owner : 1)) fail("bpf_spin_unlock of different lock");
          // Resilient locks are only ever taken inside it (locks.cc).
          if (res_lock_held(st)) fail("bpf_spin_unlock cannot be out of order");
          st.lock_id = 0;
          st.lock_map = 0;
          st.lock_off = -1;
          invalidate_non_owning(st);  // non-owning references die with the lock
        }
        break;
      }
      case ArgKind::Kptr: {
        if (!r.var_off.is_const())
          fail(R(regno) + " doesn't have constant offset. kptr has to be at the constant offset");
        const Field* fld = field_at(r);
        if (!fld || !(static_cast<uint32_t>(fld->kind) & kAnyKptr))
          fail("off=" + std::to_string(r.off + static_cast<int64_t>(r.var_off.value)) + " doesn't point to kptr");
        break;
      }
      case ArgKind::BtfId:
      case ArgKind::BtfIdSockCommon:
        // bpf_kptr_xchg: the object must be of the field's type (map_kptr_match_type).
        if (p->id == 194 && regno == 2 && obj_.btf && r.aux) {
          const Field* fld = field_at(f.regs[1]);
          if (fld && fld->pointee_id &&
              (r.off || std::string(obj_.btf->name(r.aux)) != std::string(obj_.btf->name(fld->pointee_id))))
            fail("invalid kptr access, R2 type=ptr_" + std::string(obj_.btf->name(r.aux)) + " expected=ptr_" +
                 std::string(obj_.btf->name(fld->pointee_id)));
        }
        if (arg.flags & helpers::kRelease) {
          if (r.off) fail(R(regno) + " must have zero offset when passed to release func or trusted arg to kfunc");
          if (!r.ref_obj_id) fail(R(regno) + " must be referenced when passed to release function");
          release_reg = regno;
        }
        break;
      default: break;
    }
  }
  // check_helper_call: get_local_storage() cannot fail, so its flags must be
  // a known 0 (precise: a path with other flags must not be pruned by it).
  if (p->id == 81) {
    const Reg& flags = f.regs[2];
    if (!flags.is_scalar() || !flags.is_const() || flags.var_off.value != 0)
      fail("get_local_storage() doesn't support non-zero flags");
    mark_precise(st, 2);
  }
  // check_map_func_compatibility, after the arguments.
  if (map_arg >= 0) {
    const MapDef& m = map(f.regs[map_arg].aux);
    if (p->id == 12 && m.type != static_cast<uint32_t>(MapType::ProgArray))
      fail("expected prog array map for tail call");
    // record_func_map: a map read-only to programs (BPF_F_RDONLY_PROG, which
    // devmaps get at creation) takes no update, delete, push or pop
    const bool rdonly_prog = (m.map_flags & (1u << 7)) || m.type == 14 || m.type == 25;
    if (rdonly_prog && (p->id == 2 || p->id == 3 || p->id == 87 || p->id == 88)) fail("write into map forbidden");
    if (is_sock_map(m.type) && (p->id == 2 || p->id == 3) && !may_update_sockmap(prog_.type, prog_.section, p->id))
      fail("cannot update sockmap in this context");
    if (!map_func_ok(m.type, p->id))
      fail("cannot pass map_type " + std::to_string(m.type) + " into func " + p->name + "#" + std::to_string(p->id));
  }
  // What the call leaves behind.
  Reg ret;
  mark_unknown(ret);
  uint32_t kptr_type = 0;
  bool kptr_local = false, kptr_percpu = false;
  if (p->id == 194) {
    const Field* fld = field_at(f.regs[1]);
    kptr_type = fld ? fld->pointee_id : 0;
    kptr_percpu = fld && fld->kind == FieldKind::KptrPercpu;
    kptr_local = kptr_pointee_local(kptr_type);
  }
  if (release_reg >= 0) release_ref(st, f.regs[release_reg].ref_obj_id);
  if (dynptr_release >= 0) release_dynptr(st, dynptr_release);
  if (p->id == 197 && f.regs[1].type != RegType::MapValue)
    fail("Unsupported reg type " + std::string(type_str(f.regs[1])) + " for bpf_dynptr_from_mem data");
  const Reg dyn = dynptr_reg >= 0 ? dynptr_of(st, f.regs[dynptr_reg]) : Reg{};
  if (p->id == 12) {  // tail call
    has_tail_call_ = true;
    if (any_lock_held(st)) fail("tail_call cannot be used inside bpf_spin_lock-ed region");
    check_ref_leak(st, "tail_call");
    if (st.rcu_depth) fail("tail_call cannot be used inside bpf_rcu_read_lock-ed region");
  }
  if (has_func && (p->id == 181 || p->id == 164 || p->id == 209)) {
    calls_callback_[st.insn] = true;
    // bpf_loop runs its callback at most R1 times: the count decides where
    // the walk of further iterations stops, so it is needed exactly.
    if (p->id == 181) mark_precise(st, 1);
    if (!loop_limit_reached(st, st.insn)) setup_callback(st, func_sub, p->id);
    st.cur().loop_iters = 0;  // the helper returns: its runs are over
  }
  Frame& cf = st.cur();
  // A constant key on the stack (for the array lookup rule below).
  int64_t key_const = -1;
  if (p->id == 1 && cf.regs[2].type == RegType::Stack && cf.regs[2].var_off.is_const()) {
    const int64_t off = cf.regs[2].off + static_cast<int64_t>(cf.regs[2].var_off.value);
    const Frame& kf = st.frames[cf.regs[2].frameno];
    const size_t spi = static_cast<size_t>((-off - 1) / 8);
    if (off < 0 && spi < kf.stack.size()) {
      // get_constant_map_key: key_size zero bytes, or a constant spilled
      // in exactly key_size bytes (a mutant's 1-byte store left the rest
      // of a 4-byte key unwritten).
      const StackSlot& sl = kf.stack[spi];
      const int b = static_cast<int>((-off - 1) % 8);
      const int key_size = cf.regs[1].type == RegType::MapPtr ? static_cast<int>(map(cf.regs[1].aux).key_size) : 4;
      int zeros = 0, spilled = 0;
      for (int k = b; k >= 0 && sl.type[k] == Slot::Zero; --k) ++zeros;
      for (int k = b; k >= 0 && sl.type[k] == Slot::Spill; --k) ++spilled;
      if (zeros >= key_size) {
        key_const = 0;
      } else if (spilled == key_size && sl.spilled.is_scalar() && sl.spilled.is_const()) {
        key_const = static_cast<int64_t>(static_cast<uint32_t>(sl.spilled.var_off.value));
        mark_precise_slot(st, cf.regs[2].frameno, spi);
      }
    }
  }
  const int map_reg_aux = map_arg >= 0 ? static_cast<int>(cf.regs[map_arg].aux) : -1;
  // The largest size a copying helper was given bounds what it returns.
  const int size_reg = (p->id == 67 || p->id == 141) ? 3 : (p->id == 45 || p->id == 114 || p->id == 115) ? 2 : 0;
  const uint64_t msize_max = size_reg ? cf.regs[size_reg].umax : 0;
  clear_caller_saved(st);
  // bpf_dynptr_write to an skb dynptr writes the packet (check_helper_call).
  // A tail call that returns (no program ran) may still have moved it.
  if (p->changes_pkt_data || p->id == 12 || (p->id == 202 && dyn.aux == kDynSkb)) clear_packet_pointers(st);
  switch (p->ret) {
    case helpers::RetKind::SocketOrNull:
    case helpers::RetKind::SockCommonOrNull:
    case helpers::RetKind::TcpSockOrNull: {
      Reg v;
      mark_known(v, 0);
      v.type = p->ret == helpers::RetKind::SocketOrNull       ? RegType::Sock
               : p->ret == helpers::RetKind::TcpSockOrNull    ? RegType::TcpSock
                                                              : RegType::SockCommon;
      v.flags = kMaybeNull;
      if (p->acquire) {
        v.ref_obj_id = acquire_ref(st);
        v.id = v.ref_obj_id;
      } else {
        v.id = ++id_gen_;
        if (p->ptr_cast) v.ref_obj_id = cast_ref;
      }
      cf.regs[0] = v;
      break;
    }
    case helpers::RetKind::SockBtfIdOrNull: {
      // The same socket as another kernel type: a cast of the argument's
      // reference (is_ptr_cast_function), NULL checked by its own id.
      Reg v;
      mark_known(v, 0);
      v.type = RegType::BtfId;
      v.flags = kMaybeNull;
      v.aux2 = kBtfSocket;
      v.id = ++id_gen_;
      if (p->ptr_cast) v.ref_obj_id = cast_ref;
      cf.regs[0] = v;
      break;
    }
    case helpers::RetKind::TaskBtfId: {
      Reg v;
      mark_known(v, 0);
      v.type = RegType::BtfId;
      v.aux = obj_.btf ? obj_.btf->find("task_struct", BTF_KIND_STRUCT) : 0;
      cf.regs[0] = v;
      break;
    }
    case helpers::RetKind::Void: cf.regs[0] = Reg{}; break;
    case helpers::RetKind::Integer:
      cf.regs[0] = ret;
      refine_retval(cf.regs[0], p->id, msize_max);
      break;
    case helpers::RetKind::RingbufMemOrNull:
    case helpers::RetKind::DynptrMemOrNull: {
      Reg v;
      mark_known(v, 0);
      v.type = RegType::Mem;
      v.aux = static_cast<uint32_t>(alloc_size);
      v.id = ++id_gen_;
      if (p->ret == helpers::RetKind::RingbufMemOrNull) {
        v.flags = kMaybeNull | kRingbuf;
        v.ref_obj_id = acquire_ref(st);
        v.id = v.ref_obj_id;
      } else {
        v.flags = kMaybeNull;
        v.dynptr_id = dyn.id;
        v.ref_obj_id = dyn.ref_obj_id;
        v.dyn_type = static_cast<uint8_t>(dyn.aux);
      }
      cf.regs[0] = v;
      break;
    }
    case helpers::RetKind::MapValueOrNull: {
      const MapDef& m = map(static_cast<uint32_t>(map_reg_aux));
      Reg v;
      mark_known(v, 0);
      v.id = ++id_gen_;
      v.flags = kMaybeNull;
      constexpr uint32_t kSockMap = 15, kSockHash = 18;  // BPF_MAP_TYPE_SOCKMAP, _SOCKHASH
      constexpr uint32_t kXskMap = 17;                   // BPF_MAP_TYPE_XSKMAP
      if (m.type == kSockMap || m.type == kSockHash) {
        // A socket with a reference the program must release.
        v.type = RegType::Sock;
        v.ref_obj_id = acquire_ref(st);
        v.id = v.ref_obj_id;
      } else if (m.type == kXskMap) {
        v.type = RegType::XdpSock;
      } else if ((m.type == static_cast<uint32_t>(MapType::ArrayOfMaps) || m.type == static_cast<uint32_t>(MapType::HashOfMaps)) &&
          m.inner_map) {
        maps_.push_back(m.inner_map.get());
        v.type = RegType::MapPtr;
        v.aux = static_cast<uint32_t>(maps_.size() - 1);
      } else {
        v.type = RegType::MapValue;
        v.aux = static_cast<uint32_t>(map_reg_aux);
        // An array lookup with a constant key in range cannot fail: Linux
        // 6.18 drops _or_null for it, so programs may skip the check.
        if ((m.type == static_cast<uint32_t>(MapType::Array) || m.type == static_cast<uint32_t>(MapType::PercpuArray)) &&
            key_const >= 0 && static_cast<uint64_t>(key_const) < m.max_entries) {
          v.flags = 0;
          // A value with a lock keeps an id all the same: locks are named
          // by it (locks.cc).
          if (m.fields.spin_lock_off < 0 && m.fields.res_spin_lock_off < 0) v.id = 0;
        }
      }
      cf.regs[0] = v;
      break;
    }
    case helpers::RetKind::MapValue: {
      // RET_PTR_TO_MAP_VALUE: not NULL; an id only when the value has a lock
      // (locks are named by it, locks.cc).
      const MapDef& m = map(static_cast<uint32_t>(map_reg_aux));
      Reg v;
      mark_known(v, 0);
      v.type = RegType::MapValue;
      v.aux = static_cast<uint32_t>(map_reg_aux);
      if (m.fields.spin_lock_off >= 0 || m.fields.res_spin_lock_off >= 0) v.id = ++id_gen_;
      cf.regs[0] = v;
      break;
    }
    case helpers::RetKind::MemOrBtfId:
    case helpers::RetKind::BtfIdOrNull: {
      Reg v;
      mark_known(v, 0);
      v.type = RegType::BtfId;
      v.flags = (p->ret_flags & helpers::kMaybeNull) ? kMaybeNull : 0;
      if (p->id == 194) {
        v.aux = kptr_type;
        if (kptr_local) v.flags |= kAlloc;
        if (kptr_percpu) v.flags |= kPercpu;
        v.ref_obj_id = acquire_ref(st);
        v.id = v.ref_obj_id;
      } else {
        const Reg& a1 = f.regs[1];
        (void)a1;
        v.aux = 0;
        v.flags |= kAlloc;
        v.id = ++id_gen_;
      }
      cf.regs[0] = v;
      break;
    }
  }
  if (p->id == 153 || p->id == 154) {
    // The object's type comes from the per-cpu pointer's.
    cf.regs[0].aux = per_cpu_type_;
  }
}

// At a bpf_loop call: the callback ran as many times as the largest count
// R1 allows (for_each and user_ringbuf_drain have no such bound here).
bool Verifier::loop_limit_reached(const State& st, uint32_t insn) const {
  if (insn >= insns_.size() || insns_[insn].src != 0 || insns_[insn].imm != 181) return false;
  const Frame& f = st.cur();
  return f.regs[1].is_scalar() && f.loop_iters >= f.regs[1].umax;
}

// do_refine_retval_range: what some helpers may return, beyond "a scalar".
// get_stack/get_task_stack and the probe_read_*_str helpers return a
// negative errno or at most the size they were given; get_smp_processor_id
// a slot below nr_cpus.
void Verifier::refine_retval(Reg& r0, int helper_id, uint64_t msize_max) {
  constexpr int64_t kMaxErrno = 4095;
  switch (helper_id) {
    case 67: case 141: case 45: case 114: case 115: {
      const int64_t smax = static_cast<int64_t>(std::min<uint64_t>(msize_max, INT32_MAX));
      r0.smax = smax;
      r0.s32_max = static_cast<int32_t>(smax);
      r0.smin = -kMaxErrno;
      r0.s32_min = -kMaxErrno;
      break;
    }
    case 8: {  // bpf_get_smp_processor_id
      const uint32_t last = cpu::nr_cpus() - 1;
      r0.umin = r0.u32_min = 0;
      r0.smin = r0.s32_min = 0;
      r0.umax = r0.u32_max = last;
      r0.smax = r0.s32_max = static_cast<int32_t>(last);
      break;
    }
    default: return;
  }
  bounds_sync(r0);
}

void Verifier::setup_callback(State& st, uint32_t subprog, int helper_id) {
  State cb = st;
  const Frame& caller = st.cur();
  Frame callee;
  callee.callsite = st.insn;
  callee.subprog = subprog;
  callee.in_callback = true;
  is_cb_[subprog] = true;
  if (helper_id == 181) {  // bpf_loop(nr, cb, ctx, flags): cb(u64 index, void *ctx)
    mark_unknown(callee.regs[1]);
    callee.regs[2] = caller.regs[3];
  } else if (helper_id == 209) {  // user_ringbuf_drain(map, cb, ctx, flags): cb(const struct bpf_dynptr *, void *ctx)
    mark_known(callee.regs[1], 0);
    callee.regs[1].type = RegType::ConstDynptr;
    callee.regs[1].aux = kDynLocal;
    callee.regs[1].id = ++id_gen_;
    callee.regs[2] = caller.regs[3];
  } else {  // for_each_map_elem(map, cb, ctx, flags): cb(map, key, value, ctx)
    const Reg& m = caller.regs[1];
    callee.regs[1] = m;
    callee.regs[2] = m;
    callee.regs[2].type = RegType::MapKey;
    callee.regs[3] = m;
    callee.regs[3].type = RegType::MapValue;
    callee.regs[4] = caller.regs[3];
  }
  mark_known(callee.regs[10], 0);
  callee.regs[10].type = RegType::Stack;
  callee.regs[10].frameno = static_cast<uint8_t>(cb.frames.size());
  if (cb.frames.size() >= static_cast<size_t>(kMaxCallFrames))
    fail("the call stack of " + std::to_string(cb.frames.size() + 1) + " frames is too deep !");
  const uint32_t caller_sub = st.cur().subprog;
  if (std::find(callees_[caller_sub].begin(), callees_[caller_sub].end(), subprog) == callees_[caller_sub].end())
    callees_[caller_sub].push_back(subprog);
  ++cb.frames.back().loop_iters;
  cb.frames.push_back(std::move(callee));
  cb.insn = prog_.funcs[subprog].insn;
  push_branch(cb, cb.insn);
}

// bpf_cgroup_storage_assign(): a program uses at most one map of each
// cgroup storage type (its storages are found by type at run time).
void Verifier::check_cgroup_storages() {
  using namespace isa;
  int64_t used[2] = {-1, -1};
  for (size_t i = 0; i + 1 < insns_.size(); ++i) {
    const Insn& in = insns_[i];
    if (!is_ld_imm64(in)) continue;
    ++i;
    if (in.src != kPseudoMapFd && in.src != kPseudoMapIdx && in.src != kPseudoMapValue && in.src != kPseudoMapIdxValue)
      continue;
    if (in.imm < 0 || static_cast<size_t>(in.imm) >= obj_.maps.size()) continue;
    const uint32_t type = obj_.maps[static_cast<size_t>(in.imm)].type;
    if (type != 19 && type != 21) continue;
    int64_t& u = used[type == 21 ? 1 : 0];
    if (u >= 0 && u != in.imm) fail("only one cgroup storage of each type is allowed");
    u = in.imm;
  }
}

}  // namespace ringb::verifier
