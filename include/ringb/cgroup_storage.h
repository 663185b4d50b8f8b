// ringb/cgroup_storage.h — BPF_MAP_TYPE_CGROUP_STORAGE (19) and
// PERCPU_CGROUP_STORAGE (21): one value per "attachment" of the programs
// that use the map, reached by bpf_get_local_storage() (the kernel's
// kernel/bpf/local_storage.c).
//
// In the kernel a storage is made when a program is attached to a cgroup
// (bpf_cgroup_storages_alloc), keyed by (cgroup inode id, attach type) — or
// by the cgroup alone when the map's key is a bare __u64 — and a test run
// (BPF_PROG_TEST_RUN) makes fresh zeroed storages for the run, used by every
// one of its `repeat` runs and freed afterwards. ringb attaches nothing, so:
//   - a test run with TestRunOptions::cgroup_storage_id 0 gets fresh zeroed
//     storages for the run, as the kernel's (new_storage());
//   - a test run naming a cgroup id runs with the storage attached at
//     (that id, the program's expected attach type), made zeroed on first use
//     and kept until the map goes (attached_storage()): what the kernel keeps
//     while the program stays attached there. Those are the storages the host
//     commands see (lookup, update, get_next_key).
#pragma once

#include <cstdint>
#include <memory>

namespace ringb::maps {

// struct bpf_cgroup_storage_key: the 16-byte key (key_size 16); a map with
// key_size 8 is keyed by cgroup_inode_id alone.
struct CgroupStorageKey {
  uint64_t cgroup_inode_id = 0;
  uint32_t attach_type = 0;
  uint32_t pad = 0;
};
static_assert(sizeof(CgroupStorageKey) == 16);

inline bool is_cgroup_storage_type(uint32_t type) { return type == 19 || type == 21; }
// enum bpf_cgroup_storage_type: a program holds at most one map of each.
inline int cgroup_storage_slot(uint32_t type) { return type == 21 ? 1 : 0; }
inline constexpr int kCgroupStorageSlots = 2;

// One storage: the kernel's struct bpf_cgroup_storage.
class CgroupStorage {
 public:
  virtual ~CgroupStorage() = default;
  // What bpf_get_local_storage() returns on cpu slot `cpu`: the shared
  // value as it is now (a host update swaps in a new buffer, the old one
  // lives on until a grace period ends), or that cpu's copy.
  virtual void* value(int cpu) = 0;
};

// The map's side for test runs.
class CgroupStorageMap {
 public:
  // bpf_cgroup_storage_alloc(): a zeroed storage of no attachment; nullptr
  // when memory runs out. The caller frees it when no run uses it any more.
  virtual std::unique_ptr<CgroupStorage> new_storage() = 0;
  // The storage attached at (cgroup_id, attach_type) (attach_type ignored
  // for a key_size 8 map), made zeroed on first use; nullptr when memory
  // runs out. It lives as long as the map.
  virtual CgroupStorage* attached_storage(uint64_t cgroup_id, uint32_t attach_type) = 0;

 protected:
  ~CgroupStorageMap() = default;
};

}  // namespace ringb::maps
