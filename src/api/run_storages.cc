// run_storages.cc — a test run's cgroup storages (run_storages.h).
#include "run_storages.h"

#include <cerrno>

#include "ringb/insn.h"

namespace ringb::api {

Expected<std::unique_ptr<RunStorages>> RunStorages::make(const Program& prog, const MapSet& maps,
                                                         uint64_t cgroup_id) {
  std::unique_ptr<RunStorages> rs(new RunStorages);
  for (size_t i = 0; i + 1 < prog.insns.size(); ++i) {
    const Insn& in = prog.insns[i];
    if (!isa::is_ld_imm64(in)) continue;
    ++i;  // the second half
    if (in.src != isa::kPseudoMapFd && in.src != isa::kPseudoMapIdx) continue;
    if (in.imm < 0 || static_cast<size_t>(in.imm) >= maps.maps.size()) continue;
    maps::Map* m = maps.at(static_cast<size_t>(in.imm));
    if (!m || !maps::is_cgroup_storage_type(m->def().type)) continue;
    const int slot = maps::cgroup_storage_slot(m->def().type);
    if (rs->map_[slot]) continue;
    auto* csm = dynamic_cast<maps::CgroupStorageMap*>(m);
    if (!csm) continue;
    rs->map_[slot] = m;
    if (cgroup_id) {
      rs->storage_[slot] = csm->attached_storage(cgroup_id, prog.attach);
    } else {
      rs->owned_[slot] = csm->new_storage();
      rs->storage_[slot] = rs->owned_[slot].get();
    }
    if (!rs->storage_[slot])
      return Error{ENOMEM, "no memory for the storage of cgroup storage map '" + m->def().name + "'"};
  }
  return rs;
}

void RunStorages::bind(vm::RunState& rs) const {
  for (int i = 0; i < maps::kCgroupStorageSlots; ++i) {
    rs.cgroup_storage_map[i] = map_[i];
    rs.cgroup_storage[i] = storage_[i];
  }
}

}  // namespace ringb::api
