// datasec.cc — where the variables of a section lie, from the ELF symbols.
//
// clang-19 writes the BTF DATASEC of .maps and of the data sections with
// size 0 and every variable at offset 0; the real layout is in the symbol
// table (libbpf's btf_fixup_datasec reads it from there too). Without this,
// every map definition of .maps sits at byte 0 and a `.values` relocation
// lands on whichever definition happens to be searched last.
#include <bpf/btf.h>
#include <linux/btf.h>

#include "loader.h"

namespace ringb::elf {
namespace {

Error layout_error(const Section& sec, const std::string& what) {
  return Error{EINVAL, "section " + sec.name + ": " + what};
}

const Symbol* object_symbol(const ElfFile& file, const Section& sec, const std::string& name) {
  for (const Symbol& s : file.symbols())
    if (s.section == sec.index && s.name == name && (s.type == STT_OBJECT || s.type == STT_NOTYPE)) return &s;
  return nullptr;
}

}  // namespace

Expected<std::vector<VarPlace>> fix_datasec_layout(const ElfFile& file, const Section& sec, Btf& btf) {
  std::vector<VarPlace> places;
  const uint32_t id = btf.find(sec.name, BTF_KIND_DATASEC);
  if (!id) return places;
  if (sec.size > UINT32_MAX)
    return layout_error(sec, std::to_string(sec.size) + " bytes is more than BTF can describe");
  const btf_type* t = btf.type(id);
  const btf_var_secinfo* vars = btf_var_secinfos(t);
  std::vector<int64_t> offsets;
  for (uint16_t i = 0; i < btf_vlen(t); ++i) {
    const btf_type* var = btf.type(vars[i].type);
    if (!var || !btf_is_var(var))
      return layout_error(sec, "BTF entry " + std::to_string(i) + " is not a variable");
    VarPlace p;
    p.name = btf.name(vars[i].type);
    p.type = var->type;
    const Symbol* sym = object_symbol(file, sec, p.name);
    if (!sym) return layout_error(sec, "variable '" + p.name + "' has no ELF symbol in the section");
    p.offset = sym->value;
    // The BTF size is the variable's type; a symbol of size 0 (hand-written
    // assembly) says nothing.
    p.size = vars[i].size ? vars[i].size : sym->size;
    if (p.offset > sec.size || p.size > sec.size - p.offset)
      return layout_error(sec, "variable '" + p.name + "' (" + std::to_string(p.size) + " bytes at offset " +
                                   std::to_string(p.offset) + ") lies outside the section's " +
                                   std::to_string(sec.size) + " bytes");
    offsets.push_back(static_cast<int64_t>(p.offset));
    places.push_back(std::move(p));
  }
  // fix_datasec asks in BTF order, the order of `offsets`.
  btf.fix_datasec(sec.name, static_cast<uint32_t>(sec.size),
                  [&, i = size_t{0}](const std::string&) mutable { return offsets[i++]; });
  return places;
}

}  // namespace ringb::elf
