// The XDP redirect maps (src/maps/devmap.cc, cpumap.cc, xskmap.cc) beyond
// what the kernel scripts compare (redirect_maps_kernel_test.cc): entry
// programs named by id, the program side's lookups, chains of a
// devmap_hash's bucket, and entries replaced under a reader.
#include <cerrno>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "test_util.h"

namespace ringb::maps::test {
namespace {

constexpr MapType kDevMap = static_cast<MapType>(14), kCpuMap = static_cast<MapType>(16),
                  kXskMap = static_cast<MapType>(17), kDevMapHash = static_cast<MapType>(25);
constexpr uint32_t kLo = 1;

// Program 42 is an XDP program, 43 a tc one; nothing else exists.
Options with_programs() {
  static const int dummy = 0;
  Options o;
  o.prog_resolver = [](uint32_t id) -> Expected<ProgRef> {
    if (id != 42 && id != 43) return Error{EBADF, "no program " + std::to_string(id)};
    ProgRef r;
    r.prog = &dummy;
    r.type = id == 42 ? 6 : 3;
    r.id = id;
    return r;
  };
  return o;
}

struct Val {
  uint32_t a = 0, b = 0;
};

TEST(Devmap, EntryProgramsByIdAndBackAsTheirId) {
  for (MapType t : {kDevMap, kDevMapHash}) {
    auto m = make(def_of(t, 4, 8, 4), with_programs());
    ASSERT_NE(m, nullptr);
    uint32_t k = 1;
    Val v{kLo, 42}, out;
    EXPECT_EQ(m->host_update(&k, 4, &v, 8, kAny), 0);
    EXPECT_EQ(m->host_lookup(&k, 4, &out, 8), 0);
    EXPECT_EQ(out.a, kLo);
    EXPECT_EQ(out.b, 42u);
    Val tc{kLo, 43}, none{kLo, 7};
    EXPECT_EQ(m->host_update(&k, 4, &tc, 8, kAny), -EINVAL);    // not an XDP program
    EXPECT_EQ(m->host_update(&k, 4, &none, 8, kAny), -EINVAL);  // no such program
    Val negative{kLo, 0xfffffffe};                               // fd < 0: no program
    EXPECT_EQ(m->host_update(&k, 4, &negative, 8, kAny), 0);
    EXPECT_EQ(m->host_lookup(&k, 4, &out, 8), 0);
    EXPECT_EQ(out.b, 0u);
  }
  auto no_resolver = make(def_of(kDevMap, 4, 8, 4));
  uint32_t k = 0;
  Val v{kLo, 42};
  EXPECT_EQ(no_resolver->host_update(&k, 4, &v, 8, kAny), -EINVAL);
}

TEST(Devmap, ProgramsSeeTheValueReadOnly) {
  auto m = make(def_of(kDevMap, 4, 8, 4));
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->def().map_flags & kFRdonlyProg);  // added at creation, as dev_map_init_map
  uint32_t k = 2;
  Val v{kLo, 0};
  ASSERT_EQ(m->host_update(&k, 4, &v, 8, kAny), 0);
  ProgramScope scope;
  const auto* p = static_cast<const uint32_t*>(m->lookup_elem(&k));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p[0], kLo);
  EXPECT_EQ(p[1], 0u);
  uint32_t missing = 3, past = 4;
  EXPECT_EQ(m->lookup_elem(&missing), nullptr);
  EXPECT_EQ(m->lookup_elem(&past), nullptr);
  EXPECT_EQ(m->update_elem(&k, &v, kAny), -EINVAL);  // the verifier refuses programs' writes
  EXPECT_EQ(m->delete_elem(&k), -EINVAL);
}

TEST(Devmap, AReplacedEntryStaysReadableUntilTheReaderLeaves) {
  auto m = make(def_of(kDevMapHash, 4, 4, 4));
  ASSERT_NE(m, nullptr);
  uint32_t k = 9, lo = kLo;
  ASSERT_EQ(m->host_update(&k, 4, &lo, 4, kAny), 0);
  std::unique_ptr<ProgramScope> reader = std::make_unique<ProgramScope>();
  const auto* p = static_cast<const uint32_t*>(m->lookup_elem(&k));
  ASSERT_NE(p, nullptr);
  // the host replaces and deletes it from another thread meanwhile
  std::thread([&] {
    EXPECT_EQ(m->host_update(&k, 4, &lo, 4, kAny), 0);
    EXPECT_EQ(m->host_delete(&k, 4), 0);
  }).join();
  EXPECT_EQ(*p, kLo);  // retired after a grace period, not freed under us (ASan would say)
  reader.reset();
  EXPECT_EQ(m->host_delete(&k, 4), -ENOENT);
}

TEST(DevmapHash, ChainsOfOneBucketWalkNewestFirstAndUnlinkAnywhere) {
  auto m = make(def_of(kDevMapHash, 4, 4, 4));  // 4 buckets
  ASSERT_NE(m, nullptr);
  uint32_t lo = kLo;
  for (uint32_t k : {1u, 5u, 9u, 13u}) ASSERT_EQ(m->host_update(&k, 4, &lo, 4, kAny), 0);
  EXPECT_EQ(walk_keys<uint32_t>(*m), (std::vector<uint32_t>{13, 9, 5, 1}));
  uint32_t k5 = 5, k13 = 13, k1 = 1, k17 = 17;
  EXPECT_EQ(m->host_update(&k17, 4, &lo, 4, kAny), -E2BIG);
  EXPECT_EQ(m->host_delete(&k5, 4), 0);   // the middle
  EXPECT_EQ(m->host_delete(&k13, 4), 0);  // the head
  EXPECT_EQ(walk_keys<uint32_t>(*m), (std::vector<uint32_t>{9, 1}));
  EXPECT_EQ(m->host_delete(&k1, 4), 0);   // the tail
  EXPECT_EQ(walk_keys<uint32_t>(*m), (std::vector<uint32_t>{9}));
  EXPECT_EQ(m->stats().elements, 1u);
  ProgramScope scope;
  uint32_t k9 = 9;
  EXPECT_NE(m->lookup_elem(&k9), nullptr);
  EXPECT_EQ(m->lookup_elem(&k5), nullptr);
}

TEST(Cpumap, EntryProgramsAndWhatProgramsFind) {
  auto m = make(def_of(kCpuMap, 4, 8, 2), with_programs());
  ASSERT_NE(m, nullptr);
  uint32_t cpu0 = 0;
  Val v{256, 42}, out;
  EXPECT_EQ(m->host_update(&cpu0, 4, &v, 8, kAny), 0);
  EXPECT_EQ(m->host_lookup(&cpu0, 4, &out, 8), 0);
  EXPECT_EQ(out.a, 256u);
  EXPECT_EQ(out.b, 42u);
  Val tc{256, 43};
  EXPECT_EQ(m->host_update(&cpu0, 4, &tc, 8, kAny), -ENOMEM);  // the entry's allocation fails whole
  {
    ProgramScope scope;
    EXPECT_NE(m->lookup_elem(&cpu0), nullptr);  // what bpf_redirect_map finds
  }
  EXPECT_EQ(m->host_delete(&cpu0, 4), 0);
  ProgramScope scope;
  EXPECT_EQ(m->lookup_elem(&cpu0), nullptr);
}

TEST(RedirectMaps, TheFirstUserFixesTheProgramType) {
  for (MapType t : {kDevMap, kCpuMap}) {
    auto m = make(def_of(t, 4, 8, 2), with_programs());
    ASSERT_NE(m, nullptr);
    EXPECT_TRUE(m->claim_prog_type(6, nullptr));   // an xdp program uses it
    EXPECT_TRUE(m->claim_prog_type(6, nullptr));
    EXPECT_FALSE(m->claim_prog_type(3, nullptr));  // then a tc one: refused at load
  }
  // an entry program claims it too: a tc user after it is refused
  auto dev = make(def_of(kDevMap, 4, 8, 2), with_programs());
  uint32_t k = 0;
  Val v{kLo, 42};
  ASSERT_EQ(dev->host_update(&k, 4, &v, 8, kAny), 0);
  EXPECT_FALSE(dev->claim_prog_type(3, nullptr));
  // a tc user first: no XDP entry program fits any more
  auto cpus = make(def_of(kCpuMap, 4, 8, 2), with_programs());
  EXPECT_TRUE(cpus->claim_prog_type(3, nullptr));
  Val q{64, 42};
  EXPECT_EQ(cpus->host_update(&k, 4, &q, 8, kAny), -ENOMEM);
  // a devmap_hash's users are not checked (only its entry programs)
  auto hash = make(def_of(kDevMapHash, 4, 8, 2), with_programs());
  EXPECT_TRUE(hash->claim_prog_type(6, nullptr));
  EXPECT_TRUE(hash->claim_prog_type(3, nullptr));
}

TEST(Xskmap, AlwaysEmpty) {
  auto m = make(def_of(kXskMap, 4, 4, 2));
  ASSERT_NE(m, nullptr);
  uint32_t k = 0, fd = 3, out;
  EXPECT_EQ(m->host_update(&k, 4, &fd, 4, kAny), -EBADF);
  EXPECT_EQ(m->host_lookup(&k, 4, &out, 4), -EOPNOTSUPP);
  EXPECT_EQ(m->host_delete(&k, 4), 0);
  ProgramScope scope;
  EXPECT_EQ(m->lookup_elem(&k), nullptr);
}

}  // namespace
}  // namespace ringb::maps::test
