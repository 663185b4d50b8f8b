// bench_native.h — the object benchmarks' work written in plain C++, for
// `ringb bench`'s "native" column: mimalloc (dlopen'ed; glibc's malloc when
// it is not installed), a test-and-set spinlock, an intrusive doubly linked
// list, std::multiset, atomic refcounts and exchanges. Each case does what
// the same-named program of bench/bpf/objects.bpf.c does, objects zeroed as
// bpf_obj_new zeroes them.
#pragma once

#include <cstdint>
#include <string>

namespace ringb::cli {

// Which allocator the native column uses ("mimalloc" or "glibc").
std::string native_allocator();

// Nanoseconds per run of case `name` (a program name of objects.bpf.c),
// the median of `rounds` rounds of `repeat` runs; 0 for an unknown name.
// `result` receives the run's return value, to compare with the programs'.
double native_ns(const std::string& name, uint32_t repeat, int rounds, int64_t& result);

}  // namespace ringb::cli
