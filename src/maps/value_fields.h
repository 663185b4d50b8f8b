// value_fields.h — which map types may hold which special fields in their
// values: the checks map_check_btf() (kernel/bpf/syscall.c, Linux 6.18) makes
// on a value's field record when a map is created.
#pragma once

#include "ringb/error.h"
#include "ringb/object.h"

namespace ringb::maps::detail {

// The kinds (FieldKind bits) a map of `type` may hold in its values.
uint32_t fields_allowed_in(uint32_t type);

// MapDef::fields (and a spin_lock_off set by hand, without a record) checked
// as BPF_MAP_CREATE does: each field inside the value and aligned (EINVAL),
// no fields in maps whose programs may only read or only write (EACCES),
// none in queues and stacks (EINVAL: the kernel takes no BTF for them),
// and only kinds the map type allows (EOPNOTSUPP, the first by kind order).
Status check_value_fields(const MapDef& def);

}  // namespace ringb::maps::detail
