// storage_helpers.cc — the local-storage helpers over the maps of
// ringb/local_storage.h, with the kernel's answers to bad arguments
// (net/core/bpf_sk_storage.c, kernel/bpf/bpf_task_storage.c,
// kernel/bpf/bpf_cgrp_storage.c): flags other than
// BPF_LOCAL_STORAGE_GET_F_CREATE, or no owner: NULL from get, -EINVAL from
// delete; sk storage only for full sockets. And bpf_get_local_storage, the
// cgroup storage of the run (ringb/cgroup_storage.h).
#include "helper_sets.h"
#include "ringb/cgroup_storage.h"
#include "ringb/disasm.h"
#include "ringb/local_storage.h"
#include "ringb/maps.h"
#include "ringb/sockets.h"

namespace ringb::vm {
namespace {

constexpr uint64_t kFCreate = 1;  // BPF_LOCAL_STORAGE_GET_F_CREATE

maps::LocalStorage* storage(uint64_t map) { return dynamic_cast<maps::LocalStorage*>(reinterpret_cast<maps::Map*>(map)); }

bool full_sock(uint64_t sk) {
  const auto* s = reinterpret_cast<const bpf_sock*>(sk);
  return s->state != sockets::kTimeWait && s->state != sockets::kNewSynRecv;
}

uint64_t get(uint64_t map, uint64_t owner, uint64_t value, uint64_t flags) {
  maps::LocalStorage* ls = storage(map);
  if (!ls || !owner || (flags & ~kFCreate)) return 0;
  return reinterpret_cast<uint64_t>(
      ls->storage_get(reinterpret_cast<const void*>(owner), reinterpret_cast<const void*>(value), flags & kFCreate));
}

uint64_t del(uint64_t map, uint64_t owner) {
  maps::LocalStorage* ls = storage(map);
  if (!ls || !owner) return static_cast<uint64_t>(-EINVAL);
  return static_cast<uint64_t>(ls->storage_delete(reinterpret_cast<const void*>(owner)));
}

uint64_t sk_storage_get(RunState&, uint64_t map, uint64_t sk, uint64_t value, uint64_t flags, uint64_t) {
  if (!sk || !full_sock(sk)) return 0;
  return get(map, sk, value, flags);
}
uint64_t sk_storage_delete(RunState&, uint64_t map, uint64_t sk, uint64_t, uint64_t, uint64_t) {
  if (!sk || !full_sock(sk)) return static_cast<uint64_t>(-EINVAL);
  return del(map, sk);
}
uint64_t owner_storage_get(RunState&, uint64_t map, uint64_t owner, uint64_t value, uint64_t flags, uint64_t) {
  return get(map, owner, value, flags);
}
uint64_t owner_storage_delete(RunState&, uint64_t map, uint64_t owner, uint64_t, uint64_t, uint64_t) {
  return del(map, owner);
}

// bpf_get_local_storage(map, flags): the value of the run's storage of the
// map's type (per-cpu: this cpu slot's copy). The verifier makes flags 0
// and the map the program's only one of its type, so the kernel's helper
// returns what it finds without a check; ringb's stops a run that got past
// no verifier with a map the run has no storage of (a tail call into a
// program using another map, say: the kernel's prog arrays refuse those).
uint64_t get_local_storage(RunState& rs, uint64_t map, uint64_t, uint64_t, uint64_t, uint64_t) {
  const auto* m = reinterpret_cast<const maps::Map*>(map);
  if (!m || !maps::is_cgroup_storage_type(m->def().type)) {
    rs.fail("bpf_get_local_storage of a map that is no cgroup storage", EINVAL, rs.exe, -1);
    return 0;
  }
  const int slot = maps::cgroup_storage_slot(m->def().type);
  if (rs.cgroup_storage_map[slot] != m || !rs.cgroup_storage[slot]) {
    rs.fail("bpf_get_local_storage of a map the run has no storage of", EINVAL, rs.exe, -1);
    return 0;
  }
  return reinterpret_cast<uint64_t>(rs.cgroup_storage[slot]->value(rs.cpu));
}

}  // namespace

void add_storage_helpers(Functions& f) {
  const struct {
    int id;
    Function fn;
  } table[] = {
      {107, sk_storage_get},     {108, sk_storage_delete},    {156, owner_storage_get},
      {157, owner_storage_delete}, {210, owner_storage_get}, {211, owner_storage_delete},
      {81, get_local_storage},
  };
  for (const auto& e : table) f.add_helper(e.id, ringb::helper_name(e.id), e.fn);
}

}  // namespace ringb::vm
