// The loader on real objects and on broken ones: what it makes of the test
// corpus, and a clear error — never a crash — for every truncation and for
// corrupted bytes of a real object.
#include <gtest/gtest.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "annotations.h"
#include "ringb/object.h"
#include "ringb/vm.h"

namespace ringb {
namespace {

std::vector<uint8_t> read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(Loader, LinksSubprogramsAndResolvesMapsOfARealObject) {
  auto obj = Object::open_file(bpf_corpus::object_path("calls"));
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  EXPECT_EQ(obj->license, "GPL");
  ASSERT_FALSE(obj->programs.empty());
  bool linked = false;
  for (const Program& p : obj->programs) {
    EXPECT_TRUE(p.type == ProgType::SchedCls || p.type == ProgType::Syscall) << p.section;
    EXPECT_FALSE(p.insns.empty());
    EXPECT_FALSE(p.lines.empty()) << "line info kept for " << p.name;
    if (p.funcs.size() > 1) linked = true;
  }
  EXPECT_TRUE(linked) << "some program calls a subprogram";
}

// Every relocation the loader resolved is listed, for `ringb dump`.
bool has_relocation(const Object& obj, const std::string& prog, const std::string& kind,
                    const std::string& target_prefix) {
  const Program* p = obj.find_program(prog);
  if (!p) return false;
  for (const Program::Relocation& r : p->relocations)
    if (r.kind == kind && r.target.rfind(target_prefix, 0) == 0 && r.insn < p->insns.size()) return true;
  return false;
}

TEST(Loader, ListsTheRelocationsItResolved) {
  auto calls = Object::open_file(bpf_corpus::object_path("calls"));
  auto globals = Object::open_file(bpf_corpus::object_path("globals"));
  auto hash = Object::open_file(bpf_corpus::object_path("maps_hash"));
  auto loops = Object::open_file(bpf_corpus::object_path("loops"));
  auto core = Object::open_file(bpf_corpus::object_path("core"));
  auto externs = Object::open_file(bpf_corpus::object_path("externs"));
  for (auto* o : {&calls, &globals, &hash, &loops, &core, &externs}) ASSERT_TRUE(o->ok()) << o->error().message;
  EXPECT_TRUE(has_relocation(*calls, "call_chain", "call", "level1"));
  EXPECT_TRUE(has_relocation(*globals, "data_increment", "global data", ".data+0 (counter)"));
  EXPECT_TRUE(has_relocation(*hash, "hash_delete", "map", "h"));
  EXPECT_TRUE(has_relocation(*loops, "loop_bpf_loop", "callback", "add_index"));
  EXPECT_TRUE(has_relocation(*core, "core_field_offset", "CO-RE", "byte_off struct ethhdr"));
  EXPECT_TRUE(has_relocation(*externs, "kernel_version_is_recent", "kconfig", "LINUX_KERNEL_VERSION"));
  EXPECT_TRUE(has_relocation(*externs, "weak_ksym_is_null", "ksym", "ringb_not_a_kernel_symbol"));
}

TEST(Loader, RejectsWhatIsNotABpfObject) {
  const std::string text = "definitely not an ELF file";
  auto r = Object::open_memory(text.data(), text.size(), "text.o");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not an ELF file"), std::string::npos) << r.error().message;
  auto missing = Object::open_file("/nonexistent/x.o");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ENOENT);
}

// Every prefix of a real object either loads (a prefix that happens to keep
// everything) or fails with a message; under ASan any overread shows.
TEST(Loader, EveryTruncationFailsCleanly) {
  const std::vector<uint8_t> bytes = read(bpf_corpus::object_path("maps_hash"));
  ASSERT_GT(bytes.size(), 1000u);
  int errors = 0;
  for (size_t len = 0; len < bytes.size(); len += (len < 512 ? 1 : 7)) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<long>(len));
    auto r = Object::open_memory(prefix.data(), prefix.size(), "cut.o");
    if (!r.ok()) {
      EXPECT_FALSE(r.error().message.empty());
      ++errors;
    }
  }
  EXPECT_GT(errors, 0);
}

// Random byte corruption: the loader and the decoder must survive all of it.
TEST(Loader, CorruptedBytesNeverCrashLoaderOrDecoder) {
  const std::vector<uint8_t> bytes = read(bpf_corpus::object_path("calls"));
  std::mt19937 rng(1234);
  const vm::Functions fns = vm::Functions::builtin();
  int loaded = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> b = bytes;
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<uint8_t>(rng());
    auto r = Object::open_memory(b.data(), b.size(), "flip.o");
    if (!r.ok()) continue;
    ++loaded;
    const std::vector<maps::Map*> no_maps(r->maps.size(), nullptr);
    for (const Program& p : r->programs) (void)vm::Executable::create(p, no_maps, r->kfuncs, fns);
  }
  EXPECT_GT(loaded, 0);
}

}  // namespace
}  // namespace ringb

// ---- prog arrays' `.values` --------------------------------------------------

namespace ringb {
namespace {

TEST(LoaderValues, ProgArraySlotsComeFromTheRelocations) {
  auto obj = Object::open_file(bpf_corpus::object_path("tail_calls"));
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  const int i = obj->find_map("jmp_table");
  ASSERT_GE(i, 0);
  const MapDef& m = obj->maps[static_cast<size_t>(i)];
  EXPECT_EQ(m.value_size, 4u);  // __array(values, ...) makes the value a 4-byte id
  const std::vector<std::pair<uint32_t, std::string>> expected = {
      {0, "tail_target"}, {1, "chain_mid"}, {2, "chain_end"}, {4, "tail_call_limit"}, {5, "tail_call_misses_count"}};
  EXPECT_EQ(m.init_progs, expected);
}

// tests/elf/bpf/NAME.bpf.c, built once per VARIANT: the loader's error.
std::string load_error(const std::string& name, int variant) {
  auto obj = Object::open_file(std::string(RINGB_ELF_BPF_DIR) + "/" + name + std::to_string(variant) + ".bpf.o");
  return obj.ok() ? "" : obj.error().message;
}
std::string bad_values_error(int variant) { return load_error("bad_values", variant); }

TEST(LoaderValues, BadRelocationsAreRefusedNamingMapAndSymbol) {
  const std::string past = bad_values_error(1);
  EXPECT_NE(past.find("map 'bad_table'"), std::string::npos) << past;
  EXPECT_NE(past.find("slot 5 ('target') is past max_entries 2"), std::string::npos) << past;
  const std::string sub = bad_values_error(2);
  EXPECT_NE(sub.find("map 'bad_table'"), std::string::npos) << sub;
  EXPECT_NE(sub.find("'helper_fn', which is not a program"), std::string::npos) << sub;
  const std::string data = bad_values_error(3);
  EXPECT_NE(data.find("'some_data', which is not a program"), std::string::npos) << data;
}

// ---- maps of maps: inner templates and `.values` -----------------------------

TEST(LoaderMapsOfMaps, TemplatesAndSlotsComeFromBtfAndRelocations) {
  auto obj = Object::open_file(bpf_corpus::object_path("maps_in_maps"));
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  auto map = [&](const char* name) -> const MapDef& { return obj->maps[static_cast<size_t>(obj->find_map(name))]; };
  using Slots = std::vector<std::pair<uint32_t, std::string>>;
  const MapDef& outer = map("outer_arr");
  EXPECT_EQ(outer.type, static_cast<uint32_t>(MapType::ArrayOfMaps));
  EXPECT_EQ(outer.value_size, 4u);
  ASSERT_NE(outer.inner_map, nullptr);
  EXPECT_EQ(outer.inner_map->name, "outer_arr.inner");
  EXPECT_EQ(outer.inner_map->type, static_cast<uint32_t>(MapType::Array));
  EXPECT_EQ(outer.inner_map->key_size, 4u);
  EXPECT_EQ(outer.inner_map->value_size, 8u);
  EXPECT_EQ(outer.inner_map->max_entries, 4u);
  EXPECT_EQ(obj->btf->describe(outer.inner_map->btf_value_type_id), "__u64");
  EXPECT_EQ(outer.init_maps, (Slots{{0, "inner_arr_a"}, {3, "inner_arr_b"}}));
  EXPECT_TRUE(outer.init_progs.empty());
  // An anonymous template, a hash of struct values.
  const MapDef& of_hashes = map("outer_of_hashes");
  ASSERT_NE(of_hashes.inner_map, nullptr);
  EXPECT_EQ(of_hashes.inner_map->type, static_cast<uint32_t>(MapType::Hash));
  EXPECT_EQ(of_hashes.inner_map->value_size, 24u);
  EXPECT_EQ(of_hashes.inner_map->max_entries, 8u);
  EXPECT_EQ(obj->btf->describe(of_hashes.inner_map->btf_value_type_id), "struct point");
  EXPECT_EQ(of_hashes.init_maps, (Slots{{0, "inner_hash_a"}}));
  // A hash of maps' slot is its key, past max_entries or not.
  EXPECT_EQ(map("outer_hash").init_maps, (Slots{{7, "inner_arr_b"}}));
  EXPECT_EQ(map("outer_sized").inner_map->map_flags, uint32_t{1u << 12});  // BPF_F_INNER_MAP
  EXPECT_EQ(map("inner_arr_a").inner_map, nullptr);
}

// map_extra is 64 bits: libbpf reads it from __uint() and from __ulong(),
// whose enumerator may be an ENUM64.
TEST(LoaderMapForms, MapExtraComesFromUintAndUlong) {
  auto obj = Object::open_file(std::string(RINGB_ELF_BPF_DIR) + "/map_forms.bpf.o");
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  auto extra = [&](const std::string& name) {
    for (const MapDef& m : obj->maps)
      if (m.name == name) return m.map_extra;
    ADD_FAILURE() << "no map " << name;
    return uint64_t{0};
  };
  EXPECT_EQ(extra("bloom_small"), 3u);
  EXPECT_EQ(extra("bloom_wide"), 0x100000003ull);
  EXPECT_EQ(extra("bloom_uint"), 5u);
}

TEST(LoaderMapsOfMaps, BadTemplatesAndValuesAreRefused) {
  const std::string not_map = load_error("bad_inner", 1);
  EXPECT_NE(not_map.find("map 'bad_outer': `.values` slot 1 refers to 'some_data', which is not a map defined in .maps"),
            std::string::npos) << not_map;
  EXPECT_NE(load_error("bad_inner", 2).find("map 'bad_outer.inner': multi-level inner maps are not supported"),
            std::string::npos) << load_error("bad_inner", 2);
  EXPECT_NE(load_error("bad_inner", 3).find("must have 4-byte keys"), std::string::npos) << load_error("bad_inner", 3);
  EXPECT_NE(load_error("bad_inner", 4).find("only a map of maps or a prog array can have `values` (this is a hash map)"),
            std::string::npos) << load_error("bad_inner", 4);
  EXPECT_NE(load_error("bad_inner", 5).find("slot 5 ('inner_a') is past max_entries 2"), std::string::npos)
      << load_error("bad_inner", 5);
  EXPECT_NE(load_error("bad_inner", 6).find("map 'bad_outer.inner': an inner map definition cannot be pinned"),
            std::string::npos) << load_error("bad_inner", 6);
}

TEST(LoaderExterns, BadKconfigVariablesAreRefusedByName) {
  const std::string huge = load_error("bad_externs", 1);
  EXPECT_NE(huge.find("extern 'CONFIG_RINGB_HUGE'"), std::string::npos) << huge;
  EXPECT_NE(huge.find("too large"), std::string::npos) << huge;
  const std::string pair = load_error("bad_externs", 2);
  EXPECT_NE(pair.find("extern 'CONFIG_RINGB_PAIR'"), std::string::npos) << pair;
  EXPECT_NE(pair.find("not a bool, tristate, integer or char array"), std::string::npos) << pair;
}

}  // namespace
}  // namespace ringb

// ---- where definitions lie: the ELF symbols, not clang's BTF offsets --------

namespace ringb {
namespace {

// clang-19 writes .maps' DATASEC with every variable at offset 0, and puts
// initialised definitions first: sixth_jmp is the second prog array, at
// byte 56. Its `.values` relocation must land on it.
TEST(LoaderLayout, EachValuesRelocationLandsOnItsOwnProgArray) {
  auto obj = Object::open_file(bpf_corpus::object_path("maps_layout"));
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  auto slots = [&](const char* map) { return obj->maps[static_cast<size_t>(obj->find_map(map))].init_progs; };
  using Slots = std::vector<std::pair<uint32_t, std::string>>;
  EXPECT_EQ(slots("third_jmp"), (Slots{{1, "layout_target_a"}, {3, "layout_target_b"}}));
  EXPECT_EQ(slots("sixth_jmp"), (Slots{{0, "layout_target_b"}}));
  for (const char* other : {"first_hash", "second_array", "fourth_array", "fifth_queue"})
    EXPECT_TRUE(slots(other).empty()) << other;
}

// The DATASECs are fixed up in the object's BTF too (dumps, value types).
TEST(LoaderLayout, DatasecOffsetsAndSizesComeFromTheSymbols) {
  auto obj = Object::open_file(bpf_corpus::object_path("maps_layout"));
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  auto offsets = [&](const char* sec) {
    std::vector<std::pair<std::string, uint32_t>> out;
    const btf_type* t = obj->btf->type(obj->btf->find(sec, BTF_KIND_DATASEC));
    for (uint16_t i = 0; i < btf_vlen(t); ++i)
      out.emplace_back(obj->btf->name(btf_var_secinfos(t)[i].type), btf_var_secinfos(t)[i].offset);
    return std::make_pair(t->size, out);
  };
  using Vars = std::vector<std::pair<std::string, uint32_t>>;
  const auto data = offsets(".data");
  EXPECT_EQ(data.first, 20u);
  EXPECT_EQ(data.second, (Vars{{"data_a", 0}, {"data_b", 8}, {"data_c", 16}}));
  const auto maps = offsets(".maps");
  EXPECT_EQ(maps.first, 208u);
  for (const auto& [name, off] : maps.second) {
    if (name == "sixth_jmp") {
      EXPECT_EQ(off, 56u);
    } else if (name == "fifth_queue") {
      EXPECT_EQ(off, 184u);
    }
  }
}

}  // namespace
}  // namespace ringb
