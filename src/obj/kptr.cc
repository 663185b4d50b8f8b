// kptr.cc — bpf_kptr_xchg (helper 194), and the kernel-side kptr types
// (KptrTypes): ringb's own bpf_cpumask, and whatever a host registers.
#include <atomic>

#include "ringb/cpumask.h"
#include "ringb/objects.h"

namespace ringb::obj {

// The field is map or object memory other cpus exchange at the same time:
// one atomic exchange, fully ordered as the kernel's xchg().
void* kptr_xchg(void* field, void* p) {
  return std::atomic_ref<void*>(*static_cast<void**>(field)).exchange(p, std::memory_order_seq_cst);
}

KptrTypes KptrTypes::builtin() {
  KptrTypes t;
  t.add(KptrType{"bpf_cpumask", bpf_cpumask_release_dtor});
  return t;
}

// A later registration of a name replaces the earlier one for find(); the
// earlier object stays alive, as records may point at it.
void KptrTypes::add(KptrType t) { types_.push_back(std::make_unique<KptrType>(std::move(t))); }

const KptrType* KptrTypes::find(const std::string& name) const {
  for (auto it = types_.rbegin(); it != types_.rend(); ++it)
    if ((*it)->name == name) return it->get();
  return nullptr;
}

}  // namespace ringb::obj
