// ringb/cpumask.h — ringb's own kernel kptr type, struct bpf_cpumask, and its
// kfuncs (kernel/bpf/cpumask.c), as plain functions with the kernel's names
// and argument order: the vm binds each kfunc to one.
//
// A bpf_cpumask is a refcounted bitmap of cpu slots, allocated from its own
// fixed-size allocator (created by obj::init()). The last release frees it
// after an RCU grace period, so a program that read a stashed cpumask kptr
// inside its RCU section may still query it. nr_cpu_ids is cpu::nr_cpus():
// cpus at or past it are invalid — the setters ignore them, the tests answer
// false, the searches return nr_cpu_ids when nothing is found — and their
// bits are always 0. Every function is async-signal-safe; the bit setters
// and test-and-set/clear are atomic, as the kernel's set_bit().
#pragma once

#include <cstddef>
#include <cstdint>

#include "ringb/cpu.h"

namespace ringb::obj {

struct cpumask {
  unsigned long bits[cpu::kMaxCpus / 64];
};

struct bpf_cpumask {
  struct cpumask cpumask;  // first: a bpf_cpumask is a cpumask
  uint32_t usage;          // refcount_t
};
static_assert(offsetof(bpf_cpumask, cpumask) == 0);

// KF_ACQUIRE | KF_RET_NULL: empty, one reference; NULL when out of memory
// (or before obj::init()).
bpf_cpumask* bpf_cpumask_create();
bpf_cpumask* bpf_cpumask_acquire(bpf_cpumask* mask);
void bpf_cpumask_release(bpf_cpumask* mask);
void bpf_cpumask_release_dtor(void* mask);  // the kptr destructor (KptrType::release)

uint32_t bpf_cpumask_first(const cpumask* mask);
uint32_t bpf_cpumask_first_zero(const cpumask* mask);
uint32_t bpf_cpumask_first_and(const cpumask* src1, const cpumask* src2);
void bpf_cpumask_set_cpu(uint32_t cpu, bpf_cpumask* mask);
void bpf_cpumask_clear_cpu(uint32_t cpu, bpf_cpumask* mask);
bool bpf_cpumask_test_cpu(uint32_t cpu, const cpumask* mask);
bool bpf_cpumask_test_and_set_cpu(uint32_t cpu, bpf_cpumask* mask);
bool bpf_cpumask_test_and_clear_cpu(uint32_t cpu, bpf_cpumask* mask);
void bpf_cpumask_setall(bpf_cpumask* mask);
void bpf_cpumask_clear(bpf_cpumask* mask);
// dst = src1 & src2; true when dst is not empty.
bool bpf_cpumask_and(bpf_cpumask* dst, const cpumask* src1, const cpumask* src2);
void bpf_cpumask_or(bpf_cpumask* dst, const cpumask* src1, const cpumask* src2);
void bpf_cpumask_xor(bpf_cpumask* dst, const cpumask* src1, const cpumask* src2);
bool bpf_cpumask_equal(const cpumask* src1, const cpumask* src2);
bool bpf_cpumask_intersects(const cpumask* src1, const cpumask* src2);
bool bpf_cpumask_subset(const cpumask* src1, const cpumask* src2);  // src1 ⊆ src2
bool bpf_cpumask_empty(const cpumask* mask);
bool bpf_cpumask_full(const cpumask* mask);
void bpf_cpumask_copy(bpf_cpumask* dst, const cpumask* src);
// cpumask_any_distribute(): the next set cpu after the one this cpu slot
// returned last (round-robin per slot, wrapping; the first call skips cpu 0
// as the kernel's does); nr_cpu_ids when none is set.
uint32_t bpf_cpumask_any_distribute(const cpumask* mask);
uint32_t bpf_cpumask_any_and_distribute(const cpumask* src1, const cpumask* src2);
uint32_t bpf_cpumask_weight(const cpumask* mask);
// The first nr_cpu_ids bits of `src` (any alignment): 0, or -EACCES when
// src__sz is below the bitmap's size in longs.
int bpf_cpumask_populate(cpumask* mask, void* src, size_t src__sz);

}  // namespace ringb::obj
