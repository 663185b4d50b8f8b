// flags.h — the kernel's map-creation flag sets and size limits, shared by the
// create checks of every map type (each type's *_alloc_check lives with it).
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>

#include "ringb/error.h"
#include "ringb/maps.h"

namespace ringb::maps::detail {

// BPF_F_ACCESS_MASK: who may read and write, from the host and from programs.
inline constexpr uint32_t kAccessMask = kFRdonly | kFWronly | kFRdonlyProg | kFWronlyProg;

// bpf_map_flags_access_ok(): read-only and write-only exclude each other.
inline bool access_flags_ok(uint32_t flags) {
  return !((flags & kFRdonly) && (flags & kFWronly)) &&
         !((flags & kFRdonlyProg) && (flags & kFWronlyProg));
}

inline constexpr uint64_t round_up8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

// KMALLOC_MAX_SIZE on x86-64 (order-10 pages): the largest hash element and
// queue value the kernel accepts.
inline constexpr uint64_t kKmallocMaxSize = uint64_t{4} << 20;
// PCPU_MIN_UNIT_SIZE: the largest per-cpu value (rounded up to 8).
inline constexpr uint64_t kPcpuMinUnitSize = uint64_t{32} << 10;

inline Error einval(std::string what) { return Error{EINVAL, std::move(what)}; }
inline Error e2big(std::string what) { return Error{E2BIG, std::move(what)}; }

// "flags 0x400 (BPF_F_MMAPABLE...) are not valid for a hash map"
inline Error bad_flags(uint32_t flags, uint32_t allowed, const char* type) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "map_flags 0x%x include bits 0x%x that a %s map does not accept",
                flags, flags & ~allowed, type);
  return einval(buf);
}

}  // namespace ringb::maps::detail
