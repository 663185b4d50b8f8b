// field_search.h — finding the special fields of a struct or a global
// section in BTF, before they become a FieldRecord (fields.cc) or a struct
// meta (struct_metas.cc). The rules are the kernel's (kernel/bpf/btf.c,
// btf_find_field and the functions under it, Linux 6.18):
//
//   - a member is a special field when its type, exactly as written (no
//     typedef or qualifier is looked through), is a struct of the field's
//     name and size at an offset of the field's alignment — otherwise it is
//     plain bytes;
//   - a kptr is a pointer (`volatile` allowed) to one BTF type tag ("kptr",
//     "kptr_untrusted", "percpu_kptr", "uptr") on a struct;
//   - other struct members are searched in turn, arrays of them too (the
//     fields repeat for every element), at most 32 levels deep;
//   - a bpf_spin_lock, bpf_res_spin_lock, bpf_timer, bpf_wq or bpf_task_work
//     appears at most once per struct level;
//   - at most 11 fields in all (BTF_FIELDS_MAX).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ringb/btf.h"
#include "ringb/error.h"
#include "ringb/fields.h"

namespace ringb::btf_fields {

inline constexpr uint32_t kMaxFields = 11;  // BTF_FIELDS_MAX
inline constexpr int kMaxDepth = 32;        // MAX_RESOLVE_DEPTH: nesting and arrays

// Size and alignment of a field's struct (the UAPI layouts), whether a
// struct level may hold two, whether an array may repeat it.
struct KindInfo {
  FieldKind kind;
  const char* struct_name;  // nullptr for kptrs: they are found by type tag
  uint32_t size, align;
  bool unique, repeatable;
};
const KindInfo& kind_info(FieldKind k);
// The kinds found by struct name, in the kernel's order.
const std::vector<KindInfo>& named_kinds();

// A field as the search finds it.
struct Found {
  FieldKind kind{};
  uint64_t offset = 0;
  std::string path;  // "inner.heads[1]": how the program names it
  uint32_t pointee_id = 0;                // kptrs
  uint32_t node_struct_id = 0;            // graph roots: what `contains:` names
  std::string node_member;
};

// btf_find_field(): the fields of the struct or DATASEC `id` (modifiers
// already skipped) of the kinds in `allowed`, in the order the members and
// variables come. Errors name the owner and member.
Expected<std::vector<Found>> find_fields(const Btf& btf, uint32_t id, uint32_t allowed);

// btf_find_kptr()'s verdict on type `id` as a member type: not a kptr, a
// kptr of a kind in `allowed` to a struct (kind and pointee set), or a
// malformed one (`why` set).
enum class KptrMatch { None, Found, Invalid };
KptrMatch match_kptr(const Btf& btf, uint32_t id, uint32_t allowed, FieldKind& kind, uint32_t& pointee,
                     std::string& why);

// The first BTF_KIND_STRUCT named `name` (anonymous ones match ""), or 0:
// the kernel's btf_find_by_name_kind, which names in `contains:` resolve by.
uint32_t first_struct_named(const Btf& btf, const std::string& name);

// "struct foo", "anonymous struct [12]", "section .data.A": for messages.
std::string owner_label(const Btf& btf, uint32_t id);

}  // namespace ringb::btf_fields
