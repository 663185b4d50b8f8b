// redirect_helpers.cc — bpf_redirect (23), bpf_redirect_map (51),
// bpf_redirect_neigh (152) and bpf_redirect_peer (155), with
// net/core/filter.c's semantics for Linux 6.18 (xdp, tc, lwt_xmit).
//
//   bpf_redirect(ifindex, flags)
//       xdp: flags other than 0 → XDP_ABORTED, else XDP_REDIRECT
//       tc, lwt_xmit: flags other than BPF_F_INGRESS → TC_ACT_SHOT, else
//       TC_ACT_REDIRECT
//   bpf_redirect_neigh(ifindex, params, plen, flags)   tc
//       flags, or a plen short of struct bpf_redir_neigh (20) but not 0 →
//       TC_ACT_SHOT, else TC_ACT_REDIRECT
//   bpf_redirect_peer(ifindex, flags)   tc
//       flags → TC_ACT_SHOT, else TC_ACT_REDIRECT
//   bpf_redirect_map(map, key, flags)   xdp (devmap, devmap_hash, cpumap, xskmap)
//       flags beyond the fallback action (XDP_ABORTED..XDP_TX, the low two
//       bits) and the map's own flags (BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS
//       on devmaps, none on the others) → XDP_ABORTED; a present key, or
//       BPF_F_BROADCAST → XDP_REDIRECT; else the fallback action.
//
// The kernel records the target in the cpu's bpf_redirect_info and acts on
// it only after the program returns (xdp_do_redirect, skb_do_redirect); a
// test run (BPF_PROG_TEST_RUN without live frames) reports the program's
// return value and redirects nothing. ringb has no devices, so the helpers
// decide the return value only.
#include <linux/bpf.h>

#include "helper_sets.h"
#include "ringb/disasm.h"
#include "ringb/maps.h"
#include "ringb/vm.h"

namespace ringb::vm {
namespace {

constexpr uint64_t kXdpAborted = 0, kXdpRedirect = 4;  // enum xdp_action
constexpr uint64_t kTcActShot = 2, kTcActRedirect = 7;  // TC_ACT_SHOT, TC_ACT_REDIRECT
constexpr uint64_t kXdpActionMask = 3;                  // XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX
constexpr uint64_t kBroadcast = 1ull << 3, kExcludeIngress = 1ull << 4;  // BPF_F_BROADCAST, BPF_F_EXCLUDE_INGRESS
constexpr uint32_t kDevmap = 14, kDevmapHash = 25;

bool is_xdp(const RunState& rs) { return rs.exe && rs.exe->program().type == ProgType::Xdp; }

// bpf_xdp_redirect / bpf_redirect
uint64_t redirect(RunState& rs, uint64_t, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  if (is_xdp(rs)) return flags ? kXdpAborted : kXdpRedirect;
  return (flags & ~uint64_t{BPF_F_INGRESS}) ? kTcActShot : kTcActRedirect;
}

uint64_t redirect_neigh(RunState&, uint64_t, uint64_t, uint64_t plen, uint64_t flags, uint64_t) {
  constexpr int32_t kRedirNeighSize = 20;  // sizeof(struct bpf_redir_neigh)
  const int32_t len = static_cast<int32_t>(plen);
  return ((len && len < kRedirNeighSize) || flags) ? kTcActShot : kTcActRedirect;
}

uint64_t redirect_peer(RunState&, uint64_t, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  return flags ? kTcActShot : kTcActRedirect;
}

// __bpf_xdp_redirect_map: the map's lookup of the low 32 bits of the key.
uint64_t redirect_map(RunState&, uint64_t map, uint64_t key, uint64_t flags, uint64_t, uint64_t) {
  auto* m = reinterpret_cast<maps::Map*>(map);
  const uint32_t type = m->def().type;
  const uint64_t map_flags = (type == kDevmap || type == kDevmapHash) ? kBroadcast | kExcludeIngress : 0;
  if (flags & ~(kXdpActionMask | map_flags)) return kXdpAborted;
  const uint32_t k = static_cast<uint32_t>(key);
  if (!m->lookup_elem(&k) && !(flags & kBroadcast)) return flags & kXdpActionMask;
  return kXdpRedirect;
}

}  // namespace

void add_redirect_helpers(Functions& f) {
  f.add_helper(23, ringb::helper_name(23), redirect);
  f.add_helper(51, ringb::helper_name(51), redirect_map);
  f.add_helper(152, ringb::helper_name(152), redirect_neigh);
  f.add_helper(155, ringb::helper_name(155), redirect_peer);
}

}  // namespace ringb::vm
