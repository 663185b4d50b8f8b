// Special fields in the running kernel, against ringb:
//   - struct metas: each BTF blob of tests/btf/field_cases.h loaded with
//     BPF_BTF_LOAD; the kernel's errno is ringb's (parse_struct_metas);
//   - map value records: the kernel's verifier refuses byte loads that touch
//     a special field and names its kind ("bpf_spin_lock cannot be accessed
//     directly", "kptr access misaligned expected=24"), so probing every byte
//     of an array map's value draws its record; it must be ringb's
//     (parse_fields), and nothing where ringb reports an error, since the
//     kernel then creates the map without fields;
//   - map types: a value of each kind in each map type, BPF_MAP_CREATE's
//     errno against ringb's check (and Map::create where ringb has the type);
//   - objects: tests/elf/bpf/{fields_ok,bad_fields}.bpf.o through libbpf (the
//     BTF load's verdict, and fields_ok loaded whole) against ringb's open.
// Skipped where this process may not use bpf(). Nothing is pinned or attached.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <string>
#include <vector>

#include "btf/field_cases.h"
#include "elf/fields_objects.h"
#include "ringb/fields.h"
#include "ringb/maps.h"
#include "ringb/object.h"
#include "value_fields.h"

namespace ringb::testing {
namespace {

std::string errno_name(int code) { return code ? strerrorname_np(code) : "0"; }

// A BTF blob in the kernel: its fd, or -errno.
int kernel_load_btf(const std::vector<uint8_t>& raw, std::string* log = nullptr) {
  static char buf[1 << 16];
  buf[0] = 0;
  LIBBPF_OPTS(bpf_btf_load_opts, o, .log_buf = buf, .log_level = 1, .log_size = sizeof buf);
  const int fd = bpf_btf_load(raw.data(), raw.size(), &o);
  if (fd < 0 && log) {
    const char* last = std::strrchr(buf, '[');  // the type the log ends on
    *log = last ? last : buf;
  }
  return fd < 0 ? -errno : fd;
}

bool bpf_available() {
  static const bool ok = [] {
    BtfBuilder b;
    const int fd = kernel_load_btf(b.raw());
    if (fd < 0) return false;
    close(fd);
    return true;
  }();
  return ok;
}

#define REQUIRE_BPF()                                                                 \
  do {                                                                                \
    if (!bpf_available()) GTEST_SKIP() << "bpf(BPF_BTF_LOAD) is not permitted here"; \
  } while (0)

// ---- struct metas ------------------------------------------------------------------

class KernelMetas : public ::testing::TestWithParam<MetaCase> {};

TEST_P(KernelMetas, BtfLoadAgrees) {
  REQUIRE_BPF();
  const MetaCase& c = GetParam();
  BtfBuilder b;
  c.build(b);
  std::string log;
  const int fd = kernel_load_btf(b.raw(), &log);
  if (fd >= 0) close(fd);
  auto metas = parse_struct_metas(*b.parse());
  const int ringb = metas.ok() ? 0 : metas.error().code;
  EXPECT_EQ(errno_name(fd < 0 ? -fd : 0), errno_name(c.expected)) << log;
  EXPECT_EQ(errno_name(ringb), errno_name(fd < 0 ? -fd : 0)) << (metas.ok() ? "" : metas.error().message);
}

std::vector<MetaCase> kernel_meta_cases() {
  std::vector<MetaCase> v;
  for (const MetaCase& c : meta_cases())
    if (c.kernel) v.push_back(c);
  return v;
}

INSTANTIATE_TEST_SUITE_P(Cases, KernelMetas, ::testing::ValuesIn(kernel_meta_cases()),
                         [](const auto& info) { return info.param.name; });

// ---- value layouts through the verifier -----------------------------------------------

// What the verifier says of a one-byte load at `off` of the array map `map_fd`'s
// value: "." when it allows it, else the field's kind ("kptr@24" for a kptr
// starting at byte 24).
std::string probe_byte(int map_fd, uint32_t off) {
  static char log[1 << 14];
  const bpf_insn insns[] = {
      {BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_VALUE, 0, map_fd},
      {0, 0, 0, 0, static_cast<int32_t>(off)},
      {BPF_LDX | BPF_MEM | BPF_B, 0, 1, 0, 0},
      {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  log[0] = 0;
  LIBBPF_OPTS(bpf_prog_load_opts, o, .log_level = 1, .log_size = sizeof log, .log_buf = log);
  const int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, nullptr, "GPL", insns, 5, &o);
  if (fd >= 0) {
    close(fd);
    return ".";
  }
  const std::string l = log;
  if (size_t p = l.find("kptr access misaligned expected="); p != std::string::npos)
    return "kptr@" + std::to_string(std::strtoul(l.c_str() + p + 32, nullptr, 10));
  if (l.find("kptr access size must be BPF_DW") != std::string::npos) return "kptr@" + std::to_string(off);
  if (size_t p = l.find(" cannot be accessed directly by load/store"); p != std::string::npos) {
    const size_t start = l.rfind('\n', p) == std::string::npos ? 0 : l.rfind('\n', p) + 1;
    return l.substr(start, p - start);
  }
  return "?" + l.substr(0, 120);
}

std::vector<std::string> kernel_layout(int map_fd, uint32_t size) {
  std::vector<std::string> bytes;
  for (uint32_t off = 0; off < size; ++off) bytes.push_back(probe_byte(map_fd, off));
  return bytes;
}

std::vector<std::string> ringb_layout(const FieldRecord& rec, uint32_t size) {
  std::vector<std::string> bytes(size, ".");
  for (const Field& f : rec.fields)
    for (uint32_t i = 0; i < f.size && f.offset + i < size; ++i)
      bytes[f.offset + i] = (static_cast<uint32_t>(f.kind) & kAnyKptr) ? "kptr@" + std::to_string(f.offset)
                                                                        : field_kind_name(f.kind);
  return bytes;
}

// "0-3 bpf_spin_lock, 4-7 ., 8-23 bpf_list_head": runs of equal bytes.
std::string runs(const std::vector<std::string>& bytes) {
  std::string s;
  for (size_t i = 0; i < bytes.size();) {
    size_t j = i;
    while (j + 1 < bytes.size() && bytes[j + 1] == bytes[i]) ++j;
    s += (s.empty() ? "" : ", ") + std::to_string(i) + "-" + std::to_string(j) + " " + bytes[i];
    i = j + 1;
  }
  return s;
}

int kernel_create_map(uint32_t type, int btf_fd, uint32_t key_size, uint32_t key_id, uint32_t value_size,
                      uint32_t value_id, uint32_t flags, uint32_t max_entries) {
  LIBBPF_OPTS(bpf_map_create_opts, o, .btf_fd = static_cast<uint32_t>(btf_fd), .btf_key_type_id = key_id,
              .btf_value_type_id = value_id, .map_flags = flags);
  const int fd = bpf_map_create(static_cast<bpf_map_type>(type), "ringb_fields", key_size, value_size, max_entries, &o);
  return fd < 0 ? -errno : fd;
}

class KernelRecords : public ::testing::TestWithParam<RecordCase> {};

TEST_P(KernelRecords, VerifierSeesRingbsRecord) {
  REQUIRE_BPF();
  const RecordCase& c = GetParam();
  BtfBuilder b;
  const uint32_t id = c.build(b);
  auto btf = b.parse();
  std::string log;
  const int btf_fd = kernel_load_btf(b.raw(), &log);
  ASSERT_GE(btf_fd, 0) << errno_name(-btf_fd) << ": " << log;
  const uint32_t size = static_cast<uint32_t>(btf->size_of(id));
  const bool section = c.name.rfind("Section", 0) == 0;
  const int map_fd = kernel_create_map(BPF_MAP_TYPE_ARRAY, btf_fd, 4, section ? 0 : b.u32(), size, id, 0, 1);
  close(btf_fd);
  ASSERT_GE(map_fd, 0) << errno_name(-map_fd);
  const std::vector<std::string> kernel = kernel_layout(map_fd, size);
  close(map_fd);
  auto rec = parse_fields(*btf, id, kMapValueFields);
  EXPECT_EQ(runs(kernel), runs(ringb_layout(rec.ok() ? *rec : FieldRecord{}, size)))
      << (rec.ok() ? describe_record(*rec) : rec.error().message);
}

INSTANTIATE_TEST_SUITE_P(Cases, KernelRecords, ::testing::ValuesIn(record_cases()),
                         [](const auto& info) { return info.param.name; });

// ---- which map types hold which fields ------------------------------------------------

struct MapKind {
  const char* name;
  uint32_t type;
  uint32_t key_size;
  bool key_btf;
  uint32_t flags, max_entries;
  bool value4;  // values of 4 bytes only
};

const std::vector<MapKind>& map_kinds() {
  static const std::vector<MapKind> v = {
      {"hash", BPF_MAP_TYPE_HASH, 4, true, 0, 1, false},
      {"hash_no_prealloc", BPF_MAP_TYPE_HASH, 4, true, BPF_F_NO_PREALLOC, 1, false},
      {"array", BPF_MAP_TYPE_ARRAY, 4, true, 0, 1, false},
      {"array_mmapable", BPF_MAP_TYPE_ARRAY, 4, true, BPF_F_MMAPABLE, 1, false},
      {"array_rdonly_prog", BPF_MAP_TYPE_ARRAY, 4, true, BPF_F_RDONLY_PROG, 1, false},
      {"array_wronly_prog", BPF_MAP_TYPE_ARRAY, 4, true, BPF_F_WRONLY_PROG, 1, false},
      {"percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, true, 0, 1, false},
      {"percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, 4, true, 0, 1, false},
      {"lru_hash", BPF_MAP_TYPE_LRU_HASH, 4, true, 0, 1, false},
      {"lru_percpu_hash", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, true, 0, 1, false},
      {"queue", BPF_MAP_TYPE_QUEUE, 0, false, 0, 1, false},
      {"stack", BPF_MAP_TYPE_STACK, 0, false, 0, 1, false},
      {"bloom_filter", BPF_MAP_TYPE_BLOOM_FILTER, 0, false, 0, 1, false},
      {"sk_storage", BPF_MAP_TYPE_SK_STORAGE, 4, true, BPF_F_NO_PREALLOC, 0, false},
      {"inode_storage", BPF_MAP_TYPE_INODE_STORAGE, 4, true, BPF_F_NO_PREALLOC, 0, false},
      {"task_storage", BPF_MAP_TYPE_TASK_STORAGE, 4, true, BPF_F_NO_PREALLOC, 0, false},
      {"cgrp_storage", 32 /* BPF_MAP_TYPE_CGRP_STORAGE */, 4, true, BPF_F_NO_PREALLOC, 0, false},
      {"prog_array", BPF_MAP_TYPE_PROG_ARRAY, 4, true, 0, 1, true},
      {"cgroup_storage", BPF_MAP_TYPE_CGROUP_STORAGE, 8, true, 0, 0, false},  // key: a u64 cgroup id
  };
  return v;
}

bool ringb_has(uint32_t type) {
  switch (type) {
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_QUEUE:
    case BPF_MAP_TYPE_STACK:
    case BPF_MAP_TYPE_PROG_ARRAY: return true;
    default: return false;
  }
}

TEST(KernelMapTypes, EveryFieldInEveryType) {
  REQUIRE_BPF();
  int compared = 0;
  for (const ValueCase& vc : value_cases()) {
    BtfBuilder b;
    const uint32_t id = vc.build(b);
    auto btf = b.parse();
    const int btf_fd = kernel_load_btf(b.raw());
    ASSERT_GE(btf_fd, 0) << vc.name << ": " << errno_name(-btf_fd);
    auto rec = parse_fields(*btf, id, kMapValueFields);
    ASSERT_TRUE(rec.ok()) << rec.error().message;
    for (const MapKind& k : map_kinds()) {
      if (k.value4 != (vc.size == 4)) continue;
      // Queues and stacks refuse BTF altogether (libbpf never gives them
      // any); ringb looks at fields only.
      if (rec->empty() && !k.key_btf && k.type != BPF_MAP_TYPE_BLOOM_FILTER) continue;
      SCOPED_TRACE(std::string(k.name) + " holding " + vc.name);
      const uint32_t key_id = !k.key_btf ? 0 : k.key_size == 8 ? b.u64() : b.u32();
      const int fd = kernel_create_map(k.type, btf_fd, k.key_size, key_id, vc.size, id, k.flags, k.max_entries);
      if (fd >= 0) close(fd);
      const int kernel = fd < 0 ? -fd : 0;
      MapDef def;
      def.name = "m";
      def.type = k.type;
      def.key_size = k.key_size;
      def.value_size = vc.size;
      def.max_entries = k.max_entries ? k.max_entries : 1;
      def.map_flags = k.flags;
      def.btf_value_type_id = id;
      def.fields = *rec;
      def.spin_lock_off = rec->spin_lock_off;
      Status check = maps::detail::check_value_fields(def);
      EXPECT_EQ(errno_name(check.ok() ? 0 : check.error().code), errno_name(kernel))
          << (check.ok() ? "" : check.error().message);
      if (ringb_has(k.type) && k.max_entries) {
        auto m = maps::Map::create(def);
        EXPECT_EQ(errno_name(m.ok() ? 0 : m.error().code), errno_name(kernel)) << (m.ok() ? "" : m.error().message);
      }
      ++compared;
    }
    close(btf_fd);
  }
  EXPECT_GT(compared, 200);
}

// ---- the objects ---------------------------------------------------------------------

std::string* g_libbpf_log = nullptr;
int collect_libbpf_log(enum libbpf_print_level, const char* fmt, va_list args) {
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, args);
  if (g_libbpf_log) *g_libbpf_log += buf;
  return 0;
}

std::string path_of(const std::string& file) { return std::string(RINGB_ELF_BPF_DIR) + "/" + file; }

class KernelObjects : public ::testing::TestWithParam<FieldsObject> {};

// libbpf loads the object, and with it the BTF; when the kernel refuses the
// BTF, libbpf says so ("Error loading .BTF into kernel: -22") and goes on
// without it. ringb fails the open with the same errno.
TEST_P(KernelObjects, BtfVerdictIsRingbs) {
  REQUIRE_BPF();
  const FieldsObject& c = GetParam();
  std::string log;
  g_libbpf_log = &log;
  libbpf_print_fn_t old = libbpf_set_print(collect_libbpf_log);
  bpf_object* obj = bpf_object__open_file(path_of(c.file).c_str(), nullptr);
  ASSERT_NE(obj, nullptr) << log;
  const int load = bpf_object__load(obj);
  libbpf_set_print(old);
  g_libbpf_log = nullptr;
  int kernel = 0;
  if (size_t p = log.find("Error loading .BTF into kernel: -"); p != std::string::npos)
    kernel = std::atoi(log.c_str() + p + 33);
  EXPECT_EQ(errno_name(kernel), errno_name(c.error)) << log;
  EXPECT_EQ(load, 0) << log;

  auto ours = Object::open_file(path_of(c.file));
  EXPECT_EQ(errno_name(ours.ok() ? 0 : ours.error().code), errno_name(kernel))
      << (ours.ok() ? "" : ours.error().message);
  // Where both load: every array map's value as the verifier sees it.
  if (!ours.ok() || load != 0 || kernel) {
    bpf_object__close(obj);
    return;
  }
  int probed = 0;
  bpf_map* m;
  bpf_object__for_each_map(m, obj) {
    if (bpf_map__type(m) != BPF_MAP_TYPE_ARRAY || bpf_map__btf_value_type_id(m) == 0) continue;
    // libbpf may prefix a section's map name with the object's ("fields_o.data.A").
    std::string name = bpf_map__name(m);
    if (ours->find_map(name) < 0 && name.find('.') != std::string::npos) name = name.substr(name.find('.'));
    const int i = ours->find_map(name);
    ASSERT_GE(i, 0) << bpf_map__name(m);
    const MapDef& def = ours->maps[static_cast<size_t>(i)];
    SCOPED_TRACE(def.name);
    EXPECT_EQ(runs(kernel_layout(bpf_map__fd(m), def.value_size)), runs(ringb_layout(def.fields, def.value_size)));
    ++probed;
  }
  if (c.file == "fields_ok.bpf.o") {
    EXPECT_EQ(probed, 4);  // values, arrays, .data.A, .data.B
  }
  bpf_object__close(obj);
}

INSTANTIATE_TEST_SUITE_P(Table, KernelObjects, ::testing::ValuesIn(fields_objects()),
                         [](const auto& info) { return info.param.file.substr(0, info.param.file.find('.')); });

}  // namespace
}  // namespace ringb::testing
