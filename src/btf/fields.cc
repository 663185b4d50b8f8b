// fields.cc — parse_fields(): the kernel's btf_parse_fields() (Linux 6.18)
// on what field_search.cc found: each field's size, no overlaps, graph roots
// resolved to their node member, and the rules a record as a whole obeys.
#include <bpf/btf.h>
#include <linux/btf.h>

#include <algorithm>

#include "field_search.h"

namespace ringb {
namespace {

using btf_fields::Found;
using btf_fields::kind_info;

uint32_t bit(FieldKind k) { return static_cast<uint32_t>(k); }

class Builder {
 public:
  Builder(const Btf& btf, uint32_t id) : btf_(btf), owner_(btf_fields::owner_label(btf, id)) {
    datasec_ = btf_kind(btf.type(id)) == BTF_KIND_DATASEC;
  }
  Expected<FieldRecord> build(const std::vector<Found>& found, uint64_t value_size);

 private:
  std::string where(const Found& f) const {
    return std::string(datasec_ ? "variable '" : "member '") + f.path + "'";
  }
  Error error(int code, const Found& f, const std::string& what) const {
    return Error{code, owner_ + ": " + where(f) + " " + what};
  }
  Status set_unique(const Found& f, int32_t& slot, const std::vector<Found>& found);
  Status graph_root(const Found& f, Field& out) const;
  Status whole_record(const FieldRecord& rec, const std::vector<Found>& found) const;

  const Btf& btf_;
  std::string owner_;
  bool datasec_ = false;
};

// The search allows one unique field per struct level; two at different
// levels (a lock in the value and one in a struct member) pass it, and the
// kernel then only warns (WARN_ON_ONCE in btf_parse_fields) and keeps the
// last. ringb refuses them: which lock the program meant is anyone's guess.
Status Builder::set_unique(const Found& f, int32_t& slot, const std::vector<Found>& found) {
  if (slot >= 0) {
    std::string first;
    for (const Found& g : found)
      if (g.kind == f.kind && g.offset == static_cast<uint64_t>(slot)) first = g.path;
    return error(E2BIG, f, std::string("is a second ") + field_kind_name(f.kind) + " (the first is '" + first +
                               "', in another struct level); a value may hold one");
  }
  slot = static_cast<int32_t>(f.offset);
  return {};
}

// btf_parse_graph_root(): the node member `contains:` names, in its struct.
Status Builder::graph_root(const Found& f, Field& out) const {
  const bool list = f.kind == FieldKind::ListHead;
  const std::string node_kind = list ? "bpf_list_node" : "bpf_rb_node";
  const std::string tag = "`contains:" + btf_.name(f.node_struct_id) + ":" + f.node_member + "`";
  const btf_type* t = btf_.type(f.node_struct_id);
  const btf_member* m = btf_members(t);
  bool seen = false;
  for (uint16_t i = 0; i < btf_vlen(t); ++i) {
    if (btf_.string_at(m[i].name_off) != f.node_member) continue;
    if (seen) return error(EINVAL, f, "has " + tag + ", but " + btf_.describe(f.node_struct_id) +
                                          " has two members named '" + f.node_member + "'");
    seen = true;
    const btf_type* n = btf_.type(m[i].type);  // as written: no typedef looked through
    if (!n || btf_kind(n) != BTF_KIND_STRUCT || btf_.name(m[i].type) != node_kind)
      return error(EINVAL, f, "has " + tag + ", but that member is a " + btf_.describe(m[i].type) + ", not a struct " +
                                  node_kind);
    const uint32_t bits = btf_member_bit_offset(t, i);
    if (bits % 64)  // byte offset % __alignof__(the node struct)
      return error(EINVAL, f, "has " + tag + ", but that member is at " +
                                  (bits % 8 ? "bit " + std::to_string(bits) : "byte " + std::to_string(bits / 8)) +
                                  ", not 8-byte aligned");
    out.node_offset = bits / 8;
  }
  if (!seen)
    return error(ENOENT, f, "has " + tag + ", but " + btf_.describe(f.node_struct_id) + " has no member '" +
                                f.node_member + "'");
  out.node_struct_id = f.node_struct_id;
  out.node_struct_name = btf_.name(f.node_struct_id);
  return {};
}

// The rules on the record as a whole, after every field is in.
Status Builder::whole_record(const FieldRecord& rec, const std::vector<Found>& found) const {
  auto first_of = [&](FieldKind k) -> const Found& {
    for (const Found& f : found)
      if (f.kind == k) return f;
    return found.front();
  };
  if (rec.spin_lock_off >= 0 && rec.res_spin_lock_off >= 0)
    return error(EINVAL, first_of(FieldKind::ResSpinLock),
                 "is a bpf_res_spin_lock next to the bpf_spin_lock '" + first_of(FieldKind::SpinLock).path +
                     "'; a value holds one kind of lock");
  if (rec.has_any(kGraphRoot) && rec.spin_lock_off < 0 && rec.res_spin_lock_off < 0) {
    const Found& root = first_of(rec.has(FieldKind::ListHead) ? FieldKind::ListHead : FieldKind::RbRoot);
    return error(EINVAL, root, std::string("is a ") + field_kind_name(root.kind) +
                                   ", which needs a bpf_spin_lock (or bpf_res_spin_lock) beside it to guard it");
  }
  if (rec.refcount_off < 0 && rec.has(FieldKind::ListNode) && rec.has(FieldKind::RbNode))
    return error(EINVAL, first_of(FieldKind::RbNode),
                 "is a bpf_rb_node next to the bpf_list_node '" + first_of(FieldKind::ListNode).path +
                     "': an object in two graphs needs a bpf_refcount");
  return {};
}

Expected<FieldRecord> Builder::build(const std::vector<Found>& found, uint64_t value_size) {
  FieldRecord rec;
  uint64_t next_off = 0;
  const Found* prev = nullptr;
  // In the order found, as the kernel checks overlaps: before sorting.
  for (const Found& f : found) {
    const uint32_t size = kind_info(f.kind).size;
    if (f.offset + size > value_size)
      return error(EFAULT, f, "ends at byte " + std::to_string(f.offset + size) + ", past the " +
                                  std::to_string(value_size) + " bytes of " + owner_);
    if (f.offset < next_off)
      return error(EEXIST, f, std::string("(") + field_kind_name(f.kind) + ", bytes " + std::to_string(f.offset) +
                                  "–" + std::to_string(f.offset + size - 1) + ") overlaps '" + prev->path + "' (" +
                                  field_kind_name(prev->kind) + ", up to byte " + std::to_string(next_off - 1) + ")");
    next_off = f.offset + size;
    prev = &f;

    Field out;
    out.kind = f.kind;
    out.offset = static_cast<uint32_t>(f.offset);
    out.size = size;
    Status s;
    switch (f.kind) {
      case FieldKind::SpinLock: s = set_unique(f, rec.spin_lock_off, found); break;
      case FieldKind::ResSpinLock: s = set_unique(f, rec.res_spin_lock_off, found); break;
      case FieldKind::Timer: s = set_unique(f, rec.timer_off, found); break;
      case FieldKind::Workqueue: s = set_unique(f, rec.wq_off, found); break;
      case FieldKind::TaskWork: s = set_unique(f, rec.task_work_off, found); break;
      case FieldKind::Refcount: s = set_unique(f, rec.refcount_off, found); break;
      case FieldKind::KptrUntrusted:
      case FieldKind::Kptr:
      case FieldKind::KptrPercpu:
      case FieldKind::Uptr:
        out.pointee_id = f.pointee_id;
        out.pointee_name = btf_.name(f.pointee_id);
        break;
      case FieldKind::ListHead:
      case FieldKind::RbRoot: s = graph_root(f, out); break;
      case FieldKind::ListNode:
      case FieldKind::RbNode: break;
    }
    if (!s) return s.error();
    rec.mask |= bit(f.kind);
    rec.fields.push_back(std::move(out));
  }
  if (Status s = whole_record(rec, found); !s) return s.error();
  // Offsets are distinct: no two fields overlap.
  std::sort(rec.fields.begin(), rec.fields.end(), [](const Field& a, const Field& b) { return a.offset < b.offset; });
  return rec;
}

}  // namespace

Expected<FieldRecord> parse_fields(const Btf& btf, uint32_t type_id, uint32_t allowed) {
  if (type_id == 0) return FieldRecord{};  // void
  const uint32_t id = btf.skip_modifiers(type_id);
  const btf_type* t = btf.type(id);
  if (!t) return Error{EINVAL, "BTF type " + std::to_string(type_id) + " does not exist (or is a chain of modifiers)"};
  // Values that are no struct hold no fields (the kernel's search answers
  // EINVAL for them, which map creation ignores).
  if (btf_kind(t) != BTF_KIND_STRUCT && btf_kind(t) != BTF_KIND_DATASEC) return FieldRecord{};
  auto found = btf_fields::find_fields(btf, id, allowed);
  if (!found) return found.error();
  if (found->empty()) return FieldRecord{};
  return Builder(btf, id).build(*found, t->size);
}

}  // namespace ringb
