// hash_helpers.cc — an sk_buff's flow hash (net/core/filter.c, Linux 6.18):
//   bpf_get_hash_recalc(skb)   the hash, computed from the packet's flow if
//                              none is set (skb_get_hash)
//   bpf_set_hash_invalid(skb)  forgets it (skb_clear_hash)
//   bpf_set_hash(skb, hash)    sets it as a software hash; 0
// The kernel hashes the dissected flow with a key chosen at random each
// boot, so no two machines (or boots) agree on the value; ringb hashes the
// addresses, ports and protocol with a fixed seed: the same packet gives
// the same hash in every run. Like the kernel's, the hash is never 0.
#include <linux/if_ether.h>
#include <netinet/in.h>

#include <cstring>

#include "../maps/jhash.h"
#include "helper_sets.h"
#include "ringb/disasm.h"
#include "ringb/test_ctx.h"

namespace ringb::vm {
namespace {

constexpr uint32_t kFlowSeed = 0x52696e67;  // ringb's fixed stand-in for the boot's random key

SkbRun& skb_of(uint64_t r) { return *reinterpret_cast<SkbRun*>(r); }
const uint8_t* at(uint32_t a) { return reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(a)); }

// The flow of the packet from its network header: addresses, transport
// protocol and, for an unfragmented TCP/UDP packet, its ports.
uint32_t flow_hash(const SkbRun& s) {
  struct {
    uint8_t addrs[32];
    uint32_t ports;
    uint32_t proto;
  } key{};
  const uint8_t* end = at(s.md.data_end);
  const uint8_t* l3 = s.kind == SkbKind::L2 || s.kind == SkbKind::FlowDissector ? at(s.md.data) + kEthHlen : at(s.md.data);
  const uint8_t* l4 = nullptr;
  uint16_t proto = static_cast<uint16_t>(s.md.protocol);
  if (proto == __builtin_bswap16(ETH_P_IP) && l3 + 20 <= end) {
    std::memcpy(key.addrs, l3 + 12, 8);
    key.proto = l3[9];
    const bool fragment = (l3[6] & 0x3f) || l3[7];  // MF or an offset
    if (!fragment) l4 = l3 + (l3[0] & 0xf) * 4;
  } else if (proto == __builtin_bswap16(ETH_P_IPV6) && l3 + 40 <= end) {
    std::memcpy(key.addrs, l3 + 8, 32);
    key.proto = l3[6];
    l4 = l3 + 40;
  }
  if (l4 && (key.proto == IPPROTO_TCP || key.proto == IPPROTO_UDP) && l4 + 4 <= end) std::memcpy(&key.ports, l4, 4);
  key.proto |= uint32_t{proto} << 16;
  const uint32_t h = maps::detail::jhash(&key, sizeof key, kFlowSeed);
  return h ? h : 1;
}

uint64_t get_hash_recalc(RunState&, uint64_t skb, uint64_t, uint64_t, uint64_t, uint64_t) {
  SkbRun& s = skb_of(skb);
  if (!s.hash_set) {
    s.md.hash = flow_hash(s);
    s.hash_set = 1;
  }
  return s.md.hash;
}

uint64_t set_hash_invalid(RunState&, uint64_t skb, uint64_t, uint64_t, uint64_t, uint64_t) {
  SkbRun& s = skb_of(skb);
  s.md.hash = 0;
  s.hash_set = 0;
  return 0;
}

uint64_t set_hash(RunState&, uint64_t skb, uint64_t hash, uint64_t, uint64_t, uint64_t) {
  SkbRun& s = skb_of(skb);
  s.md.hash = static_cast<uint32_t>(hash);
  s.hash_set = 1;
  return 0;
}

}  // namespace

void add_hash_helpers(Functions& f) {
  f.add_helper(34, ringb::helper_name(34), get_hash_recalc);
  f.add_helper(41, ringb::helper_name(41), set_hash_invalid);
  f.add_helper(48, ringb::helper_name(48), set_hash);
}

}  // namespace ringb::vm
