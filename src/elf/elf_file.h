// elf_file.h — the parts of a BPF ELF object the loader reads, through libelf:
// sections (with their data) and the symbol table. Validates as it goes.
#pragma once

#include <gelf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ringb/error.h"

namespace ringb::elf {

struct Section {
  size_t index = 0;
  std::string name;
  uint32_t type = 0;   // SHT_*
  uint64_t flags = 0;  // SHF_*
  uint32_t link = 0, info = 0;
  const uint8_t* data = nullptr;  // null for SHT_NOBITS
  size_t size = 0;
  bool executable() const { return type == SHT_PROGBITS && (flags & SHF_EXECINSTR); }
};

struct Symbol {
  size_t index = 0;
  std::string name;
  uint64_t value = 0, size = 0;
  uint16_t section = 0;  // st_shndx
  uint8_t type = 0;      // STT_*
  uint8_t bind = 0;      // STB_*
};

class ElfFile {
 public:
  // The bytes must outlive the ElfFile.
  static Expected<ElfFile> open(const void* data, size_t size, const std::string& name);
  ~ElfFile();
  ElfFile(ElfFile&& other) noexcept;
  ElfFile& operator=(ElfFile&&) = delete;
  ElfFile(const ElfFile&) = delete;

  const std::vector<Section>& sections() const { return sections_; }
  const std::vector<Symbol>& symbols() const { return symbols_; }
  const Section* section(const std::string& name) const;
  const Section* section_at(size_t index) const;
  // Relocations of section `index` as (offset, symbol index, type).
  struct Rel {
    uint64_t offset;
    uint32_t symbol;
    uint32_t type;
  };
  Expected<std::vector<Rel>> relocations_for(size_t index) const;

 private:
  ElfFile() = default;
  Elf* elf_ = nullptr;
  std::vector<Section> sections_;
  std::vector<Symbol> symbols_;
  size_t symtab_index_ = 0;
};

}  // namespace ringb::elf
