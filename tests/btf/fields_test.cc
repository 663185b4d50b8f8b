// The special-field records of field_cases.h as ringb reads them: struct
// metas (what the kernel's BPF_BTF_LOAD builds, and its errors), map value
// records, and the record's own helpers. tests/kernel/fields_oracle_test.cc
// puts the same cases to the kernel.
#include <gtest/gtest.h>

#include <cstring>

#include "btf/field_cases.h"
#include "ringb/fields.h"

namespace ringb::testing {
namespace {

std::string errno_name(int code) { return code ? strerrorname_np(code) : "0"; }

class Metas : public ::testing::TestWithParam<MetaCase> {};

TEST_P(Metas, AsTheKernelLoadsThem) {
  const MetaCase& c = GetParam();
  BtfBuilder b;
  c.build(b);
  auto btf = b.parse();
  ASSERT_TRUE(btf);
  auto metas = parse_struct_metas(*btf);
  if (c.expected) {
    ASSERT_FALSE(metas.ok()) << "no error; expected " << errno_name(c.expected);
    EXPECT_EQ(errno_name(metas.error().code), errno_name(c.expected)) << metas.error().message;
    EXPECT_NE(metas.error().message.find(c.says), std::string::npos) << metas.error().message;
    return;
  }
  ASSERT_TRUE(metas.ok()) << metas.error().message;
  std::map<std::string, std::string> got;
  for (const StructMeta& m : *metas) {
    got[m.name] = describe_record(m.record);
    EXPECT_EQ(m.size, btf->size_of(m.btf_id));
  }
  EXPECT_EQ(got, c.metas);
  for (size_t i = 1; i < metas->size(); ++i) EXPECT_LT((*metas)[i - 1].btf_id, (*metas)[i].btf_id);
}

INSTANTIATE_TEST_SUITE_P(Cases, Metas, ::testing::ValuesIn(meta_cases()),
                         [](const auto& info) { return info.param.name; });

class Records : public ::testing::TestWithParam<RecordCase> {};

TEST_P(Records, OfMapValues) {
  const RecordCase& c = GetParam();
  BtfBuilder b;
  const uint32_t id = c.build(b);
  auto btf = b.parse();
  ASSERT_TRUE(btf);
  auto rec = parse_fields(*btf, id, kMapValueFields);
  if (c.error) {
    ASSERT_FALSE(rec.ok()) << describe_record(*rec);
    EXPECT_EQ(errno_name(rec.error().code), errno_name(c.error)) << rec.error().message;
    EXPECT_NE(rec.error().message.find(c.says), std::string::npos) << rec.error().message;
    return;
  }
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  EXPECT_EQ(describe_record(*rec), c.record);
  // Offsets sorted, no overlaps, the unique offsets and the mask agree.
  uint32_t mask = 0, end = 0;
  for (const Field& f : rec->fields) {
    EXPECT_GE(f.offset, end);
    end = f.offset + f.size;
    mask |= static_cast<uint32_t>(f.kind);
    EXPECT_EQ(rec->at(f.offset), &f);
  }
  EXPECT_EQ(rec->mask, mask);
  auto off_of = [&](FieldKind k) {
    for (const Field& f : rec->fields)
      if (f.kind == k) return static_cast<int32_t>(f.offset);
    return int32_t{-1};
  };
  EXPECT_EQ(rec->spin_lock_off, off_of(FieldKind::SpinLock));
  EXPECT_EQ(rec->res_spin_lock_off, off_of(FieldKind::ResSpinLock));
  EXPECT_EQ(rec->timer_off, off_of(FieldKind::Timer));
  EXPECT_EQ(rec->wq_off, off_of(FieldKind::Workqueue));
  EXPECT_EQ(rec->refcount_off, off_of(FieldKind::Refcount));
  EXPECT_EQ(rec->task_work_off, off_of(FieldKind::TaskWork));
}

INSTANTIATE_TEST_SUITE_P(Cases, Records, ::testing::ValuesIn(record_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(Fields, OnlyTheKindsAsked) {
  BtfBuilder b;
  const uint32_t obj = b.add_struct("ringb_obj", 8, {{"x", b.u64(), 0}});
  const uint32_t v = b.add_struct("v", 40, {{"l", b.special("bpf_spin_lock"), 0},
                                            {"t", b.special("bpf_timer"), 8},
                                            {"p", b.kptr("kptr", obj), 24},
                                            {"u", b.kptr("kptr_foo", obj), 32}});
  auto btf = b.parse();
  auto locks = parse_fields(*btf, v, static_cast<uint32_t>(FieldKind::SpinLock));
  ASSERT_TRUE(locks.ok()) << locks.error().message;  // no kptr asked: the bad tag is not looked at
  EXPECT_EQ(describe_record(*locks), "+0 bpf_spin_lock");
  auto timers = parse_fields(*btf, v, FieldKind::Timer | FieldKind::Uptr);
  ASSERT_FALSE(timers.ok());  // a pointer kind asked: the bad tag is
  EXPECT_EQ(timers.error().code, EINVAL);
}

TEST(Fields, ValuesThatAreNoStructHaveNone) {
  BtfBuilder b;
  const uint32_t u = b.add_union("u", 4, {{"l", b.special("bpf_spin_lock"), 0}});
  const uint32_t td = b.typedef_of("v_t", b.add_struct("v", 4, {{"l", b.special("bpf_spin_lock"), 0}}));
  auto btf = b.parse();
  for (uint32_t id : {0u, b.u32(), u}) {
    auto rec = parse_fields(*btf, id);
    ASSERT_TRUE(rec.ok());
    EXPECT_TRUE(rec->empty());
  }
  auto through_typedef = parse_fields(*btf, td);  // modifiers of the value type are skipped
  ASSERT_TRUE(through_typedef.ok());
  EXPECT_EQ(through_typedef->spin_lock_off, 0);
  auto bad = parse_fields(*btf, 9999);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, EINVAL);
}

// 60 members of a struct of 60 members of ... (10 levels) of a fieldless
// struct: 60^10 paths, each struct searched once (the kernel walks them all).
TEST(Fields, WideAndDeepStructsAreSearchedOnce) {
  BtfBuilder b;
  uint32_t id = b.add_struct("s0", 8, {{"x", b.u64(), 0}});
  for (int level = 1; level <= 10; ++level) {
    std::vector<Member> m;
    for (int i = 0; i < 60; ++i) m.push_back({"m" + std::to_string(i), id, 0});  // all at byte 0: BTF allows it
    id = b.add_struct("s" + std::to_string(level), 8, m);
  }
  auto btf = b.parse();
  auto rec = parse_fields(*btf, id);
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  EXPECT_TRUE(rec->empty());
  auto metas = parse_struct_metas(*btf);
  ASSERT_TRUE(metas.ok());
  EXPECT_TRUE(metas->empty());
}

TEST(Fields, KindNamesAreTheKernels) {
  EXPECT_STREQ(field_kind_name(FieldKind::SpinLock), "bpf_spin_lock");
  EXPECT_STREQ(field_kind_name(FieldKind::ResSpinLock), "bpf_res_spin_lock");
  EXPECT_STREQ(field_kind_name(FieldKind::Timer), "bpf_timer");
  EXPECT_STREQ(field_kind_name(FieldKind::Workqueue), "bpf_wq");
  EXPECT_STREQ(field_kind_name(FieldKind::TaskWork), "bpf_task_work");
  EXPECT_STREQ(field_kind_name(FieldKind::KptrUntrusted), "kptr");
  EXPECT_STREQ(field_kind_name(FieldKind::Kptr), "kptr");
  EXPECT_STREQ(field_kind_name(FieldKind::KptrPercpu), "percpu_kptr");
  EXPECT_STREQ(field_kind_name(FieldKind::Uptr), "uptr");
  EXPECT_STREQ(field_kind_name(FieldKind::ListHead), "bpf_list_head");
  EXPECT_STREQ(field_kind_name(FieldKind::ListNode), "bpf_list_node");
  EXPECT_STREQ(field_kind_name(FieldKind::RbRoot), "bpf_rb_root");
  EXPECT_STREQ(field_kind_name(FieldKind::RbNode), "bpf_rb_node");
  EXPECT_STREQ(field_kind_name(FieldKind::Refcount), "bpf_refcount");
}

TEST(Fields, AtFindsOnlyFieldStarts) {
  BtfBuilder b;
  const uint32_t v = b.add_struct("v", 24, {{"l", b.special("bpf_spin_lock"), 0}, {"t", b.special("bpf_timer"), 8}});
  auto rec = parse_fields(*b.parse(), v);
  ASSERT_TRUE(rec.ok());
  ASSERT_NE(rec->at(8), nullptr);
  EXPECT_EQ(rec->at(8)->kind, FieldKind::Timer);
  EXPECT_EQ(rec->at(0)->size, 4u);
  EXPECT_EQ(rec->at(4), nullptr);
  EXPECT_EQ(rec->at(12), nullptr);
  EXPECT_EQ(rec->at(100), nullptr);
}

}  // namespace
}  // namespace ringb::testing
