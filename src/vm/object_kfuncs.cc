// object_kfuncs.cc — the object model's kfuncs and helpers as the vm calls
// them: thin adapters from argument registers to ringb/objects.h. Their
// Implicit arguments (struct meta, node offset) arrive bound by the load
// (kfunc_binding.h); the rest is the object runtime's.
#include <cerrno>
#include <cstring>

#include "object_kfuncs.h"
#include "ringb/cpu.h"
#include "ringb/objects.h"

namespace ringb::vm {
namespace {

template <typename T>
T* as(uint64_t v) {
  return reinterpret_cast<T*>(v);
}
uint64_t u(const void* p) { return reinterpret_cast<uint64_t>(p); }
uint64_t ret(long v) { return static_cast<uint64_t>(v); }

// bpf_obj_new_impl(type_id, meta): meta is the bound type, or null when the
// id was not a constant the load could see; then the id picks it.
const obj::Type* type_for(RunState& rs, uint64_t type_id, uint64_t meta) {
  if (meta) return as<const obj::Type>(meta);
  const obj::TypeSet* types = rs.exe ? rs.exe->types() : nullptr;
  return types && type_id <= UINT32_MAX ? types->type(static_cast<uint32_t>(type_id)) : nullptr;
}

// An id that names no struct is the program's error (the kernel's verifier
// refuses it), not an allocation that failed: the run stops with it.
constexpr const char* kNoSuchType = "bpf_obj_new_impl: the type id is not a struct of the object's BTF";

uint64_t obj_new(RunState& rs, uint64_t type_id, uint64_t meta, uint64_t, uint64_t, uint64_t) {
  const obj::Type* t = type_for(rs, type_id, meta);
  if (!t) {
    rs.fail(kNoSuchType, EINVAL, rs.exe, -1);
    return 0;
  }
  return u(obj::obj_new(*t));
}
uint64_t percpu_obj_new(RunState& rs, uint64_t type_id, uint64_t meta, uint64_t, uint64_t, uint64_t) {
  const obj::Type* t = type_for(rs, type_id, meta);
  if (!t) {
    rs.fail(kNoSuchType, EINVAL, rs.exe, -1);
    return 0;
  }
  return u(obj::percpu_obj_new(*t));
}
uint64_t obj_drop(RunState&, uint64_t p, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (p) obj::obj_drop(as<void>(p), nullptr);  // the object knows its type
  return 0;
}
uint64_t percpu_obj_drop(RunState&, uint64_t p, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (p) obj::percpu_obj_drop(as<void>(p), nullptr);
  return 0;
}
uint64_t refcount_acquire(RunState&, uint64_t p, uint64_t, uint64_t, uint64_t, uint64_t) {
  return p ? u(obj::refcount_acquire(as<void>(p), nullptr)) : 0;
}

uint64_t list_push_front(RunState&, uint64_t head, uint64_t node, uint64_t meta, uint64_t off, uint64_t) {
  return ret(obj::list_push(as<void>(head), as<void>(node), as<const obj::Type>(meta), static_cast<uint32_t>(off), true));
}
uint64_t list_push_back(RunState&, uint64_t head, uint64_t node, uint64_t meta, uint64_t off, uint64_t) {
  return ret(obj::list_push(as<void>(head), as<void>(node), as<const obj::Type>(meta), static_cast<uint32_t>(off), false));
}
uint64_t list_pop_front(RunState&, uint64_t head, uint64_t, uint64_t, uint64_t, uint64_t) {
  return u(obj::list_pop(as<void>(head), true));
}
uint64_t list_pop_back(RunState&, uint64_t head, uint64_t, uint64_t, uint64_t, uint64_t) {
  return u(obj::list_pop(as<void>(head), false));
}
uint64_t list_front(RunState&, uint64_t head, uint64_t, uint64_t, uint64_t, uint64_t) {
  return u(obj::list_peek(as<void>(head), true));
}
uint64_t list_back(RunState&, uint64_t head, uint64_t, uint64_t, uint64_t, uint64_t) {
  return u(obj::list_peek(as<void>(head), false));
}

// The rbtree's `less`: a BPF subprogram, run on this run's state.
struct Less {
  RunState* rs;
  uint64_t target;
};
bool run_less(void* ctx, void* a, const void* b) {
  auto* l = static_cast<Less*>(ctx);
  return l->rs->call_callback(l->target, u(a), u(b), 0, 0, 0) != 0;
}

uint64_t rbtree_add(RunState& rs, uint64_t root, uint64_t node, uint64_t less, uint64_t meta, uint64_t off) {
  Less l{&rs, less};
  return ret(obj::rbtree_add(as<void>(root), as<void>(node), run_less, &l, as<const obj::Type>(meta),
                             static_cast<uint32_t>(off)));
}
uint64_t rbtree_remove(RunState&, uint64_t root, uint64_t node, uint64_t, uint64_t, uint64_t) {
  return u(obj::rbtree_remove(as<void>(root), as<void>(node)));
}
uint64_t rbtree_first(RunState&, uint64_t root, uint64_t, uint64_t, uint64_t, uint64_t) {
  return u(obj::rbtree_first(as<void>(root)));
}
uint64_t rbtree_root(RunState&, uint64_t root, uint64_t, uint64_t, uint64_t, uint64_t) {
  return u(obj::rbtree_root(as<void>(root)));
}
uint64_t rbtree_left(RunState&, uint64_t root, uint64_t node, uint64_t, uint64_t, uint64_t) {
  return u(obj::rbtree_left(as<void>(root), as<void>(node)));
}
uint64_t rbtree_right(RunState&, uint64_t root, uint64_t node, uint64_t, uint64_t, uint64_t) {
  return u(obj::rbtree_right(as<void>(root), as<void>(node)));
}

// A program run is inside an RCU read-side section from start to end
// (runtime.h), so these only mark what the verifier checks.
uint64_t rcu_read_lock(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }
// The same address, typed by the verifier; its loads are fault-tolerant.
uint64_t rdonly_cast(RunState&, uint64_t obj, uint64_t, uint64_t, uint64_t, uint64_t) { return obj; }

// The run unwinds from here: every frame, callback loops included
// (Executable::run finishes the throw).
uint64_t throw_(RunState& rs, uint64_t cookie, uint64_t, uint64_t, uint64_t, uint64_t) {
  rs.raise(cookie);
  return 0;
}
uint64_t rcu_read_unlock(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }

uint64_t res_spin_lock(RunState& rs, uint64_t lock, uint64_t, uint64_t, uint64_t, uint64_t) {
  return ret(obj::res_spin_lock(as<void>(lock), rs.cpu));
}
uint64_t res_spin_unlock(RunState& rs, uint64_t lock, uint64_t, uint64_t, uint64_t, uint64_t) {
  obj::res_spin_unlock(as<void>(lock), rs.cpu);
  return 0;
}
// The _irqsave forms: user space has no interrupt flags to save; flags is
// written as the kernel writes it (a value the program only passes back).
uint64_t res_spin_lock_irqsave(RunState& rs, uint64_t lock, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  const long r = obj::res_spin_lock(as<void>(lock), rs.cpu);
  if (flags) std::memset(as<void>(flags), 0, sizeof(uint64_t));
  return ret(r);
}
uint64_t res_spin_unlock_irqrestore(RunState& rs, uint64_t lock, uint64_t, uint64_t, uint64_t, uint64_t) {
  obj::res_spin_unlock(as<void>(lock), rs.cpu);
  return 0;
}

}  // namespace

// Helpers 153/154: a per-cpu object's copy; 194: bpf_kptr_xchg.
uint64_t per_cpu_ptr_helper(RunState&, uint64_t p, uint64_t cpu, uint64_t, uint64_t, uint64_t) {
  if (!p || cpu >= static_cast<uint64_t>(cpu::nr_cpus())) return 0;
  return u(obj::percpu_ptr(as<void>(p), static_cast<uint32_t>(cpu)));
}
uint64_t this_cpu_ptr_helper(RunState& rs, uint64_t p, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (!p || rs.cpu < 0) return 0;
  return u(obj::percpu_ptr(as<void>(p), static_cast<uint32_t>(rs.cpu)));
}
uint64_t kptr_xchg_helper(RunState&, uint64_t field, uint64_t p, uint64_t, uint64_t, uint64_t) {
  return u(obj::kptr_xchg(as<void>(field), as<void>(p)));
}

const std::map<std::string, Function>& object_kfuncs() {
  static const std::map<std::string, Function> fns = {
      {"bpf_obj_new_impl", obj_new},
      {"bpf_percpu_obj_new_impl", percpu_obj_new},
      {"bpf_obj_drop_impl", obj_drop},
      {"bpf_percpu_obj_drop_impl", percpu_obj_drop},
      {"bpf_refcount_acquire_impl", refcount_acquire},
      {"bpf_list_push_front_impl", list_push_front},
      {"bpf_list_push_back_impl", list_push_back},
      {"bpf_list_pop_front", list_pop_front},
      {"bpf_list_pop_back", list_pop_back},
      {"bpf_list_front", list_front},
      {"bpf_list_back", list_back},
      {"bpf_rbtree_add_impl", rbtree_add},
      {"bpf_rbtree_remove", rbtree_remove},
      {"bpf_rbtree_first", rbtree_first},
      {"bpf_rbtree_root", rbtree_root},
      {"bpf_rbtree_left", rbtree_left},
      {"bpf_rbtree_right", rbtree_right},
      {"bpf_throw", throw_},
      {"bpf_rcu_read_lock", rcu_read_lock},
      {"bpf_rdonly_cast", rdonly_cast},
      {"bpf_rcu_read_unlock", rcu_read_unlock},
      {"bpf_res_spin_lock", res_spin_lock},
      {"bpf_res_spin_unlock", res_spin_unlock},
      {"bpf_res_spin_lock_irqsave", res_spin_lock_irqsave},
      {"bpf_res_spin_unlock_irqrestore", res_spin_unlock_irqrestore},
  };
  return fns;
}

}  // namespace ringb::vm
