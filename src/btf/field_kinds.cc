// field_kinds.cc — what each special field is: its struct's name, size and
// alignment (the UAPI layouts of include/uapi/linux/bpf.h), and the names the
// kernel prints for them (btf_field_type_name).
#include <algorithm>

#include "field_search.h"

namespace ringb {
namespace btf_fields {
namespace {

using K = FieldKind;

// Name-found kinds first, in the kernel's order; then the tagged pointers.
// Only kptrs and graph roots may repeat in arrays (btf_repeat_fields).
const std::vector<KindInfo> kKinds = {
    {K::SpinLock, "bpf_spin_lock", 4, 4, true, false},
    {K::ResSpinLock, "bpf_res_spin_lock", 4, 4, true, false},
    {K::Timer, "bpf_timer", 16, 8, true, false},
    {K::Workqueue, "bpf_wq", 16, 8, true, false},
    {K::TaskWork, "bpf_task_work", 8, 8, true, false},
    {K::ListHead, "bpf_list_head", 16, 8, false, true},
    {K::ListNode, "bpf_list_node", 24, 8, false, false},
    {K::RbRoot, "bpf_rb_root", 16, 8, false, true},
    {K::RbNode, "bpf_rb_node", 32, 8, false, false},
    {K::Refcount, "bpf_refcount", 4, 4, false, false},
    {K::KptrUntrusted, nullptr, 8, 8, false, true},
    {K::Kptr, nullptr, 8, 8, false, true},
    {K::KptrPercpu, nullptr, 8, 8, false, true},
    {K::Uptr, nullptr, 8, 8, false, true},
};

}  // namespace

const KindInfo& kind_info(FieldKind k) {
  auto it = std::find_if(kKinds.begin(), kKinds.end(), [k](const KindInfo& i) { return i.kind == k; });
  return it != kKinds.end() ? *it : kKinds.front();
}

const std::vector<KindInfo>& named_kinds() {
  static const std::vector<KindInfo> named = [] {
    std::vector<KindInfo> v;
    for (const KindInfo& i : kKinds)
      if (i.struct_name) v.push_back(i);
    return v;
  }();
  return named;
}

}  // namespace btf_fields

const char* field_kind_name(FieldKind k) {
  switch (k) {
    case FieldKind::KptrUntrusted:
    case FieldKind::Kptr: return "kptr";
    case FieldKind::KptrPercpu: return "percpu_kptr";
    case FieldKind::Uptr: return "uptr";
    default: break;
  }
  const btf_fields::KindInfo& i = btf_fields::kind_info(k);
  return i.kind == k ? i.struct_name : "unknown";
}

std::string describe_field(const Field& f) {
  std::string s = "+";  // built in steps: GCC 12 -O3 warns (-Wrestrict) on "literal" + std::string&&
  s += std::to_string(f.offset);
  s += " ";
  switch (f.kind) {
    case FieldKind::KptrUntrusted: return s + "kptr_untrusted(" + f.pointee_name + ")";
    case FieldKind::Kptr:
    case FieldKind::KptrPercpu:
    case FieldKind::Uptr: return s + field_kind_name(f.kind) + "(" + f.pointee_name + ")";
    case FieldKind::ListHead:
    case FieldKind::RbRoot:
      return s + field_kind_name(f.kind) + "(" + f.node_struct_name + " node at +" + std::to_string(f.node_offset) + ")";
    default: return s + field_kind_name(f.kind);
  }
}

std::string describe_record(const FieldRecord& r) {
  std::string s;
  for (const Field& f : r.fields) s += (s.empty() ? "" : ", ") + describe_field(f);
  return s.empty() ? "none" : s;
}

const Field* FieldRecord::at(uint32_t offset) const {
  auto it = std::lower_bound(fields.begin(), fields.end(), offset,
                             [](const Field& f, uint32_t off) { return f.offset < off; });
  return it != fields.end() && it->offset == offset ? &*it : nullptr;
}

}  // namespace ringb
