// struct_metas.cc — parse_struct_metas(): the kernel's btf_parse_struct_metas()
// and btf_check_and_fixup_fields() (Linux 6.18), run when it loads a
// program's BTF. Which structs get a meta is decided by their direct
// members: a struct with a member whose type is the BTF's (first) struct
// bpf_spin_lock, bpf_list_head, bpf_list_node, bpf_rb_root, bpf_rb_node or
// bpf_refcount, or a kptr pointer type. Such a struct is then searched as a
// whole, nested structs included, for locks, graph fields, refcounts and
// kptrs; timers, workqueues and the like are plain bytes in objects.
#include <bpf/btf.h>
#include <linux/btf.h>

#include <algorithm>

#include "field_search.h"

namespace ringb {
namespace {

// The member types that make a struct an allocatable object with fields.
std::vector<uint32_t> marker_types(const Btf& btf) {
  std::vector<uint32_t> ids;
  for (const char* name : {"bpf_spin_lock", "bpf_list_head", "bpf_list_node", "bpf_rb_root", "bpf_rb_node",
                           "bpf_refcount"})
    if (uint32_t id = btf_fields::first_struct_named(btf, name)) ids.push_back(id);
  for (uint32_t id = 1; id < btf.type_count(); ++id) {
    FieldKind kind;
    uint32_t pointee;
    std::string why;
    if (btf_fields::match_kptr(btf, id, kAnyKptr, kind, pointee, why) == btf_fields::KptrMatch::Found)
      ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// The first direct member whose type is a marker, or -1.
int marker_member(const btf_type* t, const std::vector<uint32_t>& markers) {
  const btf_member* m = btf_members(t);
  for (uint16_t i = 0; i < btf_vlen(t); ++i)
    if (std::binary_search(markers.begin(), markers.end(), m[i].type)) return i;
  return -1;
}

const StructMeta* find_meta(const std::vector<StructMeta>& metas, uint32_t id) {
  auto it = std::lower_bound(metas.begin(), metas.end(), id,
                             [](const StructMeta& m, uint32_t v) { return m.btf_id < v; });
  return it != metas.end() && it->btf_id == id ? &*it : nullptr;
}

// btf_check_and_fixup_fields() on one meta: every root's node type has a
// meta of its own, and ownership cannot form a cycle. The kernel does not
// sort types by ownership; it forbids the shape a cycle needs: a struct that
// is a node (owned by someone) and a root may only own structs that are not
// roots themselves.
Status check_ownership(const Btf& btf, const StructMeta& meta, const std::vector<StructMeta>& metas) {
  for (const Field& f : meta.record.fields) {
    if (!(static_cast<uint32_t>(f.kind) & kGraphRoot)) continue;
    const StructMeta* owned = find_meta(metas, f.node_struct_id);
    const std::string who = btf_fields::owner_label(btf, meta.btf_id);
    if (!owned)
      return Error{EFAULT, who + ": the " + field_kind_name(f.kind) + " at byte " + std::to_string(f.offset) +
                               " holds struct " + f.node_struct_name +
                               ", whose node member the kernel does not recognise as a special field"};
    if (meta.record.has_any(kGraphNode) && owned->record.has_any(kGraphRoot))
      return Error{ELOOP, who + " is a graph node and owns struct " + f.node_struct_name + " through its " +
                              field_kind_name(f.kind) + " at byte " + std::to_string(f.offset) +
                              ", which is a graph root too; the kernel refuses such ownership (it could form a cycle)"};
  }
  return {};
}

}  // namespace

Expected<std::vector<StructMeta>> parse_struct_metas(const Btf& btf) {
  std::vector<StructMeta> metas;
  const std::vector<uint32_t> markers = marker_types(btf);
  if (markers.empty()) return metas;
  for (uint32_t id = 1; id < btf.type_count(); ++id) {
    const btf_type* t = btf.type(id);
    if (btf_kind(t) != BTF_KIND_STRUCT) continue;
    const int marker = marker_member(t, markers);
    if (marker < 0) continue;
    auto rec = parse_fields(btf, id, kObjectFields);
    if (!rec) return rec.error();
    if (rec->empty()) {  // the kernel's "record cannot be unset"
      const btf_member& m = btf_members(t)[marker];
      return Error{EFAULT, btf_fields::owner_label(btf, id) + ": member '" + btf.string_at(m.name_off) + "' is a " +
                               btf.describe(m.type) +
                               " the kernel does not take as a field (misaligned, or not of the field's size), and "
                               "the struct has no other special field"};
    }
    metas.push_back(StructMeta{id, btf.name(id), t->size, std::move(rec.value())});
  }
  for (const StructMeta& m : metas)
    if (Status s = check_ownership(btf, m, metas); !s) return s.error();
  return metas;
}

}  // namespace ringb
