// The loader on objects with special fields: each map's record (value types,
// global sections), the struct metas, the errors of objects the kernel
// refuses (tests/elf/fields_objects.h; tests/kernel checks the same table
// against the kernel), and no crash on corrupted bytes of such an object.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <random>

#include "elf/fields_objects.h"
#include "ringb/object.h"

namespace ringb::testing {
namespace {

std::string path_of(const std::string& file) { return std::string(RINGB_ELF_BPF_DIR) + "/" + file; }

class FieldsObjects : public ::testing::TestWithParam<FieldsObject> {};

TEST_P(FieldsObjects, OpenAsTheKernelLoadsTheirBtf) {
  const FieldsObject& c = GetParam();
  auto obj = Object::open_file(path_of(c.file));
  if (c.error) {
    ASSERT_FALSE(obj.ok());
    EXPECT_EQ(obj.error().code, c.error) << obj.error().message;
    EXPECT_NE(obj.error().message.find(c.says), std::string::npos) << obj.error().message;
    EXPECT_EQ(obj.error().message.rfind(c.file + ": ", 0), 0u) << obj.error().message;
    return;
  }
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  for (const MapDef& m : obj->maps) {
    EXPECT_EQ(m.spin_lock_off, m.fields.spin_lock_off) << m.name;
    if (m.name == c.quiet_map) {
      EXPECT_EQ(m.fields_error.code, c.quiet_error) << m.fields_error.message;
      EXPECT_TRUE(m.fields.empty());
      EXPECT_EQ(m.spin_lock_off, -1);
    } else {
      EXPECT_EQ(m.fields_error.code, 0) << m.name << ": " << m.fields_error.message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Table, FieldsObjects, ::testing::ValuesIn(fields_objects()), [](const auto& info) {
  std::string n = info.param.file.substr(0, info.param.file.find('.'));
  return n;
});

TEST(FieldsOk, MapRecords) {
  auto obj = Object::open_file(path_of("fields_ok.bpf.o"));
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  std::map<std::string, std::string> got;
  for (const MapDef& m : obj->maps) got[m.name] = describe_record(m.fields);
  const std::map<std::string, std::string> want = {
      {"values",
       "+0 bpf_spin_lock, +8 bpf_timer, +24 bpf_wq, +40 bpf_task_work, +48 kptr(ringb_plain), "
       "+56 kptr_untrusted(ringb_plain), +64 percpu_kptr(ringb_plain), +72 bpf_list_head(ringb_elem node at +8), "
       "+88 bpf_rb_root(ringb_node_data node at +8), +104 bpf_refcount"},
      {"arrays",
       "+0 bpf_spin_lock, +8 kptr(ringb_plain), +16 kptr(ringb_plain), +24 kptr(ringb_plain), +32 kptr(ringb_plain), "
       "+48 kptr(ringb_plain), +64 bpf_list_head(ringb_elem node at +8), +80 bpf_list_head(ringb_elem node at +8)"},
      {"nested", "+16 bpf_spin_lock, +24 bpf_rb_root(ringb_node_data node at +8)"},
      {"percpu", "+8 kptr(ringb_plain)"},
      {"task_store", "+0 bpf_spin_lock, +8 uptr(ringb_plain)"},
      {".data.A",
       "+0 bpf_spin_lock, +8 bpf_list_head(ringb_elem node at +8), +24 bpf_rb_root(ringb_node_data node at +8)"},
      {".data.B", "+0 bpf_spin_lock, +8 bpf_list_head(ringb_bucket node at +24)"},
  };
  EXPECT_EQ(got, want);
  const MapDef& values = obj->maps[obj->find_map("values")];
  EXPECT_EQ(values.fields.timer_off, 8);
  EXPECT_EQ(values.fields.wq_off, 24);
  EXPECT_EQ(values.fields.task_work_off, 40);
  EXPECT_EQ(values.fields.refcount_off, 104);
  ASSERT_NE(values.fields.at(48), nullptr);
  EXPECT_EQ(values.fields.at(48)->pointee_id, obj->btf->find("ringb_plain", 4 /* BTF_KIND_STRUCT */));
  const Field* list = values.fields.at(72);
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(list->node_struct_id, obj->btf->find("ringb_elem", 4));
}

TEST(FieldsOk, StructMetas) {
  auto obj = Object::open_file(path_of("fields_ok.bpf.o"));
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  std::map<std::string, std::string> got;
  for (const StructMeta& m : obj->struct_metas) {
    got[m.name] = describe_record(m.record);
    EXPECT_EQ(m.btf_id, obj->btf->find(m.name, 4));
  }
  // Every struct with a direct lock, graph, refcount or kptr member; timers,
  // workqueues and uptrs are plain bytes in objects.
  const std::map<std::string, std::string> want = {
      {"map_value",
       "+0 bpf_spin_lock, +48 kptr(ringb_plain), +56 kptr_untrusted(ringb_plain), +64 percpu_kptr(ringb_plain), "
       "+72 bpf_list_head(ringb_elem node at +8), +88 bpf_rb_root(ringb_node_data node at +8), +104 bpf_refcount"},
      {"array_value",
       "+0 bpf_spin_lock, +8 kptr(ringb_plain), +16 kptr(ringb_plain), +24 kptr(ringb_plain), +32 kptr(ringb_plain), "
       "+48 kptr(ringb_plain), +64 bpf_list_head(ringb_elem node at +8), +80 bpf_list_head(ringb_elem node at +8)"},
      {"ringb_wrap", "+0 kptr(ringb_plain)"},
      {"inner", "+8 bpf_spin_lock, +16 bpf_rb_root(ringb_node_data node at +8)"},
      {"percpu_value", "+8 kptr(ringb_plain)"},
      {"task_value", "+0 bpf_spin_lock"},
      {"ringb_elem", "+8 bpf_list_node"},
      {"ringb_node_data", "+8 bpf_rb_node, +40 bpf_list_node, +64 bpf_refcount"},
      {"ringb_bucket", "+0 bpf_spin_lock, +8 bpf_list_head(ringb_elem node at +8), +24 bpf_list_node"},
  };
  EXPECT_EQ(got, want);
  for (size_t i = 1; i < obj->struct_metas.size(); ++i)
    EXPECT_LT(obj->struct_metas[i - 1].btf_id, obj->struct_metas[i].btf_id);
}

// Random bytes anywhere in an object full of fields: an error or an object,
// never a crash (the loader fuzzer goes further in the sanitizer build).
TEST(FieldsOk, CorruptedBytesNeverCrash) {
  std::ifstream in(path_of("fields_ok.bpf.o"), std::ios::binary);
  const std::vector<uint8_t> orig((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(orig.empty());
  std::mt19937 rng(7);
  int opened = 0;
  for (int round = 0; round < 1500; ++round) {
    std::vector<uint8_t> bytes = orig;
    const int flips = 1 + round % 8;
    for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    if (Object::open_memory(bytes.data(), bytes.size(), "corrupt").ok()) ++opened;
  }
  EXPECT_GT(opened, 0);
}

}  // namespace
}  // namespace ringb::testing
