// elf_patch.h — crafted objects for loader tests: a real object's bytes
// with one header field changed (a section's size, a symbol's value, an
// instruction's immediate), found by name.
#pragma once

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace ringb::testing {

class ElfPatch {
 public:
  explicit ElfPatch(std::vector<uint8_t> bytes) : b_(std::move(bytes)) {}
  std::vector<uint8_t>& bytes() { return b_; }

  // The section header named `name`, or nullptr.
  Elf64_Shdr* section(const std::string& name) {
    const Elf64_Ehdr* eh = ehdr();
    const Elf64_Shdr* strtab = shdr(eh->e_shstrndx);
    for (uint16_t i = 0; i < eh->e_shnum; ++i) {
      Elf64_Shdr* s = shdr(i);
      if (name == reinterpret_cast<const char*>(b_.data() + strtab->sh_offset + s->sh_name)) return s;
    }
    return nullptr;
  }
  uint16_t section_index(const std::string& name) {
    const Elf64_Shdr* s = section(name);
    return s ? static_cast<uint16_t>(s - shdr(0)) : 0;
  }
  // The symbol named `name`, or nullptr.
  Elf64_Sym* symbol(const std::string& name) {
    Elf64_Shdr* st = section(".symtab");
    const Elf64_Shdr* str = shdr(static_cast<uint16_t>(st->sh_link));
    for (uint64_t off = 0; off + sizeof(Elf64_Sym) <= st->sh_size; off += sizeof(Elf64_Sym)) {
      auto* sym = reinterpret_cast<Elf64_Sym*>(b_.data() + st->sh_offset + off);
      if (name == reinterpret_cast<const char*>(b_.data() + str->sh_offset + sym->st_name)) return sym;
    }
    return nullptr;
  }
  // The file offset of the first instruction a relocation ties to symbol
  // `sym`, in any section; 0 if there is none.
  uint64_t relocated_insn(const std::string& sym) {
    const Elf64_Sym* target = symbol(sym);
    const auto* syms = reinterpret_cast<const Elf64_Sym*>(b_.data() + section(".symtab")->sh_offset);
    for (uint16_t i = 0; i < ehdr()->e_shnum; ++i) {
      const Elf64_Shdr* rel = shdr(i);
      if (rel->sh_type != SHT_REL) continue;
      const Elf64_Shdr* code = shdr(static_cast<uint16_t>(rel->sh_info));
      for (uint64_t off = 0; off + sizeof(Elf64_Rel) <= rel->sh_size; off += sizeof(Elf64_Rel)) {
        const auto* r = reinterpret_cast<const Elf64_Rel*>(b_.data() + rel->sh_offset + off);
        if (&syms[ELF64_R_SYM(r->r_info)] == target) return code->sh_offset + r->r_offset;
      }
    }
    return 0;
  }
  void set_imm(uint64_t insn_at, int32_t imm) { std::memcpy(b_.data() + insn_at + 4, &imm, 4); }

 private:
  const Elf64_Ehdr* ehdr() const { return reinterpret_cast<const Elf64_Ehdr*>(b_.data()); }
  Elf64_Shdr* shdr(uint16_t i) {
    return reinterpret_cast<Elf64_Shdr*>(b_.data() + ehdr()->e_shoff + uint64_t{i} * sizeof(Elf64_Shdr));
  }
  std::vector<uint8_t> b_;
};

}  // namespace ringb::testing
