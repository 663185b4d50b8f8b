// run_storages.h — the cgroup storages of one test run (the kernel's
// bpf_test_run: bpf_cgroup_storage_alloc for each storage type the program
// uses, before the first of its `repeat` runs, freed after the last).
#pragma once

#include <array>
#include <functional>
#include <memory>

#include "programs.h"
#include "ringb/cgroup_storage.h"
#include "ringb/error.h"
#include "ringb/object.h"
#include "ringb/vm.h"

namespace ringb::api {

// The cgroup storage maps `prog`'s code loads, by cgroup_storage_slot()
// (the first of each type: the verifier allows one); map_at(i) is the
// object's map i (null: not created), for i < count.
std::array<maps::Map*, maps::kCgroupStorageSlots> cgroup_storage_maps(const Program& prog,
                                                                      const std::function<maps::Map*(size_t)>& map_at,
                                                                      size_t count);

class RunStorages {
 public:
  // The storages of the cgroup storage maps `prog`'s code refers to (the
  // first of each type: the verifier allows one): fresh and zeroed when
  // cgroup_id is 0, else the ones attached at (cgroup_id, prog.attach).
  // ENOMEM when one cannot be made.
  static Expected<std::unique_ptr<RunStorages>> make(const Program& prog, const MapSet& maps, uint64_t cgroup_id);
  // Gives them to a run (RunState::cgroup_storage*).
  void bind(vm::RunState& rs) const;

 private:
  RunStorages() = default;
  const maps::Map* map_[maps::kCgroupStorageSlots] = {};
  maps::CgroupStorage* storage_[maps::kCgroupStorageSlots] = {};
  std::unique_ptr<maps::CgroupStorage> owned_[maps::kCgroupStorageSlots];
};

}  // namespace ringb::api
