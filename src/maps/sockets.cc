// sockets.cc — the host's socket table (ringb/sockets.h): fixed slots, each
// free, being written, live or removed; readers take a reference with one
// atomic increment and check the slot is still live and still matches.
#include "ringb/sockets.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

static_assert(ringb::sockets::Table::kCapacity == size_t{1} << ringb::sockets::Table::kSlotBits);

namespace ringb::sockets {
namespace {

enum Slot : uint32_t { kFree = 0, kBusy = 1, kLive = 2, kRemoved = 3 };

std::atomic<uint64_t> next_cookie{1};

size_t addr_len(uint32_t family) { return family == AF_INET ? 4 : 16; }

bool zero(const uint8_t* a, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (a[i]) return false;
  return true;
}

// How well a live record answers the tuple: 0 not at all, 3 the exact
// 4-tuple (an established or connected socket), 2 a listener or unconnected
// socket bound to the destination address, 1 one bound to the wildcard.
int score(const Record& r, uint32_t family, uint32_t protocol, const uint8_t* saddr, const uint8_t* daddr,
          uint16_t sport, uint16_t dport) {
  const bpf_sock& s = r.sk;
  if (s.family != family || s.protocol != protocol) return 0;
  if (s.src_port != dport) return 0;
  const size_t n = addr_len(family);
  const auto* local = reinterpret_cast<const uint8_t*>(family == AF_INET ? &s.src_ip4 : s.src_ip6);
  const auto* remote = reinterpret_cast<const uint8_t*>(family == AF_INET ? &s.dst_ip4 : s.dst_ip6);
  const bool local_any = zero(local, n);
  if (!local_any && std::memcmp(local, daddr, n) != 0) return 0;
  const uint16_t rport = ntohs(static_cast<uint16_t>(s.dst_port));
  if (rport != 0) {  // connected: the remote end must be the packet's source
    if (rport != sport || std::memcmp(remote, saddr, n) != 0) return 0;
    return 3;
  }
  if (protocol == IPPROTO_TCP && s.state != kListen) return 0;  // a closed, unbound TCP socket takes nothing
  return local_any ? 1 : 2;
}

}  // namespace

Table::Table() : recs_(new Record[kCapacity]) {}

Expected<uint64_t> Table::add(const Socket& in) {
  if (in.family != AF_INET && in.family != AF_INET6)
    return Error{EINVAL, "socket family " + std::to_string(in.family) + " is not AF_INET or AF_INET6"};
  const bool tcp = in.protocol == IPPROTO_TCP && in.type == SOCK_STREAM;
  const bool udp = in.protocol == IPPROTO_UDP && in.type == SOCK_DGRAM;
  if (!tcp && !udp) return Error{EINVAL, "a socket is TCP (SOCK_STREAM) or UDP (SOCK_DGRAM)"};
  if (in.state < kEstablished || in.state > kNewSynRecv) return Error{EINVAL, "no such TCP state"};
  std::lock_guard lock(host_);
  for (size_t i = 0; i < kCapacity; ++i) {
    Record& r = recs_[i];
    uint32_t st = r.slot.load(std::memory_order_acquire);
    if ((st != kFree && st != kRemoved) || !r.slot.compare_exchange_strong(st, kBusy, std::memory_order_seq_cst))
      continue;
    // A lookup takes its reference before it reads a field and then checks
    // the slot is live (both seq_cst): a slot nobody holds after the CAS is
    // one no lookup will read until it is live again.
    if (r.refs.load(std::memory_order_seq_cst) != 0) {
      r.slot.store(st, std::memory_order_release);
      continue;
    }
    std::memset(&r.sk, 0, sizeof r.sk);
    std::memset(&r.tcp, 0, sizeof r.tcp);
    r.sk.bound_dev_if = in.bound_dev_if;
    r.sk.family = in.family;
    r.sk.type = in.type;
    r.sk.protocol = in.protocol;
    r.sk.mark = in.mark;
    r.sk.priority = in.priority;
    if (in.family == AF_INET) {
      std::memcpy(&r.sk.src_ip4, in.local_ip, 4);
      std::memcpy(&r.sk.dst_ip4, in.remote_ip, 4);
    } else {
      std::memcpy(r.sk.src_ip6, in.local_ip, 16);
      std::memcpy(r.sk.dst_ip6, in.remote_ip, 16);
    }
    r.sk.src_port = in.local_port;                  // host byte order, as the kernel's
    r.sk.dst_port = htons(in.remote_port);          // network byte order
    r.sk.state = udp ? (in.remote_port ? kEstablished : kClose) : in.state;
    r.sk.rx_queue_mapping = -1;
    if (tcp) r.tcp.snd_cwnd = 10, r.tcp.mss_cache = 536, r.tcp.snd_ssthresh = 0x7fffffff;  // TCP_INIT_CWND, ...
    r.cookie = next_cookie.fetch_add(1, std::memory_order_relaxed);
    r.slot.store(kLive, std::memory_order_release);
    live_.fetch_add(1, std::memory_order_relaxed);
    return r.cookie;
  }
  return Error{ENOSPC, "the socket table is full (" + std::to_string(kCapacity) + " sockets)"};
}

Status Table::remove(uint64_t cookie) {
  std::lock_guard lock(host_);
  for (size_t i = 0; i < kCapacity; ++i) {
    Record& r = recs_[i];
    if (r.slot.load(std::memory_order_acquire) == kLive && r.cookie == cookie) {
      // Dead before the sweep (seq_cst): a program storing the handle
      // meanwhile either is swept or sees it dead after its store.
      r.slot.store(kRemoved, std::memory_order_seq_cst);
      live_.fetch_sub(1, std::memory_order_relaxed);
      const uint64_t handle = (cookie << kSlotBits) | i;
      for (Holder* h : holders_) h->unlink(handle);
      return {};
    }
  }
  return Error{ENOENT, "no socket with cookie " + std::to_string(cookie)};
}

size_t Table::size() const { return live_.load(std::memory_order_relaxed); }

Record* Table::lookup(uint32_t family, uint32_t protocol, const uint8_t* saddr, const uint8_t* daddr, uint16_t sport,
                      uint16_t dport, bool full_only) {
  if (live_.load(std::memory_order_acquire) == 0) return nullptr;
  for (int want = 3; want >= 1; --want) {
    for (size_t i = 0; i < kCapacity; ++i) {
      Record& r = recs_[i];
      if (r.slot.load(std::memory_order_acquire) != kLive) continue;
      // The reference first, then the fields: add() rewrites a slot only
      // when no reference is held (see there).
      r.refs.fetch_add(1, std::memory_order_seq_cst);
      if (r.slot.load(std::memory_order_seq_cst) != kLive ||
          score(r, family, protocol, saddr, daddr, sport, dport) != want) {
        r.refs.fetch_sub(1, std::memory_order_acq_rel);
        continue;
      }
      if (full_only && (r.sk.state == kTimeWait || r.sk.state == kNewSynRecv)) {
        r.refs.fetch_sub(1, std::memory_order_acq_rel);
        return nullptr;  // sk_to_full_sk of a time-wait socket: none
      }
      return &r;
    }
  }
  return nullptr;
}

void Table::release(Record* r) {
  if (r) r->refs.fetch_sub(1, std::memory_order_acq_rel);
}

Record* Table::record_of(const void* p) const {
  const auto a = reinterpret_cast<uintptr_t>(p);
  const auto lo = reinterpret_cast<uintptr_t>(&recs_[0]);
  const auto hi = reinterpret_cast<uintptr_t>(&recs_[kCapacity]);
  if (a < lo || a >= hi || (a - lo) % sizeof(Record) != 0) return nullptr;
  return &recs_[(a - lo) / sizeof(Record)];
}

uint64_t Table::handle_by_cookie(uint64_t cookie) const {
  std::lock_guard lock(host_);  // add() writes cookies under it
  for (size_t i = 0; i < kCapacity; ++i)
    if (recs_[i].slot.load(std::memory_order_acquire) == kLive && recs_[i].cookie == cookie)
      return (cookie << kSlotBits) | i;
  return 0;
}

uint64_t Table::handle_of(const void* p) const {
  const Record* r = record_of(p);
  if (!r) return 0;
  return (r->cookie << kSlotBits) | static_cast<uint64_t>(r - &recs_[0]);
}

Record* Table::acquire(uint64_t handle) {
  if (!handle) return nullptr;
  Record& r = recs_[handle & (kCapacity - 1)];
  // The reference before the fields, as lookup() (add() rewrites a slot
  // only when no reference is held).
  r.refs.fetch_add(1, std::memory_order_seq_cst);
  if (r.slot.load(std::memory_order_seq_cst) != kLive || r.cookie != handle >> kSlotBits) {
    r.refs.fetch_sub(1, std::memory_order_acq_rel);
    return nullptr;
  }
  return &r;
}

void Table::hold(Holder* h) {
  std::lock_guard lock(host_);
  holders_.push_back(h);
}

void Table::unhold(Holder* h) {
  std::lock_guard lock(host_);
  std::erase(holders_, h);
}

bool Table::alive(uint64_t handle) {
  Record* r = acquire(handle);
  release(r);
  return r != nullptr;
}

Table& table() {
  static Table* t = new Table();  // never destroyed: programs may run at exit
  return *t;
}

}  // namespace ringb::sockets
