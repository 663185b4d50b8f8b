// field_search.cc — btf_find_field() and what it calls (kernel/bpf/btf.c,
// Linux 6.18): which members of a struct, or variables of a section, are
// special fields. See field_search.h for the rules.
#include "field_search.h"

#include <bpf/btf.h>
#include <linux/btf.h>

#include <algorithm>
#include <unordered_map>

namespace ringb::btf_fields {
namespace {

bool is_struct(const btf_type* t) { return t && btf_kind(t) == BTF_KIND_STRUCT; }
uint32_t bit(FieldKind k) { return static_cast<uint32_t>(k); }

// Past this many elements an array holds more fields than any record can, so
// counting further (and overflowing) is pointless.
constexpr uint64_t kElementCap = uint64_t{1} << 40;

std::string too_many() {
  return "is a special field past the " + std::to_string(kMaxFields) +
         " the kernel allows in one struct or section (BTF_FIELDS_MAX)";
}

class Search {
 public:
  Search(const Btf& btf, uint32_t allowed, uint32_t owner_id)
      : btf_(btf),
        allowed_(allowed),
        owner_(owner_label(btf, owner_id)),
        datasec_(btf_kind(btf.type(owner_id)) == BTF_KIND_DATASEC) {}

  Status in_struct(uint32_t struct_id, uint64_t base, const std::string& prefix, int level);
  Status in_datasec(uint32_t id);
  std::vector<Found> found;

 private:
  // btf_get_field_type()'s seen_mask: the unique kinds one struct level (or
  // the section's variables) holds already, with where, for the message.
  struct Seen {
    uint32_t mask = 0;
    std::vector<std::pair<FieldKind, std::string>> where;
  };

  Status member(uint32_t tag_owner, int component, uint32_t type_id, uint64_t off, uint32_t expected_size,
                Seen& seen, const std::string& path, int level);
  Status nested(uint32_t struct_id, uint64_t off, uint64_t nelems, const std::string& path, int level);
  Status graph_root(uint32_t tag_owner, int component, const std::string& path, Found& f);
  Error error(int code, const std::string& path, const std::string& what) const {
    return Error{code, owner_ + ": " + (datasec_ ? "variable '" : "member '") + path + "' " + what};
  }

  const Btf& btf_;
  uint32_t allowed_;
  std::string owner_;
  bool datasec_;
  // Structs searched already without finding anything, with the deepest
  // level they were searched at: nothing changes at that level or above.
  // Without it, a struct of 1000 members of a struct of 1000 members ... of
  // fieldless structs is searched along every path (the kernel does that).
  std::unordered_map<uint32_t, int> empty_at_;
};

Status Search::in_struct(uint32_t struct_id, uint64_t base, const std::string& prefix, int level) {
  const btf_type* t = btf_.type(struct_id);
  const btf_member* m = btf_members(t);
  Seen seen;
  for (uint16_t i = 0; i < btf_vlen(t); ++i) {
    const std::string name = btf_.string_at(m[i].name_off);
    const std::string path = prefix + (name.empty() ? "(anonymous)" : name);
    const uint32_t bits = btf_member_bit_offset(t, i);
    // The kernel gives up on the whole struct here ("valid C code cannot
    // generate such BTF" — but C bitfields can).
    if (bits % 8)
      return error(EINVAL, path,
                   "starts at bit " + std::to_string(bits) +
                       ", inside a byte: the kernel cannot search a struct with such bitfields for special fields");
    if (Status s = member(struct_id, i, m[i].type, base + bits / 8, 0, seen, path, level); !s) return s;
  }
  return {};
}

Status Search::in_datasec(uint32_t id) {
  const btf_type* t = btf_.type(id);
  const btf_var_secinfo* v = btf_var_secinfos(t);
  Seen seen;  // one level for all the section's variables
  for (uint16_t i = 0; i < btf_vlen(t); ++i) {
    const btf_type* var = btf_.type(v[i].type);
    if (!var || !btf_is_var(var))
      return error(EINVAL, std::string("#").append(std::to_string(i)), "is not a BTF variable");
    if (Status s = member(v[i].type, -1, var->type, v[i].offset, v[i].size, seen, btf_.name(v[i].type), 0); !s)
      return s;
  }
  return {};
}

// btf_find_field_one(): one member (or variable) of type `type_id` at `off`.
// A section's variable must fill its slot (`expected_size`) exactly.
Status Search::member(uint32_t tag_owner, int component, uint32_t type_id, uint64_t off, uint32_t expected_size,
                      Seen& seen, const std::string& path, int level) {
  // Arrays, flattened: the element type and how many there are.
  uint64_t nelems = 1;
  int depth = 0;
  const btf_type* t = btf_.type(type_id);
  for (; depth < kMaxDepth && t && btf_is_array(t); ++depth) {
    const uint32_t n = btf_array(t)->nelems;
    nelems = n && nelems > kElementCap / n ? kElementCap : nelems * n;
    type_id = btf_array(t)->type;
    t = btf_.type(type_id);
  }
  if (type_id == 0) return {};  // void: nothing to search
  if (!t) return error(EINVAL, path, "has BTF type " + std::to_string(type_id) + ", which does not exist");
  if (depth == kMaxDepth) return error(E2BIG, path, "is an array nested " + std::to_string(kMaxDepth) + " levels deep");
  if (nelems == 0) return {};

  // By name first; anything else that is not a struct may be a kptr.
  const std::string name = btf_.name(type_id);
  const KindInfo* kind = nullptr;
  for (const KindInfo& k : named_kinds()) {
    if (!(allowed_ & bit(k.kind)) || name != k.struct_name) continue;
    if (k.unique) {
      if (seen.mask & bit(k.kind)) {
        std::string first;
        for (const auto& [wk, wpath] : seen.where)
          if (wk == k.kind) first = wpath;
        const char* where = datasec_ && level == 0 ? "section" : "struct";
        return error(E2BIG, path, "is a second " + name + " in the same " + where + " (the first is '" + first +
                                      "'); a " + where + " may hold one");
      }
      seen.mask |= bit(k.kind);
      seen.where.emplace_back(k.kind, path);
    }
    kind = &k;
    break;
  }
  const bool maybe_kptr = !kind && (allowed_ & (kAnyKptr | FieldKind::Uptr)) && !is_struct(t);
  if (maybe_kptr) kind = &kind_info(FieldKind::Kptr);
  if (!kind) {
    if (!is_struct(t) || (expected_size && expected_size != t->size * nelems)) return {};
    return nested(type_id, off, nelems, path, level);
  }
  if (expected_size && expected_size != kind->size * nelems) return {};
  if (off % kind->align) return {};  // misplaced: plain bytes, as in the kernel

  Found f;
  f.kind = kind->kind;
  f.offset = off;
  f.path = nelems > 1 ? path + "[0]" : path;
  if (maybe_kptr) {
    std::string why;
    switch (match_kptr(btf_, type_id, allowed_, f.kind, f.pointee_id, why)) {
      case KptrMatch::None: return {};
      case KptrMatch::Invalid: return error(EINVAL, path, why);
      case KptrMatch::Found: break;
    }
  } else {
    if (!is_struct(t) || t->size != kind->size) return {};  // a look-alike: plain bytes
    if (f.kind == FieldKind::ListHead || f.kind == FieldKind::RbRoot)
      if (Status s = graph_root(tag_owner, component, path, f); !s) return s;
  }

  if (found.size() >= kMaxFields) return error(E2BIG, path, too_many());
  if (nelems > 1) {
    if (!kind_info(f.kind).repeatable)
      return error(EINVAL, path,
                   std::string("is an array of ") + field_kind_name(f.kind) +
                       "; only kptrs, bpf_list_head and bpf_rb_root may repeat in arrays");
    if (found.size() + nelems > kMaxFields) return error(E2BIG, path + "[" + std::to_string(kMaxFields - found.size()) + "]", too_many());
  }
  for (uint64_t e = 0; e < nelems; ++e) {
    Found c = f;
    c.offset = off + e * kind->size;
    if (nelems > 1) c.path = path + "[" + std::to_string(e) + "]";
    found.push_back(std::move(c));
  }
  return {};
}

// btf_find_nested_struct(): a struct member that is no field itself; its
// fields repeat for every element of an array of it.
Status Search::nested(uint32_t struct_id, uint64_t off, uint64_t nelems, const std::string& path, int level) {
  if (level + 1 >= kMaxDepth)
    return error(E2BIG, path, "nests structs " + std::to_string(kMaxDepth) + " levels deep (or in a cycle)");
  if (auto it = empty_at_.find(struct_id); it != empty_at_.end() && level + 1 <= it->second) return {};
  const size_t start = found.size();
  const std::string first = nelems > 1 ? path + "[0]" : path;
  if (Status s = in_struct(struct_id, off, first + ".", level + 1); !s) return s;
  const size_t count = found.size() - start;
  if (count == 0) {
    int& deepest = empty_at_[struct_id];
    deepest = std::max(deepest, level + 1);
  }
  if (count == 0 || nelems == 1) return {};
  for (size_t i = start; i < found.size(); ++i)
    if (!kind_info(found[i].kind).repeatable)
      return error(EINVAL, found[i].path,
                   std::string("is a ") + field_kind_name(found[i].kind) + " inside an array of " +
                       btf_.describe(struct_id) + "; only kptrs, bpf_list_head and bpf_rb_root may repeat in arrays");
  if (start + count * nelems > kMaxFields) return error(E2BIG, path + "[1]", too_many());
  const uint32_t elem_size = btf_.type(struct_id)->size;
  for (uint64_t e = 1; e < nelems; ++e)
    for (size_t i = 0; i < count; ++i) {
      Found c = found[start + i];
      c.offset += e * elem_size;
      c.path = path + "[" + std::to_string(e) + "]" + c.path.substr(first.size());
      found.push_back(std::move(c));
    }
  return {};
}

// btf_find_graph_root(): the root's one `contains:TYPE:MEMBER` decl tag.
// That TYPE has MEMBER of the right node kind is checked later, when the
// record is built (fields.cc), as the kernel does.
Status Search::graph_root(uint32_t tag_owner, int component, const std::string& path, Found& f) {
  static const std::string kPrefix = "contains:";
  std::vector<std::string> tags;
  for (const std::string& s : btf_.decl_tags(tag_owner, component))
    if (s.compare(0, kPrefix.size(), kPrefix) == 0) tags.push_back(s);
  const std::string what = field_kind_name(f.kind);
  if (tags.empty())
    return error(EINVAL, path,
                 "is a " + what + " without a `contains:` decl tag; say what it holds with __contains(type, member)");
  if (tags.size() > 1)
    return error(EINVAL, path, "has " + std::to_string(tags.size()) + " `contains:` decl tags; a " + what + " has one");
  const std::string& tag = tags[0];
  const size_t colon = tag.find(':', kPrefix.size());
  const std::string type_name = tag.substr(kPrefix.size(), colon == std::string::npos ? std::string::npos : colon - kPrefix.size());
  if (colon == std::string::npos)
    return error(EINVAL, path, "has `" + tag + "`, which names no member: write contains:TYPE:MEMBER");
  f.node_struct_id = first_struct_named(btf_, type_name);
  if (!f.node_struct_id)
    return error(ENOENT, path, "has `" + tag + "`, but the BTF has no struct " + type_name);
  f.node_member = tag.substr(colon + 1);
  if (f.node_member.empty())
    return error(EINVAL, path, "has `" + tag + "`, which names no member: write contains:TYPE:MEMBER");
  return {};
}

}  // namespace

Expected<std::vector<Found>> find_fields(const Btf& btf, uint32_t id, uint32_t allowed) {
  const btf_type* t = btf.type(id);
  if (!t || (!is_struct(t) && btf_kind(t) != BTF_KIND_DATASEC))
    return Error{EINVAL, owner_label(btf, id) + " is neither a struct nor a section"};
  Search s(btf, allowed, id);
  Status st = is_struct(t) ? s.in_struct(id, 0, "", 0) : s.in_datasec(id);
  if (!st) return st.error();
  return std::move(s.found);
}

KptrMatch match_kptr(const Btf& btf, uint32_t id, uint32_t allowed, FieldKind& kind, uint32_t& pointee,
                     std::string& why) {
  const btf_type* t = btf.type(id);
  if (t && btf_is_volatile(t)) t = btf.type(t->type);  // `T __kptr * volatile p`
  if (!t || !btf_is_ptr(t)) return KptrMatch::None;
  const btf_type* tag = btf.type(t->type);
  // kflag type tags are attributes (btf_type_attr), not kptr markers.
  if (!tag || !btf_is_type_tag(tag) || btf_kflag(tag)) return KptrMatch::None;
  const std::string value = btf.string_at(tag->name_off);
  const btf_type* next = btf.type(tag->type);
  if (next && btf_is_type_tag(next)) {
    why = "is a pointer with two type tags ('" + value + "' and '" + btf.string_at(next->name_off) +
          "'); a kptr has one";
    return KptrMatch::Invalid;
  }
  if (value == "kptr_untrusted") kind = FieldKind::KptrUntrusted;
  else if (value == "kptr") kind = FieldKind::Kptr;
  else if (value == "percpu_kptr") kind = FieldKind::KptrPercpu;
  else if (value == "uptr") kind = FieldKind::Uptr;
  else {
    why = "is a pointer tagged '" + value + "'; a kptr's tag is kptr, kptr_untrusted, percpu_kptr or uptr";
    return KptrMatch::Invalid;
  }
  if (!(allowed & static_cast<uint32_t>(kind))) return KptrMatch::None;
  pointee = btf.skip_modifiers(tag->type);
  if (!is_struct(btf.type(pointee))) {
    const btf_type* p = btf.type(pointee);
    const bool declared_only = p && btf_kind(p) == BTF_KIND_FWD;
    why = "is a " + value + " to " + btf.describe(tag->type) +
          (declared_only ? ", which the BTF only declares (a FWD: define the struct where the program uses it)"
                         : "; a " + value + " must point to a struct");
    return KptrMatch::Invalid;
  }
  return KptrMatch::Found;
}

uint32_t first_struct_named(const Btf& btf, const std::string& name) {
  for (uint32_t id = 1; id < btf.type_count(); ++id)
    if (is_struct(btf.type(id)) && btf.name(id) == name) return id;
  return 0;
}

std::string owner_label(const Btf& btf, uint32_t id) {
  const btf_type* t = btf.type(id);
  if (!t) return "BTF type " + std::to_string(id);
  const std::string name = btf.name(id);
  if (btf_kind(t) == BTF_KIND_DATASEC) return "section " + name;
  if (is_struct(t) && name.empty()) return "anonymous struct [" + std::to_string(id) + "]";
  return btf.describe(id);
}

}  // namespace ringb::btf_fields
