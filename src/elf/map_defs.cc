// map_defs.cc — map definitions: BTF-defined maps in ".maps" (the
// __uint/__type encoding libbpf reads), the inner map templates of maps of
// maps (`__array(values, struct inner_def)`), the initial slots of prog
// arrays and maps of maps (`.values`, relocations in .rel.maps) and one
// array map per global-data section (.data, .rodata, .bss and their ".NAME"
// variants).
#include <bpf/btf.h>
#include <linux/btf.h>

#include <cstdint>
#include <cstring>

#include "loader.h"

namespace ringb::elf {
namespace {

constexpr uint32_t kRdonlyProg = 1U << 7;  // BPF_F_RDONLY_PROG
// The largest global-data section: Linux 6.18 creates the array map of a
// .bss of 2^31 - 1 bytes and answers E2BIG for 2^31 (bpftool prog loadall).
constexpr uint64_t kMaxGlobalDataBytes = INT32_MAX;

Error map_error(const std::string& map, const std::string& what) {
  return Error{EINVAL, "map '" + map + "': " + what};
}

// __uint(name, N) is `int (*name)[N]`: a pointer to an array of N elements.
bool int_field(const Btf& btf, uint32_t type_id, uint32_t& value) {
  const btf_type* t = btf.type(btf.skip_modifiers(type_id));
  if (!t || !btf_is_ptr(t)) return false;
  const btf_type* arr = btf.type(btf.skip_modifiers(t->type));
  if (!arr || !btf_is_array(arr)) return false;
  value = btf_array(arr)->nelems;
  return true;
}

// map_extra may also be __ulong(name, N), libbpf's form for 64-bit values:
// an anonymous enum with the one enumerator N as the field's type.
bool long_field(const Btf& btf, uint32_t type_id, uint64_t& value) {
  uint32_t v32 = 0;
  if (int_field(btf, type_id, v32)) return value = v32, true;
  const btf_type* t = btf.type(btf.skip_modifiers(type_id));
  if (!t || btf_vlen(t) != 1) return false;
  if (btf_is_enum(t)) return value = static_cast<uint64_t>(static_cast<int64_t>(btf_enum(t)->val)), true;
  if (btf_is_enum64(t)) return value = btf_enum64_value(btf_enum64(t)), true;
  return false;
}

// __type(name, T) is `T *name`.
bool type_field(const Btf& btf, uint32_t type_id, uint32_t& pointee) {
  const btf_type* t = btf.type(btf.skip_modifiers(type_id));
  if (!t || !btf_is_ptr(t)) return false;
  pointee = t->type;
  return true;
}

// Map types libbpf creates without BTF (bpf_object__create_map), so the
// kernel sees no fields in their values.
bool created_without_btf(uint32_t type) {
  switch (type) {
    case 4:   // perf event array
    case 8:   // cgroup array
    case 12:  // array of maps
    case 13:  // hash of maps
    case 14:  // devmap
    case 15:  // sockmap
    case 16:  // cpumap
    case 17:  // xskmap
    case 18:  // sockhash
    case 22:  // queue
    case 23:  // stack
    case 25:  // devmap hash
    case 33:  // arena
      return true;
    default:
      return false;
  }
}

// The value's special fields (MapDef::fields). What the kernel cannot
// accept leaves the map without fields, with the reason kept.
Status set_fields(const Btf& btf, MapDef& m) {
  m.fields = {};
  m.fields_error = {};
  m.spin_lock_off = -1;
  if (!m.btf_value_type_id || created_without_btf(m.type)) return {};
  auto rec = parse_fields(btf, m.btf_value_type_id, kMapValueFields);
  if (!rec) {
    m.fields_error = rec.error();
    return {};
  }
  for (const Field& f : rec->fields)
    if (uint64_t{f.offset} + f.size > m.value_size)
      return map_error(m.name, std::string("its value's ") + field_kind_name(f.kind) + " (bytes " +
                                   std::to_string(f.offset) + "–" + std::to_string(f.offset + f.size - 1) +
                                   ") lies outside the " + std::to_string(m.value_size) + "-byte value");
  m.fields = std::move(rec.value());
  m.spin_lock_off = m.fields.spin_lock_off;
  return {};
}

Status parse_values(const Btf& btf, const btf_type* st, uint16_t i, MapDef& m, bool inner);

bool is_map_in_map(uint32_t type) {
  return type == static_cast<uint32_t>(MapType::ArrayOfMaps) || type == static_cast<uint32_t>(MapType::HashOfMaps);
}

// A map in .maps: its definition's place in the section, for relocations.
struct Placed {
  size_t map;               // index into obj.maps
  uint64_t offset, size;    // of the variable in .maps
  int64_t values_off;       // of its `values` member, or -1
};

// `.values = { [i] = &target }`: clang leaves the array zero and puts one
// R_BPF_64_ABS64 relocation per slot against the target's symbol, 8 bytes
// per slot after the `values` member (bpf_object__collect_map_relos). A prog
// array's targets are functions in program sections (whether they are
// programs is checked once programs are known: check_init_progs); a map of
// maps' targets are other BTF-defined maps of the object, and a hash of
// maps takes the slot as its 4-byte key.
Status collect_init_values(const ElfFile& file, const Section& sec, const std::vector<Placed>& placed,
                           Object& obj) {
  auto rels = file.relocations_for(sec.index);
  if (!rels) return rels.error();
  for (const ElfFile::Rel& r : *rels) {
    const Symbol& sym = file.symbols()[r.symbol];
    const Placed* p = nullptr;
    for (const Placed& c : placed)
      if (r.offset >= c.offset && r.offset < c.offset + c.size) p = &c;
    if (!p) return Error{EINVAL, ".maps: relocation at byte " + std::to_string(r.offset) + " (symbol '" +
                                     sym.name + "') lies outside every map definition"};
    MapDef& m = obj.maps[p->map];
    const uint64_t rel = r.offset - p->offset;
    if (p->values_off < 0 || rel < static_cast<uint64_t>(p->values_off) || (rel - p->values_off) % 8)
      return map_error(m.name, "relocation against '" + sym.name + "' at byte " + std::to_string(rel) +
                                   " of its definition, which is not a slot of `values`");
    const bool of_maps = is_map_in_map(m.type);
    if (!of_maps && m.type != static_cast<uint32_t>(MapType::ProgArray))
      return map_error(m.name, "initial values (`.values`) are only supported for prog arrays and maps of maps, not for " +
                                   map_type_string(m.type) + " maps");
    const uint64_t slot = (rel - p->values_off) / 8;
    // (A hash of maps' slot is a key, which may be any number.)
    if (slot >= m.max_entries && m.type != static_cast<uint32_t>(MapType::HashOfMaps))
      return map_error(m.name, "`.values` slot " + std::to_string(slot) + " ('" + sym.name +
                                   "') is past max_entries " + std::to_string(m.max_entries));
    if (!of_maps) {
      const Section* target = file.section_at(sym.section);
      if (sym.type != STT_FUNC || !target || !target->executable())
        return map_error(m.name, "`.values` slot " + std::to_string(slot) + " refers to '" + sym.name +
                                     "', which is not a program");
      m.init_progs.emplace_back(static_cast<uint32_t>(slot), sym.name);
      continue;
    }
    if (sym.section != sec.index || obj.find_map(sym.name) < 0)
      return map_error(m.name, "`.values` slot " + std::to_string(slot) + " refers to '" + sym.name +
                                   "', which is not a map defined in .maps");
    if (m.type == static_cast<uint32_t>(MapType::HashOfMaps) && m.key_size != 4)
      return map_error(m.name, "a hash of maps with `.values` must have 4-byte keys (the slot is the key), not " +
                                   std::to_string(m.key_size));
    m.init_maps.emplace_back(static_cast<uint32_t>(slot), sym.name);
  }
  return {};
}

// Fills `m` from its definition; `values_off`: where its `values` member
// starts (initial values, see collect_init_values), or -1. `inner`: this is
// a map of maps' inner template (libbpf's "NAME.inner"), which can have
// neither values nor a pin.
Status parse_map_struct(const Btf& btf, uint32_t struct_id, MapDef& m, int64_t& values_off, bool inner = false) {
  const btf_type* st = btf.type(btf.skip_modifiers(struct_id));
  if (!st || !btf_is_struct(st))
    return map_error(m.name, "its definition in .maps is not a struct");
  const btf_member* mem = btf_members(st);
  values_off = -1;
  for (uint16_t i = 0; i < btf_vlen(st); ++i) {
    const std::string f = btf.string_at(mem[i].name_off);
    uint32_t v = 0;
    if (f == "key" || f == "value") {
      if (!type_field(btf, mem[i].type, v))
        return map_error(m.name, "'" + f + "' must be declared with __type()");
      const int64_t size = btf.size_of(v);
      if (size <= 0) return map_error(m.name, "'" + f + "' has a type without a size");
      if (size > UINT32_MAX) return map_error(m.name, "'" + f + "' has a type of " + std::to_string(size) + " bytes");
      (f == "key" ? m.key_size : m.value_size) = static_cast<uint32_t>(size);
      (f == "key" ? m.btf_key_type_id : m.btf_value_type_id) = v;
      continue;
    }
    if (f == "values") {
      if (Status s = parse_values(btf, st, i, m, inner); !s) return s;
      values_off = btf_member_bit_offset(st, i) / 8;
      continue;
    }
    if (f == "pinning" && inner) return map_error(m.name, "an inner map definition cannot be pinned");
    if (f == "map_extra") {
      if (!long_field(btf, mem[i].type, m.map_extra))
        return map_error(m.name, "'map_extra' must be declared with __uint() or __ulong()");
      continue;
    }
    if (!int_field(btf, mem[i].type, v))
      return map_error(m.name, "'" + f + "' must be declared with __uint()");
    if (f == "type") m.type = v;
    else if (f == "max_entries") m.max_entries = v;
    else if (f == "map_flags") m.map_flags = v;
    else if (f == "key_size") m.key_size = v;
    else if (f == "value_size") m.value_size = v;
    else if (f == "numa_node" || f == "pinning") continue;
    else return map_error(m.name, "unknown field '" + f + "' in its definition");
  }
  if (m.type == 0) return map_error(m.name, "no map type (__uint(type, …))");
  // libbpf's adjust_ringbuf_sz: a ring's size rounded up to a power-of-2
  // multiple of the page size (0 stays 0, for the kernel's error).
  if (m.type == static_cast<uint32_t>(MapType::RingBuf) || m.type == static_cast<uint32_t>(MapType::UserRingBuf)) {
    constexpr uint64_t kPage = 4096;
    if (m.max_entries) {
      for (uint64_t size = kPage; size <= UINT32_MAX; size <<= 1) {
        if (size >= m.max_entries) {
          m.max_entries = static_cast<uint32_t>(size);
          break;
        }
      }
    }
  }
  // __array(values, …): the values are program or map references, 4 bytes
  // each as the kernel sees them (ids / fds), as libbpf sets it.
  if (values_off >= 0) {
    if (m.value_size && m.value_size != 4)
      return map_error(m.name, "has `values` but a value of " + std::to_string(m.value_size) + " bytes (must be 4)");
    m.value_size = 4;
  }
  return set_fields(btf, m);
}

// The `values` member (member `i` of `st`), as libbpf's parse_btf_map_def
// reads it: the last member, a zero-sized array of pointers — to a function
// type for a prog array, to a map definition (the inner template, named or
// anonymous) for a map of maps.
Status parse_values(const Btf& btf, const btf_type* st, uint16_t i, MapDef& m, bool inner) {
  if (inner) return Error{EOPNOTSUPP, "map '" + m.name + "': multi-level inner maps are not supported"};
  if (i + 1 != btf_vlen(st)) return map_error(m.name, "'values' must be the last member of its definition");
  const bool of_maps = is_map_in_map(m.type);
  if (!of_maps && m.type != static_cast<uint32_t>(MapType::ProgArray))
    return Error{EOPNOTSUPP, "map '" + m.name + "': only a map of maps or a prog array can have `values`" +
                                 (m.type ? " (this is a " + map_type_string(m.type) + " map)" : "")};
  const char* what = of_maps ? "map-in-map inner" : "prog-array value";
  const btf_type* arr = btf.type(btf_members(st)[i].type);
  if (!arr || !btf_is_array(arr) || btf_array(arr)->nelems)
    return map_error(m.name, std::string(what) + " spec is not a zero-sized array (declare it with __array())");
  const btf_type* ptr = btf.type(btf.skip_modifiers(btf_array(arr)->type));
  if (!ptr || !btf_is_ptr(ptr))
    return map_error(m.name, std::string(what) + " spec is not an array of pointers");
  const uint32_t target_id = btf.skip_modifiers(ptr->type);
  const btf_type* target = btf.type(target_id);
  if (!of_maps) {
    if (!target || !btf_is_func_proto(target))
      return map_error(m.name, "a prog array's `values` must point to a function type");
    return {};
  }
  if (!target || !btf_is_struct(target))
    return map_error(m.name, "a map of maps' `values` must point to the inner map's definition (a struct)");
  auto tmpl = std::make_shared<MapDef>();
  tmpl->name = m.name + ".inner";
  tmpl->section = ".maps";
  int64_t unused;
  if (Status s = parse_map_struct(btf, target_id, *tmpl, unused, true); !s) return s;
  m.inner_map = std::move(tmpl);
  return {};
}

Status collect_btf_maps(const ElfFile& file, Object& obj) {
  const Section* sec = file.section(".maps");
  if (!sec) return {};
  if (!obj.btf) return Error{EINVAL, "section .maps needs BTF (compile with -g)"};
  if (!obj.btf->find(".maps", BTF_KIND_DATASEC)) return Error{EINVAL, "section .maps has no BTF description"};
  auto vars = fix_datasec_layout(file, *sec, *obj.btf);
  if (!vars) return vars.error();
  std::vector<Placed> placed;
  for (const VarPlace& v : *vars) {
    MapDef m;
    m.name = v.name;
    int64_t values_off;
    if (Status s = parse_map_struct(*obj.btf, v.type, m, values_off); !s) return s;
    m.section = ".maps";
    placed.push_back({obj.maps.size(), v.offset, v.size, values_off});
    obj.maps.push_back(std::move(m));
  }
  return collect_init_values(file, *sec, placed, obj);
}

}  // namespace

MapDef global_data_map(const std::string& section, uint32_t size, bool read_only) {
  MapDef m;
  m.name = section;
  m.section = section;
  m.type = static_cast<uint32_t>(MapType::Array);
  m.key_size = 4;
  m.value_size = size;
  m.max_entries = 1;
  m.global_data = true;
  m.read_only = read_only;
  if (read_only) m.map_flags |= kRdonlyProg;
  return m;
}

Status check_init_progs(const Object& obj) {
  for (const MapDef& m : obj.maps)
    for (const auto& [slot, name] : m.init_progs)
      if (!obj.find_program(name))
        return map_error(m.name, "`.values` slot " + std::to_string(slot) + " refers to '" + name +
                                     "', which is not a program (a subprogram or a function outside a program section)");
  return {};
}

bool is_global_data_section(const std::string& n) {
  for (const char* base : {".data", ".rodata", ".bss"}) {
    const size_t len = std::strlen(base);
    if (n.compare(0, len, base) == 0 && (n.size() == len || n[len] == '.')) return true;
  }
  return false;
}

Status collect_maps(const ElfFile& file, Object& obj) {
  if (Status s = collect_btf_maps(file, obj); !s) return s;
  for (const Section& sec : file.sections()) {
    if (!is_global_data_section(sec.name) || (sec.type != SHT_PROGBITS && sec.type != SHT_NOBITS))
      continue;
    if (sec.size == 0) continue;
    // A .bss is only a size in the file (SHT_NOBITS): a crafted one can ask
    // for any amount.
    if (sec.size > kMaxGlobalDataBytes)
      return Error{E2BIG, "section " + sec.name + " is " + std::to_string(sec.size) +
                              " bytes; a global-data map holds at most " + std::to_string(kMaxGlobalDataBytes)};
    MapDef m = global_data_map(sec.name, static_cast<uint32_t>(sec.size), sec.name.compare(0, 7, ".rodata") == 0);
    if (sec.data) m.initial_value.assign(sec.data, sec.data + sec.size);
    if (obj.btf) {
      if (auto vars = fix_datasec_layout(file, sec, *obj.btf); !vars) return vars.error();
      m.btf_value_type_id = obj.btf->find(sec.name, BTF_KIND_DATASEC);
      if (Status s = set_fields(*obj.btf, m); !s) return s;
    }
    obj.maps.push_back(std::move(m));
  }
  return {};
}

}  // namespace ringb::elf
