// btf.cc — ringb::Btf: a thin layer over libbpf's btf API.
#include "ringb/btf.h"

#include <bpf/btf.h>
#include <linux/btf.h>

#include <cerrno>
#include <cstring>

namespace ringb {

Expected<std::shared_ptr<Btf>> Btf::parse(const void* data, size_t size) {
  struct btf* b = btf__new(data, static_cast<uint32_t>(size));
  if (!b) {
    int err = errno;
    return Error{EINVAL, std::string("malformed .BTF section: ") + std::strerror(err)};
  }
  return std::shared_ptr<Btf>(new Btf(b));
}

Btf::~Btf() { btf__free(btf_); }

uint32_t Btf::type_count() const { return btf__type_cnt(btf_); }

const btf_type* Btf::type(uint32_t id) const {
  if (id == 0 || id >= type_count()) return nullptr;
  return btf__type_by_id(btf_, id);
}

std::string Btf::name(uint32_t id) const {
  const btf_type* t = type(id);
  if (!t) return "";
  const char* n = btf__name_by_offset(btf_, t->name_off);
  return n ? n : "";
}

std::string Btf::string_at(uint32_t offset) const {
  const char* s = btf__str_by_offset(btf_, offset);
  return s ? s : "";
}

int64_t Btf::size_of(uint32_t id) const {
  if (!type(id)) return -1;
  long n = btf__resolve_size(btf_, id);
  return n < 0 ? -1 : n;
}

uint32_t Btf::skip_modifiers(uint32_t id) const {
  for (int depth = 0; depth < 32; ++depth) {
    const btf_type* t = type(id);
    if (!t) return 0;
    if (!btf_is_mod(t) && !btf_is_typedef(t) && !btf_is_type_tag(t)) return id;
    id = t->type;
  }
  return 0;
}

uint32_t Btf::find(const std::string& name, int kind) const {
  int id = btf__find_by_name_kind(btf_, name.c_str(), static_cast<uint32_t>(kind));
  return id > 0 ? static_cast<uint32_t>(id) : 0;
}

std::string Btf::describe(uint32_t id) const {
  if (id == 0) return "void";
  const btf_type* t = type(id);
  if (!t) return "<bad type id " + std::to_string(id) + ">";
  const std::string n = name(id);
  switch (btf_kind(t)) {
    case BTF_KIND_STRUCT: return "struct " + n;
    case BTF_KIND_UNION: return "union " + n;
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: return "enum " + n;
    case BTF_KIND_FWD: return (btf_kflag(t) ? "union " : "struct ") + n;
    case BTF_KIND_PTR: return describe(t->type) + " *";
    case BTF_KIND_CONST: return "const " + describe(t->type);
    case BTF_KIND_VOLATILE: return "volatile " + describe(t->type);
    case BTF_KIND_RESTRICT: return describe(t->type);
    case BTF_KIND_TYPE_TAG: return describe(t->type) + " __tag(" + n + ")";
    case BTF_KIND_ARRAY:
      return describe(btf_array(t)->type) + "[" + std::to_string(btf_array(t)->nelems) + "]";
    case BTF_KIND_FUNC_PROTO: return "function";
    default: return n.empty() ? "<anonymous>" : n;
  }
}

std::vector<std::string> Btf::decl_tags(uint32_t id, int component) const {
  std::vector<std::string> tags;
  for (uint32_t i = 1; i < type_count(); ++i) {
    const btf_type* t = type(i);
    if (btf_is_decl_tag(t) && t->type == id && btf_decl_tag(t)->component_idx == component)
      tags.push_back(name(i));
  }
  return tags;
}

uint32_t Btf::datasec_vars(uint32_t id, std::vector<std::string>& names) const {
  const btf_type* t = type(id);
  const btf_var_secinfo* v = btf_var_secinfos(t);
  for (uint16_t i = 0; i < btf_vlen(t); ++i) names.push_back(name(v[i].type));
  return btf_vlen(t);
}

void Btf::set_datasec(uint32_t id, uint32_t size, const std::vector<int64_t>& offsets) {
  // libbpf itself patches DATASECs in place the same way (btf_fixup_datasec).
  auto* t = const_cast<btf_type*>(type(id));
  t->size = size;
  auto* v = btf_var_secinfos(t);
  for (size_t i = 0; i < offsets.size(); ++i)
    if (offsets[i] >= 0) v[i].offset = static_cast<uint32_t>(offsets[i]);
}

const char* core_relo_kind_name(uint32_t kind) {
  static const char* const kNames[] = {
      "byte_off",  "byte_sz",    "field_exists", "signed",        "lshift_u64",
      "rshift_u64", "local_type_id", "target_type_id", "type_exists", "type_size",
      "enumval_exists", "enumval_value", "type_matches"};
  return kind < sizeof(kNames) / sizeof(kNames[0]) ? kNames[kind] : "unknown";
}

}  // namespace ringb
