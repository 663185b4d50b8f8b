// maps_fuzz.cc — libFuzzer target: map definitions → Map::create → host
// commands with fuzzed keys, values, sizes and flags. Any crash, leak or
// sanitizer report is a bug; errors are fine.
//
// Input: [u16 n][n bytes: a script of commands][definitions]
//   definitions  an ELF object (its BTF-defined maps and global data, as the
//                loader reads them), or else raw 24-byte records
//                {type, key_size, value_size, max_entries, map_flags,
//                spin_lock_off} (u32 each, little-endian); the record after
//                a map of maps' is its inner map template.
// Map ids are the maps' places in the list (1, 2, ...): updates of a map of
// maps sometimes write one, so inner maps get stored, replaced and removed,
// and programs' lookups (inside a cpu slot and an RCU section) go through
// the outer map into the inner one.
// Every map is charged to one MemCgroup with a small limit, so huge but valid
// definitions fail with ENOMEM instead of exhausting the fuzzer's memory.
// scripts/test --sanitize seeds it with the BPF corpus behind a fixed script.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "ringb/cpu.h"
#include "ringb/maps.h"
#include "ringb/mem.h"
#include "ringb/object.h"
#include "ringb/rcu.h"

namespace {

using ringb::MapDef;
using ringb::maps::Map;

constexpr size_t kMapMemory = size_t{16} << 20;  // all maps of one input together
constexpr size_t kMaxMaps = 8;
constexpr size_t kMaxBuffer = size_t{1} << 20;   // larger keys/values: created, not operated on
constexpr size_t kMaxCommands = 256;

// Reads the script; past its end, zeros.
struct Reader {
  const uint8_t* p;
  size_t n, at = 0;
  bool done() const { return at >= n; }
  uint8_t u8() { return at < n ? p[at++] : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{u8()} << (8 * i);
    return v;
  }
  // Overwrites the first (at most 16) of `len` bytes from the script; the
  // rest keep what earlier commands left, so large keys stay cheap.
  void fill(uint8_t* dst, size_t len) {
    const size_t take = len < 16 ? len : 16;
    for (size_t i = 0; i < take; ++i) dst[i] = u8();
  }
};

MapDef raw_def(Reader& r) {
  MapDef d;
  d.name = "raw";
  d.type = r.u32();
  d.key_size = r.u32();
  d.value_size = r.u32();
  d.max_entries = r.u32();
  d.map_flags = r.u32();
  d.spin_lock_off = static_cast<int32_t>(r.u32());
  if (d.type < 64) d.type %= 32;  // mostly real types
  return d;
}

bool is_map_in_map(uint32_t type) {
  return type == static_cast<uint32_t>(ringb::MapType::ArrayOfMaps) ||
         type == static_cast<uint32_t>(ringb::MapType::HashOfMaps);
}

std::vector<MapDef> raw_defs(const uint8_t* p, size_t n) {
  std::vector<MapDef> defs;
  Reader r{p, n};
  while (r.at + 24 <= n && defs.size() < kMaxMaps) {
    MapDef d = raw_def(r);
    if (is_map_in_map(d.type) && r.at + 24 <= n) d.inner_map = std::make_shared<MapDef>(raw_def(r));
    defs.push_back(std::move(d));
  }
  return defs;
}

struct Target {
  std::shared_ptr<Map> map;
  std::vector<uint8_t> key, next, value;  // exactly key_size / value_size_for_host bytes
};

// A program's lookup in a map of maps, and through it in the inner map.
void program_lookup(Target& t) {
  ringb::cpu::CpuGuard cpu;
  if (cpu.cpu() < 0) return;
  ringb::rcu::ReadGuard rcu;
  auto* inner = static_cast<Map*>(t.map->lookup_elem(t.key.data()));
  if (!inner) return;
  // The inner map's key: the outer key's bytes, as far as they go.
  std::vector<uint8_t> key(inner->def().key_size, 0);
  std::memcpy(key.data(), t.key.data(), key.size() < t.key.size() ? key.size() : t.key.size());
  if (inner->def().key_size) (void)inner->lookup_elem(key.data());
}

// One command on one map. Sizes are mostly right and sometimes off by a
// little, so both the size check and the commands behind it are reached.
void run_command(Reader& r, Target& t, size_t n_targets) {
  Map& m = *t.map;
  const uint8_t op = r.u8();
  const uint8_t size_mode = r.u8();
  uint64_t flags = r.u8();
  if (flags >= 8) flags = flags == 255 ? r.u32() : flags & 7;
  size_t ks = m.def().key_size, vs = m.value_size_for_host();
  if (size_mode >= 240) {  // claim a wrong size (the buffers stay exact, for ASan)
    ks += size_mode & 3;
    if ((size_mode & 4) && vs) vs -= 1;
    if (size_mode & 8) vs += 8;
  }
  r.fill(t.key.data(), t.key.size());
  const bool null_key = (op & 0x80) || m.def().key_size == 0;
  const void* key = null_key ? nullptr : t.key.data();
  switch (op & 7) {
    case 0: (void)m.host_lookup(key, ks, t.value.data(), vs); break;
    case 1:
      r.fill(t.value.data(), t.value.size());
      if (m.inner_meta() && (size_mode & 0x10)) {  // a map id that exists
        const uint32_t id = static_cast<uint32_t>(1 + t.value[0] % n_targets);
        std::memcpy(t.value.data(), &id, sizeof id);
      }
      (void)m.host_update(key, ks, t.value.data(), vs, flags);
      break;
    case 2: (void)m.host_delete(key, ks); break;
    case 3: {  // a short walk
      const void* prev = key;
      for (int i = 0; i < 4 && m.host_get_next_key(prev, t.next.data(), ks) == 0; ++i) {
        std::memcpy(t.key.data(), t.next.data(), t.next.size());
        prev = t.key.data();
      }
      break;
    }
    case 4: (void)m.host_lookup_and_delete(key, ks, t.value.data(), vs, flags); break;
    case 5:  // many updates: fills a map up to its limit
      for (int i = 0; i < 32; ++i) {
        if (!t.key.empty()) t.key[0] = static_cast<uint8_t>(t.key[0] + 1);
        (void)m.host_update(key, ks, t.value.data(), vs, flags & 3);
      }
      break;
    case 6:
      if (m.inner_meta() && key) program_lookup(t);
      (void)m.stats();
      break;
    case 7:
      if (op == 0x7f) (void)m.host_freeze();  // rarely: it ends all writes
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t script_len = data[0] | size_t{data[1]} << 8;
  if (script_len > size - 2) script_len = size - 2;
  Reader script{data + 2, script_len};
  const uint8_t* defs_at = data + 2 + script_len;
  const size_t defs_len = size - 2 - script_len;

  std::vector<MapDef> defs;
  if (defs_len >= 4 && std::memcmp(defs_at, "\x7f" "ELF", 4) == 0) {
    auto obj = ringb::Object::open_memory(defs_at, defs_len, "fuzz.o");
    if (!obj) return 0;
    for (size_t i = 0; i < obj->maps.size() && i < kMaxMaps; ++i) defs.push_back(obj->maps[i]);
  } else {
    defs = raw_defs(defs_at, defs_len);
  }

  // Declared first, so it outlives the maps charged to it.
  ringb::mem::MemCgroup cgroup(kMapMemory);
  ringb::maps::Options options;
  options.cgroup = &cgroup;
  options.force_dyn_alloc = script.u8() & 1;
  // Maps of maps share their inner maps (the outer's reference keeps one
  // alive after its Target is gone).
  std::vector<Target> targets;
  options.map_resolver = [&targets](uint32_t id) -> ringb::Expected<ringb::maps::MapRef> {
    if (id == 0 || id > targets.size()) return ringb::Error{EBADF, "no such map"};
    const Target& t = targets[id - 1];
    return ringb::maps::MapRef{t.map.get(), id, t.map};
  };
  for (const MapDef& d : defs) {
    auto m = Map::create(d, options);
    if (!m) continue;
    Target t;
    t.map = std::move(m.value());
    const size_t ks = t.map->def().key_size, vs = t.map->value_size_for_host();
    if (ks > kMaxBuffer || vs > kMaxBuffer) continue;
    t.key.assign(ks, 0);
    t.next.assign(ks, 0);
    t.value.assign(vs, 0);
    targets.push_back(std::move(t));
  }
  for (size_t i = 0; i < kMaxCommands && !script.done() && !targets.empty(); ++i)
    run_command(script, targets[script.u8() % targets.size()], targets.size());
  return 0;
}
