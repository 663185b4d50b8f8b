// elf_file.cc — reading a BPF ELF object with libelf.
#include "elf_file.h"

#include <libelf.h>

namespace ringb::elf {
namespace {

Error bad(const std::string& file, const std::string& what) {
  return Error{EINVAL, file + ": " + what};
}

}  // namespace

Expected<ElfFile> ElfFile::open(const void* data, size_t size, const std::string& name) {
  if (elf_version(EV_CURRENT) == EV_NONE) return bad(name, "libelf is unusable");
  ElfFile f;
  f.elf_ = elf_memory(static_cast<char*>(const_cast<void*>(data)), size);
  if (!f.elf_ || elf_kind(f.elf_) != ELF_K_ELF) return bad(name, "not an ELF file");
  GElf_Ehdr eh;
  if (!gelf_getehdr(f.elf_, &eh)) return bad(name, std::string("bad ELF header: ") + elf_errmsg(-1));
  if (eh.e_ident[EI_CLASS] != ELFCLASS64) return bad(name, "not a 64-bit ELF file");
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB) return bad(name, "not a little-endian ELF file");
  if (eh.e_machine != EM_BPF)
    return bad(name, "not a BPF object (e_machine " + std::to_string(eh.e_machine) +
                         "; compile with clang -target bpf)");
  size_t shstrndx;
  if (elf_getshdrstrndx(f.elf_, &shstrndx) != 0) return bad(name, "no section name table");

  for (Elf_Scn* scn = elf_nextscn(f.elf_, nullptr); scn; scn = elf_nextscn(f.elf_, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) return bad(name, std::string("bad section header: ") + elf_errmsg(-1));
    Section s;
    s.index = elf_ndxscn(scn);
    const char* sname = elf_strptr(f.elf_, shstrndx, sh.sh_name);
    if (!sname) return bad(name, "section " + std::to_string(s.index) + " has a bad name");
    s.name = sname;
    s.type = sh.sh_type;
    s.flags = sh.sh_flags;
    s.link = sh.sh_link;
    s.info = sh.sh_info;
    s.size = sh.sh_size;
    if (sh.sh_type != SHT_NOBITS) {
      Elf_Data* d = elf_getdata(scn, nullptr);
      if (!d && sh.sh_size) return bad(name, "section " + s.name + ": cannot read its data");
      if (d) {
        if (d->d_size != sh.sh_size) return bad(name, "section " + s.name + " is truncated");
        s.data = static_cast<const uint8_t*>(d->d_buf);
      }
    }
    if (sh.sh_type == SHT_SYMTAB) f.symtab_index_ = s.index;
    f.sections_.push_back(std::move(s));
  }
  if (const Section* st = f.section_at(f.symtab_index_); st && st->data) {
    Elf_Data* d = elf_getdata(elf_getscn(f.elf_, st->index), nullptr);
    const size_t n = st->size / sizeof(Elf64_Sym);
    for (size_t i = 0; i < n; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(d, static_cast<int>(i), &sym)) return bad(name, "bad symbol table entry");
      Symbol s;
      s.index = i;
      const char* sname = elf_strptr(f.elf_, st->link, sym.st_name);
      s.name = sname ? sname : "";
      s.value = sym.st_value;
      s.size = sym.st_size;
      s.section = sym.st_shndx;
      s.type = GELF_ST_TYPE(sym.st_info);
      s.bind = GELF_ST_BIND(sym.st_info);
      f.symbols_.push_back(std::move(s));
    }
  }
  return f;
}

ElfFile::~ElfFile() {
  if (elf_) elf_end(elf_);
}

ElfFile::ElfFile(ElfFile&& o) noexcept
    : elf_(o.elf_), sections_(std::move(o.sections_)), symbols_(std::move(o.symbols_)),
      symtab_index_(o.symtab_index_) {
  o.elf_ = nullptr;
}

const Section* ElfFile::section(const std::string& name) const {
  for (const Section& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

const Section* ElfFile::section_at(size_t index) const {
  for (const Section& s : sections_)
    if (s.index == index) return &s;
  return nullptr;
}

Expected<std::vector<ElfFile::Rel>> ElfFile::relocations_for(size_t index) const {
  std::vector<Rel> rels;
  for (const Section& s : sections_) {
    if (s.info != index || (s.type != SHT_REL && s.type != SHT_RELA)) continue;
    if (s.type == SHT_RELA) return Error{EINVAL, "section " + s.name + ": RELA relocations are not used by BPF objects"};
    Elf_Data* d = elf_getdata(elf_getscn(elf_, s.index), nullptr);
    const size_t n = s.size / sizeof(Elf64_Rel);
    for (size_t i = 0; i < n; ++i) {
      GElf_Rel r;
      if (!gelf_getrel(d, static_cast<int>(i), &r))
        return Error{EINVAL, "section " + s.name + ": bad relocation #" + std::to_string(i)};
      const uint32_t sym = static_cast<uint32_t>(GELF_R_SYM(r.r_info));
      if (sym >= symbols_.size())
        return Error{EINVAL, "section " + s.name + ": relocation #" + std::to_string(i) +
                                 " names symbol " + std::to_string(sym) + ", which does not exist"};
      rels.push_back(Rel{r.r_offset, sym, static_cast<uint32_t>(GELF_R_TYPE(r.r_info))});
    }
  }
  return rels;
}

}  // namespace ringb::elf
