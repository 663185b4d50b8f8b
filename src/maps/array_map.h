// array_map.h — what ARRAY and PERCPU_ARRAY share (the kernel's arraymap.c):
// the create check, index checks, update flags, iteration. Values live in one
// area allocated at creation and never move; updates write them in place.
#pragma once

#include "area.h"
#include "ringb/maps.h"

namespace ringb::maps::detail {

class ArrayBase : public Map {
 public:
  // array_map_alloc_check(): the kernel's checks, in its order.
  static Status check_def(const MapDef& def, bool percpu);
  Stats stats() const override;
  // array_map_free(): every value's special fields are freed.
  ~ArrayBase() override;

 protected:
  ArrayBase(const MapDef& def, bool percpu);
  // Allocates `slots` values of round_up(value_size, 8) bytes, and takes
  // the value's record (a fresh value is zeroed, as the area is; a
  // bpf_refcount in it starts at 1).
  Status init(uint64_t slots, const Options& options);

  // A value was overwritten in place (array_map_update_elem): its special
  // fields, which the copy skipped, still hold what the old value held:
  // free them.
  void free_old_fields(char* value) const;

  // The index a key names, or -1 past the end.
  int64_t index_of(const void* key) const;
  // The update flags' verdict for an index (0, -EINVAL, -E2BIG, -EEXIST).
  long check_update(int64_t index, uint64_t flags) const;
  long do_host_delete(const void*, int) override { return -EINVAL; }
  long do_host_get_next_key(const void* key, void* next_key) override;

  char* slot(uint64_t i) const { return area_.data() + i * elem_size_; }
  uint32_t elem_size_ = 0;  // round_up(value_size, 8)
  uint64_t slots_ = 0;

 private:
  Area area_;
};

}  // namespace ringb::maps::detail
