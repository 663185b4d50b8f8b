// Maps of maps through the embedding API: map ids, maps the host creates and
// stores in an object's outer maps (as a user stores bpf_map_create fds),
// inner maps that outlive their objects, `.values` resolved after every map
// exists, and inner maps replaced while programs run on other threads — run
// it under ASan and TSan. Objects: tests/api/bpf/map_in_map.bpf.c and the
// corpus' maps_in_maps.bpf.o.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "ringb/runtime.h"
#include "ringb_bpf_corpus.h"

namespace ringb {
namespace {

const std::string kObject = std::string(RINGB_API_BPF_DIR) + "/map_in_map.bpf.o";
const std::string kCorpus = std::string(RINGB_BPF_CORPUS_DIR) + "/maps_in_maps.bpf.o";
constexpr uint32_t kNone = 1000;  // read_slot / read_key: no map there

// The template's shape: an array of 4 u64.
MapDef inner_def(const std::string& name, uint32_t max_entries = 4, uint32_t value_size = 8) {
  MapDef d;
  d.name = name;
  d.type = static_cast<uint32_t>(MapType::Array);
  d.key_size = 4;
  d.value_size = value_size;
  d.max_entries = max_entries;
  return d;
}

// A host map whose value 0 is `v`.
HostMap host_map(const Runtime& rt, const std::string& name, uint64_t v) {
  auto m = rt.create_map(inner_def(name));
  EXPECT_TRUE(m.ok()) << m.error().message;
  if (!m.ok()) return {};
  const uint32_t zero = 0;
  EXPECT_EQ(m->map->host_update(&zero, 4, &v, 8, maps::kAny), 0);
  return *m;
}

long store(maps::Map& outer, uint32_t key, uint32_t id) { return outer.host_update(&key, 4, &id, 4, maps::kAny); }

uint32_t read(const LoadedObject& lo, const std::string& prog, uint32_t key) {
  TestRunOptions o;
  o.ctx_in.resize(4);
  std::memcpy(o.ctx_in.data(), &key, 4);
  auto r = lo.test_run(prog, o);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r->retval : 0xdeadbeef;
}

TEST(MapInMapApi, HostCreatedMapsGoIntoAnObjectsOuterMaps) {
  Runtime rt;
  auto lo = rt.load(kObject);
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  maps::Map* outer = (*lo)->map("outer");
  maps::Map* outer_hash = (*lo)->map("outer_hash");
  ASSERT_NE(outer, nullptr);
  ASSERT_NE(outer_hash, nullptr);
  EXPECT_EQ(read(**lo, "read_slot", 2), kNone);
  HostMap a = host_map(rt, "a", 11), b = host_map(rt, "b", 22);
  ASSERT_NE(a.id, 0u);
  ASSERT_NE(a.id, b.id);
  ASSERT_EQ(store(*outer, 2, a.id), 0);
  ASSERT_EQ(store(*outer_hash, 1234, b.id), 0);
  EXPECT_EQ(read(**lo, "read_slot", 2), 11u);
  EXPECT_EQ(read(**lo, "read_key", 1234), 22u);
  EXPECT_EQ(read(**lo, "read_key", 1), kNone);
  // The program counted its run in the host's map.
  const uint32_t one = 1;
  uint64_t count = 0;
  ASSERT_EQ(a.map->host_lookup(&one, 4, &count, 8), 0);
  EXPECT_EQ(count, 1u);
  // The host reads back the inner map's id, and finds the map by it.
  const uint32_t two = 2;
  uint32_t id = 0;
  ASSERT_EQ(outer->host_lookup(&two, 4, &id, 4), 0);
  EXPECT_EQ(id, a.id);
  auto found = rt.map_by_id(id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->map.get(), a.map.get());
  ASSERT_EQ(outer->host_delete(&two, 4), 0);
  EXPECT_EQ(read(**lo, "read_slot", 2), kNone);
  EXPECT_EQ(rt.map_by_id(0xfffffff0).error().code, ENOENT);
}

TEST(MapInMapApi, AMapThatDoesNotMatchTheTemplateIsEinval) {
  Runtime rt;
  auto lo = rt.load(kObject);
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  maps::Map* outer = (*lo)->map("outer");
  for (const MapDef& d : {inner_def("five", 5), inner_def("narrow", 4, 4)}) {
    auto m = rt.create_map(d);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(store(*outer, 0, m->id), -EINVAL) << d.name;
  }
  MapDef hash = inner_def("hash");
  hash.type = static_cast<uint32_t>(MapType::Hash);
  auto h = rt.create_map(hash);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(store(*outer, 0, h->id), -EINVAL);
  EXPECT_EQ(store(*outer, 0, 0xfffffff0), -EBADF);
  // An outer map is no inner map.
  EXPECT_EQ(store(*outer, 0, (*lo)->map_id("outer_hash")), -EINVAL);
  EXPECT_EQ(read(**lo, "read_slot", 0), kNone);
}

TEST(MapInMapApi, ObjectMapsHaveIdsAndValuesAreStoredByThem) {
  Runtime rt;
  auto lo = rt.load(kCorpus);
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  const uint32_t a = (*lo)->map_id("inner_arr_a"), b = (*lo)->map_id("inner_arr_b");
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  EXPECT_NE(a, b);
  EXPECT_EQ((*lo)->map_id("no_such_map"), 0u);
  uint32_t key = 0, id = 0;
  ASSERT_EQ((*lo)->map("outer_arr")->host_lookup(&key, 4, &id, 4), 0);
  EXPECT_EQ(id, a);
  key = 7;
  ASSERT_EQ((*lo)->map("outer_hash")->host_lookup(&key, 4, &id, 4), 0);
  EXPECT_EQ(id, b);
  auto found = rt.map_by_id(a);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->map.get(), (*lo)->map("inner_arr_a"));
  // A map of another object, stored by id: the program sees it.
  auto other = rt.load(kObject);
  ASSERT_TRUE(other.ok()) << other.error().message;
  const uint32_t zero = 0;
  const uint64_t v = 31;
  ASSERT_EQ((*lo)->map("inner_arr_a")->host_update(&zero, 4, &v, 8, maps::kAny), 0);
  ASSERT_EQ(store(*(*other)->map("outer"), 1, a), 0);
  EXPECT_EQ(read(**other, "read_slot", 1), 31u);
}

// The outer map's reference keeps an inner map alive after its object and
// the host's handle are gone; its id resolves until then.
TEST(MapInMapApi, InnerMapsOutliveTheirObjects) {
  Runtime rt;
  auto holder = rt.load(kObject);
  ASSERT_TRUE(holder.ok()) << holder.error().message;
  uint32_t id = 0;
  {
    auto donor = rt.load(kCorpus);
    ASSERT_TRUE(donor.ok()) << donor.error().message;
    id = (*donor)->map_id("inner_arr_b");
    const uint32_t zero = 0;
    const uint64_t v = 44;
    ASSERT_EQ((*donor)->map("inner_arr_b")->host_update(&zero, 4, &v, 8, maps::kAny), 0);
    ASSERT_EQ(store(*(*holder)->map("outer"), 3, id), 0);
  }
  EXPECT_EQ(read(**holder, "read_slot", 3), 44u);
  EXPECT_TRUE(rt.map_by_id(id).ok());
  {
    HostMap h = host_map(rt, "short_lived", 55);
    ASSERT_EQ(store(*(*holder)->map("outer"), 0, h.id), 0);
  }
  EXPECT_EQ(read(**holder, "read_slot", 0), 55u);
  const uint32_t three = 3;
  ASSERT_EQ((*holder)->map("outer")->host_delete(&three, 4), 0);
  EXPECT_FALSE(rt.map_by_id(id).ok());  // its last reference went with the slot
}

// Swaps maps i and j of `obj`, and the programs' references to them.
void swap_maps(Object& obj, int i, int j) {
  std::swap(obj.maps[static_cast<size_t>(i)], obj.maps[static_cast<size_t>(j)]);
  for (Program& p : obj.programs)
    for (size_t pc = 0; pc + 1 < p.insns.size(); ++pc) {
      Insn& in = p.insns[pc];
      if (!isa::is_ld_imm64(in)) continue;
      if (in.src == isa::kPseudoMapFd || in.src == isa::kPseudoMapIdx || in.src == isa::kPseudoMapValue ||
          in.src == isa::kPseudoMapIdxValue)
        in.imm = in.imm == i ? j : in.imm == j ? i : in.imm;
      ++pc;
    }
}

// All of an object's maps exist before any `.values` are stored, and
// loading one program brings the maps its outer maps hold.
TEST(MapInMapApi, ValuesMayNameMapsDefinedLater) {
  Runtime rt;
  auto obj = Object::open_file(kObject);
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  const int late = obj->find_map("late"), early = obj->find_map("early");
  ASSERT_LT(late, early);  // as clang laid them out
  swap_maps(*obj, late, early);
  ASSERT_GT(obj->find_map("late"), obj->find_map("early"));
  auto lo = rt.load(std::move(obj.value()));
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  EXPECT_EQ(read(**lo, "read_late", 0), 77u);
  Runtime::LoadOptions only;
  only.programs = {"read_late"};
  auto alone = rt.load(kObject, only);
  ASSERT_TRUE(alone.ok()) << alone.error().message;
  EXPECT_EQ(read(**alone, "read_late", 0), 77u);
  EXPECT_NE((*alone)->map("late"), nullptr);
  EXPECT_EQ((*alone)->map("outer"), nullptr);
}

TEST(MapInMapApi, ValuesThatDoNotMatchTheTemplateFailTheLoad) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/map_in_map_bad.bpf.o");
  ASSERT_FALSE(lo.ok());
  EXPECT_EQ(lo.error().code, EINVAL);
  const std::string& m = lo.error().message;
  EXPECT_NE(m.find("map 'mismatched': slot 0 (`.values`): cannot store map 'five'"), std::string::npos) << m;
  EXPECT_NE(m.find("max_entries 5 where the template has 4"), std::string::npos) << m;
}

TEST(MapInMapApi, TheHostCreatesOuterMapsToo) {
  Runtime rt;
  HostMap a = host_map(rt, "a", 1);
  MapDef outer = inner_def("host_outer");
  outer.type = static_cast<uint32_t>(MapType::HashOfMaps);
  outer.value_size = 4;
  auto no_template = rt.create_map(outer);
  ASSERT_FALSE(no_template.ok());
  EXPECT_EQ(no_template.error().code, EINVAL);
  EXPECT_NE(no_template.error().message.find("map 'host_outer'"), std::string::npos);
  outer.inner_map = std::make_shared<MapDef>(a.map->def());  // an existing map as template
  auto o = rt.create_map(outer);
  ASSERT_TRUE(o.ok()) << o.error().message;
  ASSERT_EQ(store(*o->map, 9, a.id), 0);
  uint32_t key = 9, id = 0;
  ASSERT_EQ(o->map->host_lookup(&key, 4, &id, 4), 0);
  EXPECT_EQ(id, a.id);
}

// Threads run programs reading through outer slot 0 while the host stores
// fresh maps there and deletes them, dropping its own handles at once: each
// map is held by the outer map alone and freed once out of it. Every run
// sees one of the maps or none, never freed memory.
TEST(MapInMapApi, ReplacingInnerMapsWhileProgramsRun) {
  Runtime rt;
  auto lo = rt.load(kObject);
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  maps::Map* outer = (*lo)->map("outer");
  maps::Map* outer_hash = (*lo)->map("outer_hash");
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> runs{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {
      const std::string prog = t % 2 ? "read_key" : "read_slot";
      while (!stop.load(std::memory_order_relaxed)) {
        const uint32_t r = read(**lo, prog, 0);
        if (r != kNone && (r < 1 || r > 3)) bad.fetch_add(1);
        runs.fetch_add(1, std::memory_order_relaxed);
      }
    });
  // 150 rounds at least, and until the programs have run a while (on a busy
  // machine they may start late).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int round = 0; round < 150 || (runs.load() < 300 && std::chrono::steady_clock::now() < deadline); ++round) {
    {
      HostMap m = host_map(rt, "m", static_cast<uint64_t>(round % 3 + 1));
      ASSERT_EQ(store(*outer, 0, m.id), 0);
      ASSERT_EQ(store(*outer_hash, 0, m.id), 0);
    }
    if (round % 7 == 6) {
      const uint32_t zero = 0;
      ASSERT_EQ(outer->host_delete(&zero, 4), 0);
      ASSERT_EQ(outer_hash->host_delete(&zero, 4), 0);
    }
  }
  stop = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GT(runs.load(), 0u);
}

}  // namespace
}  // namespace ringb
