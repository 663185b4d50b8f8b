// provenance.h — where the pointers a kfunc call is given come from, found by
// a small forward dataflow over the linked program: enough to bind the
// Implicit arguments the kernel's verifier would (the struct meta and node
// offset of bpf_list_push_*_impl / bpf_rbtree_add_impl come from the head
// or root they are given; bpf_obj_new_impl's type from its constant id).
//
// Values are tracked through registers and 8-byte stack slots: constants,
// map pointers, map values and objects at known offsets (from map lookups,
// global data, bpf_obj_new, graph pops and walks, kptr loads and
// exchanges), joined to "unknown" where paths disagree. The analysis is
// optimistic where only programs the kernel's verifier would refuse could
// make it wrong (a helper overwriting a spilled pointer); ringb's own
// verifier (the issue after this one) will replace it with exact state.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "ringb/object.h"
#include "ringb/vm.h"

namespace ringb::vm {

struct AbstractValue {
  enum class Kind : uint8_t { Unknown, Const, MapPtr, MapValue, Object, Stack };
  Kind kind = Kind::Unknown;
  const void* base = nullptr;  // MapPtr/MapValue: the maps::Map; Object: the obj::Type
  int64_t value = 0;           // Const: the number; pointers: the offset
  bool operator==(const AbstractValue&) const = default;
};

struct CallSiteArgs {
  AbstractValue r1, r2;
};

// The values of r1 and r2 at every kfunc call (by instruction index), joined
// over every path that reaches it. Programs above `max_insns` are not
// analysed (an empty result: every value unknown).
std::map<size_t, CallSiteArgs> kfunc_call_args(const Program& prog, const std::vector<bool>& second_half,
                                               const std::vector<bool>& jump_targets,
                                               const std::vector<maps::Map*>& maps,
                                               const std::vector<std::string>& kfuncs, const Bindings& bindings,
                                               size_t max_insns = 200000);

// The special field a pointer value points at (a map value's or an
// object's), or nullptr.
const Field* field_at(const AbstractValue& v, int64_t extra = 0);

}  // namespace ringb::vm
