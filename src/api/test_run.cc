// test_run.cc — LoadedObject::test_run, after the kernel's BPF_PROG_TEST_RUN:
//   tc, socket filter  an __sk_buff around a copy of data_in (at least an
//                      Ethernet header), data/data_end point at the packet
//   xdp                an xdp_md; the packet sits after 256 bytes of headroom
//   everything else    ctx_in, copied (zero-filled if absent)
// `repeat` runs, each inside a cpu slot and an RCU read-side section; the
// duration reported is the mean per run.
#include <linux/bpf.h>
#include <time.h>

#include <algorithm>
#include <cstring>

#include "low_memory.h"
#include "ringb/cpu.h"
#include "ringb/rcu.h"
#include "ringb/runtime.h"

namespace ringb {
namespace {

constexpr size_t kEthHlen = 14;
constexpr size_t kXdpHeadroom = 256;       // XDP_PACKET_HEADROOM
constexpr size_t kSkbHeadroom = 64 + 2;    // NET_SKB_PAD + NET_IP_ALIGN
constexpr size_t kMaxPacket = 64 * 1024;

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

uint32_t low32(const void* p) { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p)); }

// The memory a run's context lives in, and how to read the results back.
struct Context {
  api::LowBuffer buf{0};
  uint64_t ctx = 0;
  uint8_t* data = nullptr;
  size_t data_len = 0;
  std::vector<uint8_t> plain_ctx;  // for non-packet programs

  explicit Context(size_t size) : buf(size) {}
};

Status build_skb(const TestRunOptions& o, Context& c) {
  if (o.data_in.size() < kEthHlen)
    return Error{EINVAL, "tc programs need data_in of at least 14 bytes (an Ethernet header)"};
  if (!c.buf.ok()) return Error{ENOMEM, "cannot map packet memory below 4 GiB"};
  auto* skb = reinterpret_cast<__sk_buff*>(c.buf.data());
  c.data = c.buf.data() + sizeof(__sk_buff) + kSkbHeadroom;
  c.data_len = o.data_in.size();
  std::memcpy(c.data, o.data_in.data(), c.data_len);
  skb->len = static_cast<uint32_t>(c.data_len);
  skb->data = low32(c.data);
  skb->data_end = low32(c.data + c.data_len);
  skb->data_meta = skb->data;
  uint16_t proto;
  std::memcpy(&proto, c.data + 12, 2);  // eth_type_trans: h_proto, network order
  skb->protocol = proto;
  skb->ifindex = 1;  // the kernel runs tests on the loopback device
  skb->wire_len = skb->len;
  skb->gso_segs = 1;
  c.ctx = reinterpret_cast<uint64_t>(skb);
  return {};
}

Status build_xdp(const TestRunOptions& o, Context& c) {
  if (o.data_in.size() < kEthHlen) return Error{EINVAL, "xdp programs need data_in of at least 14 bytes"};
  if (!c.buf.ok()) return Error{ENOMEM, "cannot map packet memory below 4 GiB"};
  auto* md = reinterpret_cast<xdp_md*>(c.buf.data());
  c.data = c.buf.data() + sizeof(xdp_md) + kXdpHeadroom;
  c.data_len = o.data_in.size();
  std::memcpy(c.data, o.data_in.data(), c.data_len);
  md->data = low32(c.data);
  md->data_end = low32(c.data + c.data_len);
  md->data_meta = md->data;
  md->ingress_ifindex = 1;
  md->rx_queue_index = 0;
  c.ctx = reinterpret_cast<uint64_t>(md);
  return {};
}

}  // namespace

Expected<TestRunResult> LoadedObject::test_run(const std::string& name,
                                               const TestRunOptions& o) const {
  const vm::Executable* exe = program(name);
  if (!exe)
    return Error{ENOENT, obj_.name + ": " + (obj_.find_program(name) ? "program '" + name + "' is not loaded"
                                                                      : "no program named '" + name + "'")};
  const Program& prog = exe->program();
  if (o.repeat == 0) return Error{EINVAL, "repeat must be at least 1"};
  if (o.data_in.size() > kMaxPacket) return Error{E2BIG, "data_in is larger than 64 KiB"};

  Context c(sizeof(__sk_buff) + kXdpHeadroom + o.data_in.size() + 64);
  Status built;
  switch (prog.type) {
    case ProgType::SchedCls:
    case ProgType::SchedAct:
    case ProgType::SocketFilter: built = build_skb(o, c); break;
    case ProgType::Xdp: built = build_xdp(o, c); break;
    case ProgType::Unspec:
      return Error{EINVAL, "program '" + name + "' is in section '" + prog.section +
                               "', which names no program type ringb knows"};
    default:
      c.plain_ctx = o.ctx_in;
      if (c.plain_ctx.empty()) c.plain_ctx.resize(64);
      c.ctx = reinterpret_cast<uint64_t>(c.plain_ctx.data());
      break;
  }
  if (!built) return built.error();

  vm::RunOptions ro;
  ro.count_insns = o.count_insns;
  ro.jiffies_hz = jiffies_hz_;
  ro.trace = o.trace;
  TestRunResult r;
  const rcu::Domain domain = prog.sleepable ? rcu::Domain::TasksTrace : rcu::Domain::Rcu;
  uint64_t total_ns = 0;
  uint64_t retval = 0;
  {
    cpu::CpuGuard guard;
    vm::RunState rs;
    rs.cpu = guard.cpu();
    rs.options = &ro;
    // The context is memory fault-tolerant loads may read directly.
    rs.known_lo = c.ctx;
    rs.known_hi = c.ctx + (c.plain_ctx.empty() ? c.buf.size() : c.plain_ctx.size());
    // One read-side section per batch of runs, as the kernel's test timer
    // does, so that a long repeat does not hold grace periods up for good.
    constexpr uint32_t kBatch = 256;
    const uint64_t start = now_ns();
    for (uint32_t done = 0; done < o.repeat;) {
      rcu::ReadGuard rcu(domain);
      for (uint32_t end = std::min(o.repeat, done + kBatch); done < end && !rs.error; ++done)
        retval = exe->run(c.ctx, rs);
      if (rs.error) break;
    }
    // A run that stopped on an error has no result: say why, never a retval.
    if (rs.error) {
      const vm::Executable* at = rs.error_prog ? rs.error_prog : exe;
      std::string where = "program '" + at->program().name + "'";
      if (rs.error_insn >= 0) where += ", instruction " + std::to_string(rs.error_insn);
      return Error{rs.error_code ? rs.error_code : EFAULT,
                   "test run of '" + name + "' stopped: " + where + ": " + rs.error};
    }
    total_ns = now_ns() - start;
    r.insns = rs.insns;
  }
  r.retval = static_cast<uint32_t>(retval);
  r.duration_ns = total_ns / o.repeat;
  if (c.data) r.data_out.assign(c.data, c.data + c.data_len);
  if (!c.plain_ctx.empty() && !o.ctx_in.empty()) r.ctx_out = c.plain_ctx;
  return r;
}

}  // namespace ringb
