// create_cases.h — BPF_MAP_CREATE checks as data: a definition and the errno
// the kernel gives it. create_test.cc holds ringb to the table;
// kernel_parity_test.cc holds the running kernel to it (where it may create
// maps), so the table cannot drift from the kernel. Every case that succeeds
// is small enough to create for real: the kernel rejects the oversized ones
// before it allocates anything, except the huge ones (ENOMEM), whose first
// large area vmalloc refuses at once because it exceeds the machine's RAM.
// Those name that area's size (enomem_bytes) and are checked only on a
// machine with less memory than that.
#pragma once

#include <cerrno>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "ringb/maps.h"

namespace ringb::maps::test {

struct CreateCase {
  const char* name;
  uint32_t type, key_size, value_size, max_entries, flags;
  uint64_t map_extra;
  int expected_errno;  // 0: created
  bool ringb_only;     // not asked of the kernel (see the case's comment)
  uint64_t enomem_bytes = 0;  // ENOMEM cases: the area that fails (skipped on bigger machines)
};

inline constexpr uint32_t kU32Max = UINT32_MAX;
inline constexpr uint64_t kGiB = uint64_t{1} << 30;

inline const std::vector<CreateCase>& create_cases() {
  constexpr uint32_t H = 1, A = 2, PG = 3, PH = 5, PA = 6, LH = 9, LPH = 10, Q = 22, S = 23, RB = 27, BL = 30,
                     URB = 31;
  static const std::vector<CreateCase> cases = {
      // hash
      {"hash", H, 4, 8, 16, 0, 0, 0, false},
      {"hash_key_size_0", H, 0, 8, 16, 0, 0, EINVAL, false},
      {"hash_value_size_0", H, 4, 0, 16, 0, 0, EINVAL, false},
      {"hash_max_entries_0", H, 4, 8, 0, 0, 0, EINVAL, false},
      {"hash_key_size_513", H, 513, 8, 16, 0, 0, 0, false},  // no MAX_BPF_STACK limit any more
      {"hash_key_plus_value_at_limit", H, 4, 4194252, 1, kFNoPrealloc, 0, E2BIG, false},
      {"hash_big_value_dynamic", H, 4, 1000000, 1, kFNoPrealloc, 0, 0, false},
      {"hash_no_common_lru", H, 4, 8, 16, kFNoCommonLru, 0, EINVAL, false},
      {"hash_rdonly_and_wronly", H, 4, 8, 16, kFRdonly | kFWronly, 0, EINVAL, false},
      {"hash_rdonly_prog_and_wronly_prog", H, 4, 8, 16, kFRdonlyProg | kFWronlyProg, 0, EINVAL, false},
      {"hash_mmapable", H, 4, 8, 16, kFMmapable, 0, EINVAL, false},
      {"hash_zero_seed", H, 4, 8, 16, kFZeroSeed, 0, 0, false},
      {"hash_unknown_flag", H, 4, 8, 16, 1u << 20, 0, EINVAL, false},
      {"hash_map_extra", H, 4, 8, 16, 0, 1, EINVAL, false},
      {"hash_max_entries_2p28_plus_1", H, 4, 8, (1u << 28) + 1, kFNoPrealloc, 0, E2BIG, false},
      {"hash_max_entries_2p31", H, 4, 8, 1u << 31, kFNoPrealloc, 0, E2BIG, false},
      {"hash_max_entries_u32_max", H, 4, 8, UINT32_MAX, kFNoPrealloc, 0, E2BIG, false},
      {"hash_rdonly_prog", H, 4, 8, 16, kFRdonlyProg, 0, 0, false},
      // huge: sizes are summed and multiplied in 64 bits
      {"hash_key_and_value_u32_max", H, kU32Max, kU32Max, 1, 0, 0, E2BIG, false},
      {"hash_key_u32_max", H, kU32Max, 1, 1, 0, 0, E2BIG, false},
      {"hash_value_u32_max_dynamic", H, 4, kU32Max, 1, kFNoPrealloc, 0, E2BIG, false},
      {"hash_prealloc_2m_values_2p20", H, 4, 2u << 20, 1u << 20, 0, 0, ENOMEM, false, 2048 * kGiB},
      {"hash_prealloc_4k_values_2p24", H, 4, 4096, 1u << 24, 0, 0, ENOMEM, false, 64 * kGiB},
      // The kernel's kmalloc serves dynamic elements up to 4 MiB; ringb's
      // allocator's largest element is 1 MiB (mem::kMaxElemSize).
      {"hash_dynamic_2m_value", H, 4, 2u << 20, 4, kFNoPrealloc, 0, E2BIG, true},
      // per-cpu hash
      {"percpu_hash", PH, 4, 8, 16, 0, 0, 0, false},
      {"percpu_hash_value_32k", PH, 4, 32768, 4, 0, 0, 0, false},
      {"percpu_hash_value_32k_plus_1", PH, 4, 32769, 4, 0, 0, E2BIG, false},
      {"percpu_hash_numa", PH, 4, 8, 4, kFNumaNode, 0, EINVAL, false},
      {"percpu_hash_dynamic", PH, 8, 16, 64, kFNoPrealloc, 0, 0, false},
      {"percpu_hash_value_u32_max", PH, 4, kU32Max, 1, 0, 0, E2BIG, false},
      {"percpu_hash_1m_keys_2p24", PH, 1u << 20, 32768, 1u << 24, 0, 0, ENOMEM, false, 16384 * kGiB},
      // value × nr_cpus × entries: the kernel allocates per-cpu values one
      // element at a time and would exhaust the machine before failing, so
      // only ringb is asked (its values area: 2^24 × 32 KiB × nr_cpus).
      {"percpu_hash_values_times_cpus", PH, 4, 32768, 1u << 24, 0, 0, ENOMEM, true, 512 * kGiB},
      // array
      {"array", A, 4, 8, 16, 0, 0, 0, false},
      {"array_key_size_8", A, 8, 8, 16, 0, 0, EINVAL, false},
      {"array_value_size_0", A, 4, 0, 16, 0, 0, EINVAL, false},
      {"array_max_entries_0", A, 4, 8, 0, 0, 0, EINVAL, false},
      {"array_no_prealloc", A, 4, 8, 16, kFNoPrealloc, 0, EINVAL, false},
      {"array_mmapable", A, 4, 8, 16, kFMmapable, 0, 0, false},
      {"array_rdonly_prog", A, 4, 8, 16, kFRdonlyProg, 0, 0, false},
      {"array_inner_map", A, 4, 8, 16, kFInnerMap, 0, 0, false},
      {"array_preserve_elems", A, 4, 8, 16, kFPreserveElems, 0, EINVAL, false},
      {"array_value_size_2p31", A, 4, 1u << 31, 1, 0, 0, E2BIG, false},
      {"array_value_u32_max", A, 4, kU32Max, 1, 0, 0, E2BIG, false},
      {"array_u32_max_by_1m", A, 4, 1u << 20, kU32Max, 0, 0, ENOMEM, false, 4 * kGiB * 1024 * 1024},
      {"array_int_max_values_u32_max", A, 4, INT32_MAX, kU32Max, 0, 0, ENOMEM, false,
       uint64_t{kU32Max} << 31},
      // As root the kernel does not round max_entries up to the index mask
      // (2^32 here, which an unprivileged creator gets E2BIG for).
      {"array_index_mask_2p31_plus_1", A, 4, 65536, (1u << 31) + 1, 0, 0, ENOMEM, false, 128 * 1024 * kGiB},
      {"array_mmapable_u32_max", A, 4, 8, kU32Max, kFMmapable, 0, ENOMEM, false, 32 * kGiB},
      // per-cpu array
      {"percpu_array", PA, 4, 12, 3, 0, 0, 0, false},
      {"percpu_array_mmapable", PA, 4, 8, 16, kFMmapable, 0, EINVAL, false},
      {"percpu_array_inner_map", PA, 4, 8, 16, kFInnerMap, 0, EINVAL, false},
      {"percpu_array_value_32k", PA, 4, 32768, 4, 0, 0, 0, false},
      {"percpu_array_value_32k_plus_1", PA, 4, 32769, 4, 0, 0, E2BIG, false},
      {"percpu_array_value_u32_max", PA, 4, kU32Max, 1, 0, 0, E2BIG, false},
      {"percpu_array_u32_max", PA, 4, 8, kU32Max, 0, 0, ENOMEM, false, 32 * kGiB},  // the pointer array
      // As percpu_hash_values_times_cpus: 2^26 × 32 KiB × nr_cpus.
      {"percpu_array_values_times_cpus", PA, 4, 32768, 1u << 26, 0, 0, ENOMEM, true, 2048 * kGiB},
      // queue and stack
      {"queue", Q, 0, 8, 16, 0, 0, 0, false},
      {"queue_key_size_4", Q, 4, 8, 16, 0, 0, EINVAL, false},
      {"queue_value_size_0", Q, 0, 0, 16, 0, 0, EINVAL, false},
      {"queue_max_entries_0", Q, 0, 8, 0, 0, 0, EINVAL, false},
      {"queue_no_prealloc", Q, 0, 8, 16, kFNoPrealloc, 0, EINVAL, false},
      {"queue_rdonly_prog", Q, 0, 8, 16, kFRdonlyProg, 0, 0, false},
      {"queue_value_4m_plus_1", Q, 0, (4u << 20) + 1, 1, 0, 0, E2BIG, false},
      {"queue_value_4m", Q, 0, 4u << 20, 1, 0, 0, 0, false},
      {"queue_value_u32_max", Q, 0, kU32Max, 1, 0, 0, E2BIG, false},
      // max_entries + 1 in 64 bits: 2^32 slots, not 0.
      {"queue_max_entries_u32_max", Q, 0, 8, kU32Max, 0, 0, ENOMEM, false, 32 * kGiB},
      {"queue_u32_max_by_4m", Q, 0, 4u << 20, kU32Max, 0, 0, ENOMEM, false, 16384 * 1024 * kGiB},
      {"stack_max_entries_u32_max", S, 0, 8, kU32Max, 0, 0, ENOMEM, false, 32 * kGiB},
      {"stack", S, 0, 4, 2, 0, 0, 0, false},
      {"stack_key_size_4", S, 4, 4, 2, 0, 0, EINVAL, false},
      // prog array: 4-byte keys and values (program ids); numa/rdonly/wronly only
      {"prog_array", PG, 4, 4, 4, 0, 0, 0, false},
      {"prog_array_value_size_8", PG, 4, 8, 4, 0, 0, EINVAL, false},
      {"prog_array_key_size_8", PG, 8, 4, 4, 0, 0, EINVAL, false},
      {"prog_array_max_entries_0", PG, 4, 4, 0, 0, 0, EINVAL, false},
      {"prog_array_numa", PG, 4, 4, 4, kFNumaNode, 0, 0, false},
      {"prog_array_rdonly", PG, 4, 4, 4, kFRdonly, 0, 0, false},
      {"prog_array_rdonly_prog", PG, 4, 4, 4, kFRdonlyProg, 0, EINVAL, false},
      {"prog_array_mmapable", PG, 4, 4, 4, kFMmapable, 0, EINVAL, false},
      {"prog_array_inner_map", PG, 4, 4, 4, kFInnerMap, 0, EINVAL, false},
      {"prog_array_preserve_elems", PG, 4, 4, 4, kFPreserveElems, 0, EINVAL, false},
      {"prog_array_no_prealloc", PG, 4, 4, 4, kFNoPrealloc, 0, EINVAL, false},
      {"prog_array_u32_max", PG, 4, 4, kU32Max, 0, 0, ENOMEM, false, 32 * kGiB},
      // ringbuf (27) and user ringbuf (31): no key or value, a power of 2
      // multiple of the page size, BPF_F_NUMA_NODE alone (ringbuf_map_alloc)
      {"ringbuf", RB, 0, 0, 4096, 0, 0, 0, false},
      {"ringbuf_64k_numa", RB, 0, 0, 65536, kFNumaNode, 0, 0, false},
      {"ringbuf_key_size_4", RB, 4, 0, 4096, 0, 0, EINVAL, false},
      {"ringbuf_value_size_8", RB, 0, 8, 4096, 0, 0, EINVAL, false},
      {"ringbuf_max_entries_0", RB, 0, 0, 0, 0, 0, EINVAL, false},
      {"ringbuf_not_power_of_2", RB, 0, 0, 12288, 0, 0, EINVAL, false},
      {"ringbuf_below_a_page", RB, 0, 0, 2048, 0, 0, EINVAL, false},
      {"ringbuf_rdonly_prog", RB, 0, 0, 4096, kFRdonlyProg, 0, EINVAL, false},
      {"ringbuf_mmapable", RB, 0, 0, 4096, kFMmapable, 0, EINVAL, false},
      {"ringbuf_rdonly", RB, 0, 0, 4096, kFRdonly, 0, EINVAL, false},
      {"user_ringbuf", URB, 0, 0, 4096, 0, 0, 0, false},
      {"user_ringbuf_value_size_4", URB, 0, 4, 4096, 0, 0, EINVAL, false},
      {"user_ringbuf_not_power_of_2", URB, 0, 0, 4096 * 3, 0, 0, EINVAL, false},
      {"user_ringbuf_no_prealloc", URB, 0, 0, 4096, kFNoPrealloc, 0, EINVAL, false},
      // types
      {"type_0", 0, 4, 8, 16, 0, 0, EINVAL, false},
      {"type_200", 200, 4, 8, 16, 0, 0, EINVAL, false},
      // LRU hash (lru_htab.cc): always "preallocated" (ENOTSUPP, 524, for
      // BPF_F_NO_PREALLOC); BPF_F_NO_COMMON_LRU rounds max_entries to a
      // multiple of the cpus (UINT32_MAX rounds down, past 2^31: E2BIG).
      {"lru_hash", LH, 4, 8, 16, 0, 0, 0, false},
      {"lru_percpu_hash", LPH, 4, 8, 16, 0, 0, 0, false},
      {"lru_hash_no_prealloc", LH, 4, 8, 16, kFNoPrealloc, 0, int(kENOTSUPP), false},
      {"lru_percpu_hash_no_prealloc", LPH, 4, 8, 16, kFNoPrealloc, 0, int(kENOTSUPP), false},
      {"lru_hash_no_common_lru", LH, 4, 8, 16, kFNoCommonLru, 0, 0, false},
      {"lru_hash_no_common_lru_1", LH, 4, 8, 1, kFNoCommonLru, 0, 0, false},
      {"lru_percpu_no_common_lru", LPH, 4, 8, 3, kFNoCommonLru, 0, 0, false},
      {"lru_hash_numa", LH, 4, 8, 16, kFNumaNode, 0, 0, false},
      {"lru_hash_no_common_numa", LH, 4, 8, 16, kFNoCommonLru | kFNumaNode, 0, EINVAL, false},
      {"lru_percpu_numa", LPH, 4, 8, 16, kFNumaNode, 0, EINVAL, false},
      {"lru_hash_zero_seed", LH, 4, 8, 16, kFZeroSeed, 0, 0, false},
      {"lru_hash_mmapable", LH, 4, 8, 16, kFMmapable, 0, EINVAL, false},
      {"lru_hash_map_extra", LH, 4, 8, 16, 0, 1, EINVAL, false},
      {"lru_hash_key_size_0", LH, 0, 8, 16, 0, 0, EINVAL, false},
      {"lru_hash_value_size_0", LH, 4, 0, 16, 0, 0, EINVAL, false},
      {"lru_hash_max_entries_0", LH, 4, 8, 0, 0, 0, EINVAL, false},
      {"lru_hash_key_plus_value_at_limit", LH, 4, 4194252, 1, 0, 0, E2BIG, false},
      {"lru_percpu_value_too_big", LPH, 4, 32769, 16, 0, 0, E2BIG, false},
      {"lru_hash_past_2_31", LH, 4, 8, (1u << 31) + 1, 0, 0, E2BIG, false},
      {"lru_hash_no_common_u32_max", LH, 4, 8, kU32Max, kFNoCommonLru, 0, E2BIG, false},
      // bloom filter (bloom_filter_map.cc): keyless, map_extra = hashes (0..15)
      {"bloom", BL, 0, 4, 100, 0, 0, 0, false},
      {"bloom_15_hashes", BL, 0, 4, 100, 0, 15, 0, false},
      {"bloom_16_hashes", BL, 0, 4, 100, 0, 16, EINVAL, false},
      {"bloom_key_size_4", BL, 4, 4, 100, 0, 0, EINVAL, false},
      {"bloom_value_size_0", BL, 0, 0, 100, 0, 0, EINVAL, false},
      {"bloom_max_entries_0", BL, 0, 4, 0, 0, 0, EINVAL, false},
      {"bloom_zero_seed_numa", BL, 0, 4, 100, kFZeroSeed | kFNumaNode, 0, 0, false},
      {"bloom_no_prealloc", BL, 0, 4, 100, kFNoPrealloc, 0, EINVAL, false},
      {"bloom_value_too_big", BL, 0, (4u << 20) + 1, 100, 0, 0, E2BIG, false},
      {"bloom_rdonly_prog", BL, 0, 4, 100, kFRdonlyProg, 0, 0, false},
      // Not implemented in ringb yet: a clear EINVAL naming the type.
      {"cgroup_array_not_supported", 8, 4, 4, 16, 0, 0, EINVAL, true},
      // LPM_TRIE (trie_alloc's checks)
      {"lpm_ok", 11, 8, 8, 16, kFNoPrealloc, 0, 0, false},
      {"lpm_needs_no_prealloc", 11, 8, 8, 16, 0, 0, EINVAL, false},
      {"lpm_key_too_small", 11, 4, 8, 16, kFNoPrealloc, 0, EINVAL, false},
      {"lpm_key_largest", 11, 260, 8, 16, kFNoPrealloc, 0, 0, false},
      {"lpm_key_too_large", 11, 261, 8, 16, kFNoPrealloc, 0, EINVAL, false},
      {"lpm_value_zero", 11, 8, 0, 16, kFNoPrealloc, 0, EINVAL, false},
      {"lpm_max_entries_zero", 11, 8, 8, 0, kFNoPrealloc, 0, EINVAL, false},
      {"lpm_zero_seed_flag", 11, 8, 8, 16, kFNoPrealloc | kFZeroSeed, 0, EINVAL, false},
      {"lpm_rdonly_prog", 11, 8, 8, 16, kFNoPrealloc | kFRdonlyProg, 0, 0, false},
      // SK/TASK/CGRP_STORAGE (bpf_local_storage_map_alloc_check); the kernel
      // also wants BTF for key and value, which these definitions lack.
      {"sk_storage_ok", 24, 4, 8, 0, kFNoPrealloc, 0, 0, true},
      {"sk_storage_clone", 24, 4, 8, 0, kFNoPrealloc | (1u << 9), 0, 0, true},
      {"sk_storage_needs_no_prealloc", 24, 4, 8, 0, 0, 0, EINVAL, true},
      {"sk_storage_max_entries", 24, 4, 8, 1, kFNoPrealloc, 0, EINVAL, true},
      {"sk_storage_key_size", 24, 8, 8, 0, kFNoPrealloc, 0, EINVAL, true},
      {"sk_storage_value_too_big", 24, 4, 65536, 0, kFNoPrealloc, 0, E2BIG, true},
      {"task_storage_ok", 29, 4, 8, 0, kFNoPrealloc, 0, 0, true},
      {"task_storage_no_clone", 29, 4, 8, 0, kFNoPrealloc | (1u << 9), 0, EINVAL, true},
      {"cgrp_storage_ok", 32, 4, 8, 0, kFNoPrealloc, 0, 0, true},
      // CGROUP_STORAGE (19), PERCPU_CGROUP_STORAGE (21): cgroup_storage_map_alloc,
      // whose checks run key, value size, flags, max_entries in that order.
      {"cgroup_storage_u64_key", 19, 8, 8, 0, 0, 0, 0, false},
      {"cgroup_storage_struct_key", 19, 16, 8, 0, 0, 0, 0, false},
      {"cgroup_storage_key_12", 19, 12, 8, 0, 0, 0, EINVAL, false},
      {"cgroup_storage_key_4", 19, 4, 8, 0, 0, 0, EINVAL, false},
      {"cgroup_storage_value_0", 19, 8, 0, 0, 0, 0, EINVAL, false},
      {"cgroup_storage_value_largest", 19, 8, 65407, 0, 0, 0, 0, false},
      {"cgroup_storage_value_too_big", 19, 8, 65408, 0, 0, 0, E2BIG, false},
      {"cgroup_storage_too_big_before_max_entries", 19, 8, 1u << 20, 1, 0, 0, E2BIG, false},
      {"cgroup_storage_max_entries_1", 19, 8, 8, 1, 0, 0, EINVAL, false},
      {"cgroup_storage_numa_rdonly_prog", 19, 16, 8, 0, kFNumaNode | kFRdonlyProg | kFWronly, 0, 0, false},
      {"cgroup_storage_no_prealloc", 19, 8, 8, 0, kFNoPrealloc, 0, EINVAL, false},
      {"cgroup_storage_mmapable", 19, 8, 8, 0, kFMmapable, 0, EINVAL, false},
      {"cgroup_storage_rdonly_and_wronly", 19, 8, 8, 0, kFRdonly | kFWronly, 0, EINVAL, false},
      {"percpu_cgroup_storage_ok", 21, 16, 8, 0, 0, 0, 0, false},
      {"percpu_cgroup_storage_key_12", 21, 12, 8, 0, 0, 0, EINVAL, false},
      {"percpu_cgroup_storage_value_largest", 21, 8, 32768, 0, 0, 0, 0, false},
      {"percpu_cgroup_storage_value_too_big", 21, 8, 32769, 0, 0, 0, E2BIG, false},
      {"percpu_cgroup_storage_max_entries_1", 21, 8, 8, 1, 0, 0, EINVAL, false},
      {"percpu_cgroup_storage_zero_seed", 21, 8, 8, 0, kFZeroSeed, 0, EINVAL, false},
      // SOCKMAP (15), SOCKHASH (18): sock_map_alloc / sock_hash_alloc
      {"sockmap_ok", 15, 4, 4, 16, 0, 0, 0, false},
      {"sockmap_value_8", 15, 4, 8, 16, 0, 0, 0, false},
      {"sockmap_value_6", 15, 4, 6, 16, 0, 0, EINVAL, false},
      {"sockmap_key_8", 15, 8, 4, 16, 0, 0, EINVAL, false},
      {"sockmap_max_entries_0", 15, 4, 4, 0, 0, 0, EINVAL, false},
      {"sockmap_no_prealloc", 15, 4, 4, 16, kFNoPrealloc, 0, EINVAL, false},
      {"sockmap_numa_rdonly", 15, 4, 4, 16, kFNumaNode | kFRdonly, 0, 0, false},
      {"sockmap_rdonly_prog", 15, 4, 4, 16, kFRdonlyProg, 0, EINVAL, false},
      {"sockhash_ok", 18, 12, 8, 16, 0, 0, 0, false},
      {"sockhash_key_0", 18, 0, 8, 16, 0, 0, EINVAL, false},
      {"sockhash_key_512", 18, 512, 8, 16, 0, 0, 0, false},
      {"sockhash_key_513", 18, 513, 8, 16, 0, 0, E2BIG, false},
      {"sockhash_value_16", 18, 4, 16, 16, 0, 0, EINVAL, false},
      {"sockhash_max_entries_0", 18, 4, 4, 0, 0, 0, EINVAL, false},
      {"sockhash_zero_seed", 18, 4, 4, 16, kFZeroSeed, 0, EINVAL, false},
      // DEVMAP (14), DEVMAP_HASH (25): dev_map_alloc; CPUMAP (16): cpu_map_alloc;
      // XSKMAP (17): xsk_map_alloc
      {"devmap_ok", 14, 4, 4, 16, 0, 0, 0, false},
      {"devmap_value_8", 14, 4, 8, 16, 0, 0, 0, false},
      {"devmap_value_12", 14, 4, 12, 16, 0, 0, EINVAL, false},
      {"devmap_key_8", 14, 8, 4, 16, 0, 0, EINVAL, false},
      {"devmap_max_entries_0", 14, 4, 4, 0, 0, 0, EINVAL, false},
      {"devmap_no_prealloc", 14, 4, 4, 16, kFNoPrealloc, 0, EINVAL, false},
      {"devmap_numa_rdonly", 14, 4, 4, 16, kFNumaNode | kFRdonly, 0, 0, false},
      {"devmap_wronly", 14, 4, 8, 16, kFWronly, 0, 0, false},
      {"devmap_rdonly_prog", 14, 4, 4, 16, kFRdonlyProg, 0, EINVAL, false},
      {"devmap_mmapable", 14, 4, 4, 16, kFMmapable, 0, EINVAL, false},
      {"devmap_hash_ok", 25, 4, 8, 16, 0, 0, 0, false},
      {"devmap_hash_value_4", 25, 4, 4, 3, 0, 0, 0, false},
      {"devmap_hash_value_6", 25, 4, 6, 16, 0, 0, EINVAL, false},
      {"devmap_hash_key_2", 25, 2, 8, 16, 0, 0, EINVAL, false},
      {"devmap_hash_max_entries_0", 25, 4, 8, 0, 0, 0, EINVAL, false},
      {"devmap_hash_above_2_31", 25, 4, 8, 0x80000001u, 0, 0, EINVAL, false},
      {"devmap_hash_zero_seed", 25, 4, 8, 16, kFZeroSeed, 0, EINVAL, false},
      {"cpumap_ok", 16, 4, 4, 2, 0, 0, 0, false},
      {"cpumap_value_8", 16, 4, 8, 2, 0, 0, 0, false},
      {"cpumap_value_16", 16, 4, 16, 2, 0, 0, EINVAL, false},
      {"cpumap_key_8", 16, 8, 4, 2, 0, 0, EINVAL, false},
      {"cpumap_max_entries_0", 16, 4, 4, 0, 0, 0, EINVAL, false},
      {"cpumap_numa", 16, 4, 4, 2, kFNumaNode, 0, 0, false},
      {"cpumap_rdonly", 16, 4, 4, 2, kFRdonly, 0, EINVAL, false},
      {"cpumap_nr_cpus", 16, 4, 4, 256, 0, 0, 0, false},
      {"cpumap_above_nr_cpus", 16, 4, 4, 257, 0, 0, E2BIG, false},
      {"cpumap_above_nr_cpus_bad_flags", 16, 4, 4, 257, kFRdonly, 0, EINVAL, false},
      {"xskmap_ok", 17, 4, 4, 4, 0, 0, 0, false},
      {"xskmap_value_8", 17, 4, 8, 4, 0, 0, EINVAL, false},
      {"xskmap_key_8", 17, 8, 4, 4, 0, 0, EINVAL, false},
      {"xskmap_max_entries_0", 17, 4, 4, 0, 0, 0, EINVAL, false},
      {"xskmap_numa_rdonly", 17, 4, 4, 4, kFNumaNode | kFRdonly, 0, 0, false},
      {"xskmap_no_prealloc", 17, 4, 4, 4, kFNoPrealloc, 0, EINVAL, false},
  };
  return cases;
}

// Whether a case can be checked here: an ENOMEM case needs a machine with
// less memory than the area that is meant to fail.
inline bool checkable_here(const CreateCase& c) {
  const uint64_t ram = uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(sysconf(_SC_PAGESIZE));
  return c.enomem_bytes == 0 || c.enomem_bytes > ram;
}

}  // namespace ringb::maps::test
