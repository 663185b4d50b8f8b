// ringb/local_storage.h — the program side of the local-storage maps
// (BPF_MAP_TYPE_SK_STORAGE, TASK_STORAGE, CGRP_STORAGE): one value per owner
// (a socket of ringb/sockets.h, a task or cgroup of ringb/tasks.h), found by
// the owner's address. The helpers (bpf_sk_storage_get/delete,
// bpf_task_storage_get/delete, bpf_cgrp_storage_get/delete) reach a map of
// these types through this interface.
#pragma once

#include <cstdint>

namespace ringb::maps {

class LocalStorage {
 public:
  // The owner's value, or nullptr. `create`: make one if there is none,
  // from `init` (value_size bytes) or zeroed; nullptr when the map has no
  // room or memory left. Async-signal-safe.
  virtual void* storage_get(const void* owner, const void* init, bool create) = 0;
  // 0, or -ENOENT when the owner has no value here.
  virtual long storage_delete(const void* owner) = 0;

 protected:
  ~LocalStorage() = default;
};

}  // namespace ringb::maps
