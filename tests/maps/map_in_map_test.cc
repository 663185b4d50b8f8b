// ARRAY_OF_MAPS and HASH_OF_MAPS: templates, what may be stored, what
// programs and the host see, and how long a stored map lives. The errnos
// are the kernel's (map_in_map_kernel_test.cc compares them with it).
#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "ringb/mem.h"
#include "test_util.h"

namespace ringb::maps::test {
namespace {

constexpr uint32_t kArrayOfMaps = static_cast<uint32_t>(MapType::ArrayOfMaps);
constexpr uint32_t kHashOfMaps = static_cast<uint32_t>(MapType::HashOfMaps);

MapDef outer_def(MapType type, const MapDef& tmpl, uint32_t max_entries = 4, uint32_t key_size = 4) {
  MapDef d = def_of(type, key_size, 4, max_entries);
  d.name = "outer";
  d.inner_map = std::make_shared<MapDef>(tmpl);
  return d;
}

// Maps by id, the maps layer's view of what the api registers: each one's
// owner reference counts how often it was dropped.
class Registry {
 public:
  // Creates `def` under id `id` (ids from 1).
  Map* add(uint32_t id, const MapDef& def) {
    auto m = make(def);
    if (!m) return nullptr;
    Map* raw = m.get();
    maps_[id] = std::shared_ptr<Map>(std::move(m));
    return raw;
  }
  // Hands out MapRefs whose owner shares the map and counts releases.
  Options options() {
    Options o;
    o.map_resolver = [this](uint32_t id) -> Expected<MapRef> {
      auto it = maps_.find(id);
      if (it == maps_.end()) return Error{EBADF, "no map " + std::to_string(id)};
      ++handed_out;
      auto* self = this;
      std::shared_ptr<Map> keep = it->second;
      std::shared_ptr<const void> owner(keep.get(), [self, keep](const void*) mutable {
        ++self->released;
        keep.reset();
      });
      return MapRef{keep.get(), id, std::move(owner)};
    };
    return o;
  }
  void forget(uint32_t id) { maps_.erase(id); }
  std::weak_ptr<Map> weak(uint32_t id) { return maps_[id]; }

  std::atomic<int> handed_out{0}, released{0};

 private:
  std::map<uint32_t, std::shared_ptr<Map>> maps_;
};

long store(Map& outer, uint32_t key, uint32_t id, uint64_t flags = kAny) {
  return outer.host_update(&key, sizeof key, &id, sizeof id, flags);
}
long lookup_id(Map& outer, uint32_t key, uint32_t& id) { return outer.host_lookup(&key, sizeof key, &id, sizeof id); }
Map* program_lookup(Map& outer, uint32_t key) {
  ProgramScope scope;
  return static_cast<Map*>(outer.lookup_elem(&key));
}

const MapDef kArray4 = def_of(MapType::Array, 4, 8, 4);

TEST(MapInMap, ProgramLookupReturnsTheInnerMapItself) {
  Registry reg;
  Map* a = reg.add(1, kArray4);
  Map* b = reg.add(2, kArray4);
  for (MapType type : {MapType::ArrayOfMaps, MapType::HashOfMaps}) {
    SCOPED_TRACE(static_cast<int>(type));
    auto outer = make(outer_def(type, kArray4), reg.options());
    ASSERT_NE(outer, nullptr);
    EXPECT_EQ(store(*outer, 0, 1), 0);
    EXPECT_EQ(store(*outer, 3, 2), 0);
    EXPECT_EQ(program_lookup(*outer, 0), a);
    EXPECT_EQ(program_lookup(*outer, 3), b);
    EXPECT_EQ(program_lookup(*outer, 1), nullptr);  // empty slot / missing key
    EXPECT_EQ(program_lookup(*outer, 99), nullptr);
    // The map a program gets is the map: its values are the inner map's.
    {
      ProgramScope scope;
      const uint32_t three = 3;
      auto* inner = static_cast<Map*>(outer->lookup_elem(&three));
      const uint32_t k = 2;
      const uint64_t v = 77;
      ASSERT_EQ(inner->update_elem(&k, &v, kAny), 0);
    }
    uint64_t got = 0;
    const uint32_t k = 2;
    EXPECT_EQ(b->host_lookup(&k, 4, &got, 8), 0);
    EXPECT_EQ(got, 77u);
  }
}

TEST(MapInMap, HostLookupReturnsTheInnerMapsId) {
  Registry reg;
  reg.add(41, kArray4);
  for (MapType type : {MapType::ArrayOfMaps, MapType::HashOfMaps}) {
    auto outer = make(outer_def(type, kArray4), reg.options());
    ASSERT_NE(outer, nullptr);
    ASSERT_EQ(store(*outer, 2, 41), 0);
    uint32_t id = 0;
    EXPECT_EQ(lookup_id(*outer, 2, id), 0);
    EXPECT_EQ(id, 41u);
    EXPECT_EQ(lookup_id(*outer, 1, id), -ENOENT);
    EXPECT_EQ(outer->value_size_for_host(), 4u);
  }
}

TEST(MapInMap, ProgramsCannotWriteMapsOfMaps) {
  Registry reg;
  reg.add(1, kArray4);
  for (MapType type : {MapType::ArrayOfMaps, MapType::HashOfMaps}) {
    auto outer = make(outer_def(type, kArray4), reg.options());
    ASSERT_EQ(store(*outer, 0, 1), 0);
    ProgramScope scope;
    const uint32_t key = 0, id = 1;
    EXPECT_EQ(outer->update_elem(&key, &id, kAny), -EINVAL);
    EXPECT_EQ(outer->delete_elem(&key), -EINVAL);
    EXPECT_EQ(outer->for_each_elem([](const void*, void*, void*) -> long { return 0; }, nullptr), -kENOTSUPP);
    EXPECT_NE(outer->lookup_elem(&key), nullptr);  // still there
  }
}

TEST(MapInMap, WithoutAResolverEveryIdIsABadFd) {
  auto outer = make(outer_def(MapType::ArrayOfMaps, kArray4));
  ASSERT_NE(outer, nullptr);
  EXPECT_EQ(store(*outer, 0, 1), -EBADF);
}

TEST(MapInMap, TheTemplateIsCreatedAndChecked) {
  MapDef no_template = def_of(MapType::ArrayOfMaps, 4, 4, 4);
  auto m = Map::create(no_template);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, EINVAL);
  EXPECT_NE(m.error().message.find("inner map template"), std::string::npos) << m.error().message;

  // A template that is no valid map fails as its own creation does.
  MapDef bad = def_of(MapType::Array, 4, 8, 0);
  bad.name = "tmpl";
  m = Map::create(outer_def(MapType::HashOfMaps, bad));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, EINVAL);
  EXPECT_NE(m.error().message.find("inner map template 'tmpl'"), std::string::npos) << m.error().message;

  // No prog arrays (no map_meta_equal: ENOTSUPP) and one level only.
  m = Map::create(outer_def(MapType::ArrayOfMaps, def_of(MapType::ProgArray, 4, 4, 4)));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, kENOTSUPP);
  m = Map::create(outer_def(MapType::ArrayOfMaps, outer_def(MapType::ArrayOfMaps, kArray4)));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, EINVAL);
  EXPECT_NE(m.error().message.find("one level"), std::string::npos) << m.error().message;

  // The outer definition is checked before the template.
  m = Map::create(outer_def(MapType::ArrayOfMaps, bad, 0));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("max_entries"), std::string::npos) << m.error().message;
  EXPECT_EQ(m.error().message.find("template"), std::string::npos) << m.error().message;
  MapDef wide = outer_def(MapType::HashOfMaps, bad);
  wide.value_size = 8;
  m = Map::create(wide);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("4-byte map id"), std::string::npos) << m.error().message;
}

// (Found by maps_fuzz: a hash of maps whose buckets the cgroup refused.)
TEST(MapInMap, AMapOfMapsThatCouldNotBeBuiltIsDestroyedCleanly) {
  mem::MemCgroup cgroup(4096);
  Options o;
  o.cgroup = &cgroup;
  for (MapType type : {MapType::ArrayOfMaps, MapType::HashOfMaps}) {
    auto m = Map::create(outer_def(type, kArray4, 1u << 16), o);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, ENOMEM);
  }
}

TEST(MapInMap, TheMetaIsTheTemplateAsCreated) {
  Options o;
  o.force_dyn_alloc = true;  // the kernel's bpf_force_dyn_alloc adds BPF_F_NO_PREALLOC
  auto outer = make(outer_def(MapType::ArrayOfMaps, def_of(MapType::Hash, 4, 8, 16)), o);
  ASSERT_NE(outer, nullptr);
  ASSERT_NE(outer->inner_meta(), nullptr);
  EXPECT_EQ(outer->inner_meta()->type, static_cast<uint32_t>(MapType::Hash));
  EXPECT_EQ(outer->inner_meta()->map_flags, kFNoPrealloc);
  EXPECT_EQ(make(kArray4)->inner_meta(), nullptr);
}

TEST(MapInMap, CompatibilityIsTheKernelsMetaEqual) {
  const MapDef meta = kArray4;
  auto check = [&](MapDef inner) { return check_inner_map(meta, inner); };
  EXPECT_TRUE(check(kArray4));
  MapDef d = kArray4;
  d.max_entries = 5;
  Status s = check(d);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, EINVAL);
  EXPECT_NE(s.error().message.find("max_entries 5 where the template has 4"), std::string::npos) << s.error().message;
  d = kArray4;
  d.value_size = 4;
  EXPECT_FALSE(check(d));
  d = kArray4;
  d.map_flags = kFRdonly;  // not a property of the map in the kernel
  EXPECT_TRUE(check(d));
  d.map_flags = kFRdonlyProg;
  EXPECT_FALSE(check(d));
  d = kArray4;
  d.spin_lock_off = 0;
  EXPECT_FALSE(check(d));
  EXPECT_FALSE(check(def_of(MapType::PercpuArray, 4, 8, 4)));
  // BPF_F_INNER_MAP lifts max_entries for arrays; per-cpu arrays compare it
  // too (this machine's kernel); other types never do.
  MapDef flagged = def_of(MapType::Array, 4, 8, 1, kFInnerMap);
  EXPECT_TRUE(check_inner_map(flagged, def_of(MapType::Array, 4, 8, 100, kFInnerMap)));
  EXPECT_FALSE(check_inner_map(flagged, def_of(MapType::Array, 4, 8, 100)));
  EXPECT_TRUE(check_inner_map(def_of(MapType::Hash, 4, 8, 1), def_of(MapType::Hash, 4, 8, 100)));
  EXPECT_FALSE(check_inner_map(def_of(MapType::PercpuArray, 4, 8, 1), def_of(MapType::PercpuArray, 4, 8, 9)));
  EXPECT_TRUE(check_inner_map(def_of(MapType::Queue, 0, 8, 1), def_of(MapType::Queue, 0, 8, 9)));
}

// btf_record_equal(): an inner map whose values hold other special fields
// (a list head of another node, or none) is not the template's kind of map.
TEST(MapInMap, CompatibilityComparesSpecialFields) {
  MapDef meta = def_of(MapType::Array, 4, 24, 4);
  Field head;
  head.kind = FieldKind::ListHead;
  head.offset = 8;
  head.size = 16;
  head.node_struct_name = "elem";
  head.node_offset = 8;
  meta.fields.fields.push_back(head);
  meta.fields.mask = static_cast<uint32_t>(FieldKind::ListHead);
  EXPECT_TRUE(check_inner_map(meta, meta));
  MapDef none = def_of(MapType::Array, 4, 24, 4);
  Status s = check_inner_map(meta, none);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, EINVAL);
  EXPECT_NE(s.error().message.find("special fields"), std::string::npos) << s.error().message;
  MapDef other = meta;
  other.fields.fields[0].node_struct_name = "task";
  s = check_inner_map(meta, other);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("the special field"), std::string::npos) << s.error().message;
}

TEST(MapInMap, IncompatibleAndUnknownMapsAreRefused) {
  Registry reg;
  reg.add(1, kArray4);
  reg.add(2, def_of(MapType::Array, 4, 8, 5));
  auto outer = make(outer_def(MapType::ArrayOfMaps, kArray4), reg.options());
  ASSERT_NE(outer, nullptr);
  reg.add(3, outer_def(MapType::ArrayOfMaps, kArray4));  // a map of maps as an inner map
  EXPECT_EQ(store(*outer, 0, 2), -EINVAL);
  EXPECT_EQ(store(*outer, 0, 3), -EINVAL);
  EXPECT_EQ(store(*outer, 0, 9), -EBADF);
  EXPECT_EQ(store(*outer, 0, 1, kNoExist), -EINVAL);  // arrays: BPF_ANY only
  EXPECT_EQ(store(*outer, 4, 1), -E2BIG);
  EXPECT_EQ(store(*outer, 4, 9), -E2BIG);             // the index before the id
  EXPECT_EQ(store(*outer, 0, 9, kExist), -EINVAL);    // the flags before the id
  // Every reference the resolver gave for a refused map is gone again.
  EXPECT_EQ(reg.released.load(), reg.handed_out.load());
}

TEST(MapInMap, HashOfMapsKeepsTheHashsRules) {
  Registry reg;
  reg.add(1, kArray4);
  reg.add(2, def_of(MapType::Array, 4, 8, 5));
  for (uint32_t flags : {0u, kFNoPrealloc}) {
    SCOPED_TRACE(flags);
    MapDef d = outer_def(MapType::HashOfMaps, kArray4, 2);
    d.map_flags = flags;
    auto outer = make(d, reg.options());
    ASSERT_NE(outer, nullptr);
    EXPECT_EQ(store(*outer, 5, 1), 0);
    EXPECT_EQ(store(*outer, 5, 1, kNoExist), -EEXIST);
    EXPECT_EQ(store(*outer, 6, 1, kExist), -ENOENT);
    EXPECT_EQ(store(*outer, 6, 1), 0);
    EXPECT_EQ(store(*outer, 7, 1), -E2BIG);
    EXPECT_EQ(store(*outer, 7, 9), -EBADF);  // the id before the room
    EXPECT_EQ(store(*outer, 7, 2), -EINVAL);
    EXPECT_EQ(store(*outer, 5, 1), 0);       // a replace in a full map
    EXPECT_EQ(store(*outer, 5, 9, 8), -EBADF);
    EXPECT_EQ(store(*outer, 5, 1, 8), -EINVAL);
    EXPECT_EQ(walk_keys<uint32_t>(*outer).size(), 2u);
    const uint32_t k = 5, missing = 9;
    uint32_t out;
    EXPECT_EQ(outer->host_delete(&missing, 4), -ENOENT);
    EXPECT_EQ(outer->host_delete(&k, 4), 0);
    EXPECT_EQ(outer->host_lookup(&k, 4, &out, 4), -ENOENT);
    EXPECT_EQ(outer->host_lookup_and_delete(&k, 4, &out, 4), -kENOTSUPP);
    EXPECT_EQ(reg.handed_out.load() - reg.released.load(), 1);  // key 6's map
  }
  EXPECT_EQ(reg.released.load(), reg.handed_out.load());
}

// A hash of maps may have any key size (libbpf's `.values` want 4).
TEST(MapInMap, HashOfMapsWithWideKeys) {
  Registry reg;
  Map* a = reg.add(1, kArray4);
  auto outer = make(outer_def(MapType::HashOfMaps, kArray4, 8, 16), reg.options());
  ASSERT_NE(outer, nullptr);
  const char key[16] = "sixteen bytes..";
  const uint32_t id = 1;
  ASSERT_EQ(outer->host_update(key, sizeof key, &id, sizeof id, kAny), 0);
  ProgramScope scope;
  EXPECT_EQ(outer->lookup_elem(key), a);
}

TEST(MapInMap, ReplacedAndRemovedMapsAreReleasedBeforeTheHostCallReturns) {
  Registry reg;
  reg.add(1, kArray4);
  reg.add(2, kArray4);
  for (MapType type : {MapType::ArrayOfMaps, MapType::HashOfMaps}) {
    SCOPED_TRACE(static_cast<int>(type));
    const int base = reg.released.load();
    auto outer = make(outer_def(type, kArray4), reg.options());
    ASSERT_EQ(store(*outer, 0, 1), 0);
    EXPECT_EQ(reg.released.load(), base);
    ASSERT_EQ(store(*outer, 0, 2), 0);  // replaces 1
    EXPECT_EQ(reg.released.load(), base + 1);
    const uint32_t k = 0;
    ASSERT_EQ(outer->host_delete(&k, 4), 0);  // removes 2
    EXPECT_EQ(reg.released.load(), base + 2);
    ASSERT_EQ(store(*outer, 1, 1), 0);
    outer.reset();  // the outer map's end releases what it holds
    EXPECT_EQ(reg.released.load(), base + 3);
  }
}

// The outer map's reference is what keeps a stored map alive.
TEST(MapInMap, TheOuterMapKeepsItsInnerMapsAlive) {
  Registry reg;
  reg.add(1, kArray4);
  auto outer = make(outer_def(MapType::ArrayOfMaps, kArray4), reg.options());
  ASSERT_EQ(store(*outer, 0, 1), 0);
  std::weak_ptr<Map> weak = reg.weak(1);
  reg.forget(1);
  EXPECT_FALSE(weak.expired());
  Map* inner = program_lookup(*outer, 0);
  ASSERT_NE(inner, nullptr);
  const uint32_t k = 1;
  const uint64_t v = 5;
  EXPECT_EQ(inner->host_update(&k, 4, &v, 8, kAny), 0);
  const uint32_t slot = 0;
  ASSERT_EQ(outer->host_delete(&slot, 4), 0);
  EXPECT_TRUE(weak.expired());
}

// A program still using a map its outer map no longer holds: the host call
// that took it out returns only after the program's RCU section ended, and
// the map is alive until then (ASan would see a use after free).
TEST(MapInMap, AHostWriteWaitsForProgramsUsingTheOldMap) {
  for (MapType type : {MapType::ArrayOfMaps, MapType::HashOfMaps}) {
    SCOPED_TRACE(static_cast<int>(type));
    Registry reg;
    reg.add(1, kArray4);
    reg.add(2, kArray4);
    auto outer = make(outer_def(type, kArray4), reg.options());
    ASSERT_EQ(store(*outer, 0, 1), 0);
    std::weak_ptr<Map> weak1 = reg.weak(1);
    reg.forget(1);  // the outer map holds the only reference
    std::atomic<bool> looked{false}, reader_done{false};
    std::thread reader([&] {
      ProgramScope scope;
      const uint32_t key = 0;
      auto* inner = static_cast<Map*>(outer->lookup_elem(&key));
      looked = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const uint32_t k = 1;
      const uint64_t v = 9;
      EXPECT_EQ(inner->update_elem(&k, &v, kAny), 0);  // the old map, still alive
      reader_done = true;
    });
    while (!looked) std::this_thread::yield();
    ASSERT_EQ(store(*outer, 0, 2), 0);
    EXPECT_TRUE(reader_done.load());  // store() waited for the reader
    EXPECT_TRUE(weak1.expired());     // and then let the old map go
    reader.join();
  }
}

// Programs on several threads look up and use inner maps while the host
// stores, replaces and removes them, each new map held by the outer map
// alone; under ASan/TSan nothing is used after it is freed and nothing
// races.
TEST(MapInMap, ReplacingInnerMapsWhileProgramsRun) {
  for (MapType type : {MapType::ArrayOfMaps, MapType::HashOfMaps}) {
    SCOPED_TRACE(static_cast<int>(type));
    Registry reg;
    auto outer = make(outer_def(type, kArray4), reg.options());
    ASSERT_NE(outer, nullptr);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> hits{0};
    std::vector<std::thread> programs;
    for (int t = 0; t < 3; ++t)
      programs.emplace_back([&, t] {
        uint64_t n = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          ProgramScope scope;
          const uint32_t slot = static_cast<uint32_t>(n++ % 4);
          auto* inner = static_cast<Map*>(outer->lookup_elem(&slot));
          if (!inner) continue;
          const uint32_t k = static_cast<uint32_t>(t);
          const uint64_t one = 1;
          auto* v = static_cast<uint64_t*>(inner->lookup_elem(&k));
          if (v) (void)inner->update_elem(&k, &one, kAny);
          hits.fetch_add(1, std::memory_order_relaxed);
        }
      });
    // 200 rounds at least, and until the programs have used inner maps a
    // while (on a busy machine they may start late).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (uint32_t round = 0; round < 200 || (hits.load() < 1000 && std::chrono::steady_clock::now() < deadline);
         ++round) {
      const uint32_t slot = round % 4, id = round + 1;
      reg.add(id, kArray4);
      if (round % 5 == 4)
        (void)outer->host_delete(&slot, 4);
      else
        ASSERT_EQ(store(*outer, slot, id), 0);
      reg.forget(id);
    }
    stop = true;
    for (auto& th : programs) th.join();
    EXPECT_GT(hits.load(), 0u);
    outer.reset();
    EXPECT_EQ(reg.released.load(), reg.handed_out.load());
  }
}

}  // namespace
}  // namespace ringb::maps::test
