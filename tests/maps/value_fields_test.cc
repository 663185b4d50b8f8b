// Map::create on values with special fields (MapDef::fields): the kinds each
// map type may hold, as map_check_btf() answers. tests/kernel/
// fields_oracle_test.cc compares every kind in every type with the kernel;
// these rows need no kernel.
#include "test_util.h"
#include "value_fields.h"

namespace ringb::maps::test {
namespace {

FieldRecord record_of(std::initializer_list<std::pair<FieldKind, uint32_t>> fields) {
  FieldRecord r;
  for (const auto& [kind, off] : fields) {
    Field f;
    f.kind = kind;
    f.offset = off;
    f.size = kind == FieldKind::SpinLock || kind == FieldKind::Refcount ? 4 : kind == FieldKind::Kptr ? 8 : 16;
    r.fields.push_back(f);
    r.mask |= static_cast<uint32_t>(kind);
    if (kind == FieldKind::SpinLock) r.spin_lock_off = static_cast<int32_t>(off);
  }
  return r;
}

struct Row {
  const char* what;
  MapType type;
  uint32_t flags;
  FieldRecord fields;
  int expected;
};

TEST(ValueFields, EachMapTypeHoldsItsKinds) {
  using K = FieldKind;
  const std::vector<Row> rows = {
      {"hash: lock, list head", MapType::Hash, 0, record_of({{K::SpinLock, 0}, {K::ListHead, 8}}), 0},
      {"array: timer, kptr", MapType::Array, 0, record_of({{K::Timer, 0}, {K::Kptr, 16}}), 0},
      {"percpu array: kptr, refcount", MapType::PercpuArray, 0, record_of({{K::Kptr, 0}, {K::Refcount, 8}}), 0},
      {"percpu hash: timer", MapType::PercpuHash, 0, record_of({{K::Timer, 0}}), EOPNOTSUPP},
      {"percpu array: lock", MapType::PercpuArray, 0, record_of({{K::SpinLock, 0}}), EOPNOTSUPP},
      {"percpu hash: list head", MapType::PercpuHash, 0, record_of({{K::ListHead, 0}}), EOPNOTSUPP},
      {"queue: kptr", MapType::Queue, 0, record_of({{K::Kptr, 0}}), EINVAL},
      {"stack: timer", MapType::Stack, 0, record_of({{K::Timer, 0}}), EINVAL},
      {"prog array: lock", MapType::ProgArray, 0, record_of({{K::SpinLock, 0}}), EOPNOTSUPP},
      {"array, rdonly_prog: kptr", MapType::Array, kFRdonlyProg, record_of({{K::Kptr, 0}}), EACCES},
      {"array, wronly_prog: timer", MapType::Array, kFWronlyProg, record_of({{K::Timer, 0}}), EACCES},
      {"array, mmapable: lock", MapType::Array, kFMmapable, record_of({{K::SpinLock, 0}}), 0},
      {"array: misaligned timer", MapType::Array, 0, record_of({{K::Timer, 4}}), EINVAL},
      {"array: kptr past the value", MapType::Array, 0, record_of({{K::Kptr, 24}}), EINVAL},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.what);
    const bool keyless = r.type == MapType::Queue || r.type == MapType::Stack;
    MapDef d = def_of(r.type, keyless ? 0 : 4, r.type == MapType::ProgArray ? 4 : 24, 4, r.flags);
    d.fields = r.fields;
    d.spin_lock_off = r.fields.spin_lock_off;
    auto m = Map::create(d);
    if (r.expected == 0) {
      EXPECT_TRUE(m.ok()) << m.error().message;
    } else {
      ASSERT_FALSE(m.ok());
      EXPECT_EQ(m.error().code, r.expected) << m.error().message;
      EXPECT_NE(m.error().message.find(r.expected == EACCES ? "BPF_F_RDONLY_PROG" : ""), std::string::npos);
    }
  }
}

TEST(ValueFields, LruMapsHoldTimersButNoLock) {
  // ringb has no LRU maps yet; the rule is the kernel's all the same.
  MapDef d = def_of(MapType::LruHash, 4, 24, 4);
  d.fields = record_of({{FieldKind::Timer, 0}});
  EXPECT_TRUE(detail::check_value_fields(d).ok());
  d.fields = record_of({{FieldKind::SpinLock, 0}});
  d.spin_lock_off = 0;
  Status s = detail::check_value_fields(d);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, EOPNOTSUPP);
  EXPECT_NE(s.error().message.find("a lru_hash map cannot hold a bpf_spin_lock"), std::string::npos) << s.error().message;
}

TEST(ValueFields, SpinLockOffMustBeTheRecords) {
  MapDef d = def_of(MapType::Array, 4, 24, 4);
  d.fields = record_of({{FieldKind::SpinLock, 8}});
  d.spin_lock_off = 0;
  auto m = Map::create(d);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, EINVAL);
}

}  // namespace
}  // namespace ringb::maps::test
