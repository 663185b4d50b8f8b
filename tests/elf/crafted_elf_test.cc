// Crafted objects: one field of a real object changed to what no compiler
// writes. Each must fail to load with an error naming what is wrong — no
// crash, no huge allocation, no wrapped sum that lets it through.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "annotations.h"
#include "elf_patch.h"
#include "ringb/object.h"

namespace ringb {
namespace {

using testing::ElfPatch;

ElfPatch layout_object() {
  std::ifstream in(bpf_corpus::object_path("maps_layout"), std::ios::binary);
  return ElfPatch(std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
}

Expected<Object> open(ElfPatch& p) { return Object::open_memory(p.bytes().data(), p.bytes().size(), "crafted.o"); }

::testing::AssertionResult fails_with(ElfPatch& p, int code, const std::string& text) {
  auto obj = open(p);
  if (obj.ok()) return ::testing::AssertionFailure() << "loaded";
  if (obj.error().code != code || obj.error().message.find(text) == std::string::npos)
    return ::testing::AssertionFailure() << "error " << obj.error().code << ": " << obj.error().message;
  return ::testing::AssertionSuccess();
}

TEST(CraftedElf, TheUnpatchedObjectLoads) {
  ElfPatch p = layout_object();
  auto obj = open(p);
  ASSERT_TRUE(obj.ok()) << obj.error().message;
}

// SHT_NOBITS: the size is all there is, so a crafted one asks for anything.
TEST(CraftedElf, AHugeBssIsRefusedNotAllocated) {
  ElfPatch p = layout_object();
  p.section(".bss")->sh_size = uint64_t{1} << 60;
  EXPECT_TRUE(fails_with(p, E2BIG, "section .bss is 1152921504606846976 bytes; a global-data map holds at most 2147483647"));
  p.section(".bss")->sh_size = (uint64_t{1} << 32) + 16;  // once truncated to 16 bytes
  EXPECT_TRUE(fails_with(p, E2BIG, "section .bss is 4294967312 bytes"));
  p.section(".bss")->sh_size = uint64_t{1} << 31;  // Linux 6.18: E2BIG
  EXPECT_TRUE(fails_with(p, E2BIG, "section .bss is 2147483648 bytes"));
}

TEST(CraftedElf, TheLargestBssTheKernelTakesOpensWithoutAllocating) {
  ElfPatch p = layout_object();
  p.section(".bss")->sh_size = INT32_MAX;  // Linux 6.18 creates this map
  auto obj = open(p);
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  const MapDef& bss = obj->maps[static_cast<size_t>(obj->find_map(".bss"))];
  EXPECT_EQ(bss.value_size, uint32_t{INT32_MAX});
  EXPECT_TRUE(bss.initial_value.empty()) << "zero-filled when the map is created, not by the loader";
}

TEST(CraftedElf, AFunctionWhoseEndWrapsIsRefused) {
  ElfPatch p = layout_object();
  Elf64_Sym* f = p.symbol("layout_globals");
  f->st_value = UINT64_MAX - 7;  // value + size wraps to 8
  f->st_size = 16;
  EXPECT_TRUE(fails_with(p, EINVAL, "function 'layout_globals' does not lie on instruction boundaries inside the section"));
}

TEST(CraftedElf, AMapDefinitionOutsideMapsIsRefused) {
  ElfPatch p = layout_object();
  const uint64_t size = p.section(".maps")->sh_size;
  p.symbol("fifth_queue")->st_value = size;
  EXPECT_TRUE(fails_with(p, EINVAL, "section .maps: variable 'fifth_queue' (24 bytes at offset " +
                                        std::to_string(size) + ") lies outside the section's " +
                                        std::to_string(size) + " bytes"));
  p.symbol("fifth_queue")->st_value = UINT64_MAX - 7;  // offset + size wraps
  EXPECT_TRUE(fails_with(p, EINVAL, "variable 'fifth_queue'"));
}

TEST(CraftedElf, AMapDefinitionWithoutASymbolIsRefused) {
  ElfPatch p = layout_object();
  p.symbol("fifth_queue")->st_name = p.symbol("data_a")->st_name;  // renamed: BTF's 'fifth_queue' has none
  EXPECT_TRUE(fails_with(p, EINVAL, "section .maps: variable 'fifth_queue' has no ELF symbol in the section"));
}

TEST(CraftedElf, ADataVariableOutsideItsSectionIsRefused) {
  ElfPatch p = layout_object();
  p.symbol("data_c")->st_value = uint64_t{1} << 40;
  EXPECT_TRUE(fails_with(p, EINVAL, "section .data: variable 'data_c' (4 bytes at offset 1099511627776)"));
}

// ld_imm64 of a global: symbol value + imm, in 64 bits, inside the section
// (the kernel: resolve_pseudo_ldimm64's off < value_size).
TEST(CraftedElf, AGlobalDataOffsetPastItsSectionIsRefused) {
  ElfPatch p = layout_object();
  const uint64_t at = p.relocated_insn("data_c");  // data_c: byte 16 of the 20-byte .data
  ASSERT_NE(at, 0u);
  p.set_imm(at, INT32_MAX);  // 16 + INT32_MAX overflowed an s32 sum before
  EXPECT_TRUE(fails_with(p, EINVAL, "reference to 'data_c' (byte 16, 2147483647 added) lies outside section '.data' (20 bytes)"));
  p.set_imm(at, -17);
  EXPECT_TRUE(fails_with(p, EINVAL, "reference to 'data_c' (byte 16, -17 added)"));
  p.set_imm(at, 3);  // byte 19, the last one: allowed
  EXPECT_TRUE(open(p).ok());
}

}  // namespace
}  // namespace ringb
