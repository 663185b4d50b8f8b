// sock_map.cc — BPF_MAP_TYPE_SOCKMAP (15) and SOCKHASH (18) over the host's
// socket table (ringb/sockets.h), with net/core/sock_map.c's semantics for
// Linux 6.18; BPF_MAP_TYPE_REUSEPORT_SOCKARRAY (20) as a sockmap (an array
// of the host table's sockets: the host writes cookies, 4 or 8 bytes; a
// delete past the end is E2BIG, of an empty slot ENOENT). The kernel also
// wants a reuseport array's sockets to have SO_REUSEPORT, which ringb's
// sockets do not model: any socket a sockmap takes goes in.
//
// An entry is a socket's table handle (Table::handle_of: slot and cookie in
// one word), so programs read and write entries lock-free. The kernel takes
// a socket by fd from the host; ringb's sockets have no fds, so the host
// writes a socket's cookie (Table::add's result) where the kernel takes the
// fd — 4 or 8 bytes as value_size says — and a host lookup returns the
// cookie, as the kernel's does (8-byte values only, else -ENOSPC).
//
//   create   max_entries > 0, value_size 4 or 8, map_flags within
//            NUMA_NODE|RDONLY|WRONLY; sockmap key_size 4, sockhash key_size
//            1..512 (E2BIG above): EINVAL
//   update   flags above BPF_EXIST: EINVAL; a cookie above S32_MAX (the fd
//            range): EINVAL; no such socket: EBADF; a TCP socket neither
//            established nor listening, or an unbound UDP one: EOPNOTSUPP; sockmap index past the
//            end: E2BIG; BPF_NOEXIST on a taken key: EEXIST; BPF_EXIST on
//            an empty one: ENOENT; a full sockhash: E2BIG
//   delete   sockmap: an index past the end or an empty slot: EINVAL;
//            sockhash: ENOENT
//   programs lookup_elem returns the socket's struct bpf_sock with a
//            reference taken (the verifier makes the program release it);
//            update_elem takes a socket pointer as its value
//
// A socket removed from the table leaves every map holding it, as the
// kernel's close (sock_map_unhash/sock_map_close): each map is the table's
// Holder, and remove() unlinks the socket's handle from it, so lookups,
// get_next_key, deletes and counts no longer see the entry. A store that
// races with the removal checks the socket after it stores and takes the
// entry back out when the socket died meanwhile.
#include <netinet/in.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "flags.h"
#include "map_types.h"
#include "ringb/sockets.h"

namespace ringb::maps::detail {
namespace {

constexpr uint32_t kSockMap = 15, kSockHash = 18, kReuseportArray = 20;
constexpr uint32_t kCreateFlags = kFNumaNode | kFRdonly | kFWronly;  // SOCK_CREATE_FLAG_MASK
constexpr uint32_t kMaxKey = 512;                                    // MAX_BPF_STACK

using sockets::Record;

// sock_map_sk_state_allowed: TCP established or listening, UDP bound
// (sk_hashed: a local port).
bool state_allowed(const bpf_sock& sk) {
  if (sk.protocol == IPPROTO_TCP) return sk.state == sockets::kEstablished || sk.state == sockets::kListen;
  return sk.src_port != 0;
}

// The handle for a socket the host names by cookie (the kernel's fd), or a
// negative errno.
long host_socket(const MapDef& def, const void* value, uint64_t* handle) {
  uint64_t cookie = 0;
  if (def.value_size == 8) std::memcpy(&cookie, value, 8);
  else {
    uint32_t c;
    std::memcpy(&c, value, 4);
    cookie = c;
  }
  if (cookie > 0x7fffffffu) return -EINVAL;
  const uint64_t h = sockets::table().handle_by_cookie(cookie);
  if (!h) return -EBADF;
  Record* r = sockets::table().acquire(h);
  if (!r) return -EBADF;
  const bool ok = state_allowed(r->sk);
  sockets::Table::release(r);
  if (!ok) return -EOPNOTSUPP;
  *handle = h;
  return 0;
}

// The handle of a socket a program passes (sock_map_update_elem's checks).
long prog_socket(const void* value, uint64_t* handle) {
  const auto* sk = static_cast<const bpf_sock*>(value);
  if (!sk || sk->state == sockets::kTimeWait || sk->state == sockets::kNewSynRecv) return -EINVAL;  // !sk_fullsock
  const uint64_t h = sockets::table().handle_of(value);
  if (!h) return -EOPNOTSUPP;  // a context's own socket, not one a map can hold
  if (!state_allowed(*sk)) return -EOPNOTSUPP;
  *handle = h;
  return 0;
}

// What a program's lookup returns: the socket with a reference, or nullptr.
void* acquire(uint64_t handle) {
  Record* r = sockets::table().acquire(handle);
  return r ? &r->sk : nullptr;
}

long host_cookie(const MapDef& def, uint64_t handle, void* value_out) {
  if (def.value_size != 8) return -ENOSPC;
  Record* r = sockets::table().acquire(handle);
  if (!r) return -ENOENT;
  const uint64_t cookie = r->cookie;
  sockets::Table::release(r);
  std::memcpy(value_out, &cookie, 8);
  return 0;
}

// ---- SOCKMAP: an array of handles -----------------------------------------

class SockMap final : public Map, sockets::Table::Holder {
 public:
  explicit SockMap(const MapDef& def) : Map(def), slots_(new std::atomic<uint64_t>[def.max_entries]) {
    for (uint32_t i = 0; i < def.max_entries; ++i) slots_[i].store(0, std::memory_order_relaxed);
    sockets::table().hold(this);
  }
  ~SockMap() override { sockets::table().unhold(this); }

  void unlink(uint64_t handle) override {
    for (uint32_t i = 0; i < def_.max_entries; ++i) {
      uint64_t expected = handle;
      slots_[i].compare_exchange_strong(expected, 0, std::memory_order_seq_cst);
    }
  }

  void* lookup_elem(const void* key) override {
    const uint32_t i = index(key);
    return i < def_.max_entries ? acquire(slots_[i].load(std::memory_order_acquire)) : nullptr;
  }
  long update_elem(const void* key, const void* value, uint64_t flags) override {
    uint64_t h = 0;
    if (long err = prog_socket(value, &h)) return err;
    return store(index(key), h, flags);
  }
  long delete_elem(const void* key) override {
    const uint32_t i = index(key);
    // reuseport_array_delete_elem: E2BIG past the end, ENOENT for an empty slot
    const bool reuseport = def_.type == kReuseportArray;
    if (i >= def_.max_entries) return reuseport ? -E2BIG : -EINVAL;
    return slots_[i].exchange(0, std::memory_order_acq_rel) ? 0 : reuseport ? -ENOENT : -EINVAL;
  }
  Stats stats() const override {
    Stats s;
    s.elements = def_.max_entries;
    s.memory_bytes = sizeof(uint64_t) * def_.max_entries;
    return s;
  }

 protected:
  long do_host_lookup(const void* key, void* value_out, int) override {
    const uint32_t i = index(key);
    if (i >= def_.max_entries) return -ENOENT;
    return host_cookie(def_, slots_[i].load(std::memory_order_acquire), value_out);
  }
  long do_host_update(const void* key, const void* value, uint64_t flags, int) override {
    uint64_t h = 0;
    if (long err = host_socket(def_, value, &h)) return err;
    return store(index(key), h, flags);
  }
  long do_host_delete(const void* key, int) override { return delete_elem(key); }
  long do_host_get_next_key(const void* key, void* next_key) override {  // sock_map_get_next_key
    const uint32_t i = key ? index(key) : UINT32_MAX;
    uint32_t next;
    if (i >= def_.max_entries) next = 0;
    else if (i == def_.max_entries - 1) return -ENOENT;
    else next = i + 1;
    std::memcpy(next_key, &next, 4);
    return 0;
  }

 private:
  static uint32_t index(const void* key) {
    uint32_t i;
    std::memcpy(&i, key, 4);
    return i;
  }
  // sock_map_update_common
  long store(uint32_t i, uint64_t h, uint64_t flags) {
    if (flags > kExist) return -EINVAL;
    if (i >= def_.max_entries) return -E2BIG;
    uint64_t old = slots_[i].load(std::memory_order_acquire);
    for (;;) {
      if (old && flags == kNoExist) return -EEXIST;
      if (!old && flags == kExist) return -ENOENT;
      if (slots_[i].compare_exchange_weak(old, h, std::memory_order_seq_cst)) break;
    }
    if (!sockets::table().alive(h)) {  // removed while we stored: the sweep may have missed it
      uint64_t expected = h;
      slots_[i].compare_exchange_strong(expected, 0, std::memory_order_seq_cst);
    }
    return 0;
  }
  std::unique_ptr<std::atomic<uint64_t>[]> slots_;
};

// ---- SOCKHASH: a hash map of handles --------------------------------------

class SockHash final : public Map, sockets::Table::Holder {
 public:
  SockHash(const MapDef& def, std::unique_ptr<Map> table) : Map(def), table_(std::move(table)) {
    sockets::table().hold(this);
  }
  ~SockHash() override { sockets::table().unhold(this); }

  // Every key holding the handle (a host thread: the keys first, then the
  // deletes, so the walk does not see its own deletions).
  void unlink(uint64_t handle) override {
    const uint32_t ks = def_.key_size;
    std::vector<uint8_t> keys, cur(ks), next(ks);
    const void* prev = nullptr;
    while (table_->host_get_next_key(prev, next.data(), ks) == 0) {
      uint64_t h = 0;
      if (table_->host_lookup(next.data(), ks, &h, 8) == 0 && h == handle)
        keys.insert(keys.end(), next.begin(), next.end());
      cur.swap(next);
      prev = cur.data();
    }
    for (size_t off = 0; off < keys.size(); off += ks) (void)table_->host_delete(keys.data() + off, ks);
  }

  void* lookup_elem(const void* key) override { return acquire(handle_at(table_->lookup_elem(key))); }
  long update_elem(const void* key, const void* value, uint64_t flags) override {
    uint64_t h = 0;
    if (long err = prog_socket(value, &h)) return err;
    return store(key, h, flags);
  }
  long delete_elem(const void* key) override { return table_->delete_elem(key); }
  Stats stats() const override { return table_->stats(); }

 protected:
  long do_host_lookup(const void* key, void* value_out, int) override {
    const uint64_t h = handle_at(table_->lookup_elem(key));
    if (!h) return -ENOENT;
    return host_cookie(def_, h, value_out);
  }
  long do_host_update(const void* key, const void* value, uint64_t flags, int) override {
    uint64_t h = 0;
    if (long err = host_socket(def_, value, &h)) return err;
    return store(key, h, flags);
  }
  long do_host_delete(const void* key, int) override { return table_->delete_elem(key); }
  long do_host_get_next_key(const void* key, void* next_key) override {
    return table_->host_get_next_key(key, next_key, def_.key_size);
  }

 private:
  static uint64_t handle_at(const void* v) {
    return v ? static_cast<const std::atomic<uint64_t>*>(v)->load(std::memory_order_acquire) : 0;
  }
  // sock_hash_update_common: the hash's own EEXIST/ENOENT/E2BIG.
  long store(const void* key, uint64_t h, uint64_t flags) {
    if (flags > kExist) return -EINVAL;
    if (long err = table_->update_elem(key, &h, flags)) return err;
    if (!sockets::table().alive(h) && handle_at(table_->lookup_elem(key)) == h)
      (void)table_->delete_elem(key);  // removed while we stored (see SockMap::store)
    return 0;
  }
  std::unique_ptr<Map> table_;  // key -> handle (8 bytes)
};

Status check_def(const MapDef& def) {
  const bool hash = def.type == kSockHash;
  if (def.max_entries == 0) return einval(std::string("a ") + map_type_name(def.type) + " map needs max_entries above 0");
  if (!hash && def.key_size != 4) return einval("a sockmap's key is an index: key_size 4");
  if (hash && def.key_size == 0) return einval("a sockhash needs key_size above 0");
  if (def.value_size != 4 && def.value_size != 8) return einval("a sockmap or sockhash value is 4 or 8 bytes (a socket fd)");
  if (def.map_flags & ~kCreateFlags) return bad_flags(def.map_flags, kCreateFlags, map_type_name(def.type));
  if (hash && def.key_size > kMaxKey) return e2big("a sockhash key is at most " + std::to_string(kMaxKey) + " bytes");
  return {};
}

}  // namespace

MapResult create_sock_map(const MapDef& def, const Options& options) {
  if (Status s = check_def(def); !s) return s.error();
  if (def.type == kSockMap || def.type == kReuseportArray) return std::unique_ptr<Map>(std::make_unique<SockMap>(def));
  // The sockhash's table: a hash of the same keys and size holding handles.
  MapDef inner;
  inner.name = def.name;
  inner.type = static_cast<uint32_t>(MapType::Hash);
  inner.key_size = def.key_size;
  inner.value_size = 8;
  inner.max_entries = def.max_entries;
  inner.map_flags = def.map_flags & kFNumaNode;
  Options o;
  o.cgroup = options.cgroup;
  o.force_dyn_alloc = options.force_dyn_alloc;
  auto table = Map::create(inner, o);
  if (!table) return table.error();
  return std::unique_ptr<Map>(std::make_unique<SockHash>(def, std::move(*table)));
}

}  // namespace ringb::maps::detail
