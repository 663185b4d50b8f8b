// sockmap_helpers.cc — the sockmap and sockhash helpers (net/core/sock_map.c,
// Linux 6.18) over src/maps/sock_map.cc:
//
//   bpf_sk_redirect_map/hash(skb, map, key, flags)   sk_skb
//   bpf_msg_redirect_map/hash(msg, map, key, flags)  sk_msg (egress, without
//                                                     BPF_F_INGRESS, to TCP only)
//       SK_PASS when the key holds a socket that may take the redirect (a
//       TCP socket that does not listen, another socket that is
//       established); SK_DROP for flags other than BPF_F_INGRESS or no such
//       socket. ringb has no stack to redirect into: a test run's result
//       is the verdict only.
//   bpf_sock_map_update/bpf_sock_hash_update(sock_ops, map, key, flags)
//       the context's socket into the map in the established and listen
//       callbacks, else -EOPNOTSUPP
//   bpf_sk_select_reuseport(reuse, map, key, flags)  sk_reuseport (below)
#include <linux/bpf.h>

#include <netinet/in.h>

#include <cerrno>

#include "helper_sets.h"
#include "ringb/disasm.h"
#include "ringb/maps.h"
#include "ringb/sockets.h"
#include "ringb/test_ctx.h"
#include "ringb/vm.h"

namespace ringb::vm {
namespace {

constexpr uint32_t kSockMap = 15, kSockHash = 18;
constexpr uint64_t kSkDrop = 0, kSkPass = 1;  // enum sk_action

maps::Map* sock_map(uint64_t map, uint32_t type) {
  auto* m = reinterpret_cast<maps::Map*>(map);
  return m && m->def().type == type ? m : nullptr;
}

// sock_map_redirect_allowed, on the socket a lookup found (and released).
// A message goes out (no BPF_F_INGRESS) only through a TCP socket.
uint64_t redirect(maps::Map* m, const void* key, uint64_t flags, bool msg) {
  if (!m || (flags & ~uint64_t{BPF_F_INGRESS})) return kSkDrop;
  void* p = m->lookup_elem(key);
  sockets::Record* r = sockets::table().record_of(p);
  if (!r) return kSkDrop;
  const bool tcp = r->sk.protocol == IPPROTO_TCP;
  bool ok = tcp ? r->sk.state != sockets::kListen : r->sk.state == sockets::kEstablished;
  if (msg && !(flags & BPF_F_INGRESS) && !tcp) ok = false;
  sockets::Table::release(r);
  return ok ? kSkPass : kSkDrop;
}

uint64_t sk_redirect_map(RunState&, uint64_t, uint64_t map, uint64_t key, uint64_t flags, uint64_t) {
  const uint32_t k = static_cast<uint32_t>(key);
  return redirect(sock_map(map, kSockMap), &k, flags, false);
}
uint64_t sk_redirect_hash(RunState&, uint64_t, uint64_t map, uint64_t key, uint64_t flags, uint64_t) {
  return redirect(sock_map(map, kSockHash), reinterpret_cast<const void*>(key), flags, false);
}
uint64_t msg_redirect_map(RunState&, uint64_t, uint64_t map, uint64_t key, uint64_t flags, uint64_t) {
  const uint32_t k = static_cast<uint32_t>(key);
  return redirect(sock_map(map, kSockMap), &k, flags, true);
}
uint64_t msg_redirect_hash(RunState&, uint64_t, uint64_t map, uint64_t key, uint64_t flags, uint64_t) {
  return redirect(sock_map(map, kSockHash), reinterpret_cast<const void*>(key), flags, true);
}

// sock_map_op_okay: the callbacks where the socket is established or listens.
// The context's socket is the kernel's bpf_sock_ops_kern.sk (SockOpsRun's
// kern_sk: a host table socket, or one ringb built), whether or not the
// program may read it (is_fullsock).
uint64_t sock_update(RunState& rs, uint64_t ctx, maps::Map* m, uint64_t key, uint64_t flags) {
  if (!rs.exe || rs.exe->program().type != ProgType::SockOps) return static_cast<uint64_t>(-EOPNOTSUPP);
  const auto* run = reinterpret_cast<const SockOpsRun*>(ctx);
  const bpf_sock_ops* ops = &run->md;
  const bool op_ok = ops->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB ||
                     ops->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB || ops->op == BPF_SOCK_OPS_TCP_LISTEN_CB;
  const void* sk = run->kern_sk;
  if (!m || !sk || !op_ok) return static_cast<uint64_t>(-EOPNOTSUPP);
  return static_cast<uint64_t>(m->update_elem(reinterpret_cast<const void*>(key), sk, flags));
}

uint64_t sock_map_update(RunState& rs, uint64_t ctx, uint64_t map, uint64_t key, uint64_t flags, uint64_t) {
  return sock_update(rs, ctx, sock_map(map, kSockMap), key, flags);
}
uint64_t sock_hash_update(RunState& rs, uint64_t ctx, uint64_t map, uint64_t key, uint64_t flags, uint64_t) {
  return sock_update(rs, ctx, sock_map(map, kSockHash), key, flags);
}

// bpf_sk_select_reuseport(reuse, map, key, flags): the kernel picks the
// socket at key of a reuseport array, sockmap or sockhash (flags are not
// looked at); none: -ENOENT. ringb's sockets belong to no reuseport group
// and it has no sk_reuseport test run (test_contexts.cc refuses one), so a
// socket found is -EOPNOTSUPP: never selected.
uint64_t sk_select_reuseport(RunState&, uint64_t, uint64_t map, uint64_t key, uint64_t, uint64_t) {
  auto* m = reinterpret_cast<maps::Map*>(map);
  if (!m) return static_cast<uint64_t>(-ENOENT);
  sockets::Record* r = sockets::table().record_of(m->lookup_elem(reinterpret_cast<const void*>(key)));
  if (!r) return static_cast<uint64_t>(-ENOENT);
  sockets::Table::release(r);
  return static_cast<uint64_t>(-EOPNOTSUPP);
}

}  // namespace

void add_sockmap_helpers(Functions& f) {
  const struct {
    int id;
    Function fn;
  } table[] = {
      {52, sk_redirect_map},  {72, sk_redirect_hash}, {60, msg_redirect_map},
      {71, msg_redirect_hash}, {53, sock_map_update}, {70, sock_hash_update},
      {82, sk_select_reuseport},
  };
  for (const auto& e : table) f.add_helper(e.id, ringb::helper_name(e.id), e.fn);
}

}  // namespace ringb::vm
