// ringb/objects.h — the allocated-object model at run time: objects from
// bpf_obj_new, linked lists and rbtrees of them, bpf_refcount, kptrs, the
// fields of map values and objects, and kernel-side kptr types a host (or
// ringb itself: bpf_cpumask) supplies. Seeds 000–003; ../shared/REFERENCE.md §2–§3.
//
// These are the kfuncs' bodies, as plain functions: the vm binds each kfunc
// call to one (with its type bound at load, as the kernel's
// fixup_kfunc_call does) and the maps call free_fields() when a value goes.
// Every function here may run on any thread holding a cpu slot inside an RCU
// read-side section (a program run), and in a signal handler: no malloc, no
// locks a handler could re-enter. The verifier (not this layer) proves that
// programs pass what these expect: an owning reference where one is taken, a
// held lock around graph operations.
//
// Layouts are the kernel's (UAPI sizes in bpf.h, internal layouts of
// kernel/bpf/helpers.c), so a program compiled for the kernel sees the same
// offsets; src/obj/layout.h checks them with static_assert.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ringb/error.h"
#include "ringb/fields.h"

namespace ringb {
class Btf;
}

namespace ringb::obj {

struct Type;

// A kernel-side kptr type (seed 001): objects a host creates and
// refcounts itself, that programs receive from its KF_ACQUIRE kfuncs, stash
// in maps with bpf_kptr_xchg and give back through its KF_RELEASE kfunc.
// `release` drops one reference; the last one frees the object after an RCU
// grace period (the host's business). It must be async-signal-safe.
struct KptrType {
  std::string name;  // the struct name programs declare ("bpf_cpumask")
  void (*release)(void* p) = nullptr;
};

// The field record of a struct with what its fields point at bound: for
// each field (same index as record.fields), the node type a graph root
// holds, the local type a kptr points at, or the kernel kptr type.
struct Record {
  FieldRecord fields;
  struct Binding {
    const Type* type = nullptr;      // graph root: node struct; kptr: local pointee
    const KptrType* kptr = nullptr;  // kptr to a kernel type
  };
  std::vector<Binding> bound;
};

// A struct programs allocate: what bpf_obj_new_impl(type_id, meta) is bound to.
struct Type {
  uint32_t btf_id = 0;
  std::string name;
  uint32_t size = 0;
  Record record;  // empty for structs without special fields
};

// Kernel kptr types by name: ringb's own (bpf_cpumask) and the host's.
class KptrTypes {
 public:
  KptrTypes() = default;
  KptrTypes(const KptrTypes& other) { *this = other; }
  KptrTypes& operator=(const KptrTypes& other) {
    if (this != &other) {
      types_.clear();
      for (const auto& t : other.types_) types_.push_back(std::make_unique<KptrType>(*t));
    }
    return *this;
  }
  KptrTypes(KptrTypes&&) = default;
  KptrTypes& operator=(KptrTypes&&) = default;

  static KptrTypes builtin();  // bpf_cpumask (ringb/cpumask.h)
  // A name added again replaces the earlier type for find().
  void add(KptrType t);
  const KptrType* find(const std::string& name) const;

 private:
  std::vector<std::unique_ptr<KptrType>> types_;
};

// The types of one loaded object: every struct of its BTF, with the
// special-field metas (parse_struct_metas) bound to each other and to the
// kernel kptr types. Built once at load; read-only afterwards (any thread may
// call type() and bind()). Kptr pointees bind as the kernel's btf_parse_kptr
// does: a name `kernel` knows is a kernel type, else the object's own struct
// of that id is a local type. The TypeSet keeps its own copy of `kernel`.
class TypeSet {
 public:
  // Errors: a kptr to a struct that is neither the object's own allocatable
  // type nor a known kernel kptr type (ENOENT, naming both), and the errors
  // of parse_struct_metas.
  static Expected<std::shared_ptr<const TypeSet>> create(const Btf& btf, const KptrTypes& kernel);
  // Any struct of the BTF (modifiers skipped), or nullptr for a bad id or a
  // type that is not a struct.
  const Type* type(uint32_t btf_id) const;
  // Binds a record read from this BTF (a map value's, a global section's).
  Expected<Record> bind(const FieldRecord& fields) const;

  struct Impl;
  ~TypeSet();

 private:
  explicit TypeSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- objects (bpf_obj_new_impl and friends) ---------------------------------
// All allocate from the process's global allocators (the kernel's
// bpf_global_ma and bpf_global_percpu_ma), created by init().
Status init();  // idempotent; call from task context before any program runs

// A zeroed object of type t with its fields initialised (refcount 1, heads
// empty), or nullptr when memory is exhausted, t.size is 0 or above
// kMaxObjSize, or init() has not run. The object remembers t (type_of),
// which must outlive it.
inline constexpr uint32_t kMaxObjSize = 4080;  // the allocator's 4088, less the type word
void* obj_new(const Type& t);
// The type an object of obj_new was made with.
const Type* type_of(const void* object);
// Drops the reference p: if its type has a refcount that does not reach 0,
// that is all; else its fields are freed (free_fields) and the memory goes
// back after an RCU grace period. The type is the object's own (type_of);
// `t`, when given, must be it.
void obj_drop(void* p, const Type* t);
// Per-cpu objects (scalars only, at most 512 bytes, every cpu's copy
// zeroed): the returned pointer is a per-cpu handle; percpu_ptr() gives a
// cpu's copy (bpf_per_cpu_ptr), nullptr for cpus at or past cpu::nr_cpus().
void* percpu_obj_new(const Type& t);
void percpu_obj_drop(void* p, const Type* t);
void* percpu_ptr(void* handle, uint32_t cpu);
// refcount_inc_not_zero: p again, or nullptr if the count was 0 (or its
// type has no bpf_refcount). The type is the object's own, as for obj_drop.
void* refcount_acquire(void* p, const Type* t = nullptr);

// ---- graphs --------------------------------------------------------------
// `node` points at the node field, `off` is its offset in its object of type
// t. push/add take ownership: when the node already belongs to a graph
// (owner CAS fails), the object is dropped and the result is -EINVAL. The
// caller holds the spin lock that guards head/root (the verifier's rule).
// Popped and removed nodes have no owner again. A zeroed head or root is an
// empty one (list heads become self-pointing at their first push).
long list_push(void* head, void* node, const Type* t, uint32_t off, bool front);
void* list_pop(void* head, bool front);   // the node, owning; nullptr when empty
void* list_peek(void* head, bool front);  // bpf_list_front/back: non-owning or nullptr

// less(ctx, a, b): the program's `less` callback (a BPF subprogram the vm
// runs) on two bpf_rb_node pointers: the node being added and a node of the
// tree. The walk goes left when it is true, else right, so equal keys keep
// insertion order; inserts and removes leave the very tree (shape and
// colours) Linux's lib/rbtree.c leaves, which programs see through
// rbtree_root/left/right.
using Less = bool (*)(void* ctx, void* a, const void* b);
long rbtree_add(void* root, void* node, Less less, void* ctx, const Type* t, uint32_t off);
void* rbtree_remove(void* root, void* node);  // nullptr when node's owner is not root
void* rbtree_first(void* root);
void* rbtree_root(void* root);
void* rbtree_left(void* root, void* node);   // nullptr when node's owner is not root
void* rbtree_right(void* root, void* node);

// ---- kptrs and fields -------------------------------------------------------
// bpf_kptr_xchg: atomically stores p into the kptr field, returns the old one
// (an owning reference). Fully ordered.
void* kptr_xchg(void* field, void* p);
// bpf_obj_free_fields(): frees the special fields of the value or object at
// `base`: kptrs exchanged with NULL and released (local types: obj_drop with
// the bound Type; per-cpu: percpu_obj_drop; kernel types: KptrType::release),
// untrusted kptrs zeroed, lists and trees detached under the value's own
// spin lock (record.fields.spin_lock_off; none: unlocked) and left empty,
// their nodes dropped outside it (recursively; refcounted nodes only lose a
// reference, and come back with no owner), timers, workqueues and task works
// zeroed (ringb arms none yet). The value may stay in use: a program may
// push onto the emptied list at once.
void free_fields(const Record& r, void* base);
// bpf_obj_init(): fields of a fresh value or object (refcount 1; the rest
// zero — a zeroed head or root is an empty one). Other bytes are untouched.
void init_fields(const Record& r, void* base);

// ---- locks ---------------------------------------------------------------
// struct bpf_spin_lock: a 4-byte word, 0 when free.
void spin_lock(void* lock);
void spin_unlock(void* lock);
// struct bpf_res_spin_lock (Linux 6.15): 0 when taken, -EDEADLK when this cpu
// holds it already (or a lock cycle is found), -ETIMEDOUT after 250 ms.
// `cpu` is the caller's cpu slot (cpu::current()); locks are released in any
// order. bpf_spin_lock is not resilient: a signal handler that takes a lock
// its thread holds spins for ever, as the kernel forbids such programs.
long res_spin_lock(void* lock, int cpu);
void res_spin_unlock(void* lock, int cpu);

// ---- inspection -------------------------------------------------------------
// What one special field of a value or object holds, for people to look at
// (`ringb run --show-maps`, `--dot`) and for tests. Read without locks: call
// it when no program runs on the value.
struct FieldContents {
  const Field* field = nullptr;
  const Type* type = nullptr;         // the objects' type (a root's node struct, a local kptr's pointee)
  const KptrType* kptr = nullptr;     // a kernel kptr's type
  std::vector<const void*> objects;   // list: front to back; rbtree: in order; kptr: it, if set
  // Rbtrees: the tree's shape, as indexes into objects (-1: none).
  std::vector<int> left, right;
  int root = -1;
};
std::vector<FieldContents> contents(const Record& r, const void* base);
// The object's bpf_refcount (0 when its type has none).
uint32_t refcount(const void* object, const Type& t);

// ---- accounting -------------------------------------------------------------
// Counted when the call is made: a dropped object counts as freed at once,
// though its memory is reused only after a grace period
// (mem::MemAlloc::rcu_barrier() waits for that).
struct Stats {
  uint64_t objects_live = 0;  // obj_new'd (or refcount-held) and not yet freed
  uint64_t percpu_live = 0;   // percpu_obj_new'd and not yet dropped
  uint64_t cpumasks_live = 0; // bpf_cpumask_create'd, last reference not yet released
  uint64_t allocated = 0, freed = 0;  // totals of obj_new / final obj_drop
  size_t bytes_held = 0;              // the global allocators' (and bpf_cpumask's) memory
};
Stats stats();

}  // namespace ringb::obj
