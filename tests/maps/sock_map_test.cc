// SOCKMAP and SOCKHASH (src/maps/sock_map.cc) over the host's socket table:
// the host's commands with the errnos Linux 6.18 gives the same calls on
// real sockets (checked by hand on this machine: a listening, a closed TCP
// and an unbound UDP socket by fd), and the program side's references.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <vector>

#include "ringb/sockets.h"
#include "test_util.h"

namespace ringb::maps::test {
namespace {

constexpr MapType kSockMap = static_cast<MapType>(15), kSockHash = static_cast<MapType>(18);

// A socket in the process's table for the test's length.
struct HostSocket {
  explicit HostSocket(uint32_t state, uint32_t protocol = IPPROTO_TCP, uint16_t port = 80) {
    sockets::Socket s;
    s.family = AF_INET;
    s.protocol = protocol;
    s.type = protocol == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
    s.state = state;
    s.local_ip[0] = 127, s.local_ip[3] = 1;
    s.local_port = port;
    auto c = sockets::table().add(s);
    EXPECT_TRUE(c.ok());
    cookie = c.ok() ? *c : 0;
  }
  ~HostSocket() { (void)sockets::table().remove(cookie); }
  uint32_t fd() const { return static_cast<uint32_t>(cookie); }  // what stands for the fd
  uint64_t cookie = 0;
};

TEST(SockMap, HostCommandsAsTheKernel) {
  HostSocket listener(sockets::kListen), closed(sockets::kClose), udp(sockets::kClose, IPPROTO_UDP, 0);
  auto m = make(def_of(kSockMap, 4, 4, 4));
  ASSERT_NE(m, nullptr);
  uint32_t k0 = 0, k1 = 1, k5 = 5, v = listener.fd();
  EXPECT_EQ(m->host_update(&k0, 4, &v, 4, kAny), 0);
  EXPECT_EQ(m->host_update(&k0, 4, &v, 4, kNoExist), -EEXIST);
  EXPECT_EQ(m->host_update(&k1, 4, &v, 4, kExist), -ENOENT);
  EXPECT_EQ(m->host_update(&k1, 4, &v, 4, 3), -EINVAL);
  EXPECT_EQ(m->host_update(&k1, 4, &v, 4, kFLock), -EINVAL);
  EXPECT_EQ(m->host_update(&k5, 4, &v, 4, kAny), -E2BIG);
  uint32_t c = closed.fd(), u = udp.fd(), bad = 0x7ffffff0;
  EXPECT_EQ(m->host_update(&k1, 4, &c, 4, kAny), -EOPNOTSUPP);
  EXPECT_EQ(m->host_update(&k1, 4, &u, 4, kAny), -EOPNOTSUPP);
  EXPECT_EQ(m->host_update(&k1, 4, &bad, 4, kAny), -EBADF);
  uint32_t out4;
  EXPECT_EQ(m->host_lookup(&k0, 4, &out4, 4), -ENOSPC);  // only 8-byte values read back
  EXPECT_EQ(m->host_delete(&k1, 4), -EINVAL);             // empty
  EXPECT_EQ(m->host_delete(&k5, 4), -EINVAL);             // past the end
  EXPECT_EQ(m->host_delete(&k0, 4), 0);
  uint32_t next = 9;
  EXPECT_EQ(m->host_get_next_key(nullptr, &next, 4), 0);
  EXPECT_EQ(next, 0u);
  uint32_t k3 = 3;
  EXPECT_EQ(m->host_get_next_key(&k3, &next, 4), -ENOENT);
  EXPECT_EQ(m->host_get_next_key(&k5, &next, 4), 0);
  EXPECT_EQ(next, 0u);

  auto m8 = make(def_of(kSockMap, 4, 8, 4));
  uint64_t v8 = listener.cookie, out = 0, big = 0x80000000ull;
  EXPECT_EQ(m8->host_update(&k1, 4, &big, 8, kAny), -EINVAL);  // past the fd range
  EXPECT_EQ(m8->host_update(&k0, 4, &v8, 8, kAny), 0);
  EXPECT_EQ(m8->host_lookup(&k0, 4, &out, 8), 0);
  EXPECT_EQ(out, listener.cookie);  // the kernel answers with the socket's cookie
  EXPECT_EQ(m8->host_lookup(&k1, 4, &out, 8), -ENOENT);
  EXPECT_EQ(m8->host_lookup(&k5, 4, &out, 8), -ENOENT);
}

TEST(SockHash, HostCommandsAsTheKernel) {
  HostSocket est(sockets::kEstablished), udp(sockets::kClose, IPPROTO_UDP, 53);
  auto h = make(def_of(kSockHash, 4, 8, 2));
  ASSERT_NE(h, nullptr);
  uint32_t k0 = 0, k1 = 1, k2 = 2;
  uint64_t v = est.cookie, vu = udp.cookie, out = 0;
  EXPECT_EQ(h->host_update(&k0, 4, &v, 8, kAny), 0);
  EXPECT_EQ(h->host_update(&k1, 4, &vu, 8, kAny), 0);  // a bound UDP socket
  EXPECT_EQ(h->host_update(&k2, 4, &v, 8, kAny), -E2BIG);
  EXPECT_EQ(h->host_update(&k1, 4, &v, 8, kAny), 0);  // a replace in a full map
  EXPECT_EQ(h->host_update(&k0, 4, &v, 8, kNoExist), -EEXIST);
  EXPECT_EQ(h->host_update(&k2, 4, &v, 8, kExist), -ENOENT);
  EXPECT_EQ(h->host_update(&k2, 4, &v, 8, 3), -EINVAL);
  EXPECT_EQ(h->host_delete(&k2, 4), -ENOENT);
  EXPECT_EQ(h->host_lookup(&k1, 4, &out, 8), 0);
  EXPECT_EQ(out, est.cookie);
  EXPECT_EQ(h->host_lookup(&k2, 4, &out, 8), -ENOENT);
  EXPECT_EQ(walk_keys<uint32_t>(*h).size(), 2u);
  auto h4 = make(def_of(kSockHash, 4, 4, 2));
  uint32_t v4 = est.fd(), o4;
  EXPECT_EQ(h4->host_update(&k0, 4, &v4, 4, kAny), 0);
  EXPECT_EQ(h4->host_lookup(&k0, 4, &o4, 4), -ENOSPC);
}

// A program's lookup returns the socket's struct bpf_sock with a reference
// it must release; a socket removed from the table is no longer found.
TEST(SockMap, ProgramLookupsTakeReferences) {
  auto m = make(def_of(kSockMap, 4, 4, 4));
  auto h = make(def_of(kSockHash, 8, 4, 4));
  auto* s = new HostSocket(sockets::kEstablished);
  uint32_t k0 = 0, v = s->fd();
  uint64_t hk = 42;
  ASSERT_EQ(m->host_update(&k0, 4, &v, 4, kAny), 0);
  ASSERT_EQ(h->host_update(&hk, 8, &v, 4, kAny), 0);
  {
    ProgramScope scope;
    for (Map* map : {m.get(), h.get()}) {
      void* p = map->lookup_elem(map == m.get() ? static_cast<const void*>(&k0) : &hk);
      sockets::Record* r = sockets::table().record_of(p);
      ASSERT_NE(r, nullptr);
      EXPECT_EQ(r->cookie, s->cookie);
      EXPECT_EQ(r->refs.load(), 1u);
      sockets::Table::release(r);
    }
    uint32_t k1 = 1;
    EXPECT_EQ(m->lookup_elem(&k1), nullptr);
    // A program's update takes a socket pointer; one not in the table (a
    // context's own) cannot be held.
    void* p = m->lookup_elem(&k0);
    EXPECT_EQ(m->update_elem(&k1, p, kNoExist), 0);
    EXPECT_EQ(m->update_elem(&k1, p, kNoExist), -EEXIST);
    bpf_sock other{};
    EXPECT_EQ(m->update_elem(&k1, &other, kAny), -EOPNOTSUPP);
    sockets::Table::release(sockets::table().record_of(p));
    EXPECT_EQ(m->delete_elem(&k1), 0);
  }
  delete s;  // the table removes it: the maps no longer find it
  ProgramScope scope;
  EXPECT_EQ(m->lookup_elem(&k0), nullptr);
  EXPECT_EQ(h->lookup_elem(&hk), nullptr);
}

// A socket the host removes leaves every sockmap and sockhash holding it,
// as the kernel's close unlinks it (sock_map_unhash/sock_map_close): its
// keys are gone from lookups, get_next_key, deletes and counts, and other
// sockets' entries stay.
TEST(SockMap, RemovedSocketLeavesEveryMap) {
  HostSocket keep(sockets::kEstablished, IPPROTO_TCP, 81);
  auto* gone = new HostSocket(sockets::kListen, IPPROTO_TCP, 82);
  auto m = make(def_of(kSockMap, 4, 8, 4));
  auto h = make(def_of(kSockHash, 4, 8, 8));
  auto h2 = make(def_of(kSockHash, 8, 8, 4));
  ASSERT_NE(m, nullptr);
  ASSERT_NE(h, nullptr);
  ASSERT_NE(h2, nullptr);
  const uint64_t vk = keep.cookie, vg = gone->cookie;
  uint32_t k0 = 0, k1 = 1, k2 = 2, k3 = 3;
  uint64_t hk = 7;
  ASSERT_EQ(m->host_update(&k0, 4, &vg, 8, kAny), 0);
  ASSERT_EQ(m->host_update(&k1, 4, &vk, 8, kAny), 0);
  ASSERT_EQ(m->host_update(&k2, 4, &vg, 8, kAny), 0);
  for (uint32_t* k : {&k0, &k2, &k3}) ASSERT_EQ(h->host_update(k, 4, &vg, 8, kAny), 0);
  ASSERT_EQ(h->host_update(&k1, 4, &vk, 8, kAny), 0);
  ASSERT_EQ(h2->host_update(&hk, 8, &vg, 8, kAny), 0);
  EXPECT_EQ(h->stats().elements, 4u);

  delete gone;  // the table removes it

  uint64_t out = 0;
  EXPECT_EQ(m->host_lookup(&k0, 4, &out, 8), -ENOENT);
  EXPECT_EQ(m->host_lookup(&k2, 4, &out, 8), -ENOENT);
  EXPECT_EQ(m->host_lookup(&k1, 4, &out, 8), 0);
  EXPECT_EQ(out, keep.cookie);
  EXPECT_EQ(m->host_delete(&k0, 4), -EINVAL);                // the slot is empty again
  EXPECT_EQ(m->host_update(&k2, 4, &vk, 8, kExist), -ENOENT);  // ... for BPF_EXIST too
  EXPECT_EQ(m->host_update(&k2, 4, &vk, 8, kNoExist), 0);

  EXPECT_EQ(h->stats().elements, 1u);
  EXPECT_EQ(walk_keys<uint32_t>(*h), std::vector<uint32_t>{1});
  EXPECT_EQ(h->host_lookup(&k0, 4, &out, 8), -ENOENT);
  EXPECT_EQ(h->host_delete(&k3, 4), -ENOENT);
  EXPECT_EQ(h->host_update(&k0, 4, &vk, 8, kNoExist), 0);
  EXPECT_EQ(h2->stats().elements, 0u);
  uint64_t next = 0;
  EXPECT_EQ(h2->host_get_next_key(nullptr, &next, 8), -ENOENT);
  {
    ProgramScope scope;
    EXPECT_EQ(h2->lookup_elem(&hk), nullptr);
  }
}

// A map destroyed before the socket goes is no longer the table's to
// unlink from.
TEST(SockMap, DestroyedMapLeavesTheTable) {
  auto* s = new HostSocket(sockets::kEstablished, IPPROTO_TCP, 83);
  {
    auto m = make(def_of(kSockMap, 4, 8, 2));
    auto h = make(def_of(kSockHash, 4, 8, 2));
    uint32_t k0 = 0;
    const uint64_t v = s->cookie;
    ASSERT_EQ(m->host_update(&k0, 4, &v, 8, kAny), 0);
    ASSERT_EQ(h->host_update(&k0, 4, &v, 8, kAny), 0);
  }
  delete s;  // would reach freed maps if they had stayed registered
}

}  // namespace
}  // namespace ringb::maps::test
