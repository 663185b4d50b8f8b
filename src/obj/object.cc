// object.cc — bpf_obj_new_impl, bpf_obj_drop_impl, their per-cpu forms,
// bpf_per_cpu_ptr on per-cpu objects and bpf_refcount_acquire_impl
// (kernel/bpf/helpers.c).
//
// Memory comes from the global allocators (heap.cc). A dropped object's
// memory goes back with free_rcu: not reused before an RCU grace period, so
// a program still holding a non-owning (RCU-protected) pointer to a
// refcounted object another cpu dropped reads valid, if stale, memory.
//
// Each object carries its Type in the 8 bytes before it. The kernel's
// verifier tells bpf_obj_drop_impl and bpf_refcount_acquire_impl the type
// of their argument at each call site; ringb has no verifier yet (the issue
// after this one), so the object says it itself, at the cost of 8 bytes.
#include <cstring>

#include "heap.h"
#include "layout.h"
#include "ringb/cpu.h"
#include "ringb/objects.h"

namespace ringb::obj {

namespace {

constexpr size_t kTypeHeader = 8;

}  // namespace

const Type* type_of(const void* p) {
  return p ? *reinterpret_cast<const Type* const*>(static_cast<const char*>(p) - kTypeHeader) : nullptr;
}

void* obj_new(const Type& t) {
  mem::MemAlloc* ma = detail::global_ma();
  if (!ma || t.size == 0 || t.size > kMaxObjSize) return nullptr;
  char* raw = static_cast<char*>(ma->alloc(t.size + kTypeHeader));
  if (!raw) return nullptr;
  *reinterpret_cast<const Type**>(raw) = &t;
  void* p = raw + kTypeHeader;
  // Reused memory keeps its old bytes (docs/mem.md): programs get zeroes.
  // That zeroes the special fields too, so of bpf_obj_init's work only the
  // refcount's 1 is left (init_fields would zero them again).
  std::memset(p, 0, t.size);
  if (t.record.fields.refcount_off >= 0)
    detail::refs(static_cast<char*>(p) + t.record.fields.refcount_off).store(1, std::memory_order_relaxed);
  detail::count(detail::Counter::Allocated);
  return p;
}

// __bpf_obj_drop_impl(): a refcounted object that other owners still hold
// only loses this reference.
void obj_drop(void* p, const Type*) {
  if (!p) return;
  const Type* t = type_of(p);
  if (t && t->record.fields.refcount_off >= 0) {
    void* rc = static_cast<char*>(p) + t->record.fields.refcount_off;
    if (detail::refs(rc).fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  }
  if (t && detail::needs_free_fields(t->record)) free_fields(t->record, p);  // not for nodes and scalars
  detail::count(detail::Counter::Freed);
  detail::global_ma()->free_rcu(static_cast<char*>(p) - kTypeHeader);
}

void* percpu_obj_new(const Type& t) {
  mem::MemAlloc* ma = detail::global_percpu_ma();
  if (!ma || t.size == 0 || t.size > detail::kMaxPercpuObjSize) return nullptr;
  void* p = ma->alloc(t.size);
  if (!p) return nullptr;
  // A reused area keeps every cpu's old bytes.
  for (unsigned c = 0, n = cpu::nr_cpus(); c < n; ++c) std::memset(mem::MemAlloc::percpu_ptr(p, c), 0, t.size);
  detail::count(detail::Counter::PercpuAllocated);
  return p;
}

// Per-cpu objects hold scalars only (the verifier's rule): nothing to free
// but the memory.
void percpu_obj_drop(void* p, const Type*) {
  if (!p) return;
  detail::count(detail::Counter::PercpuFreed);
  detail::global_percpu_ma()->free_rcu(p);
}

// bpf_per_cpu_ptr(): NULL past nr_cpu_ids.
void* percpu_ptr(void* handle, uint32_t cpu) {
  if (!handle || cpu >= cpu::nr_cpus()) return nullptr;
  return mem::MemAlloc::percpu_ptr(handle, cpu);
}

// refcount_inc_not_zero(). A count at 0 belongs to an object on its way to
// being freed (its memory still valid for this RCU section).
void* refcount_acquire(void* p, const Type*) {
  const Type* t = type_of(p);
  if (!p || !t || t->record.fields.refcount_off < 0) return nullptr;
  auto refs = detail::refs(static_cast<char*>(p) + t->record.fields.refcount_off);
  uint32_t n = refs.load(std::memory_order_relaxed);
  do {
    if (n == 0) return nullptr;
  } while (!refs.compare_exchange_weak(n, n + 1, std::memory_order_relaxed, std::memory_order_relaxed));
  return p;
}

}  // namespace ringb::obj
