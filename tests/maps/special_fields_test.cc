// special_fields_test.cc — map values with special fields (Options::record):
// copies in and out skip them and host reads see zeros; a value deleted,
// overwritten or destroyed with its map frees what its fields hold (kptrs
// released, lists and trees dropped), in arrays, per-cpu arrays, hash and
// per-cpu hash maps, preallocated and allocated — the kernel's
// check_and_free_fields / bpf_obj_free_fields paths.
#include <atomic>
#include <cstring>
#include <random>
#include <thread>

#include "ringb/cpumask.h"
#include "ringb/objects.h"
#include "tree_util.h"
#include "test_util.h"

namespace ringb::maps::test {
namespace {

using obj::test::Plain;
using obj::test::TNode;
using obj::test::Value;

struct Fixture {
  obj::Type plain = obj::test::plain_type();
  obj::Type tnode = obj::test::tnode_type();
  obj::Record record = obj::test::value_record(plain, offsetof(Plain, l), tnode, offsetof(TNode, r), &plain);
  obj::Stats before;
  Fixture() {
    EXPECT_TRUE(obj::init().ok());
    before = obj::stats();
  }
  Options options() const {
    Options o;
    o.record = &record;
    return o;
  }
  // What a program does with a value: under its lock, push `n` objects on
  // its list and add `n` to its tree; stash an object and a cpumask.
  void populate(Value* v, int n) const {
    obj::spin_lock(&v->lock);
    for (int i = 0; i < n; ++i) {
      auto* p = static_cast<Plain*>(obj::obj_new(plain));
      ASSERT_NE(p, nullptr);
      ASSERT_EQ(obj::list_push(&v->head, &p->l, &plain, offsetof(Plain, l), false), 0);
      auto* t = static_cast<TNode*>(obj::obj_new(tnode));
      ASSERT_NE(t, nullptr);
      t->key = i;
      ASSERT_EQ(obj::rbtree_add(&v->root, &t->r, obj::test::less_key, nullptr, &tnode, offsetof(TNode, r)), 0);
    }
    obj::spin_unlock(&v->lock);
    obj::obj_drop(obj::kptr_xchg(&v->obj, obj::obj_new(plain)), &plain);
    if (auto* old = static_cast<obj::bpf_cpumask*>(obj::kptr_xchg(&v->mask, obj::bpf_cpumask_create())))
      obj::bpf_cpumask_release(old);
  }
  uint64_t objects() const { return obj::stats().objects_live - before.objects_live; }
  uint64_t cpumasks() const { return obj::stats().cpumasks_live - before.cpumasks_live; }
  void expect_all_back() const {
    EXPECT_EQ(objects(), 0u);
    EXPECT_EQ(cpumasks(), 0u);
    mem::MemAlloc::rcu_barrier();
    EXPECT_EQ(objects(), 0u);
  }
};

Value host_value(int64_t data) {
  Value v;
  std::memset(&v, 0x77, sizeof v);  // special fields the host must not be able to set
  v.data = data;
  return v;
}

bool special_fields_zero(const Value& v) {
  return v.lock == 0 && !v.head.next && !v.head.prev && !v.root.node && !v.root.leftmost && !v.obj && !v.mask;
}

TEST(SpecialFields, ArrayCopiesSkipFieldsAndUpdatesFreeThem) {
  Fixture fx;
  auto map = make(def_of(MapType::Array, 4, sizeof(Value), 4), fx.options());
  ASSERT_TRUE(map);
  uint32_t key = 1;
  Value in = host_value(42);
  ASSERT_EQ(map->host_update(&key, 4, &in, sizeof in, kAny), 0);
  {
    ProgramScope prog;
    auto* v = static_cast<Value*>(map->lookup_elem(&key));
    ASSERT_NE(v, nullptr);
    EXPECT_TRUE(special_fields_zero(*v)) << "the host's bytes went into special fields";
    EXPECT_EQ(v->data, 42);
    fx.populate(v, 3);
  }
  EXPECT_EQ(fx.objects(), 7u);
  EXPECT_EQ(fx.cpumasks(), 1u);
  Value out;
  std::memset(&out, 0xee, sizeof out);
  ASSERT_EQ(map->host_lookup(&key, 4, &out, sizeof out), 0);
  EXPECT_TRUE(special_fields_zero(out));
  EXPECT_EQ(out.data, 42);
  // An update copies the rest, then frees what the fields held
  // (array_map_update_elem).
  in.data = 43;
  ASSERT_EQ(map->host_update(&key, 4, &in, sizeof in, kExist), 0);
  EXPECT_EQ(fx.objects(), 0u);
  EXPECT_EQ(fx.cpumasks(), 0u);
  ASSERT_EQ(map->host_lookup(&key, 4, &out, sizeof out), 0);
  EXPECT_EQ(out.data, 43);
  // Program-side updates, and BPF_F_LOCK ones, free the same way.
  for (uint64_t flags : {kAny, kFLock}) {
    ProgramScope prog;
    auto* v = static_cast<Value*>(map->lookup_elem(&key));
    fx.populate(v, 2);
    EXPECT_EQ(fx.objects(), 5u);
    ASSERT_EQ(map->update_elem(&key, &in, flags), 0);
    EXPECT_EQ(fx.objects(), 0u);
    EXPECT_TRUE(special_fields_zero(*v));
  }
  // Destroying the map frees every value's fields.
  for (key = 0; key < 4; ++key) {
    ProgramScope prog;
    fx.populate(static_cast<Value*>(map->lookup_elem(&key)), 4);
  }
  EXPECT_EQ(fx.objects(), 4u * 9);
  map.reset();
  fx.expect_all_back();
}

TEST(SpecialFields, GlobalDataKeepsItsInitialValue) {
  Fixture fx;
  MapDef d = def_of(MapType::Array, 4, sizeof(Value), 1);
  d.global_data = true;
  Value init{};
  init.data = 5;
  d.initial_value.resize(sizeof init);
  std::memcpy(d.initial_value.data(), &init, sizeof init);
  auto map = make(d, fx.options());
  ASSERT_TRUE(map);
  auto* v = static_cast<Value*>(map->direct_value_addr());
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->data, 5);
  {
    ProgramScope prog;
    fx.populate(v, 2);
  }
  map.reset();
  fx.expect_all_back();
}

// Per-cpu values hold kptrs only (no locks, so no graphs).
struct PercpuValue {
  void* obj;
  int64_t data;
};

obj::Record kptr_record(const obj::Type& plain) {
  obj::Record r;
  Field f = obj::test::field(FieldKind::Kptr, 0, 8);
  f.pointee_name = plain.name;
  obj::test::add(r, f, obj::test::holds(plain));
  return r;
}

TEST(SpecialFields, PercpuArray) {
  Fixture fx;
  const obj::Record rec = kptr_record(fx.plain);
  Options o;
  o.record = &rec;
  auto map = make(def_of(MapType::PercpuArray, 4, sizeof(PercpuValue), 2), o);
  ASSERT_TRUE(map);
  const unsigned n = cpu::nr_cpus();
  uint32_t key = 0;
  auto stash_everywhere = [&] {
    for (unsigned c = 0; c < n; ++c) {
      auto* v = static_cast<PercpuValue*>(map->lookup_percpu_elem(&key, c));
      obj::obj_drop(obj::kptr_xchg(&v->obj, obj::obj_new(fx.plain)), &fx.plain);
    }
  };
  stash_everywhere();
  EXPECT_EQ(fx.objects(), n);
  std::vector<PercpuValue> host(n);
  for (unsigned c = 0; c < n; ++c) host[c] = {reinterpret_cast<void*>(0x1234), int64_t(c)};
  ASSERT_EQ(map->host_lookup(&key, 4, host.data(), host.size() * sizeof(PercpuValue)), 0);
  for (const auto& v : host) EXPECT_EQ(v.obj, nullptr);
  // A host update writes every cpu's copy and frees every cpu's kptr.
  for (unsigned c = 0; c < n; ++c) host[c] = {reinterpret_cast<void*>(0x1234), int64_t(c)};
  ASSERT_EQ(map->host_update(&key, 4, host.data(), host.size() * sizeof(PercpuValue), kAny), 0);
  EXPECT_EQ(fx.objects(), 0u);
  // A program update, this cpu's copy only.
  stash_everywhere();
  {
    ProgramScope prog;
    PercpuValue in{nullptr, 9};
    ASSERT_EQ(map->update_elem(&key, &in, kAny), 0);
  }
  EXPECT_EQ(fx.objects(), n - 1);
  map.reset();
  fx.expect_all_back();
}

class SpecialFieldsHash : public ::testing::TestWithParam<bool> {};  // preallocated?

TEST_P(SpecialFieldsHash, DeleteReplaceAndDestroyFreeFields) {
  Fixture fx;
  auto map = make(def_of(MapType::Hash, 8, sizeof(Value), 16, GetParam() ? 0 : kFNoPrealloc), fx.options());
  ASSERT_TRUE(map);
  auto populate_key = [&](uint64_t key, int n) {
    ProgramScope prog;
    auto* v = static_cast<Value*>(map->lookup_elem(&key));
    ASSERT_NE(v, nullptr);
    EXPECT_TRUE(special_fields_zero(*v)) << "a fresh value starts with empty fields";
    fx.populate(v, n);
  };
  Value in = host_value(1);
  for (uint64_t k = 0; k < 8; ++k) ASSERT_EQ(map->host_update(&k, 8, &in, sizeof in, kNoExist), 0);
  for (uint64_t k = 0; k < 8; ++k) populate_key(k, 2);
  EXPECT_EQ(fx.objects(), 8u * 5);
  Value out;
  uint64_t key = 3;
  ASSERT_EQ(map->host_lookup(&key, 8, &out, sizeof out), 0);
  EXPECT_TRUE(special_fields_zero(out));
  // Host delete, program delete.
  ASSERT_EQ(map->host_delete(&key, 8), 0);
  EXPECT_EQ(fx.objects(), 7u * 5);
  key = 4;
  {
    ProgramScope prog;
    ASSERT_EQ(map->delete_elem(&key), 0);
  }
  EXPECT_EQ(fx.objects(), 6u * 5);
  // Replace (host and program): the old element's fields go, the new one's
  // are empty.
  key = 5;
  ASSERT_EQ(map->host_update(&key, 8, &in, sizeof in, kExist), 0);
  EXPECT_EQ(fx.objects(), 5u * 5);
  populate_key(5, 1);
  {
    ProgramScope prog;
    ASSERT_EQ(map->update_elem(&key, &in, kAny), 0);
  }
  EXPECT_EQ(fx.objects(), 5u * 5);  // the 3 that key 5's old value held went
  populate_key(5, 0);
  // Lookup-and-delete: the value out without its fields, the fields freed.
  key = 6;
  ASSERT_EQ(map->host_lookup_and_delete(&key, 8, &out, sizeof out), 0);
  EXPECT_TRUE(special_fields_zero(out));
  EXPECT_EQ(out.data, 1);
  // Re-inserted keys reuse elements at once: their fields start empty.
  key = 3;
  ASSERT_EQ(map->host_update(&key, 8, &in, sizeof in, kNoExist), 0);
  populate_key(3, 1);
  map.reset();
  fx.expect_all_back();
}

INSTANTIATE_TEST_SUITE_P(Memory, SpecialFieldsHash, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Prealloc" : "Dynamic"; });

class SpecialFieldsPercpuHash : public ::testing::TestWithParam<bool> {};

TEST_P(SpecialFieldsPercpuHash, UpdatesDeletesAndDestroyFreeKptrs) {
  Fixture fx;
  const obj::Record rec = kptr_record(fx.plain);
  Options o;
  o.record = &rec;
  auto map = make(def_of(MapType::PercpuHash, 8, sizeof(PercpuValue), 8, GetParam() ? 0 : kFNoPrealloc), o);
  ASSERT_TRUE(map);
  const unsigned n = cpu::nr_cpus();
  std::vector<PercpuValue> host(n, PercpuValue{reinterpret_cast<void*>(0x99), 7});
  const size_t host_size = host.size() * sizeof(PercpuValue);
  auto stash = [&](uint64_t key) {
    for (unsigned c = 0; c < n; ++c) {
      auto* v = static_cast<PercpuValue*>(map->lookup_percpu_elem(&key, c));
      ASSERT_NE(v, nullptr);
      EXPECT_EQ(v->obj, nullptr);
      obj::obj_drop(obj::kptr_xchg(&v->obj, obj::obj_new(fx.plain)), &fx.plain);
    }
  };
  for (uint64_t k = 0; k < 4; ++k) {
    ASSERT_EQ(map->host_update(&k, 8, host.data(), host_size, kNoExist), 0);
    stash(k);
  }
  EXPECT_EQ(fx.objects(), 4u * n);
  uint64_t key = 0;
  std::vector<PercpuValue> out(n);
  ASSERT_EQ(map->host_lookup(&key, 8, out.data(), host_size), 0);
  for (const auto& v : out) EXPECT_EQ(v.obj, nullptr);
  // In-place updates free what they overwrite: every cpu from the host,
  // this cpu's from a program.
  ASSERT_EQ(map->host_update(&key, 8, host.data(), host_size, kExist), 0);
  EXPECT_EQ(fx.objects(), 3u * n);
  key = 1;
  {
    ProgramScope prog;
    PercpuValue in{nullptr, 8};
    ASSERT_EQ(map->update_elem(&key, &in, kExist), 0);
  }
  EXPECT_EQ(fx.objects(), 3u * n - 1);
  key = 2;
  ASSERT_EQ(map->host_delete(&key, 8), 0);
  EXPECT_EQ(fx.objects(), 2u * n - 1);
  ASSERT_EQ(map->host_update(&key, 8, host.data(), host_size, kNoExist), 0);
  stash(2);  // a reused element's copies start empty
  map.reset();
  fx.expect_all_back();
}

INSTANTIATE_TEST_SUITE_P(Memory, SpecialFieldsPercpuHash, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Prealloc" : "Dynamic"; });

// A program that looked an element up before the host deleted it still
// stashes into its value: the element's next user starts empty, and
// nothing is lost (freed when the element is reused, or with the map).
TEST_P(SpecialFieldsHash, LateStashIntoADeletedElement) {
  Fixture fx;
  auto map = make(def_of(MapType::Hash, 8, sizeof(Value), 1, GetParam() ? 0 : kFNoPrealloc), fx.options());
  ASSERT_TRUE(map);
  Value in = host_value(1);
  uint64_t key = 1;
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(map->host_update(&key, 8, &in, sizeof in, kNoExist), 0);
    ProgramScope prog;
    auto* v = static_cast<Value*>(map->lookup_elem(&key));
    ASSERT_NE(v, nullptr);
    EXPECT_TRUE(special_fields_zero(*v));
    fx.populate(v, 1);
    ASSERT_EQ(map->delete_elem(&key), 0);
    EXPECT_EQ(fx.objects(), 0u);
    fx.populate(v, 2);  // too late: the element is gone from the table
    EXPECT_EQ(fx.objects(), 5u);
    ASSERT_EQ(map->update_elem(&key, &in, kNoExist), 0);
    auto* again = static_cast<Value*>(map->lookup_elem(&key));
    if (GetParam()) {
      EXPECT_EQ(again, v);  // one element on the free list: the same one again
    }
    if (again == v) {
      EXPECT_TRUE(special_fields_zero(*again));  // reused: the late stash was freed
      EXPECT_EQ(fx.objects(), 0u);
    }
    ASSERT_EQ(map->delete_elem(&key), 0);
  }
  map.reset();
  if (GetParam()) fx.expect_all_back();  // allocated: see htab.cc, a never-reused element keeps it
}

// Programs stash into values while other programs and the host delete,
// replace and re-insert the same keys (and overwrite array elements): every
// object ends up freed exactly once — with the map at the latest.
TEST(SpecialFields, ConcurrentUseDeleteAndReplace) {
  Fixture fx;
  auto hash = make(def_of(MapType::Hash, 8, sizeof(Value), 8), fx.options());
  auto array = make(def_of(MapType::Array, 4, sizeof(Value), 8), fx.options());
  ASSERT_TRUE(hash && array);
  const Value in = host_value(3);
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  constexpr int kRounds = 3000;
#else
  constexpr int kRounds = 30000;
#endif
  std::atomic<int> found{0};
  auto program = [&](unsigned seed) {
    std::mt19937 rng(seed);
    for (int i = 0; i < kRounds; ++i) {
      ProgramScope prog;
      uint64_t key = rng() % 8;
      uint32_t index = static_cast<uint32_t>(key);
      switch (rng() % 5) {
        case 0:
        case 1:
          if (auto* v = static_cast<Value*>(hash->lookup_elem(&key))) {
            fx.populate(v, 1);
            found.fetch_add(1, std::memory_order_relaxed);
          }
          break;
        case 2:
          (void)hash->delete_elem(&key);
          break;
        case 3:
          (void)hash->update_elem(&key, &in, kAny);
          break;
        case 4:
          if (rng() % 2)
            fx.populate(static_cast<Value*>(array->lookup_elem(&index)), 1);
          else
            (void)array->update_elem(&index, &in, kAny);
          break;
      }
    }
  };
  std::thread host([&] {
    std::mt19937 rng(99);
    for (int i = 0; i < kRounds; ++i) {
      uint64_t key = rng() % 8;
      if (rng() % 2)
        (void)hash->host_update(&key, 8, &in, sizeof in, kAny);
      else
        (void)hash->host_delete(&key, 8);
    }
  });
  std::thread p1(program, 1), p2(program, 2);
  p1.join();
  p2.join();
  host.join();
  EXPECT_GT(found.load(), 0);
  hash.reset();
  array.reset();
  fx.expect_all_back();
}

// BPF_F_LOCK with a record: every special field is skipped, not just the lock.
TEST(SpecialFields, LockedCopySkipsEveryField) {
  Fixture fx;
  auto map = make(def_of(MapType::Hash, 8, sizeof(Value), 4), fx.options());
  ASSERT_TRUE(map);
  uint64_t key = 1;
  Value in = host_value(10);
  ASSERT_EQ(map->host_update(&key, 8, &in, sizeof in, kAny), 0);
  {
    ProgramScope prog;
    fx.populate(static_cast<Value*>(map->lookup_elem(&key)), 1);
  }
  in.data = 11;
  ASSERT_EQ(map->host_update(&key, 8, &in, sizeof in, kExist | kFLock), 0);  // in place: fields stay
  EXPECT_EQ(fx.objects(), 3u);
  Value out;
  ASSERT_EQ(map->host_lookup(&key, 8, &out, sizeof out), 0);
  EXPECT_EQ(out.data, 11);
  EXPECT_TRUE(special_fields_zero(out));
  {
    ProgramScope prog;
    auto* v = static_cast<Value*>(map->lookup_elem(&key));
    EXPECT_NE(v->head.next, nullptr);
    EXPECT_NE(v->obj, nullptr);
  }
  map.reset();
  fx.expect_all_back();
}

}  // namespace
}  // namespace ringb::maps::test
