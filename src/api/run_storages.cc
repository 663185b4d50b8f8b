// run_storages.cc — a test run's cgroup storages (run_storages.h).
#include "run_storages.h"

#include <cerrno>

#include "ringb/insn.h"

namespace ringb::api {

std::array<maps::Map*, maps::kCgroupStorageSlots> cgroup_storage_maps(const Program& prog,
                                                                      const std::function<maps::Map*(size_t)>& map_at,
                                                                      size_t count) {
  std::array<maps::Map*, maps::kCgroupStorageSlots> found{};
  for (size_t i = 0; i + 1 < prog.insns.size(); ++i) {
    const Insn& in = prog.insns[i];
    if (!isa::is_ld_imm64(in)) continue;
    ++i;  // the second half
    if (!isa::is_map_ptr_load(in)) continue;
    if (in.imm < 0 || static_cast<size_t>(in.imm) >= count) continue;
    maps::Map* m = map_at(static_cast<size_t>(in.imm));
    if (!m || !maps::is_cgroup_storage_type(m->def().type)) continue;
    maps::Map*& slot = found[static_cast<size_t>(maps::cgroup_storage_slot(m->def().type))];
    if (!slot) slot = m;
  }
  return found;
}

Expected<std::unique_ptr<RunStorages>> RunStorages::make(const Program& prog, const MapSet& maps,
                                                         uint64_t cgroup_id) {
  std::unique_ptr<RunStorages> rs(new RunStorages);
  const auto found = cgroup_storage_maps(prog, [&](size_t i) { return maps.at(i); }, maps.maps.size());
  for (int slot = 0; slot < maps::kCgroupStorageSlots; ++slot) {
    maps::Map* m = found[static_cast<size_t>(slot)];
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
