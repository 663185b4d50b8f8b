// sk_lookup test runs through the API, as the kernel's
// bpf_prog_test_run_sk_lookup: the context's checks, and a selection's
// cookie in ctx_out when the program assigns a host-table socket.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "ringb/maps.h"
#include "ringb/runtime.h"
#include "ringb/sockets.h"
#include "ringb/test_ctx.h"

namespace ringb {
namespace {

std::vector<uint8_t> bytes(const bpf_sk_lookup& c) {
  const auto* p = reinterpret_cast<const uint8_t*>(&c);
  return std::vector<uint8_t>(p, p + sizeof c);
}

std::unique_ptr<LoadedObject> load(Runtime& rt) {
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/sk_lookup_host.bpf.o");
  EXPECT_TRUE(lo.ok()) << lo.error().message;
  return lo.ok() ? std::move(lo.value()) : nullptr;
}

TEST(SkLookup, ContextChecksAsTheKernel) {
  Runtime rt;
  auto lo = load(rt);
  ASSERT_TRUE(lo);
  TestRunOptions o;
  auto r = lo->test_run("select_slot0", o);  // no ctx_in
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, EINVAL);
  bpf_sk_lookup c = corpus_sk_lookup_ctx();
  o.ctx_in = bytes(c);
  o.data_in = {1, 2, 3};
  r = lo->test_run("select_slot0", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, EINVAL) << "no data_in";
  o.data_in.clear();
  c.local_port = 70000;
  o.ctx_in = bytes(c);
  r = lo->test_run("select_slot0", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ERANGE);
  c = corpus_sk_lookup_ctx();
  c.family = AF_UNIX;
  o.ctx_in = bytes(c);
  r = lo->test_run("select_slot0", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, EAFNOSUPPORT);
  c = corpus_sk_lookup_ctx();
  c.ingress_ifindex = 1;
  o.ctx_in = bytes(c);
  r = lo->test_run("select_slot0", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, EINVAL) << "ingress_ifindex must be 0";
}

TEST(SkLookup, ListeningSocketIsSelectedAndItsCookieComesBack) {
  Runtime rt;
  auto lo = load(rt);
  ASSERT_TRUE(lo);
  sockets::Socket s;
  s.family = AF_INET;
  s.type = SOCK_STREAM;
  s.protocol = IPPROTO_TCP;
  s.state = sockets::kListen;
  s.local_port = 8080;
  auto cookie = rt.sockets().add(s);
  ASSERT_TRUE(cookie.ok()) << cookie.error().message;
  maps::Map* m = lo->map("redir");
  ASSERT_NE(m, nullptr);
  const uint32_t k0 = 0;
  const uint64_t v = *cookie;
  ASSERT_EQ(m->host_update(&k0, 4, &v, 8, maps::kAny), 0);

  TestRunOptions o;
  o.ctx_in = bytes(corpus_sk_lookup_ctx());
  o.repeat = 3;
  auto r = lo->test_run("select_slot0", o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->retval, 1u) << "each repeat starts with no selection: no -EEXIST";
  ASSERT_EQ(r->ctx_out.size(), sizeof(bpf_sk_lookup));
  bpf_sk_lookup out;
  std::memcpy(&out, r->ctx_out.data(), sizeof out);
  EXPECT_EQ(out.cookie, *cookie);
  EXPECT_EQ(out.local_port, 8080u);

  // A UDP lookup: the TCP socket is the wrong protocol (-EPROTOTYPE), no selection.
  bpf_sk_lookup udp = corpus_sk_lookup_ctx();
  udp.protocol = IPPROTO_UDP;
  o.ctx_in = bytes(udp);
  o.repeat = 1;
  r = lo->test_run("select_slot0", o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->retval, 0u);
  std::memcpy(&out, r->ctx_out.data(), sizeof out);
  EXPECT_EQ(out.cookie, 0u);
  EXPECT_EQ(rt.sockets().remove(*cookie).ok(), true);
}

}  // namespace
}  // namespace ringb
