// lpm_trie_map.cc — BPF_MAP_TYPE_LPM_TRIE with the kernel's semantics
// (kernel/bpf/lpm_trie.c, Linux 6.18), its nodes on ringb's bpf_mem_alloc.
//
// Keys are struct bpf_lpm_trie_key_u8: a u32 prefix length, then data_size
// bytes (key_size - 4) compared most significant bit first. A lookup
// returns the value of the longest stored prefix that matches the key's
// first min(prefixlen, node's) bits; an update stores (prefixlen, data)
// exactly; delete removes an exact entry.
//
// The tree is a path-compressed binary trie: each node holds a prefix and
// two children; a node whose prefix only joins two subtrees is an
// intermediate one (no value, not an entry). Writers take the map's lock and
// publish nodes with release stores; readers (programs, host lookups; both
// inside RCU read-side sections) walk without a lock. Replaced and deleted
// nodes go back to the allocator after a grace period (free_rcu), as the
// kernel's LPM trie does since it moved onto bpf_mem_alloc.
//
// Creation: BPF_F_NO_PREALLOC is required; flags beyond it, NUMA and the
// access bits, max_entries 0, key data of 0 or more than 256 bytes, value
// size 0: EINVAL. A node must fit the allocator's fixed-size units (1 MiB):
// larger values are refused with E2BIG (the kernel allows up to
// KMALLOC_MAX_SIZE). Errnos of the operations: a prefixlen above data_size*8:
// EINVAL (lookup: NULL); flags above BPF_EXIST: EINVAL; BPF_NOEXIST on an
// entry: EEXIST; BPF_EXIST on none: ENOENT; max_entries entries: ENOSPC; no
// node: ENOMEM; delete of no entry: ENOENT. get_next_key walks in postorder,
// the kernel's order.
#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>

#include "cpu_scope.h"
#include "cpu_spinlock.h"
#include "flags.h"
#include "map_types.h"
#include "ringb/mem.h"

namespace ringb::maps::detail {
namespace {

constexpr uint32_t kDataMax = 256;   // LPM_DATA_SIZE_MAX
constexpr uint32_t kFlagIm = 1;      // LPM_TREE_NODE_FLAG_IM: an intermediate node

struct Node {
  std::atomic<Node*> child[2];
  uint32_t prefixlen;
  uint32_t flags;
  alignas(8) uint8_t data[];  // data_size bytes, then the value
};

struct Key {
  uint32_t prefixlen;
  uint8_t data[];
};

// Bit `index` of `data`, most significant first.
unsigned bit_at(const uint8_t* data, uint32_t index) { return (data[index / 8] >> (7 - index % 8)) & 1; }

class LpmTrieMap final : public Map {
 public:
  explicit LpmTrieMap(const MapDef& def) : Map(def), data_size_(def.key_size - 4), max_prefixlen_(data_size_ * 8) {}

  static Status check_def(const MapDef& def) {
    const uint32_t allowed = kFNoPrealloc | kFNumaNode | kAccessMask;
    if (!(def.map_flags & kFNoPrealloc))
      return einval("an lpm_trie map needs BPF_F_NO_PREALLOC (its nodes are always allocated)");
    if (def.map_flags & ~allowed) return bad_flags(def.map_flags, allowed, "lpm_trie");
    if (!access_flags_ok(def.map_flags)) return einval("map_flags ask for read-only and write-only at once");
    if (def.max_entries == 0) return einval("an lpm_trie map needs max_entries above 0");
    if (def.key_size < 5 || def.key_size > 4 + kDataMax)
      return einval("an lpm_trie key is a u32 prefix length and 1 to 256 bytes of data: key_size 5 to 260, got " +
                    std::to_string(def.key_size));
    if (def.value_size == 0) return einval("an lpm_trie map needs value_size above 0");
    if (node_size(def.key_size - 4, def.value_size) > mem::kMaxElemSize)
      return e2big("an lpm_trie node (24 bytes, the key data and the value) must fit " +
                   std::to_string(mem::kMaxElemSize) + " bytes in ringb; value_size " +
                   std::to_string(def.value_size) + " is too large");
    return {};
  }

  Status init(const Options& options) {
    mem::Options mo;
    mo.name = "lpm_trie '" + def_.name + "'";
    mo.unit_size = node_size(data_size_, def_.value_size);
    mo.cgroup = options.cgroup;
    auto ma = mem::MemAlloc::create(mo);
    if (!ma) return ma.error();
    ma_ = std::move(ma.value());
    return {};
  }

  ~LpmTrieMap() override {
    // No reader is left (Map's contract): free every node at once.
    free_subtree(root_.load(std::memory_order_relaxed));
  }

  void* lookup_elem(const void* key) override {
    const Node* n = find(static_cast<const Key*>(key));
    return n ? const_cast<uint8_t*>(n->data) + data_size_ : nullptr;
  }

  long update_elem(const void* key, const void* value, uint64_t flags) override {
    CpuScope scope;
    if (scope.cpu() < 0) return -EBUSY;
    return update(static_cast<const Key*>(key), value, flags, scope.cpu());
  }

  long delete_elem(const void* key) override {
    CpuScope scope;
    if (scope.cpu() < 0) return -EBUSY;
    return remove(static_cast<const Key*>(key), scope.cpu());
  }

  Stats stats() const override {
    Stats s;
    s.elements = n_entries_.load(std::memory_order_relaxed);
    s.memory_bytes = s.elements * node_size(data_size_, def_.value_size);
    return s;
  }

 protected:
  long do_host_lookup(const void* key, void* value_out, int) override {
    const Key* k = static_cast<const Key*>(key);
    if (k->prefixlen > max_prefixlen_) return -EINVAL;
    const Node* n = find(k);
    if (!n) return -ENOENT;
    std::memcpy(value_out, n->data + data_size_, def_.value_size);
    return 0;
  }
  long do_host_update(const void* key, const void* value, uint64_t flags, int cpu) override {
    return update(static_cast<const Key*>(key), value, flags, cpu);
  }
  long do_host_delete(const void* key, int cpu) override { return remove(static_cast<const Key*>(key), cpu); }
  long do_host_get_next_key(const void* key, void* next_key) override {
    return next(static_cast<const Key*>(key), static_cast<Key*>(next_key));
  }

 private:
  static size_t node_size(uint32_t data_size, uint32_t value_size) {
    return round_up8(sizeof(Node) + data_size + value_size);
  }

  // How many leading bits of the node's prefix the key matches, at most
  // min(node's prefixlen, key's prefixlen).
  uint32_t match_len(const Node* n, const Key* k) const {
    const uint32_t limit = n->prefixlen < k->prefixlen ? n->prefixlen : k->prefixlen;
    uint32_t len = 0;
    for (uint32_t i = 0; i < data_size_ && len < limit; ++i) {
      const uint8_t diff = n->data[i] ^ k->data[i];
      if (diff) {
        len += static_cast<uint32_t>(__builtin_clz(diff)) - 24;
        break;
      }
      len += 8;
    }
    return len < limit ? len : limit;
  }

  const Node* find(const Key* k) const {
    if (k->prefixlen > max_prefixlen_) return nullptr;
    const Node* found = nullptr;
    for (const Node* n = root_.load(std::memory_order_acquire); n;) {
      const uint32_t m = match_len(n, k);
      if (m == max_prefixlen_) return n;  // the whole key: no longer match exists
      if (m < n->prefixlen) break;
      if (!(n->flags & kFlagIm)) found = n;
      n = n->child[bit_at(k->data, n->prefixlen)].load(std::memory_order_acquire);
    }
    return found;
  }

  Node* new_node(const uint8_t* data, uint32_t prefixlen, const void* value, uint32_t flags) {
    auto* n = static_cast<Node*>(ma_->cache_alloc());
    if (!n) return nullptr;
    n->child[0].store(nullptr, std::memory_order_relaxed);
    n->child[1].store(nullptr, std::memory_order_relaxed);
    n->prefixlen = prefixlen;
    n->flags = flags;
    std::memcpy(n->data, data, data_size_);
    if (value) std::memcpy(n->data + data_size_, value, def_.value_size);
    return n;
  }

  // trie_check_add_elem: a new entry, counted.
  long add_entry(uint64_t flags) {
    if (flags == kExist) return -ENOENT;
    if (n_entries_.load(std::memory_order_relaxed) == def_.max_entries) return -ENOSPC;
    n_entries_.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }

  long update(const Key* k, const void* value, uint64_t flags, int cpu) {
    if (flags > kExist) return -EINVAL;
    if (k->prefixlen > max_prefixlen_) return -EINVAL;
    SpinGuard g(lock_, lock_tag(cpu));
    if (g.error()) return g.error();
    Node* fresh = new_node(k->data, k->prefixlen, value, 0);
    if (!fresh) return -ENOMEM;
    std::atomic<Node*>* slot = &root_;
    Node* n;
    uint32_t m = 0;
    while ((n = slot->load(std::memory_order_relaxed))) {
      m = match_len(n, k);
      if (n->prefixlen != m || n->prefixlen == k->prefixlen || n->prefixlen == max_prefixlen_) break;
      slot = &n->child[bit_at(k->data, n->prefixlen)];
    }
    long err = 0;
    if (!n) {  // an empty slot
      if ((err = add_entry(flags))) goto fail;
      slot->store(fresh, std::memory_order_release);
      return 0;
    }
    if (n->prefixlen == m) {  // this very prefix: replace the node
      if (!(n->flags & kFlagIm)) {
        if (flags == kNoExist) {
          err = -EEXIST;
          goto fail;
        }
      } else if ((err = add_entry(flags))) {
        goto fail;
      }
      fresh->child[0].store(n->child[0].load(std::memory_order_relaxed), std::memory_order_relaxed);
      fresh->child[1].store(n->child[1].load(std::memory_order_relaxed), std::memory_order_relaxed);
      slot->store(fresh, std::memory_order_release);
      ma_->cache_free_rcu(n);
      return 0;
    }
    if ((err = add_entry(flags))) goto fail;
    if (m == k->prefixlen) {  // the new prefix covers the node: it goes above it
      fresh->child[bit_at(n->data, m)].store(n, std::memory_order_relaxed);
      slot->store(fresh, std::memory_order_release);
      return 0;
    }
    {
      // They part after m bits: an intermediate node of m bits joins them.
      Node* im = new_node(n->data, m, nullptr, kFlagIm);
      if (!im) {
        n_entries_.fetch_sub(1, std::memory_order_relaxed);
        err = -ENOMEM;
        goto fail;
      }
      const unsigned b = bit_at(k->data, m);
      im->child[b].store(fresh, std::memory_order_relaxed);
      im->child[!b].store(n, std::memory_order_relaxed);
      slot->store(im, std::memory_order_release);
      return 0;
    }
  fail:
    ma_->cache_free(fresh);
    return err;
  }

  long remove(const Key* k, int cpu) {
    if (k->prefixlen > max_prefixlen_) return -EINVAL;
    SpinGuard g(lock_, lock_tag(cpu));
    if (g.error()) return g.error();
    std::atomic<Node*>* trim = &root_;
    std::atomic<Node*>* parent_slot = trim;
    Node* parent = nullptr;
    Node* n;
    uint32_t m = 0;
    while ((n = trim->load(std::memory_order_relaxed))) {
      m = match_len(n, k);
      if (n->prefixlen != m || n->prefixlen == k->prefixlen) break;
      parent = n;
      parent_slot = trim;
      trim = &n->child[bit_at(k->data, n->prefixlen)];
    }
    if (!n || n->prefixlen != k->prefixlen || n->prefixlen != m || (n->flags & kFlagIm)) return -ENOENT;
    n_entries_.fetch_sub(1, std::memory_order_relaxed);
    Node* c0 = n->child[0].load(std::memory_order_relaxed);
    Node* c1 = n->child[1].load(std::memory_order_relaxed);
    if (c0 && c1) {  // still joins two subtrees: it becomes intermediate
      n->flags |= kFlagIm;
      return 0;
    }
    if (parent && (parent->flags & kFlagIm) && !c0 && !c1) {
      // A leaf under an intermediate node: the sibling takes the parent's place.
      Node* sibling = parent->child[0].load(std::memory_order_relaxed) == n
                          ? parent->child[1].load(std::memory_order_relaxed)
                          : parent->child[0].load(std::memory_order_relaxed);
      parent_slot->store(sibling, std::memory_order_release);
      ma_->cache_free_rcu(parent);
      ma_->cache_free_rcu(n);
      return 0;
    }
    trim->store(c0 ? c0 : c1, std::memory_order_release);
    ma_->cache_free_rcu(n);
    return 0;
  }

  // trie_get_next_key: postorder. No key, or one that is not an entry:
  // the leftmost entry; otherwise the entry after it.
  long next(const Key* k, Key* out) const {
    const Node* search = root_.load(std::memory_order_acquire);
    if (!search) return -ENOENT;
    const Node* stack[kDataMax * 8 + 1];
    int sp = -1;
    const Node* found = nullptr;
    if (k && k->prefixlen <= max_prefixlen_) {
      const Node* n;
      uint32_t m = 0;
      for (n = search; n;) {
        stack[++sp] = n;
        m = match_len(n, k);
        if (n->prefixlen != m || n->prefixlen == k->prefixlen) break;
        n = n->child[bit_at(k->data, n->prefixlen)].load(std::memory_order_acquire);
      }
      if (n && n->prefixlen == m && !(n->flags & kFlagIm)) {
        n = stack[sp];
        for (; sp > 0; --sp) {
          const Node* parent = stack[sp - 1];
          if (parent->child[0].load(std::memory_order_acquire) == n) {
            const Node* right = parent->child[1].load(std::memory_order_acquire);
            if (right) {
              search = right;
              goto leftmost;
            }
          }
          if (!(parent->flags & kFlagIm)) {
            found = parent;
            goto copy;
          }
          n = parent;
        }
        return -ENOENT;
      }
    }
  leftmost:
    // Intermediate nodes have two children, so this ends on an entry.
    for (const Node* n = search; n;) {
      if (n->flags & kFlagIm) {
        n = n->child[0].load(std::memory_order_acquire);
      } else {
        found = n;
        n = n->child[0].load(std::memory_order_acquire);
        if (!n) n = found->child[1].load(std::memory_order_acquire);
      }
    }
  copy:
    if (!found) return -ENOENT;
    out->prefixlen = found->prefixlen;
    std::memcpy(out->data, found->data, data_size_);
    return 0;
  }

  void free_subtree(Node* n) {
    while (n) {  // the left spine iteratively, the right subtrees recursively (depth ≤ 2049)
      free_subtree(n->child[1].load(std::memory_order_relaxed));
      Node* left = n->child[0].load(std::memory_order_relaxed);
      ma_->cache_free(n);
      n = left;
    }
  }

  const uint32_t data_size_;
  const uint32_t max_prefixlen_;
  std::atomic<Node*> root_{nullptr};
  std::atomic<uint64_t> n_entries_{0};
  CpuSpinLock lock_;
  std::unique_ptr<mem::MemAlloc> ma_;
};

}  // namespace

MapResult create_lpm_trie_map(const MapDef& def, const Options& options) {
  if (Status s = LpmTrieMap::check_def(def); !s) return s.error();
  auto map = std::make_unique<LpmTrieMap>(def);
  if (Status s = map->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace ringb::maps::detail
