// sock_ops programs on a host-given context (TestRunOptions::ctx_in, as
// `ringb run --ctx-in`): a full socket's sk and callback flags, the fields a
// context that is not a full socket reads as 0, and the ctx_in ringb refuses.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include "ringb/maps.h"
#include "ringb/runtime.h"
#include "ringb/sockets.h"

namespace ringb {
namespace {

// Linux 6.18's struct bpf_sock_ops is 224 bytes; this machine's uapi header
// may end it earlier (skb_hwtstamp, the last field, read as 0).
constexpr size_t kOpsSize = 224;

std::vector<uint8_t> bytes(const bpf_sock_ops& o) {
  std::vector<uint8_t> v(kOpsSize, 0);
  std::memcpy(v.data(), &o, sizeof o);
  return v;
}

bpf_sock_ops established() {
  bpf_sock_ops o{};
  o.op = BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB;
  o.family = AF_INET;
  o.remote_ip4 = htonl(0x0a000002);
  o.local_ip4 = htonl(0x0a000001);
  o.remote_port = uint32_t{htons(80)} << 16;  // as the kernel's context gives it
  o.local_port = 4242;
  o.state = BPF_TCP_ESTABLISHED;
  o.snd_cwnd = 10;
  return o;
}

TEST(SockOps, FullSocketHasSkAndTakesCallbackFlags) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/sock_ops_host.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  bpf_sock_ops in = established();
  in.is_fullsock = 1;
  TestRunOptions o;
  o.ctx_in = bytes(in);
  auto r = (*lo)->test_run("ops_full", o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->retval, 1u);
  ASSERT_EQ(r->ctx_out.size(), kOpsSize);
  bpf_sock_ops out;
  std::memcpy(&out, r->ctx_out.data(), sizeof out);
  // 0xff: BPF_SOCK_OPS_ALL_CB_FLAGS (0x7f) taken, 0x80 returned.
  EXPECT_EQ(out.reply, 0x80u << 16 | 0x7f);
  EXPECT_EQ(out.bpf_sock_ops_cb_flags, 0x7fu);
  EXPECT_EQ(out.sk_txhash, 4242u << 16 | htons(80));
  EXPECT_EQ(out.sk, nullptr);  // ringb's pointer is not handed back
  auto c = (*lo)->test_run("ops_cwnd", o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::memcpy(&out, c->ctx_out.data(), sizeof out);
  EXPECT_EQ(out.reply, 10u);
}

TEST(SockOps, NotAFullSocketReadsZeroAndHasNoSk) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/sock_ops_host.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  TestRunOptions o;
  o.ctx_in = bytes(established());  // is_fullsock 0
  auto r = (*lo)->test_run("ops_full", o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->retval, 0u);  // sk is NULL
  auto c = (*lo)->test_run("ops_cwnd", o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  bpf_sock_ops out;
  std::memcpy(&out, c->ctx_out.data(), sizeof out);
  EXPECT_EQ(out.reply, 0u);  // snd_cwnd is a full socket's field
  EXPECT_EQ(out.state, uint32_t{BPF_TCP_ESTABLISHED});  // state is not
}

TEST(SockOps, CtxInRefusedWhenTooLargeOrSettingPointers) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/sock_ops_host.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  TestRunOptions o;
  o.ctx_in.assign(kOpsSize + 1, 0);
  auto big = (*lo)->test_run("ops_cwnd", o);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("struct bpf_sock_ops"), std::string::npos) << big.error().message;
  bpf_sock_ops in{};
  in.skb_data = &in;
  o.ctx_in = bytes(in);
  auto ptr = (*lo)->test_run("ops_cwnd", o);
  ASSERT_FALSE(ptr.ok());
  EXPECT_NE(ptr.error().message.find("skb_data"), std::string::npos) << ptr.error().message;
}

// ctx_in's sk names a socket of the host's table by its cookie: the context
// is that socket (its addresses and state), and bpf_sock_map_update puts it
// into a sockmap in the established callbacks (elsewhere -EOPNOTSUPP).
TEST(SockOps, HostTableSocketGoesIntoASockmap) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/sock_ops_host.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  sockets::Socket s;
  s.family = AF_INET;
  s.type = SOCK_STREAM;
  s.protocol = 6;
  s.state = sockets::kEstablished;
  const uint32_t local = htonl(0x0a000001), remote = htonl(0x0a000002);
  std::memcpy(s.local_ip, &local, 4);
  std::memcpy(s.remote_ip, &remote, 4);
  s.local_port = 5555;
  s.remote_port = 80;
  auto cookie = rt.sockets().add(s);
  ASSERT_TRUE(cookie.ok());
  bpf_sock_ops in{};
  in.op = BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB;
  in.is_fullsock = 1;
  TestRunOptions o;
  o.ctx_in = bytes(in);
  const uint64_t c = *cookie;
  std::memcpy(o.ctx_in.data() + offsetof(bpf_sock_ops, sk), &c, 8);
  auto r = (*lo)->test_run("ops_add_to_map", o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  bpf_sock_ops out;
  std::memcpy(&out, r->ctx_out.data(), sizeof out);
  EXPECT_EQ(out.reply, 0u);
  EXPECT_EQ(out.sk_txhash, static_cast<uint32_t>(c));
  EXPECT_EQ(out.family, uint32_t{AF_INET});  // the context is the table's socket
  EXPECT_EQ(out.local_ip4, local);
  EXPECT_EQ(out.remote_port, uint32_t{htons(80)} << 16);
  EXPECT_EQ(out.local_port, 5555u);
  EXPECT_EQ(out.state, uint32_t{sockets::kEstablished});
  uint32_t key = 2;
  uint64_t held = 0;
  ASSERT_EQ((*lo)->map("ops_map")->host_lookup(&key, 4, &held, 8), 0);
  EXPECT_EQ(held, c);
  // Another callback: -EOPNOTSUPP; an unknown cookie: the run is refused.
  in.op = BPF_SOCK_OPS_RTO_CB;
  o.ctx_in = bytes(in);
  std::memcpy(o.ctx_in.data() + offsetof(bpf_sock_ops, sk), &c, 8);
  auto rto = (*lo)->test_run("ops_add_to_map", o);
  ASSERT_TRUE(rto.ok()) << rto.error().message;
  std::memcpy(&out, rto->ctx_out.data(), sizeof out);
  EXPECT_EQ(static_cast<int32_t>(out.reply), -EOPNOTSUPP);
  const uint64_t bad = c + 1000;
  std::memcpy(o.ctx_in.data() + offsetof(bpf_sock_ops, sk), &bad, 8);
  auto none = (*lo)->test_run("ops_add_to_map", o);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("host's table"), std::string::npos) << none.error().message;
  EXPECT_TRUE(rt.sockets().remove(c).ok());  // the run's reference is gone: removal completes
  EXPECT_EQ((*lo)->map("ops_map")->host_lookup(&key, 4, &held, 8), -ENOENT);
}

}  // namespace
}  // namespace ringb
