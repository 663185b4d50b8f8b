// heap.h — the object runtime's allocators and counters (heap.cc), for the
// other files of src/obj.
#pragma once

#include <cstdint>

#include "ringb/mem.h"
#include "ringb/objects.h"

namespace ringb::obj::detail {

// bpf_global_ma (general mode) and bpf_global_percpu_ma (per-cpu, general
// mode); nullptr before init().
mem::MemAlloc* global_ma();
mem::MemAlloc* global_percpu_ma();

// Per-slot event counters behind stats(): relaxed atomic adds on the calling
// cpu slot's own line, so async-signal-safe and uncontended.
enum class Counter : unsigned {
  Allocated, Freed, PercpuAllocated, PercpuFreed, CpumaskCreated, CpumaskFreed, kCount
};
void count(Counter c);

// The kinds free_fields has work for (locks, graph nodes and refcounts stay
// as they are): a record without any needs no call.
inline constexpr uint32_t kFreedFieldKinds = kAnyKptr | kGraphRoot | FieldKind::Uptr | FieldKind::Timer |
                                             FieldKind::Workqueue | FieldKind::TaskWork;
inline bool needs_free_fields(const Record& r) { return (r.fields.mask & kFreedFieldKinds) != 0; }

// The largest per-cpu object (BPF_GLOBAL_PERCPU_MA_MAX_SIZE).
inline constexpr uint32_t kMaxPercpuObjSize = 512;

// cpumask.cc: its allocator, created by init().
Status init_cpumask();
size_t cpumask_bytes_held();

}  // namespace ringb::obj::detail
