// create_cases.h — BPF_MAP_CREATE checks as data: a definition and the errno
// the kernel gives it. create_test.cc holds ringb to the table;
// kernel_parity_test.cc holds the running kernel to it (where it may create
// maps), so the table cannot drift from the kernel. Every case is small
// enough to create for real: the kernel rejects the oversized ones before it
// allocates anything.
#pragma once

#include <cerrno>
#include <cstdint>
#include <vector>

#include "ringb/maps.h"

namespace ringb::maps::test {

struct CreateCase {
  const char* name;
  uint32_t type, key_size, value_size, max_entries, flags;
  uint64_t map_extra;
  int expected_errno;  // 0: created
  bool ringb_only;     // ringb differs from the kernel on purpose (see the comment)
};

inline const std::vector<CreateCase>& create_cases() {
  constexpr uint32_t H = 1, A = 2, PG = 3, PH = 5, PA = 6, Q = 22, S = 23;
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
      // per-cpu hash
      {"percpu_hash", PH, 4, 8, 16, 0, 0, 0, false},
      {"percpu_hash_value_32k", PH, 4, 32768, 4, 0, 0, 0, false},
      {"percpu_hash_value_32k_plus_1", PH, 4, 32769, 4, 0, 0, E2BIG, false},
      {"percpu_hash_numa", PH, 4, 8, 4, kFNumaNode, 0, EINVAL, false},
      {"percpu_hash_dynamic", PH, 8, 16, 64, kFNoPrealloc, 0, 0, false},
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
      // per-cpu array
      {"percpu_array", PA, 4, 12, 3, 0, 0, 0, false},
      {"percpu_array_mmapable", PA, 4, 8, 16, kFMmapable, 0, EINVAL, false},
      {"percpu_array_inner_map", PA, 4, 8, 16, kFInnerMap, 0, EINVAL, false},
      {"percpu_array_value_32k", PA, 4, 32768, 4, 0, 0, 0, false},
      {"percpu_array_value_32k_plus_1", PA, 4, 32769, 4, 0, 0, E2BIG, false},
      // queue and stack
      {"queue", Q, 0, 8, 16, 0, 0, 0, false},
      {"queue_key_size_4", Q, 4, 8, 16, 0, 0, EINVAL, false},
      {"queue_value_size_0", Q, 0, 0, 16, 0, 0, EINVAL, false},
      {"queue_max_entries_0", Q, 0, 8, 0, 0, 0, EINVAL, false},
      {"queue_no_prealloc", Q, 0, 8, 16, kFNoPrealloc, 0, EINVAL, false},
      {"queue_rdonly_prog", Q, 0, 8, 16, kFRdonlyProg, 0, 0, false},
      {"queue_value_4m_plus_1", Q, 0, (4u << 20) + 1, 1, 0, 0, E2BIG, false},
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
      // types
      {"type_0", 0, 4, 8, 16, 0, 0, EINVAL, false},
      {"type_200", 200, 4, 8, 16, 0, 0, EINVAL, false},
      // Not implemented in ringb yet: a clear EINVAL instead of a half map.
      {"lru_hash_not_supported", 9, 4, 8, 16, 0, 0, EINVAL, true},
      {"ringbuf_not_supported", 27, 0, 0, 4096, 0, 0, EINVAL, true},
  };
  return cases;
}

}  // namespace ringb::maps::test
