// A packet program's ctx_in and ctx_out (__sk_buff, xdp_md), case by case,
// with what Linux 6.18's BPF_PROG_TEST_RUN gives (recorded here, and checked
// live where bpf() is permitted): the fields a ctx_in may set, the bytes
// that must be zero, the limits on wire_len, gso_segs and the metadata, the
// devices an ifindex must name, and what comes back in ctx_out.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "ringb/runtime.h"
#include "ringb_test_packet.h"

namespace ringb {
namespace {

const std::string kObj = std::string(RINGB_API_BPF_DIR) + "/packet_ctx.bpf.o";
const std::vector<uint8_t> kPacket = {RINGB_TEST_PACKET_BYTES};

using Bytes = std::vector<uint8_t>;

struct Outcome {
  int err = 0;  // errno of a refused run, 0 when it ran
  uint32_t retval = 0;
  Bytes ctx_out;
};

Outcome in_ringb(const std::string& prog, const Bytes& data, const Bytes& ctx) {
  Runtime rt;
  Runtime::LoadOptions lo;
  lo.programs = {prog};
  auto obj = rt.load(kObj, lo);
  if (!obj) return {obj.error().code ? obj.error().code : -1, 0, {}};
  TestRunOptions o;
  o.data_in = data;
  o.ctx_in = ctx;
  auto r = (*obj)->test_run(prog, o);
  if (!r) return {r.error().code, 0, {}};
  return {0, r->retval, r->ctx_out};
}

// The kernel's outcome, or err == -1 where bpf() is not permitted (-2: the
// kernel refused the program, which fails the test).
Outcome in_kernel(const std::string& prog, const Bytes& data, const Bytes& ctx) {
  Outcome out{-1, 0, {}};
  bpf_object* obj = bpf_object__open_file(kObj.c_str(), nullptr);
  if (!obj) return out;
  bpf_program* p;
  bpf_object__for_each_program(p, obj) bpf_program__set_autoload(p, prog == bpf_program__name(p));
  if (const int e = bpf_object__load(obj); e != 0) {
    if (e != -EPERM) out.err = -2;
  } else {
    Bytes d = data, c = ctx, co(ctx.empty() ? 0 : sizeof(__sk_buff), 0);
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = d.data(), .data_size_in = static_cast<uint32_t>(d.size()),
                .ctx_in = c.empty() ? nullptr : c.data(), .ctx_out = co.empty() ? nullptr : co.data(),
                .ctx_size_in = static_cast<uint32_t>(c.size()), .ctx_size_out = static_cast<uint32_t>(co.size()),
                .repeat = 1);
    if (bpf_prog_test_run_opts(bpf_program__fd(bpf_object__find_program_by_name(obj, prog.c_str())), &opts) == 0) {
      co.resize(opts.ctx_size_out);
      out = {0, opts.retval, co};
    } else {
      out.err = errno;
    }
  }
  bpf_object__close(obj);
  return out;
}

template <typename T>
void put(Bytes& b, size_t off, T v) {
  if (b.size() < off + sizeof v) b.resize(off + sizeof v);
  std::memcpy(b.data() + off, &v, sizeof v);
}

Bytes skb_ctx() { return Bytes(sizeof(__sk_buff), 0); }

// Every allowed field set.
Bytes skb_full() {
  Bytes c = skb_ctx();
  put<uint32_t>(c, offsetof(__sk_buff, mark), 5);
  put<uint32_t>(c, offsetof(__sk_buff, priority), 6);
  put<uint32_t>(c, offsetof(__sk_buff, ingress_ifindex), 3);
  put<uint32_t>(c, offsetof(__sk_buff, cb) + 16, 44);
  put<uint64_t>(c, offsetof(__sk_buff, tstamp), 1234);
  put<uint32_t>(c, offsetof(__sk_buff, wire_len), 100);
  put<uint32_t>(c, offsetof(__sk_buff, gso_segs), 2);
  put<uint32_t>(c, offsetof(__sk_buff, gso_size), 1400);
  put<uint64_t>(c, offsetof(__sk_buff, hwtstamp), 77);
  return c;
}

Bytes skb_with(size_t off, uint32_t v) {
  Bytes c = skb_ctx();
  put(c, off, v);
  return c;
}

Bytes xdp_ctx(uint32_t data, uint32_t data_end, uint32_t data_meta = 0, uint32_t iif = 0, uint32_t rxq = 0,
              uint32_t egress = 0) {
  Bytes c;
  for (uint32_t v : {data, data_end, data_meta, iif, rxq, egress}) put(c, c.size(), v);
  return c;
}

Bytes with_meta(size_t n, uint8_t fill) {
  Bytes d(n, fill);
  d.insert(d.end(), kPacket.begin(), kPacket.end());
  return d;
}

struct Case {
  const char* name;
  const char* prog;
  Bytes data, ctx;
  int err;          // the kernel's errno, 0: it runs
  uint32_t retval;  // then its return value
};

std::vector<Case> cases() {
  const uint32_t len = static_cast<uint32_t>(kPacket.size());
  Bytes tail_zero = skb_with(offsetof(__sk_buff, mark), 5);
  tail_zero.resize(sizeof(__sk_buff) + 8, 0);
  Bytes tail_set = tail_zero;
  tail_set[sizeof(__sk_buff)] = 1;
  Bytes short_ctx = skb_with(offsetof(__sk_buff, mark), 5);
  short_ctx.resize(12);
  const Bytes m8 = with_meta(8, 9);
  return {
      {"no_ctx_wire_len_is_0", "skb_wire_len", kPacket, {}, 0, 0},
      {"no_ctx_gso_segs_is_0", "skb_gso_segs", kPacket, {}, 0, 0},
      {"no_ctx_ifindex_is_lo", "skb_ifindex", kPacket, {}, 0, 1},
      {"zero_ctx_wire_len_is_len", "skb_wire_len", kPacket, skb_ctx(), 0, len},
      {"mark", "skb_mark", kPacket, skb_full(), 0, 5},
      {"priority", "skb_priority", kPacket, skb_full(), 0, 6},
      {"ingress_ifindex", "skb_ingress_ifindex", kPacket, skb_full(), 0, 3},
      {"ifindex_stays_lo", "skb_ifindex", kPacket, skb_full(), 0, 1},
      {"cb", "skb_cb4", kPacket, skb_full(), 0, 44},
      {"tstamp", "skb_tstamp", kPacket, skb_full(), 0, 1234},
      {"wire_len", "skb_wire_len", kPacket, skb_full(), 0, 100},
      {"gso_segs", "skb_gso_segs", kPacket, skb_full(), 0, 2},
      {"gso_size", "skb_gso_size", kPacket, skb_full(), 0, 1400},
      {"hwtstamp", "skb_hwtstamp", kPacket, skb_full(), 0, 77},
      {"wire_len_equal_to_len", "skb_wire_len", kPacket, skb_with(offsetof(__sk_buff, wire_len), len), 0, len},
      {"wire_len_below_len", "skb_wire_len", kPacket, skb_with(offsetof(__sk_buff, wire_len), 10), EINVAL, 0},
      {"wire_len_above_64k", "skb_wire_len", kPacket, skb_with(offsetof(__sk_buff, wire_len), 65537), EINVAL, 0},
      {"gso_segs_at_max", "skb_gso_segs", kPacket, skb_with(offsetof(__sk_buff, gso_segs), 65535), 0, 65535},
      {"gso_segs_above_max", "skb_gso_segs", kPacket, skb_with(offsetof(__sk_buff, gso_segs), 65536), EINVAL, 0},
      {"len_may_not_be_set", "skb_mark", kPacket, skb_with(0, 1), EINVAL, 0},
      {"protocol_may_not_be_set", "skb_mark", kPacket, skb_with(offsetof(__sk_buff, protocol), 8), EINVAL, 0},
      {"data_may_not_be_set", "skb_mark", kPacket, skb_with(offsetof(__sk_buff, data), 1), EINVAL, 0},
      {"no_such_device", "skb_mark", kPacket, skb_with(offsetof(__sk_buff, ifindex), 0x7ffffff0), ENODEV, 0},
      {"longer_ctx_zero_past_the_struct", "skb_mark", kPacket, tail_zero, 0, 5},
      {"longer_ctx_not_zero_past_the_struct", "skb_mark", kPacket, tail_set, E2BIG, 0},
      {"shorter_ctx_is_zero_filled", "skb_mark", kPacket, short_ctx, 0, 5},
      {"cgroup_skb_mark", "cg_mark", kPacket, skb_full(), 0, 1},
      {"xdp_no_ctx_ingress_is_lo", "xdp_ingress_ifindex", kPacket, {}, 0, 1},
      {"xdp_meta_len", "xdp_meta_len", m8, xdp_ctx(8, 72), 0, 8},
      {"xdp_meta_bytes_precede_the_packet", "xdp_meta_byte", m8, xdp_ctx(8, 72), 0, 9},
      {"xdp_packet_after_meta", "xdp_len", m8, xdp_ctx(8, 72), 0, len},
      {"xdp_meta_not_a_multiple_of_4", "xdp_meta_len", with_meta(6, 9), xdp_ctx(6, 70), EINVAL, 0},
      {"xdp_data_meta_given", "xdp_meta_len", kPacket, xdp_ctx(0, 64, 4), EINVAL, 0},
      {"xdp_data_end_past_data_in", "xdp_len", kPacket, xdp_ctx(0, 65), EINVAL, 0},
      {"xdp_egress_ifindex", "xdp_len", kPacket, xdp_ctx(0, 64, 0, 0, 0, 1), EINVAL, 0},
      {"xdp_rx_queue_without_device", "xdp_len", kPacket, xdp_ctx(0, 64, 0, 0, 1), EINVAL, 0},
      {"xdp_lo_has_one_queue", "xdp_len", kPacket, xdp_ctx(0, 64, 0, 1, 1), EINVAL, 0},
      {"xdp_ingress_lo", "xdp_ingress_ifindex", kPacket, xdp_ctx(0, 64, 0, 1), 0, 1},
      {"xdp_no_such_device", "xdp_len", kPacket, xdp_ctx(0, 64, 0, 0x7ffffff0), ENODEV, 0},
  };
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class PacketCtx : public testing::TestWithParam<Case> {};

TEST_P(PacketCtx, AsTheKernel) {
  const Case& c = GetParam();
  const Outcome r = in_ringb(c.prog, c.data, c.ctx);
  EXPECT_EQ(r.err, c.err) << "ringb";
  if (!c.err) {
    EXPECT_EQ(r.retval, c.retval) << "ringb";
  }
  const Outcome k = in_kernel(c.prog, c.data, c.ctx);
  if (k.err == -1) GTEST_SKIP() << "bpf() is not permitted here (ringb checked against the recorded values)";
  ASSERT_NE(k.err, -2) << "the kernel refused " << c.prog;
  EXPECT_EQ(k.err, c.err) << "kernel";
  if (!c.err) {
    EXPECT_EQ(k.retval, c.retval) << "kernel";
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, PacketCtx, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

TEST(PacketCtxOut, SkbFieldsComeBack) {
  const Outcome r = in_ringb("skb_writes", kPacket, skb_full());
  ASSERT_EQ(r.err, 0);
  ASSERT_EQ(r.ctx_out.size(), sizeof(__sk_buff));
  __sk_buff s;
  std::memcpy(&s, r.ctx_out.data(), sizeof s);
  EXPECT_EQ(s.mark, 7u);
  EXPECT_EQ(s.priority, 9u);
  EXPECT_EQ(s.ingress_ifindex, 3u);
  EXPECT_EQ(s.ifindex, 1u);
  EXPECT_EQ(s.cb[1], 11u);
  EXPECT_EQ(s.cb[4], 44u);
  EXPECT_EQ(s.tstamp, 13u);
  EXPECT_EQ(s.wire_len, 100u);
  EXPECT_EQ(s.gso_segs, 2u);
  EXPECT_EQ(s.gso_size, 1400u);  // not written back: what ctx_in had
  EXPECT_EQ(s.hwtstamp, 77u);
  const Outcome k = in_kernel("skb_writes", kPacket, skb_full());
  if (k.err == -1) GTEST_SKIP() << "bpf() is not permitted here";
  EXPECT_EQ(k.ctx_out, r.ctx_out);
}

TEST(PacketCtxOut, XdpOffsetsFromDataMeta) {
  const Bytes d = with_meta(8, 9), c = xdp_ctx(8, 72);
  const Outcome r = in_ringb("xdp_grow_meta", d, c);
  ASSERT_EQ(r.err, 0);
  EXPECT_EQ(r.retval, 0u);
  ASSERT_GE(r.ctx_out.size(), 8u);
  uint32_t data, data_end;
  std::memcpy(&data, r.ctx_out.data(), 4);
  std::memcpy(&data_end, r.ctx_out.data() + 4, 4);
  EXPECT_EQ(data, 12u);
  EXPECT_EQ(data_end, 76u);
  const Outcome k = in_kernel("xdp_grow_meta", d, c);
  if (k.err == -1) GTEST_SKIP() << "bpf() is not permitted here";
  ASSERT_EQ(k.err, 0);
  EXPECT_EQ(k.ctx_out, r.ctx_out);
}

// Where ringb is not the kernel: a linear part shorter than data_in makes
// the rest XDP fragments, which ringb does not model; it says so.
TEST(PacketCtxOut, XdpFragmentsAreRefusedClearly) {
  Runtime rt;
  auto obj = rt.load(kObj);
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  TestRunOptions o;
  o.data_in = kPacket;
  o.ctx_in = xdp_ctx(0, 40);
  auto r = (*obj)->test_run("xdp_len", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, EOPNOTSUPP);
  EXPECT_NE(r.error().message.find("XDP fragments"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace ringb
