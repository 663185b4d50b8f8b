// The host's socket table (ringb/sockets.h) and the socket helpers over it:
// lookups that find what the host registered (established before listener,
// a bound address before the wildcard), time-wait sockets only for
// skc_lookup, references dropped by bpf_sk_release, and lookups from
// program threads while the host adds and removes sockets.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "ringb/runtime.h"
#include "ringb/sockets.h"

#ifndef RINGB_API_BPF_DIR
#error "RINGB_API_BPF_DIR must name the directory of sockets_host.bpf.o"
#endif

namespace ringb {
namespace {

// Ethernet + IPv4 (protocol `proto`) from saddr:sport to daddr:dport.
std::vector<uint8_t> packet(uint8_t proto, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport) {
  std::vector<uint8_t> p(64, 0);
  p[12] = 0x08;
  p[14] = 0x45;
  p[16] = 0, p[17] = 40;
  p[22] = 64;
  p[23] = proto;
  const uint32_t s = htonl(saddr), d = htonl(daddr);
  const uint16_t sp = htons(sport), dp = htons(dport);
  std::memcpy(&p[26], &s, 4);
  std::memcpy(&p[30], &d, 4);
  std::memcpy(&p[34], &sp, 2);
  std::memcpy(&p[36], &dp, 2);
  return p;
}

sockets::Socket tcp(uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport, uint32_t state) {
  sockets::Socket s;
  s.family = AF_INET;
  s.type = SOCK_STREAM;
  s.protocol = IPPROTO_TCP;
  s.state = state;
  const uint32_t l = htonl(local), r = htonl(remote);
  std::memcpy(s.local_ip, &l, 4);
  std::memcpy(s.remote_ip, &r, 4);
  s.local_port = lport;
  s.remote_port = rport;
  return s;
}

constexpr uint32_t kA = 0x0a000001, kB = 0x0a000002;  // 10.0.0.1, 10.0.0.2

class Sockets : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lo = rt_.load(std::string(RINGB_API_BPF_DIR) + "/sockets_host.bpf.o");
    ASSERT_TRUE(lo.ok()) << lo.error().message;
    lo_ = std::move(lo.value());
  }
  void TearDown() override {
    for (uint64_t c : added_) (void)rt_.sockets().remove(c);
  }
  uint64_t add(const sockets::Socket& s) {
    auto c = rt_.sockets().add(s);
    EXPECT_TRUE(c.ok()) << c.error().message;
    added_.push_back(c.ok() ? c.value() : 0);
    return c.ok() ? c.value() : 0;
  }
  int64_t run(const std::string& prog, const std::vector<uint8_t>& pkt) {
    TestRunOptions o;
    o.data_in = pkt;
    auto r = lo_->test_run(prog, o);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? static_cast<int32_t>(r.value().retval) : -100;
  }
  Runtime rt_;
  std::unique_ptr<LoadedObject> lo_;
  std::vector<uint64_t> added_;
};

TEST_F(Sockets, EmptyTableFindsNothing) {
  EXPECT_EQ(run("lookup_packet", packet(6, kA, 5555, kB, 80)), 0);
  EXPECT_EQ(run("skc_lookup_packet", packet(6, kA, 5555, kB, 80)), 0);
}

TEST_F(Sockets, ListenerThenEstablishedSocket) {
  add(tcp(0, 80, 0, 0, sockets::kListen));  // 0.0.0.0:80
  EXPECT_EQ(run("lookup_packet", packet(6, kA, 5555, kB, 80)), 10 << 16 | 80);
  EXPECT_EQ(run("lookup_packet", packet(6, kA, 5555, kB, 81)), 0);
  EXPECT_EQ(run("lookup_packet", packet(17, kA, 5555, kB, 80)), 0);  // not UDP
  // the established connection from that very peer is found first
  add(tcp(kB, 80, kA, 5555, sockets::kEstablished));
  EXPECT_EQ(run("lookup_packet", packet(6, kA, 5555, kB, 80)), 1 << 16 | 80);
  EXPECT_EQ(run("lookup_packet", packet(6, kA, 5556, kB, 80)), 10 << 16 | 80);
  // skc: found, full, TCP; listener bit for the listener only
  EXPECT_EQ(run("skc_lookup_packet", packet(6, kA, 5555, kB, 80)), 1 | 2 | 4);
  EXPECT_EQ(run("skc_lookup_packet", packet(6, kA, 5556, kB, 80)), 1 | 2 | 4 | 8);
}

TEST_F(Sockets, TimeWaitOnlyForSkcLookup) {
  add(tcp(kB, 443, kA, 7000, sockets::kTimeWait));
  EXPECT_EQ(run("lookup_packet", packet(6, kA, 7000, kB, 443)), 0);
  EXPECT_EQ(run("skc_lookup_packet", packet(6, kA, 7000, kB, 443)), 1);  // not full, no tcp_sock
}

TEST_F(Sockets, UdpBoundAddressBeforeWildcard) {
  sockets::Socket u;
  u.family = AF_INET, u.type = SOCK_DGRAM, u.protocol = IPPROTO_UDP;
  u.local_port = 53;
  add(u);  // 0.0.0.0:53
  const uint32_t b = htonl(kB);
  std::memcpy(u.local_ip, &b, 4);
  u.priority = 1;
  add(u);  // 10.0.0.2:53
  EXPECT_EQ(run("lookup_packet", packet(17, kA, 4000, kB, 53)), 7 << 16 | 53);  // BPF_TCP_CLOSE
  EXPECT_EQ(run("lookup_packet", packet(17, kA, 4000, kB, 54)), 0);
}

TEST_F(Sockets, ReleaseDropsTheReference) {
  const uint64_t c = add(tcp(0, 80, 0, 0, sockets::kListen));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(run("lookup_packet", packet(6, kA, 1, kB, 80)), 10 << 16 | 80);
  uint8_t a[4] = {0x0a, 0, 0, 1}, d[4] = {0x0a, 0, 0, 2};
  sockets::Record* r = rt_.sockets().lookup(AF_INET, IPPROTO_TCP, a, d, 1, 80, true);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->cookie, c);
  EXPECT_EQ(r->refs.load(), 1u);  // only this one: every run released its own
  sockets::Table::release(r);
}

TEST_F(Sockets, BadSocketsAreRefused) {
  sockets::Socket s = tcp(0, 80, 0, 0, sockets::kListen);
  s.family = AF_UNIX;
  EXPECT_EQ(rt_.sockets().add(s).error().code, EINVAL);
  s = tcp(0, 80, 0, 0, sockets::kListen);
  s.protocol = IPPROTO_UDP;
  EXPECT_EQ(rt_.sockets().add(s).error().code, EINVAL);
  EXPECT_EQ(rt_.sockets().remove(0).error().code, ENOENT);
}

// Program threads look up while the host adds and removes sockets: every
// answer is the listener or nothing, and no reference is left behind.
TEST_F(Sockets, LookupsWhileTheHostChangesTheTable) {
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&] {
      const auto pkt = packet(6, kA, 1, kB, 8080);
      while (!stop.load()) {
        const int64_t v = run("lookup_packet", pkt);
        if (v != 0 && v != (10 << 16 | 8080)) bad++;
      }
    });
  for (int i = 0; i < 2000; ++i) {
    auto c = rt_.sockets().add(tcp(0, 8080, 0, 0, sockets::kListen));
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(rt_.sockets().remove(c.value()).ok());
  }
  stop = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(rt_.sockets().size(), 0u);
}

}  // namespace
}  // namespace ringb

namespace ringb {
namespace {

// Sockmaps the host fills by cookie (where the kernel takes an fd): a tc
// lookup reads the socket and releases it, a tc program moves it into a
// sockhash, and sk_skb/sk_msg redirects pass (SK_PASS) to an established
// socket and drop for a listener or an empty slot.
TEST(SockMaps, HostFillsProgramsRedirect) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/sockmap_host.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  maps::Map* sm = (*lo)->map("sock_map");
  maps::Map* sh = (*lo)->map("sock_hash");
  ASSERT_NE(sm, nullptr);
  ASSERT_NE(sh, nullptr);
  auto run = [&](const char* prog) {
    TestRunOptions o;
    o.data_in = packet(6, kA, 1, kB, 80);
    auto r = (*lo)->test_run(prog, o);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? static_cast<int32_t>(r.value().retval) : -1000;
  };
  EXPECT_EQ(run("sockmap_lookup"), 0);
  EXPECT_EQ(run("sk_redirect"), 0);  // SK_DROP twice
  auto est = rt.sockets().add(tcp(kB, 80, kA, 5555, sockets::kEstablished));
  auto lis = rt.sockets().add(tcp(0, 81, 0, 0, sockets::kListen));
  ASSERT_TRUE(est.ok() && lis.ok());
  uint32_t k0 = 0;
  uint64_t v = *est;
  ASSERT_EQ(sm->host_update(&k0, 4, &v, 8, maps::kAny), 0);
  EXPECT_EQ(run("sockmap_lookup"), sockets::kEstablished << 16 | 80);
  EXPECT_EQ(run("sockmap_move"), 0);
  EXPECT_EQ(run("sockmap_move"), -EEXIST);
  uint32_t k7 = 7;
  uint64_t out = 0;
  ASSERT_EQ(sh->host_lookup(&k7, 4, &out, 8), 0);
  EXPECT_EQ(out, *est);
  EXPECT_EQ(run("sk_redirect"), 3);  // SK_PASS from both
  EXPECT_EQ(run("msg_redirect"), 3);
  v = *lis;  // a listener takes no redirect
  ASSERT_EQ(sm->host_update(&k0, 4, &v, 8, maps::kAny), 0);
  EXPECT_EQ(run("sk_redirect"), 1);
  EXPECT_EQ(run("msg_redirect"), 1);
  EXPECT_TRUE(rt.sockets().remove(*est).ok());  // closed: gone from the maps
  EXPECT_EQ(run("sk_redirect"), 0);
  EXPECT_EQ(sh->host_lookup(&k7, 4, &out, 8), -ENOENT);
  EXPECT_TRUE(rt.sockets().remove(*lis).ok());
}

}  // namespace
}  // namespace ringb
