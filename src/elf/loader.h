// loader.h — the pieces of Object::open_memory, one file each:
//   elf_file.cc   ELF sections and symbols (libelf)
//   map_defs.cc   BTF-defined maps in .maps, and global-data maps
//   datasec.cc    where the variables of .maps and data sections lie
//   externs.cc    __kconfig and __ksym extern variables (and the .kconfig map)
//   programs.cc   programs and subprograms, relocation, linking, line info
//   prog_types.cc section name → program type
#pragma once

#include <string>
#include <vector>

#include "elf_file.h"
#include "ringb/object.h"

namespace ringb::elf {

// Section name → program type; false if the section is not a program section.
bool classify_section(const std::string& section, ProgType& type, bool& sleepable, uint32_t* attach = nullptr);

// A variable of a section with a BTF DATASEC, placed by its ELF symbol.
struct VarPlace {
  std::string name;
  uint32_t type = 0;  // the VAR's type
  uint64_t offset = 0, size = 0;
};

// Lays out section `sec`'s DATASEC in `btf` from the ELF symbols (its size
// and every variable's offset, as libbpf does) and returns the variables in
// BTF order; none if the section has no DATASEC. Errors: a variable without
// a symbol, or one that lies outside the section.
Expected<std::vector<VarPlace>> fix_datasec_layout(const ElfFile& file, const Section& sec, Btf& btf);

// Appends the maps of `.maps` and of every global-data section to obj.maps.
Status collect_maps(const ElfFile& file, Object& obj);

// Fills obj.kconfig (and adds the ".kconfig" map) and obj.ksyms.
Status collect_externs(const ElfFile& file, Object& obj);

// Builds obj.programs: splits executable sections into functions, applies
// map/data/kfunc relocations, appends called subprograms, maps line info.
Status collect_programs(const ElfFile& file, const BtfExt* ext, Object& obj);

// Every prog array's initial program (MapDef::init_progs) is a program.
Status check_init_progs(const Object& obj);

bool is_global_data_section(const std::string& name);

// A one-element array map standing for a data section (global data,
// .kconfig): initial contents empty (zero-filled), read-only ones
// BPF_F_RDONLY_PROG.
MapDef global_data_map(const std::string& section, uint32_t size, bool read_only);

}  // namespace ringb::elf
