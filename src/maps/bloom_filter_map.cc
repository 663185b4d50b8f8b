// bloom_filter_map.cc — BPF_MAP_TYPE_BLOOM_FILTER (the kernel's
// kernel/bpf/bloom_filter.c): a bit array and nr_hash_funcs hashes of each
// value. push sets the value's bits, peek says whether all are set (0) or
// not (-ENOENT); nothing is ever removed.
//
//   nr_hash_funcs   map_extra's low 4 bits (higher bits: EINVAL), 0 → 5
//   bits            max_entries × nr_hash_funcs / 5 × 7 (≈ n·k / ln 2),
//                   at least 64, rounded up to a power of two; past 2^31
//                   (or on u32 overflow) 2^32 bits
//   hash i          jhash2 (value_size % 4 == 0) or jhash of the value, seed
//                   hash_seed + i, masked to the bit array; hash_seed is
//                   random, 0 with BPF_F_ZERO_SEED — then the bits, and so
//                   the false positives, are the kernel's (jhash.h)
//
// Keyless: the host's update pushes and its lookup peeks (the value is the
// input); delete, get_next_key, pop: -EOPNOTSUPP; a program's update and
// lookup: -EINVAL / NULL (the verifier refuses them first).
// Bits are set with atomic fetch_or and tested with relaxed loads, as the
// kernel's set_bit/test_bit: any number of cpus and signal handlers at once.
#include <atomic>
#include <bit>
#include <cerrno>
#include <random>

#include "area.h"
#include "flags.h"
#include "jhash.h"
#include "map_types.h"

namespace ringb::maps::detail {
namespace {

class BloomFilterMap final : public Map {
 public:
  explicit BloomFilterMap(const MapDef& def) : Map(def) {}

  // bloom_map_alloc_check() and bloom_map_alloc()'s checks.
  static Status check_def(const MapDef& def) {
    if (def.value_size > kKmallocMaxSize)
      return e2big("a bloom filter's value_size is at most " + std::to_string(kKmallocMaxSize) + " bytes");
    const uint32_t allowed = kFNumaNode | kFZeroSeed | kAccessMask;
    if (def.map_flags & ~allowed) return bad_flags(def.map_flags, allowed, "bloom_filter");
    if (def.key_size != 0 || def.value_size == 0 || def.max_entries == 0)
      return einval("a bloom_filter map needs key_size 0 and value_size, max_entries above 0 (got " +
                    std::to_string(def.key_size) + ", " + std::to_string(def.value_size) + ", " +
                    std::to_string(def.max_entries) + ")");
    if (def.map_extra & ~uint64_t{0xF})
      return einval("a bloom filter's map_extra is its number of hash functions, 1 to 15 (0: 5); got " +
                    std::to_string(def.map_extra));
    return {};
  }

  Status init(const Options& options) {
    nr_hash_funcs_ = def_.map_extra ? static_cast<uint32_t>(def_.map_extra) : 5;
    const uint64_t n = uint64_t{def_.max_entries} * nr_hash_funcs_;
    uint64_t nr_bits = n <= UINT32_MAX ? n / 5 * 7 : UINT64_MAX;
    if (nr_bits > (uint64_t{1} << 31)) {
      bitset_mask_ = UINT32_MAX;
      nr_bits = uint64_t{1} << 32;
    } else {
      nr_bits = nr_bits <= 64 ? 64 : std::bit_ceil(nr_bits);
      bitset_mask_ = static_cast<uint32_t>(nr_bits - 1);
    }
    auto area = Area::alloc(nr_bits / 8, options.cgroup, "bloom filter bits");
    if (!area) return area.error();
    bits_ = std::move(area.value());
    if (!(def_.map_flags & kFZeroSeed)) hash_seed_ = std::random_device{}();
    return {};
  }

  long push_elem(const void* value, uint64_t flags) override {
    if (flags != kAny) return -EINVAL;
    for (uint32_t i = 0; i < nr_hash_funcs_; ++i) {
      const uint32_t h = hash(value, i);
      word(h).fetch_or(uint64_t{1} << (h % 64), std::memory_order_relaxed);
    }
    return 0;
  }

  long peek_elem(void* value) override {
    for (uint32_t i = 0; i < nr_hash_funcs_; ++i) {
      const uint32_t h = hash(value, i);
      if (!(word(h).load(std::memory_order_relaxed) & (uint64_t{1} << (h % 64)))) return -ENOENT;
    }
    return 0;
  }

  long pop_elem(void*) override { return -EOPNOTSUPP; }
  long delete_elem(const void*) override { return -EOPNOTSUPP; }

  Stats stats() const override {
    Stats s;
    s.memory_bytes = bits_.size();
    return s;
  }

 protected:
  long do_host_lookup(const void*, void* value, int) override { return peek_elem(value); }
  long do_host_update(const void*, const void* value, uint64_t flags, int) override {
    return push_elem(value, flags);
  }
  long do_host_delete(const void*, int) override { return -EOPNOTSUPP; }
  long do_host_get_next_key(const void*, void*) override { return -EOPNOTSUPP; }

 private:
  uint32_t hash(const void* value, uint32_t index) const {
    const uint32_t seed = hash_seed_ + index;
    const uint32_t h = def_.value_size % 4 == 0 ? jhash2(value, def_.value_size / 4, seed)
                                                : jhash(value, def_.value_size, seed);
    return h & bitset_mask_;
  }
  std::atomic_ref<uint64_t> word(uint32_t bit) const {
    return std::atomic_ref<uint64_t>(reinterpret_cast<uint64_t*>(bits_.data())[bit / 64]);
  }

  uint32_t nr_hash_funcs_ = 5;
  uint32_t bitset_mask_ = 0;
  uint32_t hash_seed_ = 0;
  Area bits_;
};

}  // namespace

MapResult create_bloom_filter_map(const MapDef& def, const Options& options) {
  if (Status s = BloomFilterMap::check_def(def); !s) return s.error();
  auto map = std::make_unique<BloomFilterMap>(def);
  if (Status s = map->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace ringb::maps::detail
