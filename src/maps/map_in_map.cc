// map_in_map.cc — BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS
// (the kernel's map_in_map.c, array_of_maps_map_ops in arraymap.c and
// htab_of_maps_map_ops in hashtab.c).
//
// An outer map holds inner maps. It is created with an inner map template
// (MapDef::inner_map, the kernel's inner_map_fd): the template is created as
// a map — so a bad one fails as its own creation would — and what was
// created becomes the outer map's meta (bpf_map_meta_alloc), which every map
// stored later must match (check_inner_map, bpf_map_meta_equal). The
// template cannot be a map of maps itself (EINVAL) nor a prog array
// (ENOTSUPP: it has no map_meta_equal).
//
// Each stored map is an Entry (its MapRef: the Map, its id, the reference
// that keeps it alive). An array's slots and a hash's 8-byte values hold
// Entry pointers. Programs read them with acquire loads and no lock and get
// the Map* (what the kernel's lookup returns: the inner map itself); host
// writers are serialised by a mutex. After a successful update or delete
// the host call waits, once it has left its own RCU section, for an RCU
// grace period — the kernel's maybe_wait_bpf_programs(): when the call
// returns, no program that cannot sleep still sees the old contents. A
// replaced or removed Entry may still be in a program's hands, so the call
// that took it out also waits for the tasks-trace domain (sleepable
// programs) and only then drops the reference. Dropping it on the host
// thread, outside any RCU section, lets its owner destroy the map there
// (maps are destroyed only outside read-side sections).
//
// Kernel behaviour mirrored (checked against Linux 6.18,
// tests/maps/map_in_map_kernel_test.cc): value_size 4 (EINVAL otherwise),
// checked before the template; an array of maps takes key_size 4, map_flags
// only BPF_F_NUMA_NODE/RDONLY/WRONLY, update flags only BPF_ANY (EINVAL),
// index past the end E2BIG for update and delete, ENOENT for lookup; a hash
// of maps takes the hash's flags (BPF_F_RDONLY_PROG included) and update
// flags, resolves the map id before the flags are looked at (EBADF first),
// and is E2BIG when full. Host lookups return the inner map's id, ENOENT for
// an empty slot or a missing key; lookup-and-delete is ENOTSUPP.
#include <cstring>
#include <mutex>
#include <vector>

#include "area.h"
#include "flags.h"
#include "htab.h"
#include "map_types.h"
#include "ringb/rcu.h"
#include "value_copy.h"

namespace ringb::maps {

namespace {

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

// BPF_F_RDONLY and BPF_F_WRONLY say what an fd may do; the kernel does not
// keep them in map_flags (bpf_map_flags_retain_permanent), so they are no
// part of what must match.
constexpr uint32_t kFdOnlyFlags = kFRdonly | kFWronly;

}  // namespace

Status check_inner_map(const MapDef& meta, const MapDef& inner) {
  const std::string who = "map '" + inner.name + "' does not match the inner map template '" + meta.name + "': ";
  auto differs = [&](const char* what, const std::string& got, const std::string& want) {
    return Error{EINVAL, who + what + " " + got + " where the template has " + want};
  };
  if (inner.type != meta.type) return differs("its type is", map_type_string(inner.type), map_type_string(meta.type));
  if (inner.key_size != meta.key_size)
    return differs("key_size", std::to_string(inner.key_size), std::to_string(meta.key_size));
  if (inner.value_size != meta.value_size)
    return differs("value_size", std::to_string(inner.value_size), std::to_string(meta.value_size));
  if ((inner.map_flags & ~kFdOnlyFlags) != (meta.map_flags & ~kFdOnlyFlags))
    return differs("map_flags", hex(inner.map_flags & ~kFdOnlyFlags), hex(meta.map_flags & ~kFdOnlyFlags));
  // btf_record_equal(): the special fields of the value, field by field —
  // kind, place, and what a kptr or a root holds (by name: the two maps may
  // come from different objects' BTF).
  if (inner.spin_lock_off != meta.spin_lock_off)
    return differs("a bpf_spin_lock at", std::to_string(inner.spin_lock_off), std::to_string(meta.spin_lock_off));
  const auto& a = inner.fields.fields;
  const auto& b = meta.fields.fields;
  if (a.size() != b.size())
    return differs("special fields", describe_record(inner.fields), describe_record(meta.fields));
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].kind != b[i].kind || a[i].offset != b[i].offset || a[i].size != b[i].size ||
        a[i].pointee_name != b[i].pointee_name || a[i].node_struct_name != b[i].node_struct_name ||
        a[i].node_offset != b[i].node_offset)
      return differs("the special field", describe_field(a[i]), describe_field(b[i]));
  // array_map_meta_equal(): only an array's size is part of its type (per-cpu
  // arrays' too on this machine's 6.18.44; earlier 6.18 builds let those
  // differ), and BPF_F_INNER_MAP lifts that.
  const bool array = meta.type == static_cast<uint32_t>(MapType::Array) ||
                     meta.type == static_cast<uint32_t>(MapType::PercpuArray);
  if (array && !(meta.map_flags & kFInnerMap) && inner.max_entries != meta.max_entries)
    return differs("max_entries", std::to_string(inner.max_entries),
                   std::to_string(meta.max_entries) + " (give the template BPF_F_INNER_MAP to allow any size)");
  return {};
}

namespace detail {
namespace {

struct Entry {
  MapRef ref;
};

uint32_t u32_at(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// What both outer types share: the meta, the resolver, the writers' lock,
// and the entries taken out by the current host call.
class InnerMaps {
 public:
  InnerMaps(MapDef meta, MapResolver resolver) : meta_(std::move(meta)), resolver_(std::move(resolver)) {}
  ~InnerMaps() {
    for (Entry* e : retired_) delete e;
    for (Entry* e : dropped_) delete e;
  }

  const MapDef& meta() const { return meta_; }
  std::mutex& writers() { return mu_; }

  // bpf_map_fd_get_ptr(): the map with id `id`, as a new entry (-EBADF: no
  // such map; -EINVAL: it does not match the template).
  long get(uint32_t id, Entry*& out) {
    if (!resolver_) return -EBADF;
    auto ref = resolver_(id);
    if (!ref) return -ref.error().code;
    auto* e = new Entry{std::move(ref.value())};
    if (!e->ref.map || !check_inner_map(meta_, e->ref.map->def())) {
      // Never visible to programs, but this may be the map's last
      // reference, and we are inside the host call's RCU section.
      std::lock_guard<std::mutex> lock(mu_);
      dropped_.push_back(e);
      return -EINVAL;
    }
    out = e;
    return 0;
  }

  // Under writers(): `e` was taken out of the map (programs may hold it).
  void retire_locked(Entry* e) {
    retired_.push_back(e);
    t_retired = true;
  }
  // Under writers(): `e` was never in the map.
  void drop_locked(Entry* e) { dropped_.push_back(e); }
  // The current host call changed the map.
  void changed() { t_changed = true; }

  // Map::host_write_done(): outside the RCU section. A call that changed
  // the map waits for the programs that may still see the old contents
  // (maybe_wait_bpf_programs(): RCU, the domain of programs that cannot
  // sleep); one that took maps out also for sleepable programs, before the
  // maps go. Entries are taken from retired_ before the grace periods begin,
  // so each one's grace period starts after it left the map, whichever host
  // call waits for it.
  void flush() {
    std::vector<Entry*> retired, dropped;
    {
      std::lock_guard<std::mutex> lock(mu_);
      retired.swap(retired_);
      dropped.swap(dropped_);
    }
    for (Entry* e : dropped) delete e;
    if (t_retired || !retired.empty()) rcu::synchronize(rcu::Domain::TasksTrace);
    if (t_retired || t_changed || !retired.empty()) rcu::synchronize(rcu::Domain::Rcu);
    t_retired = t_changed = false;
    for (Entry* e : retired) delete e;
  }

 private:
  // The current host call of this thread changed the map / took an entry
  // out (another thread's flush may have taken that from retired_, but this
  // call still waits before it returns, as the kernel's does).
  static thread_local bool t_changed, t_retired;

  const MapDef meta_;
  const MapResolver resolver_;
  std::mutex mu_;
  std::vector<Entry*> retired_, dropped_;  // under mu_
};

thread_local bool InnerMaps::t_changed = false;
thread_local bool InnerMaps::t_retired = false;

// ---- ARRAY_OF_MAPS -------------------------------------------------------------

class ArrayOfMaps final : public Map {
 public:
  ArrayOfMaps(const MapDef& def, MapDef meta, MapResolver resolver)
      : Map(def), inner_(std::move(meta), std::move(resolver)) {}

  // No program or host call runs any more (Map's contract): free at once.
  ~ArrayOfMaps() override {
    if (!area_.data()) return;
    for (uint32_t i = 0; i < def_.max_entries; ++i) delete slots()[i];
  }

  Status init(const Options& options) {
    auto area = Area::alloc(uint64_t{def_.max_entries} * sizeof(Entry*), options.cgroup, "array of maps slots");
    if (!area) return area.error();
    area_ = std::move(area.value());
    return {};
  }

  // array_of_map_lookup_elem(): the inner map itself.
  void* lookup_elem(const void* key) override {
    const uint32_t index = u32_at(key);
    if (index >= def_.max_entries) return nullptr;
    const Entry* e = __atomic_load_n(&slots()[index], __ATOMIC_ACQUIRE);
    return e ? e->ref.map : nullptr;
  }

  const MapDef* inner_meta() const override { return &inner_.meta(); }

  Stats stats() const override {
    Stats s;
    s.elements = def_.max_entries;
    s.memory_bytes = area_.size();
    s.prealloc = true;
    return s;
  }

 protected:
  // bpf_fd_array_map_lookup_elem(): the inner map's id.
  long do_host_lookup(const void* key, void* value_out, int) override {
    const uint32_t index = u32_at(key);
    if (index >= def_.max_entries) return -ENOENT;
    const Entry* e = __atomic_load_n(&slots()[index], __ATOMIC_ACQUIRE);
    if (!e) return -ENOENT;
    std::memcpy(value_out, &e->ref.id, sizeof e->ref.id);
    return 0;
  }

  // bpf_fd_array_map_update_elem(): flags, index, then the map.
  long do_host_update(const void* key, const void* value, uint64_t flags, int) override {
    if (flags != kAny) return -EINVAL;
    const uint32_t index = u32_at(key);
    if (index >= def_.max_entries) return -E2BIG;
    Entry* fresh = nullptr;
    if (long err = inner_.get(u32_at(value), fresh)) return err;
    std::lock_guard<std::mutex> lock(inner_.writers());
    if (Entry* old = __atomic_exchange_n(&slots()[index], fresh, __ATOMIC_ACQ_REL)) inner_.retire_locked(old);
    inner_.changed();
    return 0;
  }

  long do_host_delete(const void* key, int) override {
    const uint32_t index = u32_at(key);
    if (index >= def_.max_entries) return -E2BIG;
    std::lock_guard<std::mutex> lock(inner_.writers());
    Entry* old = __atomic_exchange_n(&slots()[index], nullptr, __ATOMIC_ACQ_REL);
    if (!old) return -ENOENT;
    inner_.retire_locked(old);
    return 0;
  }

  // array_map_get_next_key(): no key or past the end → 0; the last → -ENOENT.
  long do_host_get_next_key(const void* key, void* next_key) override {
    const uint32_t index = key ? u32_at(key) : def_.max_entries;
    if (index + 1 == def_.max_entries) return -ENOENT;
    const uint32_t next = index >= def_.max_entries ? 0 : index + 1;
    std::memcpy(next_key, &next, sizeof next);
    return 0;
  }

  void host_write_done() override { inner_.flush(); }

 private:
  Entry** slots() const { return reinterpret_cast<Entry**>(area_.data()); }

  InnerMaps inner_;
  Area area_;
};

// ---- HASH_OF_MAPS --------------------------------------------------------------

// The hash table (htab.h) with Entry pointers as values, in the 8 bytes a
// 4-byte value rounds up to.
class HashOfMaps final : public Htab {
 public:
  HashOfMaps(const MapDef& def, MapDef meta, MapResolver resolver)
      : Htab(def, false), inner_(std::move(meta), std::move(resolver)) {
    value_bytes_ = sizeof(Entry*);
  }
  Status init(const Options& options) {
    Status s = Htab::init(options);
    ready_ = s.ok();
    return s;
  }

  // No program or host call runs any more (Map's contract): free at once.
  // (Nothing to free when init() failed: no update ran.)
  ~HashOfMaps() override {
    if (!ready_) return;
    Htab::for_each_elem(
        [](const void*, void* value, void*) -> long {
          delete entry_at(value);
          return 0;
        },
        nullptr);
  }

  // htab_of_map_lookup_elem(): the inner map itself.
  void* lookup_elem(const void* key) override {
    HtabElem* e = lookup_raw(key, hash_of(key));
    if (!e) return nullptr;
    const Entry* entry = entry_at(value_of(e));
    return entry ? entry->ref.map : nullptr;
  }
  // The verifier lets programs only look maps of maps up.
  long update_elem(const void*, const void*, uint64_t) override { return -EINVAL; }
  long delete_elem(const void*) override { return -EINVAL; }
  long for_each_elem(ElemCallback, void*) override { return -kENOTSUPP; }

  const MapDef* inner_meta() const override { return &inner_.meta(); }

 protected:
  // bpf_fd_htab_map_lookup_elem(): the inner map's id.
  long do_host_lookup(const void* key, void* value_out, int cpu) override {
    uint64_t word = 0;
    if (long err = Htab::do_host_lookup(key, &word, cpu)) return err;
    const auto* entry = reinterpret_cast<const Entry*>(word);
    std::memcpy(value_out, &entry->ref.id, sizeof entry->ref.id);
    return 0;
  }

  // bpf_fd_htab_map_update_elem(): the map first, then the hash's flags and
  // room. All writers hold writers(), so the element found before the
  // update is the one it replaces.
  long do_host_update(const void* key, const void* value, uint64_t flags, int cpu) override {
    Entry* fresh = nullptr;
    if (long err = inner_.get(u32_at(value), fresh)) return err;
    std::lock_guard<std::mutex> lock(inner_.writers());
    HtabElem* e = lookup_raw(key, hash_of(key));
    Entry* old = e ? entry_at(value_of(e)) : nullptr;
    if (long err = update(cpu, key, &fresh, flags, false)) {
      inner_.drop_locked(fresh);
      return err;
    }
    if (old) inner_.retire_locked(old);
    inner_.changed();
    return 0;
  }

  long do_host_delete(const void* key, int cpu) override {
    std::lock_guard<std::mutex> lock(inner_.writers());
    uint64_t word = 0;  // the value removed, copied under the bucket lock
    if (long err = remove(cpu, key, &word)) return err;
    inner_.retire_locked(reinterpret_cast<Entry*>(word));
    return 0;
  }

  long do_host_lookup_and_delete(const void*, void*, uint64_t, int) override { return -kENOTSUPP; }

  void host_write_done() override { inner_.flush(); }

 private:
  static Entry* entry_at(const void* value) {
    return reinterpret_cast<Entry*>(map_word(value, 0).load(std::memory_order_acquire));
  }

  InnerMaps inner_;
  bool ready_ = false;
};

// bpf_map_meta_alloc(): the template, created as the map it describes; what
// was created (flags as the options made them) is the meta.
Expected<MapDef> make_meta(const MapDef& def, const Options& options) {
  if (!def.inner_map)
    return einval("a " + map_type_string(def.type) +
                  " map needs an inner map template (MapDef::inner_map, the kernel's inner_map_fd; in .maps "
                  "`__array(values, struct { ... })`)");
  const std::string name = def.inner_map->name.empty() ? "(unnamed)" : def.inner_map->name;
  auto tmpl = Map::create(*def.inner_map, options);
  if (!tmpl) return Error{tmpl.error().code, "inner map template '" + name + "': " + tmpl.error().message};
  const Map& t = **tmpl;
  if (t.inner_meta()) return einval("inner map template '" + name + "' is a map of maps itself (one level only)");
  if (t.def().type == static_cast<uint32_t>(MapType::ProgArray))
    return Error{static_cast<int>(kENOTSUPP),
                 "inner map template '" + name + "': a " + map_type_string(t.def().type) + " map cannot be an inner map"};
  MapDef meta = t.def();
  meta.inner_map.reset();
  meta.init_progs.clear();
  meta.init_maps.clear();
  meta.initial_value.clear();
  return meta;
}

// fd_array_map_alloc_check() and array_map_alloc_check(), as the kernel
// answers them for an array of maps.
Status check_array_of_maps(const MapDef& def) {
  if (def.value_size != 4)
    return einval("a map of maps' value is a 4-byte map id (value_size " + std::to_string(def.value_size) + ")");
  if (def.key_size != 4 || def.max_entries == 0)
    return einval("an array_of_maps map needs key_size 4 and max_entries above 0 (got " +
                  std::to_string(def.key_size) + ", " + std::to_string(def.max_entries) + ")");
  const uint32_t allowed = kFNumaNode | kFRdonly | kFWronly;
  if (def.map_flags & ~allowed) return bad_flags(def.map_flags, allowed, "array_of_maps");
  return {};
}

}  // namespace

MapResult create_array_of_maps(const MapDef& def, const Options& options) {
  if (Status s = check_array_of_maps(def); !s) return s.error();
  auto meta = make_meta(def, options);
  if (!meta) return meta.error();
  auto map = std::make_unique<ArrayOfMaps>(def, std::move(meta.value()), options.map_resolver);
  if (Status s = map->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

// fd_htab_map_alloc_check(): a 4-byte value, then the hash's checks.
MapResult create_hash_of_maps(const MapDef& def, const Options& options) {
  if (def.value_size != 4)
    return einval("a map of maps' value is a 4-byte map id (value_size " + std::to_string(def.value_size) + ")");
  if (Status s = Htab::check_def(def, false); !s) return s.error();
  auto meta = make_meta(def, options);
  if (!meta) return meta.error();
  auto map = std::make_unique<HashOfMaps>(def, std::move(meta.value()), options.map_resolver);
  if (Status s = map->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace detail
}  // namespace ringb::maps
