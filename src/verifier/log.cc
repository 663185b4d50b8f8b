// log.cc — the verifier log in the kernel's format: "N: (b7) r0 = 0" per
// instruction walked, " ; R0_w=0"-style register state at level 2, "from
// N to M:" where a pending branch is taken up, and the statistics line.
#include <cinttypes>
#include <cstdio>

#include "ringb/disasm.h"
#include "state.h"

namespace ringb::verifier {

const char* Verifier::type_str(const Reg& r) {
  const bool null = r.flags & kMaybeNull;
  switch (r.type) {
    case RegType::NotInit: return "?";
    case RegType::Scalar: return "scalar";
    case RegType::Ctx: return "ctx";
    case RegType::Stack: return "fp";
    case RegType::MapPtr: return null ? "map_ptr_or_null" : "map_ptr";
    case RegType::MapValue: return null ? "map_value_or_null" : "map_value";
    case RegType::MapKey: return "map_key";
    case RegType::Packet: return "pkt";
    case RegType::PacketMeta: return "pkt_meta";
    case RegType::PacketEnd: return "pkt_end";
    case RegType::Mem:
      if (r.flags & kRingbuf) return null ? "ringbuf_mem_or_null" : "ringbuf_mem";
      if (r.flags & kRdonly) return null ? "rdonly_mem_or_null" : "rdonly_mem";
      return null ? "mem_or_null" : "mem";
    case RegType::BtfId:
      if (r.flags & kPercpu) {  // the kernel's prefixes: percpu_, then rcu_
        if (r.flags & kRcu) return null ? "percpu_rcu_ptr_or_null_" : "percpu_rcu_ptr_";
        return null ? "percpu_ptr_or_null_" : "percpu_ptr_";
      }
      if (r.flags & kUntrusted) return null ? "untrusted_ptr_or_null_" : "untrusted_ptr_";
      if (r.flags & kRcu) return null ? "rcu_ptr_or_null_" : "rcu_ptr_";
      return null ? "ptr_or_null_" : "ptr_";
    case RegType::Func: return "func";
    case RegType::SockCommon: return null ? "sock_common_or_null" : "sock_common";
    case RegType::ConstDynptr: return "dynptr_ptr";
    case RegType::Iter: return "iter";
    // A sockmap's or an xskmap's lookup result before its NULL check: this
    // machine's kernel names it by what it points to (an earlier build of the
    // same 6.18.44 said map_value_or_null).
    case RegType::Sock: return null ? "sock_or_null" : "sock";
    case RegType::TcpSock: return null ? "tcp_sock_or_null" : "tcp_sock";
    case RegType::FlowKeys: return "flow_keys";
    case RegType::XdpSock: return null ? "xdp_sock_or_null" : "xdp_sock";
    case RegType::IrqFlag: return "irq_flag";
  }
  return "?";
}

std::string Verifier::reg_str(const Reg& r) const {
  char b[256];
  if (r.type == RegType::Scalar) {
    if (r.var_off.is_const()) {
      std::snprintf(b, sizeof b, "%" PRId64, static_cast<int64_t>(r.var_off.value));
      return b;
    }
    std::string s = "scalar(";
    bool first = true;
    auto add = [&](const char* k, const std::string& v) {
      s += (first ? "" : ",") + std::string(k) + "=" + v;
      first = false;
    };
    if (r.smin != INT64_MIN) add("smin", std::to_string(r.smin));
    if (r.smax != INT64_MAX) add("smax", std::to_string(r.smax));
    if (r.umin != 0) add("umin", std::to_string(r.umin));
    if (r.umax != UINT64_MAX) add("umax", std::to_string(r.umax));
    if (!r.var_off.is_unknown()) add("var_off", r.var_off.str());
    return s + ")";
  }
  std::string s = type_str(r);
  if (r.type == RegType::Stack) return "fp" + std::to_string(r.off);
  s += "(";
  if (r.off) s += "off=" + std::to_string(r.off) + ",";
  if (r.id) s += "id=" + std::to_string(link_base(r)) + ",";
  if (r.ref_obj_id) s += "ref_obj_id=" + std::to_string(r.ref_obj_id) + ",";
  if (r.type == RegType::Packet || r.type == RegType::PacketMeta) s += "r=" + std::to_string(r.aux) + ",";
  if (r.type == RegType::MapValue || r.type == RegType::MapPtr || r.type == RegType::MapKey) {
    const MapDef& m = map(r.aux);
    s += "map=" + m.name + ",ks=" + std::to_string(m.key_size) + ",vs=" + std::to_string(m.value_size) + ",";
  }
  if (r.type == RegType::Mem) s += "sz=" + std::to_string(r.aux) + ",";
  if (s.back() == ',') s.pop_back();
  return s + ")";
}

void Verifier::log_insn(const State& st, uint32_t i) {
  (void)st;
  char b[32];
  std::snprintf(b, sizeof b, "%u: (%02x) ", i, insns_[i].code);
  log_ += b;
  log_ += disasm(&insns_[i], &obj_.kfuncs);
}

void Verifier::log_state(const State& st) {
  std::string s;
  const Frame& f = st.cur();
  for (int r = 0; r < kMaxReg; ++r) {
    if (f.regs[r].type == RegType::NotInit) continue;
    s += (s.empty() ? "" : " ") + std::string("R") + std::to_string(r) + "=" + reg_str(f.regs[r]);
  }
  for (size_t spi = 0; spi < f.stack.size(); ++spi) {
    const StackSlot& sl = f.stack[spi];
    if (sl.type[7] == Slot::Spill) {
      s += " fp-" + std::to_string((spi + 1) * 8) + "=" + reg_str(sl.spilled);
    } else {
      std::string t;
      bool any = false;
      for (int k = 7; k >= 0; --k) {
        const char c = sl.type[k] == Slot::Misc ? 'm' : sl.type[k] == Slot::Zero ? '0' : sl.type[k] == Slot::Spill ? 'r' : '?';
        any |= c != '?';
        t += c;
      }
      if (any) s += " fp-" + std::to_string((spi + 1) * 8) + "=" + t;
    }
  }
  log_ += s;
}

std::string stats_line(const Stats& s, const Options& o) {
  return "processed " + std::to_string(s.insns_processed) + " insns (limit " + std::to_string(o.insn_limit) +
         ") max_states_per_insn " + std::to_string(s.max_states_per_insn) + " total_states " +
         std::to_string(s.total_states) + " peak_states " + std::to_string(s.peak_states) + " mark_read 0";
}

}  // namespace ringb::verifier
