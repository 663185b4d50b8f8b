// object_types.cc — see object_types.h.
#include "object_types.h"

#include <algorithm>

namespace ringb::api {
namespace {

// The node every graph root of `r` holds, into the vm's lists.
void collect_nodes(const FieldRecord& r, const obj::TypeSet& types, vm::Bindings& b) {
  for (const Field& f : r.fields) {
    if (f.kind != FieldKind::ListHead && f.kind != FieldKind::RbRoot) continue;
    const vm::Bindings::Node n{types.type(f.node_struct_id), f.node_offset};
    auto& nodes = f.kind == FieldKind::ListHead ? b.list_nodes : b.rb_nodes;
    if (n.type && std::find(nodes.begin(), nodes.end(), n) == nodes.end()) nodes.push_back(n);
  }
}

}  // namespace

Expected<std::unique_ptr<ObjectTypes>> build_object_types(const Object& obj, const obj::KptrTypes& kernel) {
  auto out = std::make_unique<ObjectTypes>();
  out->records.resize(obj.maps.size());
  if (!obj.btf) return out;
  if (Status s = obj::init(); !s) return s.error();
  auto types = obj::TypeSet::create(*obj.btf, kernel);
  if (!types) return Error{types.error().code, obj.name + ": " + types.error().message};
  out->types = std::move(types.value());
  out->bindings.btf = obj.btf.get();
  out->bindings.types = out->types.get();
  for (const StructMeta& m : obj.struct_metas) collect_nodes(m.record, *out->types, out->bindings);
  for (size_t i = 0; i < obj.maps.size(); ++i) {
    const MapDef& def = obj.maps[i];
    if (def.fields.empty()) continue;
    auto rec = out->types->bind(def.fields);
    if (!rec) return Error{rec.error().code, obj.name + ": map '" + def.name + "': " + rec.error().message};
    out->records[i] = std::make_unique<obj::Record>(std::move(rec.value()));
    collect_nodes(def.fields, *out->types, out->bindings);
  }
  return out;
}

}  // namespace ringb::api
