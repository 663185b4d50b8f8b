// ringb/sockets.h — the host's sockets, as programs see them.
//
// ringb has no network stack, so the sockets the socket helpers find
// (bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp) are the ones the host
// registers here: family, protocol, addresses, ports, TCP state. The table
// is the process's one network namespace (the kernel's init_net as the test
// runs see it); an empty table answers every lookup with NULL, as the
// kernel's test runs find no socket.
//
// A program sees a socket as `struct bpf_sock` (uapi/linux/bpf.h) and, for a
// TCP socket, `struct bpf_tcp_sock` (from bpf_tcp_sock()): both live in the
// table's record, so a program's loads read them directly. A lookup takes a
// reference that bpf_sk_release drops; a removed socket's slot is reused
// only when no program holds it any more.
//
// Lookups and releases are async-signal-safe (no locks, no allocation);
// add() and remove() are for host threads and may run while programs look
// sockets up.
#pragma once

#include <linux/bpf.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "ringb/error.h"

namespace ringb::sockets {

// The TCP states bpf_sock.state takes (enum BPF_TCP_*).
enum TcpState : uint32_t {
  kEstablished = 1, kSynSent = 2, kSynRecv = 3, kFinWait1 = 4, kFinWait2 = 5, kTimeWait = 6,
  kClose = 7, kCloseWait = 8, kLastAck = 9, kListen = 10, kClosing = 11, kNewSynRecv = 12,
};

// What the host registers. Addresses are in network byte order (IPv4 in the
// first 4 bytes), ports in host byte order. A zero local address is the
// wildcard (INADDR_ANY / in6addr_any); a zero remote port an unconnected
// (listening or unconnected UDP) socket.
struct Socket {
  uint32_t family = 0;    // AF_INET or AF_INET6
  uint32_t type = 0;      // SOCK_STREAM or SOCK_DGRAM
  uint32_t protocol = 0;  // IPPROTO_TCP or IPPROTO_UDP
  uint32_t state = kClose;
  uint8_t local_ip[16] = {};
  uint8_t remote_ip[16] = {};
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
  uint32_t bound_dev_if = 0, mark = 0, priority = 0;
};

// One socket as the table keeps it: what programs read comes first.
struct Record {
  bpf_sock sk;          // a program's struct bpf_sock * points here
  bpf_tcp_sock tcp;     // bpf_tcp_sock()'s result (TCP sockets)
  uint64_t cookie = 0;  // bpf_get_socket_cookie: unique in the process, never 0
  std::atomic<uint32_t> refs{0};   // references programs hold
  std::atomic<uint32_t> slot{0};   // kFree, kBusy, kLive, kRemoved
};

class Table {
 public:
  static constexpr size_t kCapacity = 1024;
  Table();

  // Registers a socket; its cookie. EINVAL for a family, type or protocol
  // the lookups do not know, ENOSPC when kCapacity sockets are registered.
  Expected<uint64_t> add(const Socket& s);
  // Unregisters the socket with this cookie (ENOENT when there is none) and
  // unlinks it from every holder (the kernel's close: sock_map_unhash).
  // Programs holding it keep reading what it was until they release it.
  Status remove(uint64_t cookie);

  // A map holding sockets by handle (sockmaps, sockhashes). remove() calls
  // unlink with the removed socket's handle, under the table's host lock:
  // unlink must drop every entry holding it and call nothing that takes
  // the lock (handle_by_cookie, add, remove).
  class Holder {
   public:
    virtual void unlink(uint64_t handle) = 0;

   protected:
    ~Holder() = default;
  };
  // A holder registers for its lifetime (host threads).
  void hold(Holder* h);
  void unhold(Holder* h);
  size_t size() const;

  // The run path. The socket a packet with this tuple (the packet's source
  // and destination, as struct bpf_sock_tuple) would be delivered to, with
  // a reference taken, or nullptr: an established socket first, then a
  // listener (TCP) or an unconnected socket (UDP), a bound address before
  // the wildcard. `full_only`: request and time-wait sockets are not found
  // (bpf_sk_lookup_*), as the kernel's sk_to_full_sk.
  Record* lookup(uint32_t family, uint32_t protocol, const uint8_t* saddr, const uint8_t* daddr, uint16_t sport,
                 uint16_t dport, bool full_only);
  static void release(Record* r);

  // The records' memory: whether `p` points at a record's struct bpf_sock.
  Record* record_of(const void* p) const;

  // A socket as sockmaps and sockhashes hold it (the kernel's map entry
  // holding the sock): its slot and cookie in one word, never 0, so a map
  // reads and writes an entry with one atomic access. A socket removed from
  // the table (the kernel's close, which unlinks it from every map) is no
  // longer found through its handle, even when its slot is reused.
  static constexpr uint64_t kSlotBits = 10;  // kCapacity == 1 << kSlotBits
  // The live socket with this cookie, 0 when none (host threads).
  uint64_t handle_by_cookie(uint64_t cookie) const;
  // The handle of a record a program holds a reference on (0: not the table's).
  uint64_t handle_of(const void* p) const;
  // The socket a handle names with a reference taken, or nullptr when it
  // was removed. Async-signal-safe.
  Record* acquire(uint64_t handle);
  // Whether the socket a handle names is still in the table (acquire and
  // release). Async-signal-safe.
  bool alive(uint64_t handle);

 private:
  std::unique_ptr<Record[]> recs_;
  mutable std::mutex host_;  // add/remove/holders (the host's side only)
  std::vector<Holder*> holders_;
  std::atomic<size_t> live_{0};
};

// The process's table (Runtime::sockets() gives the same one).
Table& table();

// The network namespace cookie of ringb's one namespace (init_net's).
inline constexpr uint64_t kNetnsCookie = 1;

}  // namespace ringb::sockets
