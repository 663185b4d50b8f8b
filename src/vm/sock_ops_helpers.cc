// sock_ops_helpers.cc — the helpers of sock_ops programs (net/core/filter.c,
// Linux 6.18) on a host-given context (ringb/test_ctx.h SockOpsRun):
//
//   bpf_sock_ops_cb_flags_set(ops, flags)
//       a full socket: its callback flags become flags & BPF_SOCK_OPS_ALL_CB_FLAGS
//       (what ctx->bpf_sock_ops_cb_flags reads afterwards); returns the bits
//       it did not take. Not a full socket: -EINVAL
//   bpf_setsockopt(ctx, level, optname, optval, optlen)
//   bpf_getsockopt(ctx, level, optname, optval, optlen)
//       ringb's sockets have no options (no stack behind them): -EOPNOTSUPP,
//       and getsockopt zeroes optval as the kernel does on every error. Also
//       for cgroup sock_addr programs, which the kernel gives them too.
#include <linux/bpf.h>

#include <cerrno>
#include <cstring>

#include "helper_sets.h"
#include "ringb/disasm.h"
#include "ringb/test_ctx.h"

namespace ringb::vm {
namespace {

uint64_t ret(long v) { return static_cast<uint64_t>(v); }

uint64_t sock_ops_cb_flags_set(RunState& rs, uint64_t ctx, uint64_t argval, uint64_t, uint64_t, uint64_t) {
  if (!rs.exe || rs.exe->program().type != ProgType::SockOps) return ret(-EINVAL);
  auto& ops = reinterpret_cast<SockOpsRun*>(ctx)->md;
  const int32_t val = static_cast<int32_t>(argval);
  if (!ops.is_fullsock) return ret(-EINVAL);
  ops.bpf_sock_ops_cb_flags = static_cast<uint32_t>(val & BPF_SOCK_OPS_ALL_CB_FLAGS);
  return ret(val & ~BPF_SOCK_OPS_ALL_CB_FLAGS);
}

uint64_t setsockopt(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return ret(-EOPNOTSUPP); }

uint64_t getsockopt(RunState&, uint64_t, uint64_t, uint64_t, uint64_t optval, uint64_t optlen) {
  std::memset(reinterpret_cast<void*>(optval), 0, static_cast<uint32_t>(optlen));
  return ret(-EOPNOTSUPP);
}

}  // namespace

void add_sock_ops_helpers(Functions& f) {
  const struct {
    int id;
    Function fn;
  } table[] = {{59, sock_ops_cb_flags_set}, {49, setsockopt}, {57, getsockopt}};
  for (const auto& e : table) f.add_helper(e.id, ringb::helper_name(e.id), e.fn);
}

}  // namespace ringb::vm
