// area.h — bpf_map_area_alloc(): the zero-filled memory of a map's fixed
// structures (array values, hash buckets, preallocated elements, queue rings),
// charged to the map's MemCgroup for its whole life.
//
// Small areas come from calloc (so ASan watches them); large ones are
// anonymous mappings (the kernel's vmalloc), which the OS zero-fills lazily and
// which fail cleanly with ENOMEM when the size is absurd.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "ringb/error.h"
#include "ringb/mem.h"

namespace ringb::maps::detail {

class Area {
 public:
  Area() = default;
  // ENOMEM when `bytes` exceeds the machine's memory (as vmalloc refuses it),
  // or the cgroup's limit or the OS refuses it. Callers compute `bytes` in
  // 64 bits from 32-bit fields, so no product of them wraps.
  static Expected<Area> alloc(uint64_t bytes, mem::MemCgroup* cgroup, const char* what);
  ~Area();
  Area(Area&& other) noexcept;
  Area& operator=(Area&& other) noexcept;
  Area(const Area&) = delete;
  Area& operator=(const Area&) = delete;

  char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void release();
  char* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  mem::MemCgroup* cgroup_ = nullptr;
};

}  // namespace ringb::maps::detail
