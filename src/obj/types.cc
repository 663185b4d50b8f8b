// types.cc — TypeSet: the structs of one object's BTF as obj::Types, their
// special-field metas (parse_struct_metas, the BTF layer) bound to each other
// and to the kernel kptr types, as the kernel's btf_parse_struct_metas and
// btf_parse_kptr leave them.
//
// Kptr pointees are bound as the kernel binds them: a name the kernel side
// knows (KptrTypes, which stand in for vmlinux BTF) is a kernel type; any
// other struct of the object's own BTF is a local type (MEM_ALLOC), which
// objects of that struct are freed as.
//
// In its own file: it is the only part of ringb_obj that needs
// parse_struct_metas.
#include <bpf/btf.h>

#include <map>

#include "ringb/btf.h"
#include "ringb/objects.h"

namespace ringb::obj {

struct TypeSet::Impl {
  std::map<uint32_t, std::unique_ptr<Type>> types;  // every struct, by BTF id
  std::map<uint32_t, const Type*> aliases;          // typedefs and modifiers of them
  KptrTypes kernel;                                  // a copy: bindings point into it

  const Type* find(uint32_t id) const {
    if (auto it = types.find(id); it != types.end()) return it->second.get();
    auto it = aliases.find(id);
    return it == aliases.end() ? nullptr : it->second;
  }
  Expected<Record> bind(const FieldRecord& fields) const;
};

Expected<Record> TypeSet::Impl::bind(const FieldRecord& fields) const {
  Record r;
  r.fields = fields;
  r.bound.resize(fields.fields.size());
  for (size_t i = 0; i < fields.fields.size(); ++i) {
    const Field& f = fields.fields[i];
    Record::Binding& b = r.bound[i];
    switch (f.kind) {
      case FieldKind::ListHead:
      case FieldKind::RbRoot:
        b.type = find(f.node_struct_id);
        if (!b.type)
          return Error{ENOENT, std::string(field_kind_name(f.kind)) + " at offset " + std::to_string(f.offset) +
                                   " contains struct " + f.node_struct_name + ", which is not in the object's BTF"};
        break;
      case FieldKind::Kptr:
      case FieldKind::KptrPercpu:
      case FieldKind::KptrUntrusted:
        if (f.kind != FieldKind::KptrPercpu) b.kptr = kernel.find(f.pointee_name);
        if (!b.kptr) b.type = find(f.pointee_id);
        if (!b.kptr && !b.type)
          return Error{ENOENT, "kptr at offset " + std::to_string(f.offset) + " points to struct " +
                                   f.pointee_name +
                                   ", which is neither a struct of the object's BTF nor a kernel kptr type "
                                   "ringb or the host provides"};
        break;
      default:
        break;
    }
  }
  return r;
}

TypeSet::TypeSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TypeSet::~TypeSet() = default;

Expected<std::shared_ptr<const TypeSet>> TypeSet::create(const Btf& btf, const KptrTypes& kernel) {
  auto impl = std::make_unique<Impl>();
  impl->kernel = kernel;
  for (uint32_t id = 1; id < btf.type_count(); ++id) {
    const btf_type* t = btf.type(id);
    if (!t || !btf_is_struct(t)) continue;
    auto type = std::make_unique<Type>();
    type->btf_id = id;
    type->name = btf.name(id);
    type->size = t->size;
    impl->types.emplace(id, std::move(type));
  }
  for (uint32_t id = 1; id < btf.type_count(); ++id) {
    const uint32_t target = btf.skip_modifiers(id);
    if (target == id) continue;
    if (auto it = impl->types.find(target); it != impl->types.end()) impl->aliases.emplace(id, it->second.get());
  }
  auto metas = parse_struct_metas(btf);
  if (!metas) return metas.error();
  // Every meta first, then the bindings: a record may point at a type whose
  // own record comes later.
  for (const StructMeta& m : metas.value()) {
    auto it = impl->types.find(m.btf_id);
    if (it == impl->types.end()) return Error{EINVAL, "struct meta for " + m.name + " names no struct"};
    it->second->record.fields = m.record;
  }
  for (auto& [id, type] : impl->types) {
    if (type->record.fields.empty()) continue;
    auto bound = impl->bind(type->record.fields);
    if (!bound) return Error{bound.error().code, "struct " + type->name + ": " + bound.error().message};
    type->record = std::move(bound.value());
  }
  return std::shared_ptr<const TypeSet>(new TypeSet(std::move(impl)));
}

const Type* TypeSet::type(uint32_t btf_id) const { return impl_->find(btf_id); }

Expected<Record> TypeSet::bind(const FieldRecord& fields) const { return impl_->bind(fields); }

}  // namespace ringb::obj
