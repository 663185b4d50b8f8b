// BPF_MAP_TYPE_PROG_ARRAY: host commands and their errnos (as Linux 6.18
// answers them), the array's program type, lock-free reads, and that a
// replaced or deleted program is released after a grace period.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "ringb/cpu.h"
#include "ringb/maps.h"
#include "ringb/rcu.h"

namespace ringb::maps {
namespace {

constexpr uint32_t kTc = 3, kXdp = 6;  // BPF_PROG_TYPE_SCHED_CLS, _XDP

MapDef prog_array_def(uint32_t max_entries = 4) {
  MapDef d;
  d.name = "jmp";
  d.type = static_cast<uint32_t>(MapType::ProgArray);
  d.key_size = d.value_size = 4;
  d.max_entries = max_entries;
  return d;
}

// A stand-in program: the maps layer only stores the pointer.
struct FakeProg {
  std::shared_ptr<int> body = std::make_shared<int>(0);
  uint32_t type = kTc, id = 0;
  ProgRef ref() const { return ProgRef{body.get(), type, id, body}; }
};

// Every grace period a replaced entry waits for has ended.
void wait_for_grace_periods() {
  rcu::barrier(rcu::Domain::TasksTrace);
  rcu::barrier(rcu::Domain::Rcu);
}

class ProgArray : public ::testing::Test {
 protected:
  void SetUp() override {
    a_.id = 11;
    b_.id = 12;
    x_.id = 13;
    x_.type = kXdp;
    Options o;
    o.prog_resolver = [this](uint32_t id) -> Expected<ProgRef> {
      for (const FakeProg* p : {&a_, &b_, &x_})
        if (p->id == id) return p->ref();
      return Error{EBADF, "no program"};
    };
    auto m = Map::create(prog_array_def(), o);
    ASSERT_TRUE(m.ok()) << m.error().message;
    map_ = std::move(m.value());
  }
  long update(uint32_t key, uint32_t id, uint64_t flags = kAny) { return map_->host_update(&key, sizeof key, &id, sizeof id, flags); }
  long lookup(uint32_t key, uint32_t& id) { return map_->host_lookup(&key, sizeof key, &id, sizeof id); }
  long del(uint32_t key) { return map_->host_delete(&key, sizeof key); }

  FakeProg a_, b_, x_;
  std::unique_ptr<Map> map_;
};

TEST_F(ProgArray, UpdateTakesAProgramIdAndLookupReturnsIt) {
  uint32_t id = 0;
  EXPECT_EQ(lookup(0, id), -ENOENT);
  EXPECT_EQ(update(0, a_.id), 0);
  EXPECT_EQ(lookup(0, id), 0);
  EXPECT_EQ(id, a_.id);
  EXPECT_EQ(update(0, b_.id), 0);  // replaces
  EXPECT_EQ(lookup(0, id), 0);
  EXPECT_EQ(id, b_.id);
  ASSERT_NE(map_->prog_at(0), nullptr);
  EXPECT_EQ(map_->prog_at(0)->prog, b_.body.get());
  EXPECT_EQ(map_->prog_at(1), nullptr);
  EXPECT_EQ(map_->prog_at(4), nullptr);  // past the end
}

TEST_F(ProgArray, ErrnosAsTheKernelGivesThem) {
  uint32_t id;
  EXPECT_EQ(update(0, a_.id, kNoExist), -EINVAL);  // only BPF_ANY
  EXPECT_EQ(update(0, a_.id, kExist), -EINVAL);
  EXPECT_EQ(update(0, a_.id, kFLock), -EINVAL);
  EXPECT_EQ(update(4, a_.id), -E2BIG);
  EXPECT_EQ(update(4, a_.id, kNoExist), -EINVAL);  // flags are checked first
  EXPECT_EQ(update(0, 999), -EBADF);               // no such program
  EXPECT_EQ(lookup(4, id), -ENOENT);
  EXPECT_EQ(del(4), -E2BIG);
  EXPECT_EQ(del(0), -ENOENT);
  EXPECT_EQ(update(0, a_.id), 0);
  EXPECT_EQ(del(0), 0);
  EXPECT_EQ(del(0), -ENOENT);
  EXPECT_EQ(lookup(0, id), -ENOENT);
  uint32_t k = 0;
  EXPECT_EQ(map_->host_lookup_and_delete(&k, sizeof k, &id, sizeof id), -kENOTSUPP);
  ASSERT_EQ(map_->host_freeze(), 0);
  EXPECT_EQ(update(0, a_.id), -EPERM);
}

TEST_F(ProgArray, ProgramsCannotLookItUp) {
  ASSERT_EQ(update(0, a_.id), 0);
  cpu::CpuGuard guard;
  rcu::ReadGuard rcu;
  uint32_t k = 0, v = 0;
  EXPECT_EQ(map_->lookup_elem(&k), nullptr);
  EXPECT_EQ(map_->update_elem(&k, &v, kAny), -EINVAL);
  EXPECT_EQ(map_->delete_elem(&k), -EINVAL);
}

TEST_F(ProgArray, GetNextKeyWalksLikeAnArray) {
  uint32_t next = 99, k = 0;
  EXPECT_EQ(map_->host_get_next_key(nullptr, &next, sizeof next), 0);
  EXPECT_EQ(next, 0u);
  EXPECT_EQ(map_->host_get_next_key(&k, &next, sizeof next), 0);
  EXPECT_EQ(next, 1u);
  k = 3;
  EXPECT_EQ(map_->host_get_next_key(&k, &next, sizeof next), -ENOENT);
  k = 7;
  EXPECT_EQ(map_->host_get_next_key(&k, &next, sizeof next), 0);
  EXPECT_EQ(next, 0u);
}

TEST_F(ProgArray, TheFirstProgramFixesTheType) {
  EXPECT_EQ(update(0, a_.id), 0);
  EXPECT_EQ(update(1, x_.id), -EINVAL);
  EXPECT_EQ(del(0), 0);
  EXPECT_EQ(update(1, x_.id), -EINVAL);  // even with every slot empty again
  EXPECT_EQ(map_->host_set_prog(1, x_.ref()), -EINVAL);
  EXPECT_EQ(map_->host_set_prog(9, a_.ref()), -E2BIG);
  EXPECT_EQ(map_->host_set_prog(1, b_.ref()), 0);
}

TEST_F(ProgArray, ReplacedProgramsAreReleasedAfterAGracePeriod) {
  std::weak_ptr<int> a = a_.body;
  ASSERT_EQ(update(0, a_.id), 0);
  ASSERT_EQ(update(1, a_.id), 0);
  a_.body.reset();  // now only the array holds it
  a_.id = 0;
  ASSERT_EQ(update(0, b_.id), 0);
  ASSERT_EQ(del(1), 0);
  wait_for_grace_periods();
  EXPECT_TRUE(a.expired());
}

TEST_F(ProgArray, ClearAndDestructionReleasePrograms) {
  std::weak_ptr<int> b = b_.body;
  ASSERT_EQ(update(2, b_.id), 0);
  b_.body.reset();
  b_.id = 0;
  map_->clear_progs();
  EXPECT_EQ(map_->prog_at(2), nullptr);
  wait_for_grace_periods();
  EXPECT_TRUE(b.expired());

  std::weak_ptr<int> a = a_.body;
  ASSERT_EQ(update(3, a_.id), 0);
  a_.body.reset();
  a_.id = 0;
  map_.reset();
  EXPECT_TRUE(a.expired());
}

TEST(ProgArrayNoResolver, UpdateByIdIsEbadf) {
  auto m = Map::create(prog_array_def());
  ASSERT_TRUE(m.ok());
  uint32_t k = 0, id = 1;
  EXPECT_EQ((*m)->host_update(&k, sizeof k, &id, sizeof id, kAny), -EBADF);
}

// Readers load slots while a writer flips them: every read sees one of the
// two programs or an empty slot, whole (TSan checks the ordering).
TEST(ProgArrayConcurrency, ReadersSeeWholeEntriesWhileAWriterFlips) {
  auto m = Map::create(prog_array_def(1));
  ASSERT_TRUE(m.ok());
  Map& map = **m;
  FakeProg p1, p2;
  p1.id = 1;
  p2.id = 2;
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!done.load()) {
      cpu::CpuGuard guard;
      rcu::ReadGuard rcu;
      for (int i = 0; i < 100; ++i)
        if (const ProgRef* r = map.prog_at(0))
          if (!((r->prog == p1.body.get() && r->id == 1) || (r->prog == p2.body.get() && r->id == 2)))
            bad.fetch_add(1);
    }
  });
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(map.host_set_prog(0, (i % 2 ? p1 : p2).ref()), 0);
    if (i % 7 == 0) {
      uint32_t k = 0;
      map.host_delete(&k, sizeof k);
    }
  }
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  wait_for_grace_periods();
}

}  // namespace
}  // namespace ringb::maps
