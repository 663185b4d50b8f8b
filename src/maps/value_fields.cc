// value_fields.cc — the special-field rules of map creation (map_check_btf in
// kernel/bpf/syscall.c, Linux 6.18; tests/kernel/fields_oracle_test.cc holds
// every row to the running kernel).
#include "value_fields.h"

#include <string>

#include "flags.h"

namespace ringb::maps::detail {
namespace {

constexpr uint32_t kLocks = FieldKind::SpinLock | FieldKind::ResSpinLock;
constexpr uint32_t kAsync = FieldKind::Timer | FieldKind::Workqueue | FieldKind::TaskWork;
constexpr uint32_t kKptrs = kAnyKptr | FieldKind::Refcount;
constexpr uint32_t kMapFlagsProgAccess = kFRdonlyProg | kFWronlyProg;

uint32_t kind_align(FieldKind k) {
  switch (k) {
    case FieldKind::SpinLock:
    case FieldKind::ResSpinLock:
    case FieldKind::Refcount: return 4;
    default: return 8;
  }
}

// One spin lock at `off`, given by hand (a definition made without BTF).
Field hand_made_lock(int32_t off) {
  Field f;
  f.kind = FieldKind::SpinLock;
  f.offset = static_cast<uint32_t>(off);
  f.size = 4;
  return f;
}

std::string kind_names(uint32_t kinds) {
  std::string s;
  for (uint32_t b = 1; b && b <= kinds; b <<= 1)
    if (kinds & b) s += std::string(s.empty() ? "" : ", ") + field_kind_name(static_cast<FieldKind>(b));
  return s.empty() ? "none" : s;
}

bool keyless_without_btf(uint32_t type) {
  return type == static_cast<uint32_t>(MapType::Queue) || type == static_cast<uint32_t>(MapType::Stack);
}

}  // namespace

uint32_t fields_allowed_in(uint32_t type) {
  switch (type) {
    case 1:   // hash
    case 2:   // array
      return kLocks | kAsync | kKptrs | kGraphRoot;
    case 9:   // lru hash (roots need a lock, which it may not hold)
      return kAsync | kKptrs | kGraphRoot;
    case 5:   // percpu hash
    case 6:   // percpu array
    case 10:  // lru percpu hash
      return kKptrs;
    case 24:  // sk storage
    case 28:  // inode storage
    case 32:  // cgrp storage
      return kLocks | kKptrs;
    case 29:  // task storage
      return kLocks | kKptrs | static_cast<uint32_t>(FieldKind::Uptr);
    case 19:  // cgroup storage
      return kLocks;
    default:
      return 0;
  }
}

Status check_value_fields(const MapDef& def) {
  std::vector<Field> fields = def.fields.fields;
  uint32_t mask = def.fields.mask;
  if (def.fields.spin_lock_off >= 0 && def.spin_lock_off != def.fields.spin_lock_off)
    return einval("spin_lock_off " + std::to_string(def.spin_lock_off) + " is not the record's bpf_spin_lock at byte " +
                  std::to_string(def.fields.spin_lock_off));
  if (def.fields.spin_lock_off < 0 && def.spin_lock_off >= 0) {
    fields.push_back(hand_made_lock(def.spin_lock_off));
    mask |= static_cast<uint32_t>(FieldKind::SpinLock);
  }
  for (const Field& f : fields)
    if (f.offset % kind_align(f.kind) || uint64_t{f.offset} + f.size > def.value_size)
      return einval(std::string("the value's ") + field_kind_name(f.kind) + " at byte " + std::to_string(f.offset) +
                    " is not " + std::to_string(kind_align(f.kind)) + "-aligned inside value_size " +
                    std::to_string(def.value_size));
  if (!mask) return {};
  const std::string type = map_type_string(def.type);
  if (def.map_flags & kMapFlagsProgAccess)
    return Error{EACCES, "a map with BPF_F_RDONLY_PROG or BPF_F_WRONLY_PROG cannot hold special fields (its value has " +
                             kind_names(mask) + ")"};
  if (keyless_without_btf(def.type))
    return einval("a " + type + " map takes no BTF, so its value cannot hold special fields (it has " +
                  kind_names(mask) + ")");
  const uint32_t allowed = fields_allowed_in(def.type);
  for (uint32_t b = 1; b && b <= mask; b <<= 1)
    if ((mask & b) && !(allowed & b))
      return Error{EOPNOTSUPP, "a " + type + " map cannot hold a " + field_kind_name(static_cast<FieldKind>(b)) +
                                   " in its value (it may hold: " + kind_names(allowed) + ")"};
  return {};
}

}  // namespace ringb::maps::detail
