// sock_helpers.cc — the socket helpers over the host's socket table
// (ringb/sockets.h), with net/core/filter.c's semantics for Linux 6.18:
//
//   bpf_sk_lookup_tcp/udp(ctx, tuple, size, netns, flags)  a full socket
//       with a reference, or NULL: a size that is neither the IPv4 nor the
//       IPv6 tuple's, flags, or a netns id other than BPF_F_CURRENT_NETNS
//       (ringb has one namespace, whose id programs cannot know) find none
//   bpf_skc_lookup_tcp  the same, time-wait and request sockets included
//   bpf_sk_release      drops the reference; 0
//   bpf_sk_fullsock     the socket unless it is time-wait or request
//   bpf_tcp_sock        a full TCP stream socket's struct bpf_tcp_sock
//   bpf_get_listener_sock  the socket if it listens (SOCK_RCU_FREE there)
//   bpf_get_socket_cookie  the context's socket's cookie, 0 without one
//   bpf_get_netns_cookie   the one namespace's cookie
//   bpf_sk_assign          sk_lookup's selection (its errors below)
//   bpf_skc_to_*           the socket if it is of that kind (below)
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>

#include "helper_sets.h"
#include "ringb/disasm.h"
#include "ringb/sockets.h"
#include "ringb/test_ctx.h"
#include "ringb/vm.h"

namespace ringb::vm {
namespace {

using sockets::Record;

constexpr size_t kTuple4 = 12;  // sizeof(bpf_sock_tuple.ipv4)
constexpr size_t kTuple6 = 36;  // sizeof(bpf_sock_tuple.ipv6)

uint64_t lookup(uint64_t tuple, uint64_t size, uint64_t netns, uint64_t flags, uint32_t proto, bool full_only) {
  uint32_t family;
  if (size == kTuple4) family = AF_INET;
  else if (size == kTuple6) family = AF_INET6;
  else return 0;
  // __bpf_sk_lookup: flags must be 0; a negative netns id means the caller's.
  if (flags || static_cast<int32_t>(netns) >= 0) return 0;
  const auto* t = reinterpret_cast<const bpf_sock_tuple*>(tuple);
  Record* r;
  if (family == AF_INET)
    r = sockets::table().lookup(family, proto, reinterpret_cast<const uint8_t*>(&t->ipv4.saddr),
                                reinterpret_cast<const uint8_t*>(&t->ipv4.daddr), ntohs(t->ipv4.sport),
                                ntohs(t->ipv4.dport), full_only);
  else
    r = sockets::table().lookup(family, proto, reinterpret_cast<const uint8_t*>(t->ipv6.saddr),
                                reinterpret_cast<const uint8_t*>(t->ipv6.daddr), ntohs(t->ipv6.sport),
                                ntohs(t->ipv6.dport), full_only);
  return reinterpret_cast<uint64_t>(r);
}

uint64_t sk_lookup_tcp(RunState&, uint64_t, uint64_t tuple, uint64_t size, uint64_t netns, uint64_t flags) {
  return lookup(tuple, size, netns, flags, IPPROTO_TCP, true);
}
uint64_t sk_lookup_udp(RunState&, uint64_t, uint64_t tuple, uint64_t size, uint64_t netns, uint64_t flags) {
  return lookup(tuple, size, netns, flags, IPPROTO_UDP, true);
}
uint64_t skc_lookup_tcp(RunState&, uint64_t, uint64_t tuple, uint64_t size, uint64_t netns, uint64_t flags) {
  return lookup(tuple, size, netns, flags, IPPROTO_TCP, false);
}

// A socket a program holds: one of the table's, or a context's own (a test
// run's skb->sk), which is not refcounted.
Record* table_record(uint64_t sk) { return sockets::table().record_of(reinterpret_cast<const void*>(sk)); }

uint64_t sk_release(RunState&, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
  sockets::Table::release(table_record(sk));
  return 0;
}

bool full(const bpf_sock* s) { return s->state != sockets::kTimeWait && s->state != sockets::kNewSynRecv; }

uint64_t sk_fullsock(RunState&, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
  return full(reinterpret_cast<const bpf_sock*>(sk)) ? sk : 0;
}

uint64_t tcp_sock(RunState&, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
  const auto* s = reinterpret_cast<const bpf_sock*>(sk);
  Record* r = table_record(sk);
  if (!r || !full(s) || s->protocol != IPPROTO_TCP || s->type != SOCK_STREAM) return 0;
  return reinterpret_cast<uint64_t>(&r->tcp);
}

uint64_t get_listener_sock(RunState&, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
  const auto* s = reinterpret_cast<const bpf_sock*>(sk);
  return s->state == sockets::kListen ? sk : 0;
}

// The socket a context carries, per program type.
const bpf_sock* ctx_sock(const RunState& rs, uint64_t ctx) {
  if (!ctx || !rs.exe) return nullptr;
  switch (rs.exe->program().type) {
    case ProgType::CgroupSock: return reinterpret_cast<const bpf_sock*>(ctx);
    case ProgType::CgroupSockAddr: return reinterpret_cast<const bpf_sock*>(reinterpret_cast<const bpf_sock_addr*>(ctx)->sk);
    case ProgType::SockOps: return reinterpret_cast<const SockOpsRun*>(ctx)->kern_sk;  // bpf_sock_ops_kern.sk
    case ProgType::SkMsg: return reinterpret_cast<const bpf_sock*>(reinterpret_cast<const sk_msg_md*>(ctx)->sk);
    default: return reinterpret_cast<const bpf_sock*>(reinterpret_cast<const __sk_buff*>(ctx)->sk);
  }
}

uint64_t get_socket_cookie(RunState& rs, uint64_t ctx, uint64_t, uint64_t, uint64_t, uint64_t) {
  const bpf_sock* s = ctx_sock(rs, ctx);
  if (!s) return 0;
  if (Record* r = table_record(reinterpret_cast<uint64_t>(s))) return r->cookie;
  return 0;
}

uint64_t get_netns_cookie(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return sockets::kNetnsCookie;
}

// bpf_skc_to_*(sk): the socket itself when it is of the kind named, else
// NULL — a full TCP stream socket (tcp_sock; tcp6_sock also IPv6), a
// time-wait or request socket, a full IPv6 UDP socket, an AF_UNIX one.
// ringb has no MPTCP sockets: skc_to_mptcp_sock is always NULL. The result
// is the same bpf_sock: the verifier lets programs pass it on, not read it.
bool tcp_full(const bpf_sock* s) { return full(s) && s->protocol == IPPROTO_TCP && s->type == SOCK_STREAM; }
uint64_t skc_to_tcp_sock(RunState&, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
  return sk && tcp_full(reinterpret_cast<const bpf_sock*>(sk)) ? sk : 0;
}
uint64_t skc_to_tcp6_sock(RunState&, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
  const auto* s = reinterpret_cast<const bpf_sock*>(sk);
  return s && tcp_full(s) && s->family == AF_INET6 ? sk : 0;
}
uint64_t skc_to_tcp_timewait_sock(RunState&, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
  const auto* s = reinterpret_cast<const bpf_sock*>(sk);
  return s && s->protocol == IPPROTO_TCP && s->state == sockets::kTimeWait ? sk : 0;
}
uint64_t skc_to_tcp_request_sock(RunState&, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
  const auto* s = reinterpret_cast<const bpf_sock*>(sk);
  return s && s->protocol == IPPROTO_TCP && s->state == sockets::kNewSynRecv ? sk : 0;
}
uint64_t skc_to_udp6_sock(RunState&, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
  const auto* s = reinterpret_cast<const bpf_sock*>(sk);
  return s && full(s) && s->protocol == IPPROTO_UDP && s->type == SOCK_DGRAM && s->family == AF_INET6 ? sk : 0;
}
uint64_t skc_to_unix_sock(RunState&, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
  const auto* s = reinterpret_cast<const bpf_sock*>(sk);
  return s && full(s) && s->family == AF_UNIX ? sk : 0;
}
uint64_t skc_to_mptcp_sock(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }

// sk_lookup's bpf_sk_assign(ctx, sk, flags): the lookup's result. As the
// kernel: flags other than F_REPLACE/F_NO_REUSEPORT -EINVAL; a TCP socket
// that does not listen or a UDP socket that is not unconnected
// -ESOCKTNOSUPPORT; another protocol -EPROTOTYPE; an IPv4 socket for an
// IPv6 lookup -EAFNOSUPPORT; a selection already made, without F_REPLACE,
// -EEXIST. NULL clears the selection. (ringb's sockets are never the
// kernel's refcounted kind: request and time-wait sockets fail the state
// checks first.)
uint64_t sk_assign(RunState& rs, uint64_t ctx, uint64_t sk, uint64_t flags, uint64_t, uint64_t) {
  auto ret = [](int64_t v) { return static_cast<uint64_t>(v); };
  if (!rs.exe || rs.exe->program().type != ProgType::SkLookup) return ret(-EOPNOTSUPP);
  auto* run = reinterpret_cast<SkLookupRun*>(ctx);
  if (flags & ~uint64_t{BPF_SK_LOOKUP_F_REPLACE | BPF_SK_LOOKUP_F_NO_REUSEPORT}) return ret(-EINVAL);
  const auto* s = reinterpret_cast<const bpf_sock*>(sk);
  if (s) {
    if (s->protocol == IPPROTO_TCP && s->state != sockets::kListen) return ret(-ESOCKTNOSUPPORT);
    if (s->protocol == IPPROTO_UDP && s->state != sockets::kClose) return ret(-ESOCKTNOSUPPORT);
    if (s->protocol != run->md.protocol) return ret(-EPROTOTYPE);
    if (s->family != run->md.family && s->family == AF_INET) return ret(-EAFNOSUPPORT);
  }
  if (run->md.sk && !(flags & BPF_SK_LOOKUP_F_REPLACE)) return ret(-EEXIST);
  run->md.sk = const_cast<bpf_sock*>(s);
  run->no_reuseport = (flags & BPF_SK_LOOKUP_F_NO_REUSEPORT) ? 1 : 0;
  return 0;
}

}  // namespace

void add_sock_helpers(Functions& f) {
  const struct {
    int id;
    Function fn;
  } table[] = {
      {46, get_socket_cookie}, {84, sk_lookup_tcp},  {85, sk_lookup_udp},       {86, sk_release},
      {95, sk_fullsock},       {96, tcp_sock},       {98, get_listener_sock},   {99, skc_lookup_tcp},
      {122, get_netns_cookie}, {124, sk_assign},
      {136, skc_to_tcp6_sock}, {137, skc_to_tcp_sock}, {138, skc_to_tcp_timewait_sock},
      {139, skc_to_tcp_request_sock}, {140, skc_to_udp6_sock}, {178, skc_to_unix_sock},
      {196, skc_to_mptcp_sock},
  };
  for (const auto& e : table) f.add_helper(e.id, ringb::helper_name(e.id), e.fn);
}

}  // namespace ringb::vm
