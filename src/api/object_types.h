// object_types.h — what a load builds for the object model: the object's
// types (obj::TypeSet: every struct of its BTF, special fields bound), each
// map value's bound field record (the maps free fields with it), and the
// vm's Bindings (the nodes the object's graph roots hold).
#pragma once

#include <memory>
#include <vector>

#include "ringb/error.h"
#include "ringb/object.h"
#include "ringb/objects.h"
#include "ringb/vm.h"

namespace ringb::api {

struct ObjectTypes {
  std::shared_ptr<const obj::TypeSet> types;        // null: the object has no BTF
  std::vector<std::unique_ptr<obj::Record>> records;  // per map (null: no special fields)
  vm::Bindings bindings;                            // types, btf and graph nodes for the vm
};

// Errors name the map or struct: a kptr to a type neither the object nor
// the kernel kptr types know, and the field errors of the BTF.
Expected<std::unique_ptr<ObjectTypes>> build_object_types(const Object& obj, const obj::KptrTypes& kernel);

}  // namespace ringb::api
