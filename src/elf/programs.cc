// programs.cc — from executable sections to linked programs.
//
// Every executable section is cut into functions by its STT_FUNC symbols.
// A global function outside .text is a program; everything else is a
// subprogram. Linking a program copies its code, then appends each function
// it calls (directly, or by address for callbacks such as bpf_loop's), once,
// recursively — libbpf's layout, which is what the kernel verifies:
//
//   [ program | subprog A | subprog B ]   call imm = target - (pc + 1)
//
// Relocations turn symbol references into what the kernel receives: map
// references become ld_imm64 src 1 (imm = map index), global data src 2 (imm
// = map index, insn[1].imm = offset), externs become kfunc calls (src 2, imm
// = index into Object::kfuncs).
#include <linux/btf.h>

#include <cstring>
#include <map>

#include "loader.h"

namespace ringb::elf {
namespace {

constexpr uint32_t kRelBpf64_64 = 1;   // ld_imm64
constexpr uint32_t kRelBpf64_32 = 10;  // call
constexpr size_t kMaxInsns = 1000000;  // the kernel's BPF_COMPLEXITY_LIMIT_INSNS

struct Func {
  const Section* sec = nullptr;
  std::string name;
  size_t start = 0, len = 0;  // in instructions, within the section
  bool program = false;
};

// Copies a function's code. Section data need not be aligned for Insn (a
// crafted file can place it anywhere), so no typed pointer is formed.
void append_code(std::vector<Insn>& out, const Func& f) {
  const size_t at = out.size();
  out.resize(at + f.len);
  std::memcpy(out.data() + at, f.sec->data + f.start * sizeof(Insn), f.len * sizeof(Insn));
}

class Linker {
 public:
  Linker(const ElfFile& file, const BtfExt* ext, Object& obj) : file_(file), ext_(ext), obj_(obj) {}

  Status index_functions();
  Status link_all();

 private:
  struct Placed {
    const Func* func;
    size_t at;  // where it starts in the linked program
  };

  Expected<Program> link(const Func& main);
  Expected<const Func*> exception_callback(const Func& main, const std::string& prog);
  Status link_function(Program& p, std::vector<Placed>& placed, size_t which);
  // Applies the relocation of one instruction; sets `target` (section index
  // and instruction) when the instruction refers to code.
  Status relocate(Program& p, size_t pc, const Func& f, size_t k, const ElfFile::Rel& rel,
                  const Section*& target_sec, int64_t& target);
  Status relocate_extern(Program& p, size_t pc, const Func& f, size_t k, const Symbol& sym);
  static Status noted(Program& p, size_t pc, const char* kind, std::string target) {
    p.relocations.push_back({static_cast<uint32_t>(pc), kind, std::move(target)});
    return {};
  }
  Status apply_core(Program& p, const Placed& pl);
  static void note_unresolved_map_fds(Program& p);
  void add_line_info(Program& p, const Placed& pl);
  const Func* func_starting_at(const Section* sec, int64_t insn) const;
  int kfunc_index(const std::string& name);
  Error at(const Func& f, size_t k, const std::string& what) const {
    return Error{EINVAL, "section '" + f.sec->name + "', function '" + f.name + "', instruction " +
                             std::to_string(f.start + k) + ": " + what};
  }

  const ElfFile& file_;
  const BtfExt* ext_;
  Object& obj_;
  std::vector<Func> funcs_;
  std::map<size_t, std::map<uint64_t, ElfFile::Rel>> relocs_;  // section → offset → rel
};

Status Linker::index_functions() {
  for (const Section& sec : file_.sections()) {
    if (!sec.executable()) continue;
    if (sec.size % sizeof(Insn))
      return Error{EINVAL, "section '" + sec.name + "': size is not a whole number of instructions"};
    for (const Symbol& s : file_.symbols()) {
      if (s.section != sec.index || s.type != STT_FUNC) continue;
      // value + size could wrap: compare with what is left after value.
      if (s.value % sizeof(Insn) || s.size % sizeof(Insn) || s.value > sec.size ||
          s.size > sec.size - s.value || !s.size)
        return Error{EINVAL, "section '" + sec.name + "': function '" + s.name +
                                 "' does not lie on instruction boundaries inside the section"};
      Func f;
      f.sec = &sec;
      f.name = s.name;
      f.start = s.value / sizeof(Insn);
      f.len = s.size / sizeof(Insn);
      f.program = sec.name != ".text" && (s.bind == STB_GLOBAL || s.bind == STB_WEAK);
      funcs_.push_back(std::move(f));
    }
    auto rels = file_.relocations_for(sec.index);
    if (!rels) return rels.error();
    for (const ElfFile::Rel& r : *rels) {
      if (r.offset % sizeof(Insn) || r.offset >= sec.size)
        return Error{EINVAL, "section '" + sec.name + "': relocation at byte " +
                                 std::to_string(r.offset) + " is not on an instruction"};
      relocs_[sec.index][r.offset] = r;
    }
  }
  return {};
}

const Func* Linker::func_starting_at(const Section* sec, int64_t insn) const {
  for (const Func& f : funcs_)
    if (f.sec == sec && static_cast<int64_t>(f.start) == insn) return &f;
  return nullptr;
}

int Linker::kfunc_index(const std::string& name) {
  for (size_t i = 0; i < obj_.kfuncs.size(); ++i)
    if (obj_.kfuncs[i] == name) return static_cast<int>(i);
  obj_.kfuncs.push_back(name);
  return static_cast<int>(obj_.kfuncs.size() - 1);
}

Status Linker::relocate(Program& p, size_t pc, const Func& f, size_t k, const ElfFile::Rel& rel,
                        const Section*& target_sec, int64_t& target) {
  const Symbol& sym = file_.symbols()[rel.symbol];
  Insn& insn = p.insns[pc];
  if (isa::is_call(insn)) {
    if (rel.type != kRelBpf64_32) return at(f, k, "call with an unexpected relocation type " + std::to_string(rel.type));
    if (sym.section == SHN_UNDEF) {  // an extern function: a kfunc
      insn.src = isa::kPseudoKfuncCall;
      insn.imm = kfunc_index(sym.name);
      insn.off = 0;
      return noted(p, pc, "kfunc", sym.name);
    }
    target_sec = file_.section_at(sym.section);
    if (!target_sec || !target_sec->executable())
      return at(f, k, "call to '" + sym.name + "', which is not code");
    target = static_cast<int64_t>(sym.value / sizeof(Insn)) + insn.imm + 1;
    return {};  // noted by link_function, which knows the callee's name
  }
  if (!isa::is_ld_imm64(insn))
    return at(f, k, "relocation against '" + sym.name +
                        "' on an instruction that is neither a call nor a 64-bit load");
  if (rel.type != kRelBpf64_64) return at(f, k, "64-bit load with an unexpected relocation type " + std::to_string(rel.type));
  if (sym.section == SHN_UNDEF) return relocate_extern(p, pc, f, k, sym);
  const Section* sec = file_.section_at(sym.section);
  if (!sec) return at(f, k, "reference to a symbol in a missing section");
  Insn& next = p.insns[pc + 1];
  if (sec->name == ".maps") {
    const int m = obj_.find_map(sym.name);
    if (m < 0) return at(f, k, "reference to map '" + sym.name + "', which .maps does not define");
    insn.src = isa::kPseudoMapFd;
    insn.imm = m;
    next.imm = 0;
    return noted(p, pc, "map", sym.name);
  }
  if (is_global_data_section(sec->name)) {
    int m = -1;
    for (size_t i = 0; i < obj_.maps.size(); ++i)
      if (obj_.maps[i].global_data && obj_.maps[i].section == sec->name) m = static_cast<int>(i);
    if (m < 0) return at(f, k, "reference to empty data section '" + sec->name + "'");
    // The kernel takes the offset as a u32 below the value size
    // (resolve_pseudo_ldimm64); sym.value is a u64 and imm an s32.
    const uint64_t size = obj_.maps[static_cast<size_t>(m)].value_size;
    const int64_t off = static_cast<int64_t>(insn.imm) + static_cast<int64_t>(sym.value > size ? size : sym.value);
    if (sym.value > size || off < 0 || static_cast<uint64_t>(off) >= size)
      return at(f, k, "reference to '" + sym.name + "' (byte " + std::to_string(sym.value) + ", " +
                          std::to_string(insn.imm) + " added) lies outside section '" + sec->name + "' (" +
                          std::to_string(size) + " bytes)");
    insn.src = isa::kPseudoMapValue;
    next.imm = static_cast<int32_t>(off);
    insn.imm = m;
    return noted(p, pc, "global data", sec->name + "+" + std::to_string(next.imm) +
                                           (sym.type == STT_SECTION ? "" : " (" + sym.name + ")"));
  }
  if (sec->executable()) {  // the address of a function: a callback
    const int64_t byte = static_cast<int64_t>(sym.value > sec->size ? sec->size : sym.value) + insn.imm;
    if (sym.value > sec->size || byte < 0 || byte % static_cast<int64_t>(sizeof(Insn)))
      return at(f, k, "address of '" + sym.name + "' plus " + std::to_string(insn.imm) +
                          " is not an instruction of section '" + sec->name + "'");
    insn.src = isa::kPseudoFunc;
    target_sec = sec;
    target = byte / static_cast<int64_t>(sizeof(Insn));
    next.imm = 0;
    return {};  // noted by link_function, which knows the callee's name
  }
  return at(f, k, "reference to '" + sym.name + "' in section '" + sec->name +
                      "', which is neither a map, global data nor code");
}

// A __kconfig variable becomes a load of its address in the .kconfig map;
// a __ksym one a kernel-symbol load (src 3) the runtime resolves.
Status Linker::relocate_extern(Program& p, size_t pc, const Func& f, size_t k, const Symbol& sym) {
  Insn& insn = p.insns[pc];
  Insn& next = p.insns[pc + 1];
  for (const ExternVar& v : obj_.kconfig) {
    if (v.name != sym.name) continue;
    const int64_t off = int64_t{insn.imm} + v.offset;
    if (off < 0 || off >= int64_t{v.offset} + v.size)
      return at(f, k, "reference to '" + sym.name + "' at " + std::to_string(off - v.offset) +
                          " bytes from its start, outside its " + std::to_string(v.size) + " bytes");
    insn.src = isa::kPseudoMapValue;
    next.imm = static_cast<int32_t>(off);
    insn.imm = obj_.find_map(".kconfig");
    return noted(p, pc, "kconfig", sym.name);
  }
  for (size_t i = 0; i < obj_.ksyms.size(); ++i) {
    if (obj_.ksyms[i].name != sym.name) continue;
    insn.src = isa::kPseudoBtfId;
    insn.imm = static_cast<int32_t>(i);
    next.imm = 0;
    return noted(p, pc, "ksym", sym.name);
  }
  return at(f, k, "extern variable '" + sym.name +
                      "' is neither __kconfig nor __ksym (or the object has no BTF for it)");
}

Status Linker::link_function(Program& p, std::vector<Placed>& placed, size_t which) {
  const Func& f = *placed[which].func;
  const size_t base = placed[which].at;
  const auto& rels = relocs_[f.sec->index];
  for (size_t k = 0; k < f.len; ++k) {
    const size_t pc = base + k;
    const Insn insn = p.insns[pc];
    const bool wide = isa::is_ld_imm64(insn);
    if (wide && k + 1 >= f.len) return at(f, k, "64-bit load cut off by the end of the function");
    const Section* target_sec = nullptr;
    int64_t target = -1;
    auto r = rels.find((f.start + k) * sizeof(Insn));
    if (r != rels.end()) {
      if (Status s = relocate(p, pc, f, k, r->second, target_sec, target); !s) return s;
    } else if (isa::is_call(insn) && insn.src == isa::kPseudoCall) {
      target_sec = f.sec;  // a static function of the same section
      target = static_cast<int64_t>(f.start + k) + insn.imm + 1;
    }
    if (target_sec) {
      const Func* callee = func_starting_at(target_sec, target);
      if (!callee)
        return at(f, k, "call or callback target (instruction " + std::to_string(target) +
                            " of '" + target_sec->name + "') is not the start of a function");
      if (r != rels.end())
        (void)noted(p, pc, isa::is_call(insn) ? "call" : "callback", callee->name);
      size_t callee_at = SIZE_MAX;
      for (const Placed& pl : placed)
        if (pl.func == callee) callee_at = pl.at;
      if (callee_at == SIZE_MAX) {
        callee_at = p.insns.size();
        if (callee_at + callee->len > kMaxInsns)
          return Error{EINVAL, "program '" + p.name + "' is too large: over " +
                                   std::to_string(kMaxInsns) + " instructions once linked"};
        append_code(p.insns, *callee);
        placed.push_back({callee, callee_at});
      }
      p.insns[pc].imm = static_cast<int32_t>(static_cast<int64_t>(callee_at) - static_cast<int64_t>(pc) - 1);
    }
    if (wide) ++k;
  }
  return {};
}

Status Linker::apply_core(Program& p, const Placed& pl) {
  if (!ext_) return {};
  auto it = ext_->core_relos.find(pl.func->sec->name);
  if (it == ext_->core_relos.end()) return {};
  for (const BtfExt::CoreRelo& r : it->second) {
    const size_t k = r.insn_off / sizeof(Insn);
    if (k < pl.func->start || k >= pl.func->start + pl.func->len) continue;
    if (!obj_.btf || !obj_.btf->type(r.type_id))
      return at(*pl.func, k - pl.func->start, "CO-RE relocation names type id " +
                                                  std::to_string(r.type_id) + ", which BTF lacks");
    // The runtime's types are the program's own: every relocation resolves
    // against the local BTF, whose answers clang already compiled in — all
    // but the type ids, which the loader owns.
    if (r.kind > static_cast<uint32_t>(CoreReloKind::TypeMatches))
      return at(*pl.func, k - pl.func->start, "unknown CO-RE relocation kind " + std::to_string(r.kind));
    const size_t pc = pl.at + k - pl.func->start;
    p.relocations.push_back({static_cast<uint32_t>(pc), "CO-RE",
                             std::string(core_relo_kind_name(r.kind)) + " " + obj_.btf->describe(r.type_id) +
                                 " " + obj_.btf->string_at(r.access_str_off)});
    const auto kind = static_cast<CoreReloKind>(r.kind);
    if (kind == CoreReloKind::TypeIdLocal || kind == CoreReloKind::TypeIdTarget) {
      Insn& insn = p.insns[pc];
      insn.imm = static_cast<int32_t>(r.type_id);
      if (isa::is_ld_imm64(insn)) p.insns[pc + 1].imm = 0;
    }
  }
  return {};
}

void Linker::add_line_info(Program& p, const Placed& pl) {
  if (!ext_ || !obj_.btf) return;
  const Func& f = *pl.func;
  if (auto it = ext_->line_info.find(f.sec->name); it != ext_->line_info.end()) {
    for (const BtfExt::LineInfo& li : it->second) {
      const size_t k = li.insn_off / sizeof(Insn);
      if (k < f.start || k >= f.start + f.len) continue;
      p.lines.push_back(LineInfo{static_cast<uint32_t>(pl.at + k - f.start),
                                 obj_.btf->string_at(li.file_name_off),
                                 obj_.btf->string_at(li.line_off), li.line_col >> 10,
                                 li.line_col & 0x3ff});
    }
  }
  uint32_t btf_id = 0;
  if (auto it = ext_->func_info.find(f.sec->name); it != ext_->func_info.end())
    for (const BtfExt::FuncInfo& fi : it->second)
      if (fi.insn_off / sizeof(Insn) == f.start) btf_id = fi.type_id;
  p.funcs.push_back(Program::Func{static_cast<uint32_t>(pl.at), f.name, btf_id});
}

// The function a program names with __exception_cb ("exception_callback:fn"
// on its BTF FUNC), or nullptr; an error when it names none of the object's
// functions. libbpf appends it to the program as it does a called subprogram.
Expected<const Func*> Linker::exception_callback(const Func& main, const std::string& prog) {
  if (!ext_ || !obj_.btf) return nullptr;
  uint32_t btf_id = 0;
  if (auto it = ext_->func_info.find(main.sec->name); it != ext_->func_info.end())
    for (const BtfExt::FuncInfo& fi : it->second)
      if (fi.insn_off / sizeof(Insn) == main.start) btf_id = fi.type_id;
  if (!btf_id) return nullptr;
  constexpr std::string_view kTag = "exception_callback:";
  for (const std::string& tag : obj_.btf->decl_tags(btf_id)) {
    if (tag.compare(0, kTag.size(), kTag) != 0) continue;
    const std::string name = tag.substr(kTag.size());
    for (const Func& f : funcs_)
      if (f.name == name && !f.program) return &f;
    return Error{EINVAL, "program '" + prog + "': its exception callback '" + name +
                             "' (__exception_cb) is not a function of this object outside program sections"};
  }
  return nullptr;
}

Expected<Program> Linker::link(const Func& main) {
  Program p;
  p.name = main.name;
  p.section = main.sec->name;
  if (!p.section.empty() && p.section[0] == '?') {
    p.section.erase(0, 1);
    p.autoload = false;
  }
  if (!classify_section(p.section, p.type, p.sleepable, &p.attach)) p.type = ProgType::Unspec;
  append_code(p.insns, main);
  std::vector<Placed> placed{{&main, 0}};
  auto cb = exception_callback(main, p.name);
  if (!cb) return cb.error();
  if (*cb) {
    if (p.insns.size() + (*cb)->len > kMaxInsns)
      return Error{EINVAL, "program '" + p.name + "' is too large: over " + std::to_string(kMaxInsns) +
                               " instructions once linked"};
    p.exception_cb = static_cast<uint32_t>(p.insns.size());
    append_code(p.insns, **cb);
    placed.push_back({*cb, p.exception_cb});
  }
  for (size_t i = 0; i < placed.size(); ++i)
    if (Status s = link_function(p, placed, i); !s) return s.error();
  for (const Placed& pl : placed) {
    if (Status s = apply_core(p, pl); !s) return s.error();
    add_line_info(p, pl);
  }
  p.btf_func_id = p.funcs.empty() ? 0 : p.funcs[0].btf_id;
  note_unresolved_map_fds(p);
  return p;
}

void Linker::note_unresolved_map_fds(Program& p) {
  std::vector<bool> resolved(p.insns.size());
  for (const Program::Relocation& r : p.relocations)
    if (r.insn < resolved.size() && (r.kind == "map" || r.kind == "global data" || r.kind == "kconfig"))
      resolved[r.insn] = true;
  for (size_t i = 0; i + 1 < p.insns.size(); ++i) {
    const Insn& in = p.insns[i];
    if (!isa::is_ld_imm64(in)) continue;
    if (!resolved[i] && isa::is_map_load(in)) p.unresolved_map_fds.push_back(static_cast<uint32_t>(i));
    ++i;  // the second half
  }
}

Status Linker::link_all() {
  for (const Func& f : funcs_) {
    if (!f.program) continue;
    auto p = link(f);
    if (!p) return p.error();
    obj_.programs.push_back(std::move(p.value()));
  }
  return {};
}

}  // namespace

Status collect_programs(const ElfFile& file, const BtfExt* ext, Object& obj) {
  Linker linker(file, ext, obj);
  if (Status s = linker.index_functions(); !s) return s;
  return linker.link_all();
}

}  // namespace ringb::elf
