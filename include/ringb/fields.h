// ringb/fields.h — the special fields of a struct, read from BTF: the
// kernel's btf_record (kernel/bpf/btf.c, btf_parse_fields) and
// btf_struct_meta (btf_parse_struct_metas).
//
// A map value, a global section's variable or an allocated object may hold
// fields the program must not touch directly and the runtime must manage:
// locks, list heads and nodes, rbtree roots and nodes, refcounts, kptrs,
// timers, workqueues. They are found by the member's struct name
// (`struct bpf_list_head head;`) or, for kptrs, by the pointer's BTF type tag
// (`struct foo __kptr *p;`), searching nested structs and arrays. A graph root
// names what it holds with a decl tag: `__contains(foo, node)` =
// btf_decl_tag("contains:foo:node").
//
// This is pure description, in the BTF layer so the loader, the maps, the
// object runtime and the verifier all read the same record. What the fields
// point at at run time (a kptr type's destructor, a root's node type) is
// bound by the object runtime (ringb/objects.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ringb/error.h"

namespace ringb {

class Btf;

// enum btf_field_type, as bits so a caller can say which kinds it allows.
enum class FieldKind : uint32_t {
  SpinLock = 1u << 0,       // struct bpf_spin_lock (4 bytes)
  Timer = 1u << 1,          // struct bpf_timer (16) — recognised, not run yet
  KptrUntrusted = 1u << 2,  // __kptr_untrusted (8)
  Kptr = 1u << 3,           // __kptr: a referenced kptr, local or kernel type (8)
  KptrPercpu = 1u << 4,     // __percpu_kptr (8)
  ListHead = 1u << 5,       // struct bpf_list_head (16)
  ListNode = 1u << 6,       // struct bpf_list_node (24)
  RbRoot = 1u << 7,         // struct bpf_rb_root (16)
  RbNode = 1u << 8,         // struct bpf_rb_node (32)
  Refcount = 1u << 9,       // struct bpf_refcount (4)
  Workqueue = 1u << 10,     // struct bpf_wq (16) — recognised, not run yet
  Uptr = 1u << 11,          // __uptr (8) — task storage only
  ResSpinLock = 1u << 12,   // struct bpf_res_spin_lock (4), Linux 6.15
  TaskWork = 1u << 13,      // struct bpf_task_work (8), Linux 6.18 — recognised
};
inline constexpr uint32_t operator|(FieldKind a, FieldKind b) {
  return static_cast<uint32_t>(a) | static_cast<uint32_t>(b);
}
inline constexpr uint32_t operator|(uint32_t a, FieldKind b) { return a | static_cast<uint32_t>(b); }
inline constexpr uint32_t kAnyKptr = FieldKind::KptrUntrusted | FieldKind::Kptr | FieldKind::KptrPercpu;
inline constexpr uint32_t kGraphRoot = FieldKind::ListHead | FieldKind::RbRoot;
inline constexpr uint32_t kGraphNode = FieldKind::ListNode | FieldKind::RbNode;
inline constexpr uint32_t kAllFields = (1u << 14) - 1;
// What the kernel looks for in a map value (map_check_btf): no graph nodes.
inline constexpr uint32_t kMapValueFields = FieldKind::SpinLock | FieldKind::ResSpinLock | FieldKind::Timer |
                                            kAnyKptr | FieldKind::ListHead | FieldKind::RbRoot |
                                            FieldKind::Refcount | FieldKind::Workqueue | FieldKind::Uptr |
                                            FieldKind::TaskWork;
// What it looks for in an allocated object (btf_parse_struct_metas).
inline constexpr uint32_t kObjectFields = FieldKind::SpinLock | FieldKind::ResSpinLock | FieldKind::ListHead |
                                          FieldKind::ListNode | FieldKind::RbRoot | FieldKind::RbNode |
                                          FieldKind::Refcount | kAnyKptr;

struct Field;
struct FieldRecord;

// "bpf_list_head", "kptr", "percpu_kptr", … (the kernel's btf_field_type_name).
const char* field_kind_name(FieldKind k);
// "+8 bpf_spin_lock", "+16 kptr_untrusted(foo)",
// "+24 bpf_list_head(elem node at +8)": a field in one short phrase, for
// dumps and messages.
std::string describe_field(const Field& f);
// The record's fields so, joined by ", " ("none" when empty).
std::string describe_record(const FieldRecord& r);

struct Field {
  FieldKind kind{};
  uint32_t offset = 0;  // bytes from the start of the struct the record describes
  uint32_t size = 0;
  // Kptrs: the pointee struct (type id in the same BTF, modifiers skipped)
  // and its name. A pointee the object defines itself with special fields or
  // that programs allocate is a local type; any other name is a kernel type
  // the host supplies ("bpf_cpumask", "task_struct", …).
  uint32_t pointee_id = 0;
  std::string pointee_name;
  // Graph roots: what `contains:` names — the node struct and the offset of
  // its bpf_list_node / bpf_rb_node member.
  uint32_t node_struct_id = 0;
  std::string node_struct_name;
  uint32_t node_offset = 0;
};

struct FieldRecord {
  std::vector<Field> fields;  // ordered by offset, never overlapping
  uint32_t mask = 0;          // FieldKind bits present
  // Offsets of the unique fields, -1 when absent.
  int32_t spin_lock_off = -1;
  int32_t res_spin_lock_off = -1;
  int32_t timer_off = -1;
  int32_t wq_off = -1;
  int32_t refcount_off = -1;
  int32_t task_work_off = -1;

  bool empty() const { return fields.empty(); }
  bool has(FieldKind k) const { return mask & static_cast<uint32_t>(k); }
  bool has_any(uint32_t kinds) const { return mask & kinds; }
  // The field that starts at `offset`, or nullptr.
  const Field* at(uint32_t offset) const;
};

// btf_parse_fields(): the special fields of type `type_id` (modifiers
// skipped: a struct, or a DATASEC — then offsets are within the section),
// searched through nested structs and arrays, of the kinds in `allowed`
// (others are plain bytes). Any other type has no fields (an empty record).
// Errors name the struct (or section) and member, with the kernel's errno:
// E2BIG (two of a unique field in one struct level — ringb also refuses two
// at different levels, where the kernel only warns —, more than the kernel's
// 11 fields, or arrays nested 32 deep), EEXIST (overlapping fields), EINVAL
// (a root without `contains:`, a malformed tag, a node member of the wrong
// type or misaligned, a kptr that is not a pointer to a struct, an array of
// a field that may not repeat, a bitfield off a byte boundary, a root
// without a lock, both lock kinds, list and rb nodes without a refcount),
// ENOENT (`contains:` names no struct or no member), EFAULT (a field past
// the type's size: malformed BTF).
Expected<FieldRecord> parse_fields(const Btf& btf, uint32_t type_id, uint32_t allowed = kAllFields);

// A struct of the object's BTF that programs can allocate with bpf_obj_new
// and that has special fields (btf_struct_meta). Structs without special
// fields need no meta: their size is all obj_new wants.
struct StructMeta {
  uint32_t btf_id = 0;
  std::string name;
  uint32_t size = 0;
  FieldRecord record;
};

// btf_parse_struct_metas() and btf_check_and_fixup_fields(): a meta for
// every struct of the BTF with a direct member whose type is the BTF's
// struct bpf_spin_lock, bpf_list_head, bpf_list_node, bpf_rb_root,
// bpf_rb_node or bpf_refcount, or a kptr pointer; its record holds the
// locks, graph fields, refcounts and kptrs found in it (nested structs
// included; timers, workqueues, task_work and uptrs are plain bytes in
// objects). Then the checks that need them all: each root's node struct
// has a meta (EFAULT otherwise), and ownership has no cycle (ELOOP: a
// struct that is both a node and a root may own only structs that are not
// roots). Errors are parse_fields()'s for the first struct that fails, and
// EFAULT for a struct whose special member the search does not take (a
// misaligned one). Sorted by btf_id.
Expected<std::vector<StructMeta>> parse_struct_metas(const Btf& btf);

}  // namespace ringb
